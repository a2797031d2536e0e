#include "engine/runtime/event.h"

#include <array>
#include <utility>

namespace pmiflow::runtime {
namespace {

constexpr std::array<std::pair<EventType, const char*>, 33> kNames{{
    {EventType::kInstanceCreated, "InstanceCreated"},
    {EventType::kElementActivated, "ElementActivated"},
    {EventType::kElementCompleted, "ElementCompleted"},
    {EventType::kElementTerminated, "ElementTerminated"},
    {EventType::kFlowTaken, "FlowTaken"},
    {EventType::kUserTaskCreated, "UserTaskCreated"},
    {EventType::kUserTaskCompleted, "UserTaskCompleted"},
    {EventType::kVariablesSet, "VariablesSet"},
    {EventType::kJobCreated, "JobCreated"},
    {EventType::kJobCompleted, "JobCompleted"},
    {EventType::kJobFailed, "JobFailed"},
    {EventType::kIncidentRaised, "IncidentRaised"},
    {EventType::kIncidentResolved, "IncidentResolved"},
    {EventType::kDecisionTaken, "DecisionTaken"},
    {EventType::kInstanceCompleted, "InstanceCompleted"},
    {EventType::kInstanceTerminated, "InstanceTerminated"},
    {EventType::kUserTaskCanceled, "UserTaskCanceled"},
    {EventType::kJobCanceled, "JobCanceled"},
    {EventType::kRecordWritten, "RecordWritten"},
    {EventType::kMessageQueued, "MessageQueued"},
    {EventType::kTimerCreated, "TimerCreated"},
    {EventType::kTimerTriggered, "TimerTriggered"},
    {EventType::kTimerCanceled, "TimerCanceled"},
    {EventType::kMessageSubscriptionOpened, "MessageSubscriptionOpened"},
    {EventType::kMessageCorrelated, "MessageCorrelated"},
    {EventType::kMessageSubscriptionClosed, "MessageSubscriptionClosed"},
    {EventType::kErrorThrown, "ErrorThrown"},
    {EventType::kJobActivated, "JobActivated"},
    {EventType::kJobLeaseExtended, "JobLeaseExtended"},
    {EventType::kJobRetriesUpdated, "JobRetriesUpdated"},
    {EventType::kChildInstanceCreated, "ChildInstanceCreated"},
    {EventType::kMultiInstanceStarted, "MultiInstanceStarted"},
    {EventType::kMultiInstanceOutput, "MultiInstanceOutput"},
}};

}  // namespace

const char* event_type_name(EventType type) {
  for (const auto& [t, name] : kNames) {
    if (t == type) return name;
  }
  return "Unknown";
}

bool event_type_from_name(const std::string& name, EventType& out) {
  for (const auto& [t, n] : kNames) {
    if (name == n) {
      out = t;
      return true;
    }
  }
  return false;
}

EventType Event::type() const {
  return std::visit([](const auto& b) { return std::decay_t<decltype(b)>::kType; }, body);
}

Json Actor::to_json() const {
  Json j = Json::object();
  j["kind"] = kind;
  if (!id.empty()) j["id"] = id;
  if (!role.empty()) j["role"] = role;
  return j;
}

Actor Actor::from_json(const Json& j) {
  Actor a;
  if (!j.is_object()) return a;
  auto get = [&j](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  a.kind = get("kind");
  a.id = get("id");
  a.role = get("role");
  return a;
}

}  // namespace pmiflow::runtime
