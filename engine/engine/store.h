// The store: the engine's only door to durable state. Implementations: MemoryStore
// (engine/engine/memory_store.h, for tests) and SqliteStore (persistence/).
//
// Contract:
//  * append() writes a batch of commands in ONE transaction (group commit). Each request is
//    atomic on its own: its events and the projections they change (instance row, active
//    elements, open user tasks, variables, jobs, incidents) are written together or not at all.
//    A request whose expected_seq is not the instance's last seq fails with kConflict and
//    writes nothing, without failing the others.
//  * Creation (instance_id == 0) is idempotent by business key: when an instance with the same
//    key exists, nothing is written and the result names the existing instance, created=false.
//  * Nothing is acknowledged (append returns) before the transaction is durable per the
//    store's durability setting. A store may make a transaction durable after it has
//    committed (e.g. one fsync shared by several commits); it then calls `committed` in
//    between, which tells the caller that the next append may start writing while this one
//    is being made durable (pipelined group commit). A later transaction never becomes
//    durable before an earlier one.
//  * Events are never updated or deleted. The store seals each appended event into the
//    instance's hash chain (audit::seal, continuing from the instance's head) and keeps the
//    head; events() returns prev_hash and hash.
//  * Thread-safety: implementations are safe to call from several threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/audit.h"
#include "engine/runtime/event.h"
#include "engine/runtime/instance_state.h"

namespace pmiflow {

// A user-task form (form-js JSON) as deployed. Forms are versioned by their id like
// definitions by their key.
struct DeployedForm {
  std::string id;  // the form's "id", what zeebe:formDefinition formId names
  std::int32_t version = 0;
  std::string sha256;         // hex of the JSON bytes
  std::string json;           // the file's bytes, exactly as deployed
  std::string resource_name;  // file name it was deployed from
  std::int64_t deployed_ms = 0;
};

// A form to deploy with a definition (the store assigns the version).
struct FormSource {
  std::string id;
  std::string json;
  std::string sha256;
  std::string resource_name;
};

struct DeployedDefinition {
  std::string key;
  std::int32_t version = 0;
  std::string sha256;  // hex of the XML bytes
  std::string xml;
  std::string resource_name;  // file name it was deployed from
  std::int64_t deployed_ms = 0;
  // The form versions this version was deployed with, by form id (Camunda's
  // bindingType="deployment"): its tasks use these, whatever is deployed later.
  std::map<std::string, std::int32_t> forms;
};

struct FormOutcome {
  DeployedForm form;
  bool created = false;  // false: identical JSON was already the latest version
};

struct DeployOutcome {
  DeployedDefinition definition;
  // false: identical XML bound to identical forms was already the latest version
  bool created = false;
  std::vector<FormOutcome> forms;  // in the order given to deploy
};

struct AppendRequest {
  std::int64_t instance_id = 0;        // 0: create a new instance with `business_key`
  runtime::BusinessKey business_key;   // required on creation
  std::int64_t expected_seq = 0;       // the instance's last seq the events were computed from
  std::vector<runtime::Event> events;  // seq already set (expected_seq + 1, ...)
  // The fold of all the instance's events including these. On creation its id (and so the ids
  // of tasks, jobs and incidents in it) is 0: the store assigns the id.
  const runtime::InstanceState* new_state = nullptr;
  // Optional: audit::encode_all(instance_id, head, events) computed by the caller, outside the
  // store's turn, from the chain head it believes current. The store uses an entry only when
  // its prev_hash is the instance's actual head at that point, and encodes the event itself
  // otherwise (creation requests, whose id the store assigns, are always encoded there).
  std::vector<audit::EncodedEvent> encoded;
  // Optional: what Store::prepare() computed for this request, opaque to the engine; the store
  // uses it only if it still holds when the request's turn comes.
  std::shared_ptr<const void> prepared;
};

struct AppendResult {
  Status status;
  std::int64_t instance_id = 0;
  bool created = false;   // creation requests: false when the business key already existed
  std::string head_hash;  // the instance's chain head after the request (when it succeeded)
};

struct InstanceRow {
  std::int64_t id = 0;
  runtime::BusinessKey business_key;
  std::int32_t version = 0;
  std::string status;  // "active", "completed", "terminated"
  std::int64_t last_seq = 0;
  std::string head_hash;  // hash of the last event (audit.h)
  std::int64_t created_ms = 0;
  std::int64_t ended_ms = 0;
  int open_incidents = 0;
  std::vector<std::string> active_elements;  // element ids, ordered by activation key
};

struct InstanceQuery {
  std::optional<std::string> process;
  std::optional<std::string> school;
  std::optional<std::string> period;
  std::optional<std::string> status;
};

struct TaskRow {
  std::string id;
  std::int64_t instance_id = 0;
  std::string element_id;
  std::string name;
  std::vector<std::string> candidate_groups;
  std::string form;
  std::string school;
  std::string period;
  std::int64_t created_ms = 0;
};

struct TaskQuery {
  std::optional<std::string> role;  // a candidate group
  std::optional<std::string> school;
  std::optional<std::string> period;
  std::optional<std::int64_t> instance_id;
};

struct JobRow {
  std::string id;
  std::int64_t instance_id = 0;
  std::string element_id;
  std::string type;
  int retries_left = 0;
  std::string state;  // "activatable", "failed"
};

struct IncidentRow {
  std::string id;
  std::int64_t instance_id = 0;
  std::string element_id;
  std::string kind;
  std::string message;
};

// A record of the process (e.g. D02.03's "Programación de la Asistencia Técnica"), written by
// a task's completion (RecordWritten) and linked to its instance and event.
struct RecordRow {
  std::int64_t instance_id = 0;
  std::int64_t seq = 0;  // the RecordWritten event
  std::string kind;
  std::string element_id;
  std::string school;
  std::string period;
  Json data;
  std::int64_t time_ms = 0;
};

struct RecordQuery {
  std::optional<std::string> kind;
  std::optional<std::string> period;
  std::optional<std::string> school;
};

// A message to another subprocess, queued in the same transaction as its MessageQueued event.
// Delivery is at least once: consumers deduplicate by id.
struct OutboxRow {
  std::string id;  // "<instance>-<key>-<subprocess>"
  std::int64_t instance_id = 0;
  std::int64_t seq = 0;  // the MessageQueued event
  std::string subprocess;
  std::string element_id;
  std::string school;
  std::string period;
  Json data;
  std::int64_t created_ms = 0;
  std::int64_t acked_ms = 0;  // 0: not acknowledged yet
};

std::string outbox_id_for(std::int64_t instance_id, std::int64_t key,
                          const std::string& subprocess);

class Store {
 public:
  virtual ~Store() = default;

