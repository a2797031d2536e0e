// Private to persistence/sqlite: what one AppendRequest writes, its event_batches row and the
// projection rows its events change (docs/storage-format.md lists the tables), planned from
// the request's ProjectionChanges and the state its events lead to, never from the payloads
// (the applier read them once). A plan is made on the caller's thread, before the store's
// serial turn (SqliteStore::append), and executed in it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/audit.h"
#include "engine/engine/event_log.h"
#include "persistence/sqlite/sqlite_statement.h"

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

// What one request writes.
struct RequestPlan {
  std::string head_before;  // the chain head the request's events continue
  std::string head_after;   // the head after them
  std::vector<Op> ops;
};

// Plans the writes of `request` (whose new_state and changes are set), its events sealed onto
// chain head `head`. Throws std::exception on a value that cannot be stored (a string that is
// not UTF-8 in a JSON column); the caller converts it to kInternal.
RequestPlan plan_request(const AppendRequest& request, const std::string& head);

// Runs the plan's statements in order.
Status execute(WriteContext& ctx, const RequestPlan& plan);

}  // namespace pmiflow::persistence::detail
