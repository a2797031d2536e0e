// The read model: the projections of the event log (instances, open tasks, variables, jobs,
// incidents, timers, records, outbox; message subscriptions: message_store.h), written by the
// event log in the same transaction as the events that change them, and the queries over them.
// Everything here can be rebuilt from the events (`pmiflow replay` compares the two).
// Implementations: SqliteStore (persistence/sqlite) and MemoryStore (persistence/memory, tests).
//
// Thread-safety: implementations are safe to call from several threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/json.h"
#include "engine/common/result.h"
#include "engine/runtime/instance_state.h"

namespace pmiflow {

struct InstanceRow {
  std::int64_t id = 0;
  runtime::BusinessKey business_key;
  runtime::Tags tags;
  std::int32_t version = 0;
  std::string status;  // "active", "completed", "terminated"
  std::int64_t last_seq = 0;
  std::string head_hash;  // hash of the last event (audit.h)
  std::int64_t created_ms = 0;
  std::int64_t ended_ms = 0;
  int open_incidents = 0;
  // Element ids, ordered by activation key (a multi-instance body once, not its inner instances).
  std::vector<std::string> active_elements;
  runtime::ParentRef parent;  // a child's call activity (instance_id 0: none)
};

// Every given criterion must hold; each tag given must have that value.
struct InstanceQuery {
  std::optional<std::string> process;
  std::optional<std::string> status;
  runtime::Tags tags;
  std::optional<std::int64_t> parent_id;  // the children of this instance
};

struct TaskRow {
  std::string id;
  std::int64_t instance_id = 0;
  std::string element_id;
  std::string name;
  std::vector<std::string> candidate_groups;
  std::string form;
  runtime::BusinessKey business_key;  // of its instance
  runtime::Tags tags;                 // of its instance
  std::int64_t created_ms = 0;
};

struct TaskQuery {
  std::optional<std::string> role;  // a candidate group
  std::optional<std::int64_t> instance_id;
  runtime::Tags tags;  // of the task's instance
};

struct JobRow {
  std::string id;
  std::int64_t instance_id = 0;
  std::string element_id;
  std::string type;
  int retries_left = 0;
  std::string state;  // "activatable", "activated", "failed"
  // The last worker's lease (JobActivated): its worker, deadline and fencing token.
  std::string worker;
  std::int64_t deadline_ms = 0;
  std::int64_t token = 0;
  std::int64_t retry_at_ms = 0;  // activatable: not before (a failure's backoff)
};

struct IncidentRow {
  std::string id;
  std::int64_t instance_id = 0;
  std::string element_id;
  std::string kind;
  std::string message;
  std::int64_t raised_ms = 0;  // 0: raised before the store kept the time (schema 10)
};

struct IncidentQuery {
  std::optional<std::int64_t> instance_id;
  std::optional<std::string> kind;
  runtime::Tags tags;  // of the incident's instance
  static IncidentQuery of_instance(std::optional<std::int64_t> id) {
    IncidentQuery q;
    q.instance_id = id;
    return q;
  }
};

// A waiting timer (instance_state.h, Timer).
struct TimerRow {
  std::string id;  // task_id_for(instance, key)
  std::int64_t instance_id = 0;
  std::int64_t key = 0;
  std::int64_t element_key = 0;  // its owner
  std::string element_id;        // the timer event
  std::int64_t due_ms = 0;
};

// Every given criterion must hold.
struct TimerQuery {
  std::optional<std::int64_t> instance_id;
  std::optional<std::int64_t> due_by;  // due at or before
  std::size_t limit = 0;               // 0: all
};

// A record of the process (e.g. D02.03's "Programación de la Asistencia Técnica"), written by
// a task's completion (RecordWritten) and linked to its instance and event.
struct RecordRow {
  std::int64_t instance_id = 0;
  std::int64_t seq = 0;  // the RecordWritten event
  std::string kind;
  std::string element_id;
  runtime::BusinessKey business_key;  // of its instance
  runtime::Tags tags;                 // of its instance
  Json data;
  std::int64_t time_ms = 0;
  std::string responsible;  // the role that keeps it; "" when the model names none
};

struct RecordQuery {
  std::optional<std::string> kind;
  runtime::Tags tags;  // of the record's instance
};

// A message to another subprocess, queued in the same transaction as its MessageQueued event.
// Delivery is at least once: consumers deduplicate by id.
struct OutboxRow {
  std::string id;  // outbox_id_for(instance, key, subprocess)
  std::int64_t instance_id = 0;
  std::int64_t seq = 0;  // the MessageQueued event
  std::string subprocess;
  std::string element_id;
  runtime::BusinessKey business_key;  // of its instance
  runtime::Tags tags;                 // of its instance
  Json data;
  std::int64_t created_ms = 0;
  std::int64_t acked_ms = 0;  // 0: not acknowledged yet
};

// "<instance>-<key>-<subprocess>"
std::string outbox_id_for(std::int64_t instance_id, std::int64_t key,
                          const std::string& subprocess);

class ReadModel {
 public:
  virtual ~ReadModel() = default;

  virtual Result<InstanceRow> instance(std::int64_t id) = 0;  // kNotFound when absent
  // In id order.
  virtual Result<std::vector<InstanceRow>> instances(const InstanceQuery& query) = 0;
  // Open tasks, oldest first, then by instance and element key.
  virtual Result<std::vector<TaskRow>> tasks(const TaskQuery& query) = 0;
  virtual Result<TaskRow> task(const std::string& id) = 0;  // kNotFound when not open
  // kNotFound for an unknown instance.
  virtual Result<Variables> variables(std::int64_t instance_id) = 0;
  virtual Result<std::vector<JobRow>> jobs(std::optional<std::int64_t> instance_id) = 0;
  // Up to `limit` open jobs of `type` a worker may activate at `now_ms`: activatable ones whose
  // backoff is over and activated ones whose lease expired by then; by instance and element key.
  virtual Result<std::vector<JobRow>> activatable_jobs(const std::string& type, std::int64_t now_ms,
                                                       std::size_t limit) = 0;
  // Open incidents, by instance, in the order they were raised.
  virtual Result<std::vector<IncidentRow>> incidents(const IncidentQuery& query) = 0;
  // Waiting timers, soonest due first (then by instance and key).
  virtual Result<std::vector<TimerRow>> timers(const TimerQuery& query) = 0;
  // Records in (instance, seq) order.
  virtual Result<std::vector<RecordRow>> records(const RecordQuery& query) = 0;
  // Outbox messages in creation order; acknowledged ones only with include_acked.
  virtual Result<std::vector<OutboxRow>> outbox(std::optional<std::string> subprocess,
                                                bool include_acked) = 0;
  // Marks a message delivered. Idempotent; kNotFound for an unknown id.
  virtual Status ack_outbox(const std::string& id, std::int64_t now_ms) = 0;
};

}  // namespace pmiflow
