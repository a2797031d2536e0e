// The event vocabulary: one struct per event type, each the one description of its payload.
// Its `fields` list names every payload key of its current version once, in the byte order of
// the keys (the order of the canonical JSON text the hash chain covers: event_codec.h), with
// how the key is written:
//   kAlways    written on every event (empty or not); a stored event without it does not read
//   kNonEmpty  written only when not empty (an empty string or list, 0, false, no value); a
//              stored event without it reads as empty
// The codec, the applier (event_applier.h), the describer (event_describer.h) and the stores
// use these structs; nothing else reads a payload's JSON.
//
// A change to a payload's shape is a new `kVersion` of its type. The struct of the version
// before becomes its `Previous` (a struct of its own, with its `fields` and an `upgrade()` to
// the next version), so that stored events of every version still read; an event read from a
// store keeps the payload it was stored with (Event::stored_payload), which its hash covers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/common/json.h"
#include "engine/runtime/instance_state.h"

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
  kTimerCreated = 21,
  kTimerTriggered = 22,
  kTimerCanceled = 23,
  kMessageSubscriptionOpened = 24,
  kMessageCorrelated = 25,
  kMessageSubscriptionClosed = 26,
  kErrorThrown = 27,
  kJobActivated = 28,
  kJobLeaseExtended = 29,
  kJobRetriesUpdated = 30,
  kChildInstanceCreated = 31,
  kMultiInstanceStarted = 32,
  kMultiInstanceOutput = 33,
};

enum class Presence : std::uint8_t { kAlways, kNonEmpty };

struct InstanceCreated;
struct InstanceCreatedV2;
struct VariablesSet;
struct RecordWritten;
struct RecordWrittenV2;
struct MessageQueued;
inline constexpr Presence kAlways = Presence::kAlways;
inline constexpr Presence kNonEmpty = Presence::kNonEmpty;

// One variable a VariablesSet changed.
struct VariableChange {
  std::string name;
  Json value;               // "new"
  std::optional<Json> old;  // absent: the variable did not exist before
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("name", s.name, kAlways);
    f("new", s.value, kAlways);
    f("old", s.old, kNonEmpty);
  }
  bool operator==(const VariableChange&) const = default;
};

// One condition an exclusive gateway evaluated, and what it gave.
struct ConditionResult {
  std::string condition;  // its FEEL text
  std::string flow;
  Json result;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("condition", s.condition, kAlways);
    f("flow", s.flow, kAlways);
    f("result", s.result, kAlways);
  }
  bool operator==(const ConditionResult&) const = default;
};

// Version 1 of InstanceCreated: the business key was (process, school, period).
struct InstanceCreatedV1 {
  static constexpr std::uint16_t kVersion = 1;
  std::string period;
  std::string process;
  std::string school;
  Variables variables;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("period", s.period, kAlways);
    f("process", s.process, kAlways);
    f("school", s.school, kAlways);
    f("variables", s.variables, kAlways);
  }
  // Business id "<school>/<period>" and tags school and period: what D02.03, the only process
  // of version 1 logs, starts its instances with today (handlers/d02_03/business_key.h).
  InstanceCreatedV2 upgrade() const;
};

// Version 2 of InstanceCreated: no instance had a parent.
struct InstanceCreatedV2 {
  static constexpr std::uint16_t kVersion = 2;
  using Previous = InstanceCreatedV1;
  std::string business_id;
  std::string process;
  Tags tags;
  Variables variables;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("business_id", s.business_id, kAlways);
    f("process", s.process, kAlways);
    f("tags", s.tags, kNonEmpty);
    f("variables", s.variables, kAlways);
  }
  InstanceCreated upgrade() const;
};

