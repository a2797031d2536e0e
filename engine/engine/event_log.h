// The event log: the truth of every instance, appended to and never changed. Implementations:
// SqliteStore (persistence/sqlite) and MemoryStore (persistence/memory, tests).
//
// Contract:
//  * append() writes one request atomically: its events, sealed into the instance's hash
//    chain (audit.h), and the projections they change (read_model.h), computed from the
//    request's `changes` and `new_state` (never from the events' payloads). A request whose
//    expected_seq is not the instance's last seq fails with kConflict and writes nothing. A
//    request whose MessageCorrelated names a message that has already reached an instance of
//    the same process fails with kInvalidState and writes nothing (one correlation per message
//    and process: message_store.h).
//  * A request with a `message` stores it in the same transaction as its events (a published
//    message and its first correlation are one commit). When the message duplicates one
//    (MessageStore::publish), the request fails with kInvalidState and writes nothing.
//  * A creation request is idempotent by business key: when an instance with the same key
//    exists, nothing is written and the result names the existing instance, created=false.
//  * append_all() writes several requests, of different instances, as one: every request is
//    written or none is (a call activity's instance and the child it starts, a child and the
//    parent it continues). A creation among them whose business key exists fails them all
//    (kConflict), as does any other request's failure; each result says why.
//  * append() returns once the request is durable per the store's durability setting.
//    Requests of concurrent callers may share a transaction and a sync (a store's group
//    commit); each succeeds or fails on its own, and a later request never becomes durable
//    before an earlier one.
//  * Events are never updated or deleted; events() returns them with prev_hash, hash and the
//    payload as stored (Event::stored_payload).
//  * Thread-safety: implementations are safe to call from several threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/message_store.h"
#include "engine/runtime/event.h"
#include "engine/runtime/instance_state.h"
#include "engine/runtime/projection_changes.h"

namespace pmiflow {

struct AppendRequest {
  std::int64_t instance_id = 0;        // from reserve_instance_id() on creation
  bool create = false;                 // the instance's first request (expected_seq 0)
  runtime::BusinessKey business_key;   // required on creation
  std::int64_t expected_seq = 0;       // the instance's last seq the events were computed from
  std::vector<runtime::Event> events;  // seq already set (expected_seq + 1, ...)
  // The chain head the events continue (audit::kGenesisHash on creation); empty when unknown,
  // then the store reads it.
  std::string head_hash;
  // The fold of all the instance's events including these, and what the events changed in
  // its projections (runtime::apply's). Both required.
  const runtime::InstanceState* new_state = nullptr;
  const runtime::ProjectionChanges* changes = nullptr;
  // A message to store with the events (its key reserved; the events correlate it), or null.
  const MessageRow* message = nullptr;
};

struct AppendResult {
  Status status;
  std::int64_t instance_id = 0;
  bool created = false;   // creation requests: false when the business key already existed
  std::string head_hash;  // the instance's chain head after the request (when it succeeded)
};

// kConflict: an instance of key.process with key.id exists already (instance `existing`): what a
// creation among linked requests (append_all), or a child's start, gets instead of being
// idempotent.
inline Error business_key_taken(const runtime::BusinessKey& key, std::int64_t existing) {
  return make_error(ErrorCode::kConflict, key.process + " has an instance with business id " +
                                              key.id + " already (instance " +
                                              std::to_string(existing) + ")");
}

class EventLog {
 public:
  virtual ~EventLog() = default;

  // An id for a new instance, never handed out again (also to another process sharing the
  // store). An id whose creation request finds its business key taken stays unused.
  virtual Result<std::int64_t> reserve_instance_id() = 0;

  // Appends one request (see the contract above); blocks until it is durable.
  virtual AppendResult append(AppendRequest& request) = 0;
  // Appends requests of distinct instances atomically, all or none; one result per request (on
  // a failure, every result carries the first failure's status). Blocks until durable.
  virtual std::vector<AppendResult> append_all(std::vector<AppendRequest>& requests) = 0;

  // Events with from_seq <= seq <= to_seq, in seq order; kNotFound for an unknown instance.
  virtual Result<std::vector<runtime::Event>> events(std::int64_t instance_id,
                                                     std::int64_t from_seq = 1,
                                                     std::int64_t to_seq = INT64_MAX) = 0;

  // The instance with this business key, if any.
  virtual Result<std::optional<std::int64_t>> find_instance(const runtime::BusinessKey& key) = 0;
};

}  // namespace pmiflow
