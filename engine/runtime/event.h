// Events: the truth of an instance. State = fold(events). Past tense, each with a stable
// numeric type id and a schema version so old logs replay unchanged (docs/event-format.md).
#pragma once

#include <cstdint>
#include <string>

#include "engine/common/json.h"

namespace pmiflow::runtime {

// Stable ids: they are stored; never renumber or reuse.
enum class EventType : std::uint16_t {
  kInstanceCreated = 1,
  kElementActivated = 2,
  kElementCompleted = 3,
  kElementTerminated = 4,
  kFlowTaken = 5,
  kUserTaskCreated = 6,
  kUserTaskCompleted = 7,
  kVariablesSet = 8,
  kJobCreated = 9,
  kJobCompleted = 10,
  kJobFailed = 11,
  kIncidentRaised = 12,
  kIncidentResolved = 13,
  kDecisionTaken = 14,
  kInstanceCompleted = 15,
  kInstanceTerminated = 16,
  kUserTaskCanceled = 17,
  kJobCanceled = 18,
  kRecordWritten = 19,
  kMessageQueued = 20,
};

const char* event_type_name(EventType type);  // "ElementActivated", ...
bool event_type_from_name(const std::string& name, EventType& out);

// Who caused an event: a person acting in a role, the engine, or a handler.
struct Actor {
  std::string kind;  // "user", "engine", "handler"
  std::string id;    // user name, or handler type; empty for the engine
  std::string role;  // candidate group the user acted as; empty otherwise

  static Actor engine() { return Actor{"engine", "", ""}; }
  static Actor handler(std::string type) { return Actor{"handler", std::move(type), ""}; }
  static Actor user(std::string id, std::string role) {
    return Actor{"user", std::move(id), std::move(role)};
  }
  Json to_json() const;
  static Actor from_json(const Json& j);
  bool operator==(const Actor&) const = default;
};

// Ids of user tasks, jobs and incidents are derived, never stored: task_id_for(instance, key).
// One event of one instance. `payload` keys by type (all optional keys omitted when empty):
//   InstanceCreated:   process, version, school, period, variables{}
//   ElementActivated:  element, key, kind, flow (incoming flow id, absent for a start event),
//                      joined[] (parallel join only: the incoming flow ids whose tokens it took)
//   ElementCompleted:  element, key
//   ElementTerminated: element, key
//   FlowTaken:         flow, from, to, join (true when `to` is a parallel join: the token waits
//                      there until every incoming flow has one)
//   UserTaskCreated:   element, key, name, candidate_groups[], form
//   UserTaskCompleted: element, key
//   UserTaskCanceled:  element, key
//   VariablesSet:      element (may be empty), changes[{name, old, new}]
//   JobCreated:        element, key, type, retries
//   JobCompleted:      element, key
//   JobFailed:         element, key, message, retries_left
//   JobCanceled:       element, key
//   IncidentRaised:    key (the incident's own key), element, element_key, kind, message
//   IncidentResolved:  key
//   DecisionTaken:     element, key, flow (chosen), condition (its text; empty for the default),
//                      default (bool), inputs{variable: value seen}, evaluated[{flow, condition,
//                      result}]
//   InstanceCompleted / InstanceTerminated: element (the terminate end event, if any)
//   RecordWritten:     record (kind), element, key, school, period, data{variables the task's
//                      completion set}
//   MessageQueued:     subprocess, element, key, school, period, data{...}; its outbox id is
//                      "<instance>-<key>-<subprocess>"
struct Event {
  std::int64_t instance_id = 0;
  std::int64_t seq = 0;  // 1-based, dense per instance
  EventType type = EventType::kInstanceCreated;
  std::uint16_t type_version = 1;
  std::int64_t time_ms = 0;  // Unix epoch milliseconds, from the command's `now`
  Actor actor;
  std::int32_t definition_version = 0;
  Json payload;
  // The hash chain (engine/engine/audit.h): set by the store when it appends the event; empty
  // on events that were not stored yet.
  std::string prev_hash;
  std::string hash;
};

}  // namespace pmiflow::runtime