// The instance was created with its business key, its tags and its start variables; a child
// (started by a call activity) names its parent: the instance, and the call activity's element
// and element instance key there.
struct InstanceCreated {
  static constexpr EventType kType = EventType::kInstanceCreated;
  static constexpr std::uint16_t kVersion = 3;
  using Previous = InstanceCreatedV2;
  std::string business_id;
  std::string process;
  Tags tags;
  Variables variables;
  std::int64_t parent_instance = 0;
  std::string parent_element;
  std::int64_t parent_key = 0;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("business_id", s.business_id, kAlways);
    f("parent_element", s.parent_element, kNonEmpty);
    f("parent_instance", s.parent_instance, kNonEmpty);
    f("parent_key", s.parent_key, kNonEmpty);
    f("process", s.process, kAlways);
    f("tags", s.tags, kNonEmpty);
    f("variables", s.variables, kAlways);
  }
};

inline InstanceCreatedV2 InstanceCreatedV1::upgrade() const {
  return InstanceCreatedV2{school + "/" + period, process,
                           Tags{{"period", period}, {"school", school}}, variables};
}

inline InstanceCreated InstanceCreatedV2::upgrade() const {
  return InstanceCreated{business_id, process, tags, variables, 0, {}, 0};
}

// A token entered a flow node: its element instance `key` in flow scope `scope` (0: the
// process). `flow` is the incoming flow (none for a start event); `joined`, for a parallel
// join, the incoming flows whose waiting tokens it took.
struct ElementActivated {
  static constexpr EventType kType = EventType::kElementActivated;
  static constexpr std::uint16_t kVersion = 1;
  std::string element;
  std::string flow;
  std::vector<std::string> joined;
  std::int64_t key = 0;
  std::string kind;  // model::node_kind_name
  std::int64_t scope = 0;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("element", s.element, kAlways);
    f("flow", s.flow, kNonEmpty);
    f("joined", s.joined, kNonEmpty);
    f("key", s.key, kAlways);
    f("kind", s.kind, kAlways);
    f("scope", s.scope, kNonEmpty);
  }
};

// The events that name an element instance and nothing more.
template <EventType T>
struct ElementInstanceEvent {
  static constexpr EventType kType = T;
  static constexpr std::uint16_t kVersion = 1;
  std::string element;
  std::int64_t key = 0;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("element", s.element, kAlways);
    f("key", s.key, kAlways);
  }
};
using ElementCompleted = ElementInstanceEvent<EventType::kElementCompleted>;
using ElementTerminated = ElementInstanceEvent<EventType::kElementTerminated>;
using UserTaskCompleted = ElementInstanceEvent<EventType::kUserTaskCompleted>;
using UserTaskCanceled = ElementInstanceEvent<EventType::kUserTaskCanceled>;
using JobCompleted = ElementInstanceEvent<EventType::kJobCompleted>;
using JobCanceled = ElementInstanceEvent<EventType::kJobCanceled>;

// A token moved along a sequence flow. `join`: `to` is a parallel join, where the token waits
// (in flow scope `scope`) until every incoming flow has one.
struct FlowTaken {
  static constexpr EventType kType = EventType::kFlowTaken;
  static constexpr std::uint16_t kVersion = 1;
  std::string flow;
  std::string from;
  bool join = false;
  std::int64_t scope = 0;
  std::string to;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("flow", s.flow, kAlways);
    f("from", s.from, kAlways);
    f("join", s.join, kNonEmpty);
    f("scope", s.scope, kNonEmpty);
    f("to", s.to, kAlways);
  }
};

// A user task opened for its candidate groups, with the form it links (may be empty).
struct UserTaskCreated {
  static constexpr EventType kType = EventType::kUserTaskCreated;
  static constexpr std::uint16_t kVersion = 1;
  std::vector<std::string> candidate_groups;
  std::string element;
  std::string form;
  std::int64_t key = 0;
  std::string name;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("candidate_groups", s.candidate_groups, kAlways);
    f("element", s.element, kAlways);
    f("form", s.form, kAlways);
    f("key", s.key, kAlways);
    f("name", s.name, kAlways);
  }
};

