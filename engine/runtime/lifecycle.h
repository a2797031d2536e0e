// Durable lifecycles (instance, element instance, job) as explicit transition tables,
// checked in one place: every applier goes through check_transition().
#pragma once

#include <cstdint>

namespace pmiflow::runtime {

enum class InstanceStatus : std::uint8_t { kNone, kActive, kCompleted, kTerminated };
enum class ElementState : std::uint8_t { kNone, kActivated, kCompleted, kTerminated };
enum class JobState : std::uint8_t {
  kNone,
  kActivatable,
  kActivated,  // a worker holds it until its lease's deadline (JobActivated)
  kFailed,
  kCompleted,
  kCanceled,
  kErrorThrown,  // its handler threw a BPMN error (ErrorThrown)
};

const char* to_string(InstanceStatus s);
const char* to_string(ElementState s);
const char* to_string(JobState s);

bool is_allowed(InstanceStatus from, InstanceStatus to);
bool is_allowed(ElementState from, ElementState to);
bool is_allowed(JobState from, JobState to);

// Throws LifecycleViolation (a bug: the processors emitted an impossible event) when the
// transition is not in the table.
void check_transition(InstanceStatus from, InstanceStatus to);
void check_transition(ElementState from, ElementState to);
void check_transition(JobState from, JobState to);

}  // namespace pmiflow::runtime
