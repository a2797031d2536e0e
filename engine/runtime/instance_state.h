// The state of one process instance: nothing but the fold of its events (applier.h).
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/json.h"
#include "engine/runtime/lifecycle.h"

namespace pmiflow::runtime {

// What identifies an instance to the outside: its process and a business id the starter
// chooses (Camunda's business key). Unique: a second start with the same key returns the
// existing instance. What a business id means is the process's own concern (D02.03's is the
// school's código DANE and the period: handlers/d02_03/business_key.h).
struct BusinessKey {
  std::string process;  // process key
  std::string id;       // business id
  bool operator==(const BusinessKey&) const = default;
};

// Indexed name/value labels an instance is started with, for queries (e.g. D02.03's school and
// period): the read model finds instances, tasks and records by them.
using Tags = std::map<std::string, std::string>;

// The flow scope of the process itself: top-level element instances have scope_key 0.
inline constexpr std::int64_t kProcessScope = 0;

// A multi-instance body's loop (model::MultiInstance): the input collection read when it
// started, the output elements of its inner instances by position, and how many inner
// instances were started, ended and completed so far.
struct Loop {
  Json items = Json::array();
  std::vector<Json> outputs;  // by position; null until that inner instance ends with one
  std::int64_t started = 0;
  std::int64_t active = 0;
  std::int64_t completed = 0;
  bool operator==(const Loop&) const = default;
};

// The kind ElementActivated names for a multi-instance body (the inner instances name the
// activity's own kind).
inline constexpr const char* kMultiInstanceBodyKind = "multiInstanceBody";

// An activation of a flow node (Zeebe's element instance). `key` is unique in the instance;
// `scope_key` is the element instance of the container it runs in (kProcessScope: the process):
// a subprocess, or the multi-instance body of an inner instance.
struct ElementInstance {
  std::int64_t key = 0;
  std::string element_id;
  ElementState state = ElementState::kActivated;
  std::int64_t scope_key = kProcessScope;
  std::int64_t child = 0;  // a call activity's: the instance it started (0: none yet)
  // Its local variables (a multi-instance inner instance's input element and loopCounter, a
  // body's): visible from it and from what runs in it, gone when it ends (variable_scope.h).
  Variables variables;
  std::optional<Loop> loop;  // a multi-instance body's (none: not a body)
  bool operator==(const ElementInstance&) const = default;
};

// Where a child instance was called from: its parent instance, and the call activity there
// (its element and element instance key). instance_id 0: the instance has no parent.
struct ParentRef {
  std::int64_t instance_id = 0;
  std::int64_t element_key = 0;
  std::string element_id;
  bool operator==(const ParentRef&) const = default;
};

// Where tokens wait at a parallel join: the join element in one flow scope.
struct JoinKey {
  std::int64_t scope_key = kProcessScope;
  std::string element_id;
  auto operator<=>(const JoinKey&) const = default;
};

struct UserTask {
  std::string id;  // "<instance>-<key>", global
  std::int64_t element_key = 0;
  std::string element_id;
  std::string name;
  std::vector<std::string> candidate_groups;
  std::string form;
  std::int64_t created_ms = 0;
};

struct Job {
  std::string id;  // "<instance>-<key>", global
  std::int64_t element_key = 0;
  std::string element_id;
  std::string type;
  int retries_left = 0;
  JobState state = JobState::kActivatable;
  std::string last_error;
  std::int64_t retry_at_ms = 0;  // activatable: not before (a failure's backoff); 0: at once
  int failures = 0;              // JobFailed so far (the default backoff grows with them)
  // The lease of the worker that activated it last (JobActivated, JobLeaseExtended): kept
  // after it ends, so the next activation's token is the following one.
  std::string worker;
  std::int64_t deadline_ms = 0;
  std::int64_t token = 0;  // activations so far; 0: never activated by a worker
};

struct Incident {
  std::string id;        // task_id_for(instance, key)
  std::int64_t key = 0;  // the incident's own key
  std::int64_t element_key = 0;
  std::string element_id;
  std::string kind;  // "condition", "no-flow", "job", "runaway", "timer", "message", "error"
  std::string message;
  std::int64_t raised_ms = 0;
};

// A timer waiting for its due time (model: TimerDefinition), owned by element instance
// `element_key`: an intermediate timer catch event's own instance, or the activity a timer
// boundary event is attached to. A cycle's timer fires once, and the next fire is a new timer.
struct Timer {
  std::int64_t key = 0;  // the timer's own key
  std::int64_t element_key = 0;
  std::string element_id;  // the timer event
  std::int64_t due_ms = 0;
  std::string cycle;          // a cycle's text (its value, for an expression); empty: once
  std::int64_t armed_ms = 0;  // a cycle: when it was first armed (its fires count from there)
  std::int64_t fire = 0;      // a cycle: which fire this is (0: the first)
  bool operator==(const Timer&) const = default;
};

// An element instance waiting for a message (model: MessageDefinition): a message catch event's
// or a receive task's own instance, or the activity a message boundary event is attached to
// (`element_key`). A published message named `name` with key `correlation_key` reaches it.
struct MessageSubscription {
  std::int64_t key = 0;  // the subscription's own key
  std::int64_t element_key = 0;
  std::string element_id;  // the message event or receive task
  std::string name;
  std::string correlation_key;
  bool operator==(const MessageSubscription&) const = default;
};

struct InstanceState {
  std::int64_t id = 0;
  BusinessKey business_key;
  Tags tags;
  ParentRef parent;  // a child of a call activity: where it was called from
  std::int32_t definition_version = 0;
  InstanceStatus status = InstanceStatus::kNone;
  std::int64_t last_seq = 0;
  std::int64_t next_key = 1;
  std::int64_t created_ms = 0;
  std::int64_t ended_ms = 0;
  Variables variables;
  std::map<std::int64_t, ElementInstance> elements;  // active element instances by key
  // Parallel joins: (scope, join element) -> incoming flow id -> tokens waiting there.
  std::map<JoinKey, std::map<std::string, int>> join_arrivals;
  std::map<std::string, UserTask> tasks;                      // open user tasks by id
  std::map<std::string, Job> jobs;                            // open jobs by id
  std::map<std::string, Incident> incidents;                  // open incidents by id
  std::map<std::int64_t, Timer> timers;                       // waiting timers by key
  std::map<std::int64_t, MessageSubscription> subscriptions;  // open subscriptions by key
  std::map<std::string, int> activation_counts;               // element id -> times activated
  // The hash of the last event folded (engine/engine/audit.h), the chain head the next events
  // continue; empty when that event was not stored (sealed) yet. Not part of operator==: it
  // is bookkeeping of the store, not process state.
  std::string head_hash;

  bool operator==(const InstanceState&) const;
};

// Whether `element` is an inner instance of a multi-instance body (its scope is a body). The
// read model lists a body, not its thousands of inner instances (InstanceRow::active_elements).
bool is_inner_instance(const InstanceState& state, const ElementInstance& element);

std::string task_id_for(std::int64_t instance_id, std::int64_t element_key);
// Splits "<instance>-<key>"; false when malformed.
bool parse_task_id(const std::string& id, std::int64_t& instance_id, std::int64_t& key);

}  // namespace pmiflow::runtime