// Version 1 of VariablesSet: every variable was the process's.
struct VariablesSetV1 {
  static constexpr std::uint16_t kVersion = 1;
  std::vector<VariableChange> changes;
  std::string element;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("changes", s.changes, kAlways);
    f("element", s.element, kNonEmpty);
  }
  VariablesSet upgrade() const;
};

// Variables changed in variable scope `scope`: 0, the process's; else the local variables of
// that element instance (a subprocess, a multi-instance body or one of its inner instances).
// `element`: where they were set, when a task's completion set them.
struct VariablesSet {
  static constexpr EventType kType = EventType::kVariablesSet;
  static constexpr std::uint16_t kVersion = 2;
  using Previous = VariablesSetV1;
  std::vector<VariableChange> changes;
  std::string element;
  std::int64_t scope = 0;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("changes", s.changes, kAlways);
    f("element", s.element, kNonEmpty);
    f("scope", s.scope, kNonEmpty);
  }
};

inline VariablesSet VariablesSetV1::upgrade() const {
  return VariablesSet{changes, element, 0};
}

// A service task's job was created for the handler of `type`.
struct JobCreated {
  static constexpr EventType kType = EventType::kJobCreated;
  static constexpr std::uint16_t kVersion = 1;
  std::string element;
  std::int64_t key = 0;
  std::int64_t retries = 0;
  std::string type;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("element", s.element, kAlways);
    f("key", s.key, kAlways);
    f("retries", s.retries, kAlways);
    f("type", s.type, kAlways);
  }
};

// A job's handler failed; with no retries left an incident follows. With retries left, the job
// is activatable again at `retry_at` (ms since the epoch; 0, absent: at once), after its
// backoff.
struct JobFailed {
  static constexpr EventType kType = EventType::kJobFailed;
  static constexpr std::uint16_t kVersion = 1;
  std::string element;
  std::int64_t key = 0;
  std::string message;
  std::int64_t retries_left = 0;
  std::int64_t retry_at = 0;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("element", s.element, kAlways);
    f("key", s.key, kAlways);
    f("message", s.message, kAlways);
    f("retries_left", s.retries_left, kAlways);
    f("retry_at", s.retry_at, kNonEmpty);
  }
};

// An incident (its own `key`) at element instance `element_key` (0: none).
struct IncidentRaised {
  static constexpr EventType kType = EventType::kIncidentRaised;
  static constexpr std::uint16_t kVersion = 1;
  std::string element;
  std::int64_t element_key = 0;
  std::int64_t key = 0;
  std::string kind;  // "condition", "no-flow", "job", "runaway", "timer", "message", "error"
  std::string message;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("element", s.element, kAlways);
    f("element_key", s.element_key, kAlways);
    f("key", s.key, kAlways);
    f("kind", s.kind, kAlways);
    f("message", s.message, kAlways);
  }
};

struct IncidentResolved {
  static constexpr EventType kType = EventType::kIncidentResolved;
  static constexpr std::uint16_t kVersion = 1;
  std::int64_t key = 0;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("key", s.key, kAlways);
  }
};

// An exclusive gateway chose `flow`: the condition that held (empty for the default or an
// unconditioned flow), the variables its conditions read and what each evaluated condition
// gave.
struct DecisionTaken {
  static constexpr EventType kType = EventType::kDecisionTaken;
  static constexpr std::uint16_t kVersion = 1;
  std::string condition;
  bool is_default = false;
  std::string element;
  std::vector<ConditionResult> evaluated;
  std::string flow;
  Variables inputs;
  std::int64_t key = 0;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("condition", s.condition, kAlways);
    f("default", s.is_default, kAlways);
    f("element", s.element, kAlways);
    f("evaluated", s.evaluated, kAlways);
    f("flow", s.flow, kAlways);
    f("inputs", s.inputs, kAlways);
    f("key", s.key, kAlways);
  }
};

