// Private to persistence/: what one AppendRequest writes, its events and the projection rows
// they change (docs/storage-format.md lists which event writes which table), planned from the
// events and then executed inside the caller's (SqliteStore::append's) transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/audit.h"
#include "engine/runtime/event.h"
#include "engine/runtime/instance_state.h"
#include "persistence/sqlite_statement.h"

namespace pmiflow::persistence::detail {

// One statement of a request's writes: its SQL (a string literal) and the values bound to ?1,
// ?2, ...
struct Op {
  using Arg = std::variant<std::int64_t, std::string>;
  std::string_view sql;
  std::vector<Arg> args;
};

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

  // Prepares (cached) and runs one statement of a plan.
  Status run(const Op& op);

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

// What one request writes, computed from its events alone (RequestWriter), so that it can be
// computed before the store's serial turn (SqliteStore::prepare) and only executed in it.
struct RequestPlan {
  std::string head_before;  // the chain head the request's events continue
  std::string head_after;   // the head after them
  std::vector<Op> ops;
};

// Runs the plan's statements in order.
Status execute(WriteContext& ctx, const RequestPlan& plan);

// Plans the writes of one request: its event_batches row and the projection rows its events
// change (Zeebe-style appliers, one case per event type).
class RequestWriter {
 public:
  // `new_state` (may be null) is the fold of the instance's events including this request's.
  // When given, the join_arrivals rows are copied from it; without it they follow the events
  // (FlowTaken{join:true} +1, ElementActivated{joined[]} -1 each, instance end clears).
  // `head` is the instance's hash-chain head before this request (audit::kGenesisHash for a
  // new instance); each event is sealed onto it.
  // `active` is the instance's active element instances before the request (key -> element
  // id, instances.active_elements).
  // With `new_state`, `active` is not read (the fold's own elements are written).
  RequestWriter(std::int64_t instance_id, const runtime::InstanceState* new_state, std::string head,
                std::map<std::int64_t, std::string> active);

  // Adds the event to the request's event_batches row and plans its projection changes.
  // `encoded` (may be null) is the event's audit::encode() made by the caller; it is used when
  // it continues this writer's head, else the event is encoded here.
  // REQUIRES: events in seq order. Throws std::exception on a payload that lacks a documented
  // key (an engine bug); the caller converts it to kInternal.
  void apply(const runtime::Event& event, const audit::EncodedEvent* encoded);

  // The plan: the statements of the events applied, then what is accumulated over the
  // request: the event_batches row, the variables (their last value), the jobs it left open,
  // join arrivals, and the instance row (last_seq, head_hash, active_elements, status,
  // ended_ms).
  RequestPlan plan() &&;

 private:
  void finish();
  // Adds a statement to the plan; integers bind as INTEGER, the rest as TEXT.
  template <typename... Args>
  void add(std::string_view sql, Args&&... args) {
    Op op{sql, {}};
    op.args.reserve(sizeof...(args));
    (op.args.push_back(to_arg(std::forward<Args>(args))), ...);
    plan_.ops.push_back(std::move(op));
  }
  template <typename T>
  static Op::Arg to_arg(T&& v) {
    if constexpr (std::is_integral_v<std::decay_t<T>>) {
      return static_cast<std::int64_t>(v);
    } else {
      return std::string(std::forward<T>(v));
    }
  }

  void on_variables(const runtime::Event& event);
  void join_delta(const std::string& element, const std::string& flow, int delta);

  RequestPlan plan_;
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
  std::map<std::int64_t, std::string> active_;    // without new_state: key -> element id
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
