#include "engine/runtime/lifecycle.h"

#include <stdexcept>
#include <string>

namespace pmiflow::runtime {
namespace {

template <typename S>
struct Transition {
  S from;
  S to;
};

// The whole of each durable lifecycle. Anything not listed is a bug in a processor.
constexpr Transition<InstanceStatus> kInstance[] = {
    {InstanceStatus::kNone, InstanceStatus::kActive},
    {InstanceStatus::kActive, InstanceStatus::kCompleted},
    {InstanceStatus::kActive, InstanceStatus::kTerminated},
};
constexpr Transition<ElementState> kElement[] = {
    {ElementState::kNone, ElementState::kActivated},
    {ElementState::kActivated, ElementState::kCompleted},
    {ElementState::kActivated, ElementState::kTerminated},
};
constexpr Transition<JobState> kJob[] = {
    {JobState::kNone, JobState::kActivatable},
    {JobState::kActivatable, JobState::kCompleted},
    {JobState::kActivatable, JobState::kActivatable},  // failed with retries left
    {JobState::kActivatable, JobState::kFailed},       // no retries left: incident
    {JobState::kActivatable, JobState::kCanceled},
    {JobState::kActivatable, JobState::kErrorThrown},
    {JobState::kFailed, JobState::kActivatable},  // incident resolved, retries given back
    {JobState::kFailed, JobState::kCanceled},
    {JobState::kActivatable, JobState::kActivated},  // a worker took it
    {JobState::kActivated, JobState::kActivated},    // its lease expired: another one took it
    {JobState::kActivated, JobState::kCompleted},
    {JobState::kActivated, JobState::kActivatable},  // the worker failed it, retries left
    {JobState::kActivated, JobState::kFailed},
    {JobState::kActivated, JobState::kCanceled},
    {JobState::kActivated, JobState::kErrorThrown},
};

template <typename S, std::size_t N>
bool allowed(const Transition<S> (&table)[N], S from, S to) {
  for (const auto& t : table) {
    if (t.from == from && t.to == to) return true;
  }
  return false;
}

template <typename S>
void check(bool ok, const char* what, S from, S to) {
  if (!ok) {
    throw std::logic_error(std::string("lifecycle violation: ") + what + " " + to_string(from) +
                           " -> " + to_string(to));
  }
}

}  // namespace

const char* to_string(InstanceStatus s) {
  switch (s) {
    case InstanceStatus::kNone:
      return "none";
    case InstanceStatus::kActive:
      return "active";
    case InstanceStatus::kCompleted:
      return "completed";
    case InstanceStatus::kTerminated:
      return "terminated";
  }
  return "?";
}
const char* to_string(ElementState s) {
  switch (s) {
    case ElementState::kNone:
      return "none";
    case ElementState::kActivated:
      return "activated";
    case ElementState::kCompleted:
      return "completed";
    case ElementState::kTerminated:
      return "terminated";
  }
  return "?";
}
const char* to_string(JobState s) {
  switch (s) {
    case JobState::kNone:
      return "none";
    case JobState::kActivated:
      return "activated";
    case JobState::kActivatable:
      return "activatable";
    case JobState::kFailed:
      return "failed";
    case JobState::kCompleted:
      return "completed";
    case JobState::kCanceled:
      return "canceled";
    case JobState::kErrorThrown:
      return "error_thrown";
  }
  return "?";
}

bool is_allowed(InstanceStatus from, InstanceStatus to) {
  return allowed(kInstance, from, to);
}
bool is_allowed(ElementState from, ElementState to) {
  return allowed(kElement, from, to);
}
bool is_allowed(JobState from, JobState to) {
  return allowed(kJob, from, to);
}

void check_transition(InstanceStatus from, InstanceStatus to) {
  check(is_allowed(from, to), "instance", from, to);
}
void check_transition(ElementState from, ElementState to) {
  check(is_allowed(from, to), "element", from, to);
}
void check_transition(JobState from, JobState to) {
  check(is_allowed(from, to), "job", from, to);
}

}  // namespace pmiflow::runtime