// The instance ended: completed (by a terminate end event `element`, or when no token was
// left) or terminated (canceled).
template <EventType T>
struct InstanceEndEvent {
  static constexpr EventType kType = T;
  static constexpr std::uint16_t kVersion = 1;
  std::string element;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("element", s.element, kNonEmpty);
  }
};
using InstanceCompleted = InstanceEndEvent<EventType::kInstanceCompleted>;
using InstanceTerminated = InstanceEndEvent<EventType::kInstanceTerminated>;

// Version 1 of RecordWritten and MessageQueued also carried the instance's school and period
// (its tags since InstanceCreated v2).
struct RecordWrittenV1 {
  static constexpr std::uint16_t kVersion = 1;
  Variables data;
  std::string element;
  std::int64_t key = 0;
  std::string period;
  std::string record;
  std::string school;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("data", s.data, kAlways);
    f("element", s.element, kAlways);
    f("key", s.key, kAlways);
    f("period", s.period, kAlways);
    f("record", s.record, kAlways);
    f("school", s.school, kAlways);
  }
  RecordWrittenV2 upgrade() const;
};

// Version 2: without the role that keeps the record.
struct RecordWrittenV2 {
  static constexpr std::uint16_t kVersion = 2;
  using Previous = RecordWrittenV1;
  Variables data;
  std::string element;
  std::int64_t key = 0;
  std::string record;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("data", s.data, kAlways);
    f("element", s.element, kAlways);
    f("key", s.key, kAlways);
    f("record", s.record, kAlways);
  }
  RecordWritten upgrade() const;
};

// A task's completion wrote a record of the process (model: pmiflow.record), with the
// variables the completion set, naming the role that keeps it (pmiflow.recordResponsible;
// empty when the model names none).
struct RecordWritten {
  static constexpr EventType kType = EventType::kRecordWritten;
  static constexpr std::uint16_t kVersion = 3;
  using Previous = RecordWrittenV2;
  Variables data;
  std::string element;
  std::int64_t key = 0;
  std::string record;
  std::string responsible;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("data", s.data, kAlways);
    f("element", s.element, kAlways);
    f("key", s.key, kAlways);
    f("record", s.record, kAlways);
    f("responsible", s.responsible, kNonEmpty);
  }
};

inline RecordWrittenV2 RecordWrittenV1::upgrade() const {
  return RecordWrittenV2{data, element, key, record};
}

inline RecordWritten RecordWrittenV2::upgrade() const {
  return RecordWritten{data, element, key, record, {}};
}

struct MessageQueuedV1 {
  static constexpr std::uint16_t kVersion = 1;
  Variables data;
  std::string element;
  std::int64_t key = 0;
  std::string period;
  std::string school;
  std::string subprocess;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("data", s.data, kAlways);
    f("element", s.element, kAlways);
    f("key", s.key, kAlways);
    f("period", s.period, kAlways);
    f("school", s.school, kAlways);
    f("subprocess", s.subprocess, kAlways);
  }
  MessageQueued upgrade() const;
};

// A task's completion queued a message to another subprocess in the outbox (model:
// pmiflow.notify); its outbox id is "<instance>-<key>-<subprocess>".
struct MessageQueued {
  static constexpr EventType kType = EventType::kMessageQueued;
  static constexpr std::uint16_t kVersion = 2;
  using Previous = MessageQueuedV1;
  Variables data;
  std::string element;
  std::int64_t key = 0;
  std::string subprocess;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("data", s.data, kAlways);
    f("element", s.element, kAlways);
    f("key", s.key, kAlways);
    f("subprocess", s.subprocess, kAlways);
  }
};

inline MessageQueued MessageQueuedV1::upgrade() const {
  return MessageQueued{data, element, key, subprocess};
}

