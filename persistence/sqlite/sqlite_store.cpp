#include "persistence/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <string>
#include <thread>
#include <utility>

#include "persistence/sqlite/sqlite_schema.h"
#include "persistence/sqlite/sqlite_store_impl.h"

namespace pmiflow::persistence {
namespace {

std::string open_failure(sqlite3* db, int rc) {
  std::string reason = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const int sys = db != nullptr ? sqlite3_system_errno(db) : 0;
  if (sys != 0) reason += std::string(" (") + std::strerror(sys) + ")";
  return reason;
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

int SqliteStore::schema_version() {
  return detail::latest_schema_version();
}
const std::string& SqliteStore::path() const {
  return impl_->path;
}

SqliteStats SqliteStore::stats() const {
  if (!impl_->group_commit) return {};
  const detail::GroupCommitStats s = impl_->group_commit->stats();
  return SqliteStats{s.requests, s.group_commits, s.append_ns, s.write_ns};
}

Status SqliteStore::Impl::open_reader() {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  auto opened = std::make_unique<Reader>();
  MutexLock lock(opened->mu);
  opened->db = std::make_unique<detail::Connection>(raw);  // closes `raw` on every path
  if (rc != SQLITE_OK) {
    return make_error(ErrorCode::kIo, "cannot open sqlite database '" + path +
                                          "' for reading: " + open_failure(raw, rc));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  reader = std::move(opened);  // its lock is released with `lock`, before anyone reads
  return {};
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       const SqliteOptions& options) {
  // Before SQLite initializes (the first open): no memory statistics, which pmiflow does not
  // read and which take a process-wide mutex on every SQLite allocation, shared by the writer
  // and the checkpointer's connection (the group write ~5-10 % shorter). Later calls are
  // refused by SQLite (SQLITE_MISUSE) and change nothing.
  [[maybe_unused]] static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  try {
    const int flags =
        (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
        SQLITE_OPEN_NOMUTEX;
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    auto impl = std::make_unique<Impl>(path, options, raw);  // closes `raw` on every path
    if (rc != SQLITE_OK) {
      return make_error(ErrorCode::kIo,
                        "cannot open sqlite database '" + path + "': " + open_failure(raw, rc));
    }
    // Nothing else can reach the store yet; the lock is taken for the analysis' sake (db is
    // GUARDED_BY(mu)) and costs nothing.
    MutexLock lock(impl->mu);
    detail::Connection& db = impl->db;
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, options.busy_timeout_ms);

    bool needs_migration = false;
    PMIFLOW_TRY(detail::inspect_schema(db, path, needs_migration));

    if (!options.read_only && sqlite3_db_readonly(raw, "main") == 1) {
      return make_error(ErrorCode::kIo, "cannot open sqlite database '" + path +
                                            "' for writing: the file is read-only");
    }
    if (options.read_only && needs_migration) {
      return make_error(ErrorCode::kIo, "sqlite database '" + path +
                                            "' needs a schema migration but was opened read-only");
    }

    // Connection settings. journal_mode=WAL is persistent in the file (set once); the others
    // hold for this connection.
    std::string journal_mode;
    if (!options.read_only) {
      // 8 KiB pages for a new file (a no-op on an existing one): a commit writes each page it
      // changed to the WAL, one write per page, and most of a request's changes are rows of
      // its own instance; bigger pages cost fewer writes per commit (docs/benchmarks.md).
      db.exec("PRAGMA page_size = 8192");
      // Switching to WAL needs the file to itself and does not wait for a busy handler, so a
      // second process opening a new database at the same time retries here.
      const auto deadline =
          std::chrono::steady_clock::now() + std::chrono::milliseconds(options.busy_timeout_ms);
      std::string& mode = journal_mode;
      for (int attempt = 0;; ++attempt) {
        sqlite3_stmt* stmt = nullptr;
        int prc = db.prepare("PRAGMA journal_mode = WAL", stmt);
        if (prc == SQLITE_OK) {
          detail::Query q(stmt);
          prc = q.step();
          if (prc == SQLITE_ROW) {
            mode = q.text(0);
            break;
          }
        }
        const int primary = prc & 0xff;
        if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) ||
            std::chrono::steady_clock::now() >= deadline) {
          return impl->error(prc, "set journal_mode=WAL");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(1 + attempt, 20)));
      }
      if (mode != "wal" && mode != "memory") {
        return make_error(
            ErrorCode::kIo,
            "sqlite database '" + path + "': cannot switch to WAL (journal_mode is " + mode + ")");
      }
    }
    // Durability kFull in WAL mode: synchronous=NORMAL plus our own fdatasync of the WAL before
    // each acknowledgement (WalSync), which lets the next batch write while one syncs.
    if (options.durability == SqliteOptions::Durability::kFull && !options.read_only &&
        journal_mode == "wal") {
      impl->wal_sync = std::make_unique<detail::WalSync>(path + "-wal");
    }
    std::string settings = options.durability == SqliteOptions::Durability::kFull && !impl->wal_sync
                               ? "PRAGMA synchronous = FULL;"
                               : "PRAGMA synchronous = NORMAL;";
    settings += "PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY;";
    if (options.max_page_count > 0) {
      settings += "PRAGMA max_page_count = " + std::to_string(options.max_page_count) + ";";
    }
    if (const int src = db.exec(settings.c_str()); src != SQLITE_OK) {
      return impl->error(src, "apply connection settings");
    }

    if (needs_migration) PMIFLOW_TRY(detail::migrate(db, path));
    if (!options.read_only) {
      impl->checkpointer = std::make_unique<detail::Checkpointer>(
          path, options.durability == SqliteOptions::Durability::kFull);
      if (impl->checkpointer->ok()) {
        sqlite3_wal_hook(raw, &detail::Checkpointer::on_commit, impl->checkpointer.get());
      } else {
        impl->checkpointer.reset();  // SQLite's own automatic checkpoints stay on
        db.exec("PRAGMA wal_autocheckpoint = 1000");
      }
      Impl* writer = impl.get();
      impl->group_commit = std::make_unique<detail::GroupCommit>(
          [writer](std::vector<detail::PendingAppend*>& group,
                   const std::function<void()>& committed) {
            return writer->write_group(group, committed);
          },
          options.max_group);
    }
    if (!options.read_only && journal_mode == "wal") PMIFLOW_TRY(impl->open_reader());
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal,
                      "opening sqlite database '" + path + "': " + std::string(e.what()));
  }
}

}  // namespace pmiflow::persistence
