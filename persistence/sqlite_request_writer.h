// Private to persistence/: writes the events of one AppendRequest and the projection rows they
// change (Zeebe-style appliers, one case per event type). docs/storage-format.md lists which
// event writes which table.
//
// The caller (SqliteStore::append) owns the transaction; the writer only issues
// INSERT/UPDATE/DELETE statements inside it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/audit.h"
#include "engine/runtime/event.h"
#include "engine/runtime/instance_state.h"
#include "persistence/sqlite_statement.h"

namespace pmiflow::persistence::detail {

// The connection a batch is written through, and how its failures are classified.
struct WriteContext {
  Connection& db;
  const std::string& path;
  // Set by fail() when the failure concerns the whole transaction (disk full, I/O error,
  // read-only file, busy, out of memory...), as opposed to one request (a constraint).
  bool fatal = false;

  // The Error for SQLite result `rc` while doing `what`; sets `fatal` when the code is not a
  // per-request one (SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_TOOBIG, SQLITE_RANGE).
  Error fail(int rc, std::string_view what);

  // Prepares (cached) and runs `sql` with the arguments bound to ?1, ?2, ...
  template <typename... Args>
  Status run(std::string_view sql, const Args&... args) {
    sqlite3_stmt* stmt = nullptr;
    int rc = db.prepare(sql, stmt);
    if (rc != SQLITE_OK) return fail(rc, sql);
    Query q(stmt);
    int index = 1;
    (q.bind(index++, args), ...);
    rc = q.run();
    if (rc != SQLITE_OK) return fail(rc, sql);
    return {};
  }
};

// Maps an SQLite result code to the ErrorCode the store reports: SQLITE_BUSY/LOCKED ->
// kConflict ("database is busy"), SQLITE_NOTADB -> kNotADatabase, constraint-like codes ->
// kInternal (the engine handed over inconsistent events), anything else -> kIo.
Error sqlite_error(const Connection& db, const std::string& path, int rc, std::string_view what);

class RequestWriter {
 public:
  // `new_state` (may be null) is the fold of the instance's events including this request's.
  // When given, the join_arrivals rows are copied from it; without it they follow the events
  // (FlowTaken{join:true} +1, ElementActivated{joined[]} -1 each, instance end clears).
  // `head` is the instance's hash-chain head before this request (audit::kGenesisHash for a
  // new instance); each event is sealed onto it.
  // `active` is the instance's active element instances before the request (key -> element
  // id, instances.active_elements).
  RequestWriter(WriteContext& ctx, std::int64_t instance_id,
                const runtime::InstanceState* new_state, std::string head,
                std::map<std::int64_t, std::string> active);

  // Adds the event to the request's batch (written by finish()) and applies its projection
  // changes.
  // `encoded` (may be null) is the event's audit::encode() made by the caller; it is used when
  // it continues this writer's head, else the event is encoded here.
  // REQUIRES: events in seq order. Throws std::exception on a payload that lacks a documented
  // key (an engine bug); the caller converts it to kInternal.
  Status apply(const runtime::Event& event, const audit::EncodedEvent* encoded);

  // Writes what is accumulated over the request: the event_batches row, the variables (their
  // last value), the jobs it left open, join arrivals, and the instance row (last_seq,
  // head_hash, active_elements, status, ended_ms).
  Status finish();

  // The chain head after the events applied so far.
  const std::string& head() const { return head_; }

 private:
  Status on_variables(const runtime::Event& event);
  Status join_delta(const std::string& element, const std::string& flow, int delta);

  WriteContext& ctx_;
  std::int64_t instance_id_;
  const runtime::InstanceState* new_state_;
  std::int64_t last_seq_ = 0;
  std::string head_;
  // The request's event_batches row: its events as JSON text, its first seq, and the chain
  // head before its first event.
  std::string batch_;
  std::int64_t first_seq_ = 0;
  std::string batch_prev_hash_;
  std::optional<std::string> status_;  // set by InstanceCompleted / InstanceTerminated
  std::int64_t ended_ms_ = 0;
  bool joins_changed_ = false;  // a join arrival was added or consumed, or the instance ended
  std::map<std::int64_t, std::string> active_;    // active element instances: key -> element id
  std::map<std::string, std::string> variables_;  // name -> last value set (JSON text)
  // Jobs this request adds to `jobs`, written by finish(): a job that is created and ends within
  // the request (a service task whose handler ran in it) never touches the table.
  struct NewJob {
    std::string element;
    std::string type;
    std::int64_t retries_left = 0;
    std::string state;  // "activatable" or "failed"
    std::string last_error;
  };
  std::map<std::int64_t, NewJob> new_jobs_;  // element key -> job
};

// instances.active_elements: [[key, element id], ...] in key order.
std::map<std::int64_t, std::string> parse_active_elements(std::string_view text);

// The Actor of a stored event (events.actor: {"kind":..,"id":..,"role":..}).
runtime::Actor actor_from_json(const Json& j);

// Appends to `out` the events of one event_batches row (`text`: its events column) whose seq
// is within [from_seq, to_seq], in stored order. `prev_hash` is the row's prev_hash: each
// event's prev_hash is the hash of the event stored before it. Returns why the row does not
// read as events (the row was changed by hand), or nothing.
std::optional<std::string> read_batch(std::int64_t instance_id, std::string_view text,
                                      std::int64_t from_seq, std::int64_t to_seq,
                                      std::string prev_hash, std::vector<runtime::Event>& out);

}  // namespace pmiflow::persistence::detail