// A timer was armed (its own `key`) for timer event `element`, owned by element instance
// `element_key` (instance_state.h, Timer), due at `due` (Unix ms). A cycle's timer carries its
// `cycle` text, when it was first armed (`armed`) and which fire it is (`fire`).
struct TimerCreated {
  static constexpr EventType kType = EventType::kTimerCreated;
  static constexpr std::uint16_t kVersion = 1;
  std::int64_t armed = 0;
  std::string cycle;
  std::int64_t due = 0;
  std::string element;
  std::int64_t element_key = 0;
  std::int64_t fire = 0;
  std::int64_t key = 0;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("armed", s.armed, kNonEmpty);
    f("cycle", s.cycle, kNonEmpty);
    f("due", s.due, kAlways);
    f("element", s.element, kAlways);
    f("element_key", s.element_key, kAlways);
    f("fire", s.fire, kNonEmpty);
    f("key", s.key, kAlways);
  }
};
// A timer (`key`) fired, or was canceled because its owner ended.
using TimerTriggered = ElementInstanceEvent<EventType::kTimerTriggered>;
using TimerCanceled = ElementInstanceEvent<EventType::kTimerCanceled>;

// A message subscription (its own `key`) opened for message event or receive task `element`,
// owned by element instance `element_key` (instance_state.h, MessageSubscription): it waits for
// message `name` with key `correlation_key` (its correlation key expression's value).
struct MessageSubscriptionOpened {
  static constexpr EventType kType = EventType::kMessageSubscriptionOpened;
  static constexpr std::uint16_t kVersion = 1;
  std::string correlation_key;
  std::string element;
  std::int64_t element_key = 0;
  std::int64_t key = 0;
  std::string name;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("correlation_key", s.correlation_key, kAlways);
    f("element", s.element, kAlways);
    f("element_key", s.element_key, kAlways);
    f("key", s.key, kAlways);
    f("name", s.name, kAlways);
  }
};
// Published message `message_key` (the store's key; `message_id`: the publisher's id, if any)
// reached the instance at `element`: subscription `key` (which it closes), or, with key 0, the
// message start event that created the instance. The message's variables follow in a
// VariablesSet.
struct MessageCorrelated {
  static constexpr EventType kType = EventType::kMessageCorrelated;
  static constexpr std::uint16_t kVersion = 1;
  std::string correlation_key;
  std::string element;
  std::int64_t key = 0;
  std::string message_id;
  std::int64_t message_key = 0;
  std::string name;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("correlation_key", s.correlation_key, kNonEmpty);
    f("element", s.element, kAlways);
    f("key", s.key, kNonEmpty);
    f("message_id", s.message_id, kNonEmpty);
    f("message_key", s.message_key, kAlways);
    f("name", s.name, kAlways);
  }
};
// A message subscription (`key`) was closed because its owner ended.
using MessageSubscriptionClosed = ElementInstanceEvent<EventType::kMessageSubscriptionClosed>;

// Element instance `key` (an error end event, or a service task whose handler threw a BPMN
// error: its job ends) threw error `code` (`message`: what the handler said). `caught_by`: the
// error boundary event or the error start event of an event subprocess that catches it, which
// follows; empty when nothing catches it (an incident is raised at the element).
struct ErrorThrown {
  static constexpr EventType kType = EventType::kErrorThrown;
  static constexpr std::uint16_t kVersion = 1;
  std::string caught_by;
  std::string code;
  std::string element;
  std::int64_t key = 0;
  std::string message;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("caught_by", s.caught_by, kNonEmpty);
    f("code", s.code, kAlways);
    f("element", s.element, kAlways);
    f("key", s.key, kAlways);
    f("message", s.message, kNonEmpty);
  }
};

// A worker took job `key` (its element's key) until `deadline` (ms since the epoch), with
// fencing token `token` (the job's activations so far): only an answer carrying that token,
// before the deadline, takes effect. After the deadline the job may be activated again, by
// any worker, with the next token.
struct JobActivated {
  static constexpr EventType kType = EventType::kJobActivated;
  static constexpr std::uint16_t kVersion = 1;
  std::int64_t deadline = 0;
  std::string element;
  std::int64_t key = 0;
  std::int64_t token = 0;
  std::string worker;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("deadline", s.deadline, kAlways);
    f("element", s.element, kAlways);
    f("key", s.key, kAlways);
    f("token", s.token, kAlways);
    f("worker", s.worker, kAlways);
  }
};

