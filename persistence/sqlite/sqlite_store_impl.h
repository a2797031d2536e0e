// Private to persistence/sqlite: the state of one SqliteStore (its connection, the lock that
// serializes its use, durability and checkpoint helpers, the group commit) and the helpers
// its methods share; the methods live in sqlite_store.cpp (opening), sqlite_definitions.cpp,
// sqlite_event_log.cpp and sqlite_read_model.cpp.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/common/mutex.h"
#include "persistence/sqlite/sqlite_checkpointer.h"
#include "persistence/sqlite/sqlite_group_commit.h"
#include "persistence/sqlite/sqlite_request_writer.h"
#include "persistence/sqlite/sqlite_statement.h"
#include "persistence/sqlite/sqlite_store.h"
#include "persistence/sqlite/sqlite_wal_sync.h"

namespace pmiflow::persistence {

class SqliteStore::Impl {
 public:
  Impl(std::string path_in, const SqliteOptions& options_in, sqlite3* raw)
      : path(std::move(path_in)), options(options_in), db(raw) {}
  ~Impl() {
    group_commit.reset();  // its writers use the connection: stop them first
    if (checkpointer && db.raw() != nullptr) sqlite3_wal_hook(db.raw(), nullptr, nullptr);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  const std::string path;
  const SqliteOptions options;
  Mutex mu;
  detail::Connection db GUARDED_BY(mu);
  std::unique_ptr<detail::Checkpointer> checkpointer;  // writers only
  // Durability kFull in WAL mode: the connection runs synchronous=NORMAL and commits are made
  // durable by this, outside `mu` (sqlite_wal_sync.h). Null: SQLite's own setting applies.
  std::unique_ptr<detail::WalSync> wal_sync;
  // Keys reserved from a row of `sequences` and not handed out yet: [next, end).
  struct KeyBlock {
    const char* sequence;
    std::int64_t next = 0;
    std::int64_t end = 0;
    std::int64_t size = 1;  // keys the next reservation takes
  };
  // Its own lock: a key from a block already reserved does not wait for the group writer.
  Mutex keys_mu;
  KeyBlock instance_ids GUARDED_BY(keys_mu){"instances"};
  KeyBlock message_keys GUARDED_BY(keys_mu){"messages"};
  std::unique_ptr<detail::GroupCommit> group_commit;  // writers only; set once opened
  // Writers on a WAL file only: a second, read-only connection for the reads the engine makes
  // while it publishes and correlates messages (subscriptions, buffered messages), so that they
  // do not wait behind the group writer's transaction under `mu`. WAL: a statement sees every
  // transaction committed before it began, so nothing acknowledged is missed.
  struct Reader {
    Mutex mu;
    std::unique_ptr<detail::Connection> db GUARDED_BY(mu);
  };
  std::unique_ptr<Reader> reader;  // set once opened
  // Opens `reader` (SqliteStore::open, last).
  Status open_reader();

  // After a COMMIT made under `mu` by a rare write (deploy, outbox ack, id reservation): waits
  // until it is durable, still under `mu`.
  Status durable() REQUIRES(mu) {
    return wal_sync ? wal_sync->wait_durable(wal_sync->note_commit()) : Status{};
  }

  Error error(int rc, std::string_view what) const REQUIRES(mu) {
    return detail::sqlite_error(db, path, rc, what);
  }

  // Runs `row(q)` for each row of `sql` on connection `c`, after `bind(q)`.
  template <typename Bind, typename Row>
  Status each_on(detail::Connection& c, std::string_view sql, Bind&& bind, Row&& row) const {
    sqlite3_stmt* stmt = nullptr;
    const int prc = c.prepare(sql, stmt);
    if (prc != SQLITE_OK) return detail::sqlite_error(c, path, prc, sql);
    detail::Query q(stmt);
    bind(q);
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) row(q);
    if (rc != SQLITE_DONE) return detail::sqlite_error(c, path, rc, sql);
    return {};
  }

  // The same on the store's connection.
  template <typename Bind, typename Row>
  Status each(std::string_view sql, Bind&& bind, Row&& row) REQUIRES(mu) {
    return each_on(db, sql, std::forward<Bind>(bind), std::forward<Row>(row));
  }

  // Runs `read(connection)` on the reader connection when the store has one, else on the
  // store's connection: for single-statement reads on the engine's hot paths.
  template <typename Read>
  auto with_reader(Read&& read) EXCLUDES(mu) {
    if (reader) {
      MutexLock lock(reader->mu);
      return read(*reader->db);
    }
    MutexLock lock(mu);
    return read(db);
  }

  // Whether the instance exists.
  Result<bool> instance_exists(std::int64_t id) REQUIRES(mu) {
    bool exists = false;
    PMIFLOW_TRY(each(
        "SELECT 1 FROM instances WHERE id = ?1", [&](detail::Query& q) { q.bind(1, id); },
        [&](const detail::Query&) { exists = true; }));
    return exists;
  }

  // A read snapshot spanning several statements (WAL: readers never block the writer).
  // REQUIRES: mu held for its lifetime.
  class ReadTransaction {
   public:
    explicit ReadTransaction(Impl& impl) REQUIRES(impl.mu) : ReadTransaction(impl.db, impl.path) {}
    // On connection `db` (the reader's, under its lock).
    ReadTransaction(detail::Connection& db, const std::string& path) : db_(db) {
      const int rc = db_.exec("BEGIN DEFERRED");
      if (rc != SQLITE_OK)
        status_ = detail::sqlite_error(db_, path, rc, "begin a read transaction");
    }
    ~ReadTransaction() {
      if (status_.ok()) db_.exec("COMMIT");
    }
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;
    const Status& status() const { return status_; }

   private:
    detail::Connection& db_;
    Status status_;
  };

  // Writes a group of requests in one transaction and makes it durable (what the group commit
  // calls); see SqliteStore::append_batch. Takes mu.
  std::vector<AppendResult> write_group(std::vector<detail::PendingAppend*>& group,
                                        const std::function<void()>& committed) EXCLUDES(mu);
  // Writes one request of a group inside the group's transaction, with its plan when that was
  // made from the instance's actual chain head (else planned again).
  // Writes a request and the requests linked to it (all or none: the first failure is the
  // unit's; a creation among linked ones whose business key exists is a conflict).
  Status apply_unit(detail::WriteContext& ctx, detail::PendingAppend& pending, AppendResult& out)
      REQUIRES(mu);
  Status apply_request(detail::WriteContext& ctx, detail::PendingAppend& pending, AppendResult& out)
      REQUIRES(mu);
  // Stores a published message of a group (SqliteStore::publish, or a request's message),
  // unless it is a duplicate (publish.result.created is then false and nothing is written).
  Status apply_publish(detail::WriteContext& ctx, detail::PendingPublish& publish) REQUIRES(mu);
  // The next key of `block`, reserving a new block of its sequence when it is used up.
  Result<std::int64_t> reserve_key(KeyBlock& block) REQUIRES(keys_mu) EXCLUDES(mu);
  // Fills d.forms from definition_forms.
  Status load_form_bindings(DeployedDefinition& d) REQUIRES(mu);
};

}  // namespace pmiflow::persistence
