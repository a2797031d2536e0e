// Private to persistence/: a thin RAII layer over the SQLite C API. Nothing here leaves the
// folder (sqlite_store.h never includes it).
//
//  * Statement owns one prepared statement (finalized on destruction).
//  * Connection owns one `sqlite3*` (closed on destruction) and a cache of prepared
//    statements keyed by their SQL text, so each statement is compiled once per connection.
//  * Query is one use of a cached statement: bind, step, read columns; it resets the statement
//    and clears its bindings on destruction, so a statement is never left mid-step.
//
// Thread-safety: none. The owner (SqliteStore) serialises every use behind its mutex.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace pmiflow::persistence::detail {

// SQLITE_TRANSIENT without the old-style cast of the C macro: SQLite copies the bound bytes.
inline sqlite3_destructor_type transient() {
  return reinterpret_cast<sqlite3_destructor_type>(  // NOLINT(performance-no-int-to-ptr)
      static_cast<std::intptr_t>(-1));
}

class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

// One use of a prepared statement. Binding indexes are 1-based, column indexes 0-based (as in
// SQLite). A failed bind is remembered and returned by the next step().
class Query {
 public:
  explicit Query(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Query() {
    if (stmt_ != nullptr) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }
  Query(Query&& other) noexcept
      : stmt_(std::exchange(other.stmt_, nullptr)), bind_rc_(other.bind_rc_) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  Query& operator=(Query&&) = delete;

  Query& bind(int index, std::int64_t value) {
    note(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }
  Query& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  // The bytes are copied: temporaries are safe.
  Query& bind(int index, std::string_view value) {
    note(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), transient(), SQLITE_UTF8));
    return *this;
  }
  Query& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Query& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  // The bytes are not copied (SQLITE_STATIC): they must outlive this Query, whose destructor
  // clears the bindings. For the plan's arguments, which live until their statement has run.
  Query& bind_borrowed(int index, std::string_view value) {
    note(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), nullptr /* SQLITE_STATIC */,
                             SQLITE_UTF8));
    return *this;
  }
  Query& bind(int index, std::nullptr_t) {
    note(sqlite3_bind_null(stmt_, index));
    return *this;
  }

  // SQLITE_ROW, SQLITE_DONE, or an error code (extended codes are on).
  int step() {
    if (bind_rc_ != SQLITE_OK) return bind_rc_;
    return sqlite3_step(stmt_);
  }
  // Steps a statement that returns no rows; SQLITE_OK when it ran to completion.
  int run() {
    const int rc = step();
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
  }

  std::int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  int int32(int column) const { return sqlite3_column_int(stmt_, column); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string text(int column) const {
    const auto* bytes = sqlite3_column_text(stmt_, column);
    if (bytes == nullptr) return {};
    const int size = sqlite3_column_bytes(stmt_, column);
    return std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size));
  }

 private:
  void note(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }

  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

class Connection {
 public:
  // Takes ownership of `db` (may be null only for a failed sqlite3_open_v2, which still needs
  // closing).
  explicit Connection(sqlite3* db) : db_(db) {}
  ~Connection() {
    cache_.clear();  // statements first: sqlite3_close_v2 would otherwise defer the close
    sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* raw() const { return db_; }

  // The cached statement for `sql`, compiled on first use. On failure returns SQLITE_* and
  // leaves `out` null.
  int prepare(std::string_view sql, sqlite3_stmt*& out) {
    out = nullptr;
    auto it = cache_.find(sql);
    if (it != cache_.end()) {
      out = it->second->get();
      return SQLITE_OK;
    }
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return rc;
    }
    out = stmt;
    cache_.emplace(std::string(sql), std::make_unique<Statement>(stmt));
    return SQLITE_OK;
  }

  // Runs one or more statements that return nothing of interest (DDL, PRAGMA settings).
  int exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }

  std::string errmsg() const { return db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory"; }
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

 private:
  struct SqlHash {
    using is_transparent = void;  // lookups by string_view allocate nothing
    std::size_t operator()(std::string_view sql) const {
      return std::hash<std::string_view>{}(sql);
    }
  };

  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>> cache_;
};

}  // namespace pmiflow::persistence::detail
