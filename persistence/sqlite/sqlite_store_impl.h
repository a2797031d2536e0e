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
  // Instance ids reserved from `sequences` and not handed out yet: [next_id, end_id).
  std::int64_t next_id GUARDED_BY(mu) = 0;
  std::int64_t end_id GUARDED_BY(mu) = 0;
  std::int64_t id_block GUARDED_BY(mu) = 1;           // ids the next reservation takes
  std::unique_ptr<detail::GroupCommit> group_commit;  // writers only; set once opened

  // After a COMMIT made under `mu` by a rare write (deploy, outbox ack, id reservation): waits
  // until it is durable, still under `mu`.
  Status durable() REQUIRES(mu) {
    return wal_sync ? wal_sync->wait_durable(wal_sync->note_commit()) : Status{};
  }

  Error error(int rc, std::string_view what) const REQUIRES(mu) {
    return detail::sqlite_error(db, path, rc, what);
  }

  // Runs `row(q)` for each row of `sql`, after `bind(q)`.
  template <typename Bind, typename Row>
  Status each(std::string_view sql, Bind&& bind, Row&& row) REQUIRES(mu) {
    sqlite3_stmt* stmt = nullptr;
    const int prc = db.prepare(sql, stmt);
    if (prc != SQLITE_OK) return error(prc, sql);
    detail::Query q(stmt);
    bind(q);
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) row(q);
    if (rc != SQLITE_DONE) return error(rc, sql);
    return {};
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
    explicit ReadTransaction(Impl& impl) REQUIRES(impl.mu) : impl_(impl) {
      const int rc = impl_.db.exec("BEGIN DEFERRED");
      if (rc != SQLITE_OK) status_ = impl_.error(rc, "begin a read transaction");
    }
    // Under the mu its constructor required (the analysis does not follow an object's life).
    ~ReadTransaction() NO_THREAD_SAFETY_ANALYSIS {
      if (status_.ok()) impl_.db.exec("COMMIT");
    }
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;
    const Status& status() const { return status_; }

   private:
    Impl& impl_;
    Status status_;
  };

  // Writes a group of requests in one transaction and makes it durable (what the group commit
  // calls); see SqliteStore::append_batch. Takes mu.
  std::vector<AppendResult> write_group(std::vector<detail::PendingAppend*>& group,
                                        const std::function<void()>& committed) EXCLUDES(mu);
  // Writes one request of a group inside the group's transaction, with its plan when that was
  // made from the instance's actual chain head (else planned again).
  Status apply_request(detail::WriteContext& ctx, const detail::PendingAppend& pending,
                       AppendResult& out) REQUIRES(mu);
  // Stores a published message of a group (SqliteStore::publish), unless it is a duplicate.
  Status apply_publish(detail::WriteContext& ctx, const detail::PendingPublish& publish)
      REQUIRES(mu);
  // Fills d.forms from definition_forms.
  Status load_form_bindings(DeployedDefinition& d) REQUIRES(mu);
};

}  // namespace pmiflow::persistence