  // Definitions and their forms, in one transaction. Each form whose SHA-256 equals its
  // latest version's keeps that version; any other form gets a new version. The definition
  // gets a new version unless the latest one has the same SHA-256 and is bound to the same
  // form versions; a new version is bound to the versions of `forms`.
  virtual Result<DeployOutcome> deploy(const std::string& key, const std::string& xml,
                                       const std::string& sha256, const std::string& resource_name,
                                       const std::vector<FormSource>& forms,
                                       std::int64_t now_ms) = 0;
  // version 0: the latest.
  virtual Result<DeployedDefinition> definition(const std::string& key, std::int32_t version) = 0;
  // The number of the latest version of `key`, without reading the definition (a start needs
  // only that); kNotFound as definition(key, 0). The default asks definition().
  virtual Result<std::int32_t> latest_version(const std::string& key);
  virtual Result<std::vector<DeployedDefinition>> definitions() = 0;  // all versions
  // A form by id and version (0: the latest); kNotFound when absent.
  virtual Result<DeployedForm> form(const std::string& id, std::int32_t version) = 0;

  // Work on `request` a store can do before its serial turn in append() (on the calling
  // thread, in parallel with other callers): e.g. compute the rows it will write. Call it
  // after `encoded` is set; append() must give the same outcome with or without it.
  virtual void prepare(AppendRequest& request) const { (void)request; }

  // `committed`, when given, is called at most once, on the calling thread, after the
  // transaction has committed and before it is durable (see the contract above). A store that
  // commits and syncs in one step need not call it.
  virtual std::vector<AppendResult> append(const std::vector<AppendRequest>& batch,
                                           const std::function<void()>& committed = {}) = 0;

  virtual Result<std::optional<std::int64_t>> find_instance(const runtime::BusinessKey& key) = 0;
  virtual Result<InstanceRow> instance(std::int64_t id) = 0;  // kNotFound when absent
  virtual Result<std::vector<InstanceRow>> instances(const InstanceQuery& query) = 0;
  // Events with from_seq <= seq <= to_seq, in seq order.
  virtual Result<std::vector<runtime::Event>> events(std::int64_t instance_id,
                                                     std::int64_t from_seq = 1,
                                                     std::int64_t to_seq = INT64_MAX) = 0;
  virtual Result<std::vector<TaskRow>> tasks(const TaskQuery& query) = 0;
  virtual Result<TaskRow> task(const std::string& id) = 0;  // kNotFound when not open
  virtual Result<Variables> variables(std::int64_t instance_id) = 0;
  virtual Result<std::vector<JobRow>> jobs(std::optional<std::int64_t> instance_id) = 0;
  virtual Result<std::vector<IncidentRow>> incidents(std::optional<std::int64_t> instance_id) = 0;

  // Records in (instance, seq) order.
  virtual Result<std::vector<RecordRow>> records(const RecordQuery& query) = 0;
  // Outbox messages in creation order; acknowledged ones only with include_acked.
  virtual Result<std::vector<OutboxRow>> outbox(std::optional<std::string> subprocess,
                                                bool include_acked) = 0;
  // Marks a message delivered. Idempotent; kNotFound for an unknown id.
  virtual Status ack_outbox(const std::string& id, std::int64_t now_ms) = 0;
};

}  // namespace pmiflow