// The worker holding job `key` (token `token`) moved its lease's deadline.
struct JobLeaseExtended {
  static constexpr EventType kType = EventType::kJobLeaseExtended;
  static constexpr std::uint16_t kVersion = 1;
  std::int64_t deadline = 0;
  std::string element;
  std::int64_t key = 0;
  std::int64_t token = 0;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("deadline", s.deadline, kAlways);
    f("element", s.element, kAlways);
    f("key", s.key, kAlways);
    f("token", s.token, kAlways);
  }
};

// Job `key` was given `retries` (an incident of a job out of retries resolved with new
// retries): it is activatable again at once.
struct JobRetriesUpdated {
  static constexpr EventType kType = EventType::kJobRetriesUpdated;
  static constexpr std::uint16_t kVersion = 1;
  std::string element;
  std::int64_t key = 0;
  std::int64_t retries = 0;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("element", s.element, kAlways);
    f("key", s.key, kAlways);
    f("retries", s.retries, kAlways);
  }
};

// Call activity `element` (element instance `key`) started instance `child` of `process` with
// business id `business_id`: its child, created in the same request (whose InstanceCreated
// names this instance as its parent).
struct ChildInstanceCreated {
  static constexpr EventType kType = EventType::kChildInstanceCreated;
  static constexpr std::uint16_t kVersion = 1;
  std::string business_id;
  std::int64_t child = 0;
  std::string element;
  std::int64_t key = 0;
  std::string process;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("business_id", s.business_id, kAlways);
    f("child", s.child, kAlways);
    f("element", s.element, kAlways);
    f("key", s.key, kAlways);
    f("process", s.process, kAlways);
  }
};

// A multi-instance body (element instance `key` of `element`) read its input collection:
// `items`, a list: one inner instance each, in order (none: it completes at once).
struct MultiInstanceStarted {
  static constexpr EventType kType = EventType::kMultiInstanceStarted;
  static constexpr std::uint16_t kVersion = 1;
  std::string element;
  Json items;
  std::int64_t key = 0;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("element", s.element, kAlways);
    f("items", s.items, kAlways);
    f("key", s.key, kAlways);
  }
};

// The inner instance at position `index` (from 1) of multi-instance body `key` ended with
// output element `value`: its place in the body's output collection.
struct MultiInstanceOutput {
  static constexpr EventType kType = EventType::kMultiInstanceOutput;
  static constexpr std::uint16_t kVersion = 1;
  std::string element;
  std::int64_t index = 0;
  std::int64_t key = 0;
  Json value;
  template <typename S, typename F>
  static void fields(S& s, F&& f) {
    f("element", s.element, kAlways);
    f("index", s.index, kAlways);
    f("key", s.key, kAlways);
    f("value", s.value, kAlways);
  }
};

// Every event type's payload. The order is free (types are named by their kType).
using EventBody =
    std::variant<InstanceCreated, ElementActivated, ElementCompleted, ElementTerminated, FlowTaken,
                 UserTaskCreated, UserTaskCompleted, UserTaskCanceled, VariablesSet, JobCreated,
                 JobCompleted, JobFailed, JobCanceled, IncidentRaised, IncidentResolved,
                 DecisionTaken, InstanceCompleted, InstanceTerminated, RecordWritten, MessageQueued,
                 TimerCreated, TimerTriggered, TimerCanceled, MessageSubscriptionOpened,
                 MessageCorrelated, MessageSubscriptionClosed, ErrorThrown, JobActivated,
                 JobLeaseExtended, JobRetriesUpdated, ChildInstanceCreated, MultiInstanceStarted,
                 MultiInstanceOutput>;

}  // namespace pmiflow::runtime
