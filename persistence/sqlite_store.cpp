#include "persistence/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "engine/engine/audit.h"
#include "persistence/sqlite_request_writer.h"
#include "persistence/sqlite_schema.h"
#include "persistence/sqlite_statement.h"
#include "persistence/sqlite_wal_sync.h"

namespace pmiflow::persistence {

using detail::Connection;
using detail::Query;

namespace {

const char* kInstanceColumns =
    "i.id, i.process, i.school, i.period, i.version, i.status, i.last_seq, i.created_ms, "
    "i.ended_ms, (SELECT count(*) FROM incidents n WHERE n.instance_id = i.id), i.head_hash, "
    "i.active_elements";

InstanceRow read_instance(const Query& q) {
  InstanceRow row;
  row.id = q.int64(0);
  row.business_key = {q.text(1), q.text(2), q.text(3)};
  row.version = q.int32(4);
  row.status = q.text(5);
  row.last_seq = q.int64(6);
  row.created_ms = q.int64(7);
  row.ended_ms = q.int64(8);
  row.open_incidents = q.int32(9);
  row.head_hash = q.text(10);
  for (const auto& [key, element] : detail::parse_active_elements(q.text(11))) {
    row.active_elements.push_back(element);
  }
  return row;
}

const char* kTaskColumns =
    "t.id, t.instance_id, t.element_id, t.name, t.candidate_groups, t.form, i.school, i.period, "
    "t.created_ms";

TaskRow read_task(const Query& q) {
  TaskRow row;
  row.id = q.text(0);
  row.instance_id = q.int64(1);
  row.element_id = q.text(2);
  row.name = q.text(3);
  const Json groups = Json::parse(q.text(4), nullptr, false);
  if (groups.is_array()) {
    for (const Json& g : groups) {
      if (g.is_string()) row.candidate_groups.push_back(g.get<std::string>());
    }
  }
  row.form = q.text(5);
  row.school = q.text(6);
  row.period = q.text(7);
  row.created_ms = q.int64(8);
  return row;
}

const char* kDefinitionColumns = "key, version, sha256, xml, resource_name, deployed_ms";

DeployedDefinition read_definition(const Query& q) {
  DeployedDefinition d;
  d.key = q.text(0);
  d.version = q.int32(1);
  d.sha256 = q.text(2);
  d.xml = q.text(3);
  d.resource_name = q.text(4);
  d.deployed_ms = q.int64(5);
  return d;
}

const char* kFormColumns = "id, version, sha256, json, resource_name, deployed_ms";

DeployedForm read_form(const Query& q) {
  DeployedForm f;
  f.id = q.text(0);
  f.version = q.int32(1);
  f.sha256 = q.text(2);
  f.json = q.text(3);
  f.resource_name = q.text(4);
  f.deployed_ms = q.int64(5);
  return f;
}

std::string open_failure(sqlite3* db, int rc) {
  std::string reason = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const int sys = db != nullptr ? sqlite3_system_errno(db) : 0;
  if (sys != 0) reason += std::string(" (") + std::strerror(sys) + ")";
  return reason;
}

}  // namespace

// Copies the WAL back into the database file on a thread of its own, so that commits do not
// pay for it: SQLite's automatic checkpoint runs inside the commit that crosses the threshold,
// fsync of the database file included. The writer's WAL hook signals this thread past
// kSignalPages; past kSyncPages (the background has not kept up) the writer checkpoints itself,
// which bounds the WAL. PASSIVE checkpoints never block the writer.
class Checkpointer {
 public:
  static constexpr int kSignalPages = 2000;  // ~16 MB of WAL (8 KiB pages)
  static constexpr int kSyncPages = 8000;    // ~64 MB of WAL

  Checkpointer(const std::string& path, bool full_sync) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
      sqlite3_close_v2(db_);
      db_ = nullptr;
      return;
    }
    sqlite3_exec(db_, full_sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                 nullptr, nullptr, nullptr);
    thread_ = std::thread([this] { run(); });
  }
  ~Checkpointer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
    sqlite3_close_v2(db_);
  }
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  bool ok() const { return db_ != nullptr; }

  // The writer's WAL hook (runs after each commit, outside any transaction).
  static int on_commit(void* self, sqlite3* writer, const char* schema, int pages) {
    if (pages >= kSyncPages) {
      sqlite3_wal_checkpoint_v2(writer, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (pages >= kSignalPages) {
      auto* c = static_cast<Checkpointer*>(self);
      {
        std::lock_guard lock(c->mu_);
        c->pending_ = true;
      }
      c->cv_.notify_one();
    }
    return SQLITE_OK;
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || pending_; });
      if (stop_) return;
      pending_ = false;
      lock.unlock();
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      lock.lock();
    }
  }

  sqlite3* db_ = nullptr;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;
  bool stop_ = false;
};

class SqliteStore::Impl {
 public:
  Impl(std::string path_in, const SqliteOptions& options_in, sqlite3* raw)
      : path(std::move(path_in)), options(options_in), db(raw) {}
  ~Impl() {
    if (checkpointer && db.raw() != nullptr) sqlite3_wal_hook(db.raw(), nullptr, nullptr);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  std::string path;
  SqliteOptions options;
  Connection db;
  std::mutex mu;
  std::unique_ptr<Checkpointer> checkpointer;  // writers only
  // Durability kFull in WAL mode: the connection runs synchronous=NORMAL and commits are made
  // durable by this, outside `mu` (sqlite_wal_sync.h). Null: SQLite's own setting applies.
  std::unique_ptr<detail::WalSync> wal_sync;

  // After a COMMIT made under `mu` by a rare write (deploy, outbox ack): waits until it is
  // durable, still under `mu`.
  Status durable() { return wal_sync ? wal_sync->wait_durable(wal_sync->note_commit()) : Status{}; }

  Error error(int rc, std::string_view what) const {
    return detail::sqlite_error(db, path, rc, what);
  }

  // Runs `row(q)` for each row of `sql`, after `bind(q)`.
  template <typename Bind, typename Row>
  Status each(std::string_view sql, Bind&& bind, Row&& row) {
    sqlite3_stmt* stmt = nullptr;
    const int prc = db.prepare(sql, stmt);
    if (prc != SQLITE_OK) return error(prc, sql);
    Query q(stmt);
    bind(q);
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) row(q);
    if (rc != SQLITE_DONE) return error(rc, sql);
    return {};
  }

  // Reads version `version` (0: the latest) of `id` from a versioned table (definitions,
  // forms) into `found`; kNotFound naming `what` when there is none.
  template <typename T, typename Read>
  Status find_version(const char* what, const char* columns, const char* table,
                      const char* id_column, const std::string& id, std::int32_t version, Read read,
                      std::optional<T>& found) {
    const std::string sql = std::string("SELECT ") + columns + " FROM " + table + " WHERE " +
                            id_column + " = ?1" +
                            (version == 0 ? " ORDER BY version DESC LIMIT 1" : " AND version = ?2");
    PMIFLOW_TRY(each(
        sql,
        [&](Query& q) {
          q.bind(1, id);
          if (version != 0) q.bind(2, static_cast<int>(version));
        },
        [&](const Query& q) { found = read(q); }));
    if (found) return {};
    return make_error(ErrorCode::kNotFound,
                      version == 0 ? std::string(what) + " '" + id + "' is not deployed"
                                   : std::string(what) + " '" + id + "' has no version " +
                                         std::to_string(version));
  }

  // A read snapshot spanning several statements (WAL: readers never block the writer).
  class ReadTransaction {
   public:
    explicit ReadTransaction(Impl& impl) : impl_(impl) { rc_ = impl_.db.exec("BEGIN DEFERRED"); }
    ~ReadTransaction() {
      if (rc_ == SQLITE_OK) impl_.db.exec("COMMIT");
    }
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;
    Status status() const {
      if (rc_ == SQLITE_OK) return {};
      return impl_.error(rc_, "begin a read transaction");
    }

   private:
    Impl& impl_;
    int rc_;
  };

  Status apply_request(detail::WriteContext& ctx, const AppendRequest& req, AppendResult& out);
  // Fills d.forms from definition_forms.
  Status load_form_bindings(DeployedDefinition& d);
};

namespace {

// The writes of `req` for instance `id`, continuing chain head `head`. Throws on a payload that
// lacks a documented key (RequestWriter::apply).
detail::RequestPlan plan_request(std::int64_t id, const AppendRequest& req, std::string head,
                                 std::map<std::int64_t, std::string> active) {
  detail::RequestWriter writer(id, req.new_state, std::move(head), std::move(active));
  for (std::size_t i = 0; i < req.events.size(); ++i) {
    writer.apply(req.events[i], i < req.encoded.size() ? &req.encoded[i] : nullptr);
  }
  return std::move(writer).plan();
}

Status check_dense(const AppendRequest& req, std::int64_t first) {
  std::int64_t expected = first;
  for (const runtime::Event& e : req.events) {
    if (e.seq != expected) {
      return make_error(ErrorCode::kInternal,
                        "events for instance " + std::to_string(req.instance_id) +
                            " are not dense: expected seq " + std::to_string(expected) +
                            ", found " + std::to_string(e.seq));
    }
    ++expected;
  }
  return {};
}

}  // namespace

Status SqliteStore::Impl::apply_request(detail::WriteContext& ctx, const AppendRequest& req,
                                        AppendResult& out) {
  std::int64_t id = req.instance_id;
  std::string head = audit::kGenesisHash;  // the chain head the request continues
  std::string active;                      // instances.active_elements before it
  if (id == 0) {
    const runtime::BusinessKey& key = req.business_key;
    if (key.process.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "creation request without a process key");
    }
    if (req.events.empty() || req.events.front().type != runtime::EventType::kInstanceCreated) {
      return make_error(ErrorCode::kInternal, "creation request for " + key.process + "/" +
                                                  key.school + "/" + key.period +
                                                  " does not start with InstanceCreated");
    }
    {
      constexpr std::string_view sql =
          "SELECT id FROM instances WHERE process = ?1 AND school = ?2 AND period = ?3";
      sqlite3_stmt* stmt = nullptr;
      int rc = db.prepare(sql, stmt);
      if (rc != SQLITE_OK) return ctx.fail(rc, sql);
      Query q(stmt);
      q.bind(1, key.process).bind(2, key.school).bind(3, key.period);
      rc = q.step();
      if (rc == SQLITE_ROW) {  // idempotent start: name the existing instance, write nothing
        out.instance_id = q.int64(0);
        out.created = false;
        return {};
      }
      if (rc != SQLITE_DONE) return ctx.fail(rc, sql);
    }
    PMIFLOW_TRY(check_dense(req, 1));
    const runtime::Event& created = req.events.front();
    std::int64_t version = created.definition_version;
    if (version == 0 && created.payload.is_object()) {
      if (auto it = created.payload.find("version");
          it != created.payload.end() && it->is_number_integer()) {
        version = it->get<std::int64_t>();
      }
    }
    PMIFLOW_TRY(ctx.run(
        "INSERT INTO instances(process, school, period, version, status, last_seq, created_ms, "
        "ended_ms) VALUES(?1, ?2, ?3, ?4, 'active', 0, ?5, 0)",
        key.process, key.school, key.period, version, created.time_ms));
    id = sqlite3_last_insert_rowid(db.raw());
    out.created = true;
  } else {
    constexpr std::string_view sql =
        "SELECT last_seq, head_hash, active_elements FROM instances WHERE id = ?1";
    sqlite3_stmt* stmt = nullptr;
    int rc = db.prepare(sql, stmt);
    if (rc != SQLITE_OK) return ctx.fail(rc, sql);
    Query q(stmt);
    q.bind(1, id);
    rc = q.step();
    if (rc == SQLITE_DONE) {
      return make_error(ErrorCode::kNotFound, "instance " + std::to_string(id) + " not found");
    }
    if (rc != SQLITE_ROW) return ctx.fail(rc, sql);
    const std::int64_t last_seq = q.int64(0);
    if (last_seq != req.expected_seq) {
      return make_error(ErrorCode::kConflict, "instance " + std::to_string(id) +
                                                  " changed concurrently (expected seq " +
                                                  std::to_string(req.expected_seq) + ", found " +
                                                  std::to_string(last_seq) + ")");
    }
    PMIFLOW_TRY(check_dense(req, last_seq + 1));
    head = q.text(1);
    // Read only by a request without the fold, planned here (RequestWriter).
    if (req.new_state == nullptr) active = q.text(2);
  }

  // The plan prepared before the store's turn holds when it continues the real head.
  const auto* prepared = static_cast<const detail::RequestPlan*>(req.prepared.get());
  std::optional<detail::RequestPlan> planned;
  if (prepared == nullptr || req.instance_id == 0 || prepared->head_before != head) {
    planned = plan_request(id, req, std::move(head), detail::parse_active_elements(active));
    prepared = &*planned;
  }
  PMIFLOW_TRY(detail::execute(ctx, *prepared));
  out.instance_id = id;
  out.head_hash = prepared->head_after;
  return {};
}

// ---------------------------------------------------------------------------------------------
// Opening

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

int SqliteStore::schema_version() {
  return detail::latest_schema_version();
}
const std::string& SqliteStore::path() const {
  return impl_->path;
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
    Connection& db = impl->db;
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
          Query q(stmt);
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
      impl->checkpointer = std::make_unique<Checkpointer>(
          path, options.durability == SqliteOptions::Durability::kFull);
      if (impl->checkpointer->ok()) {
        sqlite3_wal_hook(raw, &Checkpointer::on_commit, impl->checkpointer.get());
      } else {
        impl->checkpointer.reset();  // SQLite's own automatic checkpoints stay on
        db.exec("PRAGMA wal_autocheckpoint = 1000");
      }
    }
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal,
                      "opening sqlite database '" + path + "': " + std::string(e.what()));
  }
}

// ---------------------------------------------------------------------------------------------
// Definitions

Result<DeployOutcome> SqliteStore::deploy(const std::string& key, const std::string& xml,
                                          const std::string& sha256,
                                          const std::string& resource_name,
                                          const std::vector<FormSource>& forms,
                                          std::int64_t now_ms) {
  try {
    std::lock_guard lock(impl_->mu);
    Impl& s = *impl_;
    int rc = s.db.exec("BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) return s.error(rc, "deploy '" + key + "': begin");
    auto rollback = [&s] {
      if (s.db.in_transaction()) s.db.exec("ROLLBACK");
    };
    auto failed = [&](const Error& e) -> Result<DeployOutcome> {
      rollback();
      return e;
    };
    detail::WriteContext ctx{s.db, s.path};

    DeployOutcome outcome;
    std::map<std::string, std::int32_t> bound;
    for (const FormSource& f : forms) {
      std::optional<DeployedForm> latest;
      Status read = s.each(
          std::string("SELECT ") + kFormColumns +
              " FROM forms WHERE id = ?1 ORDER BY version DESC LIMIT 1",
          [&](Query& q) { q.bind(1, f.id); }, [&](const Query& q) { latest = read_form(q); });
      if (!read.ok()) return failed(read.error());
      if (latest && latest->sha256 == f.sha256) {
        outcome.forms.push_back(FormOutcome{std::move(*latest), false});
      } else {
        DeployedForm d{f.id,  latest ? latest->version + 1 : 1, f.sha256, f.json, f.resource_name,
                       now_ms};
        Status write = ctx.run(
            "INSERT INTO forms(id, version, sha256, json, resource_name, deployed_ms) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
            d.id, static_cast<int>(d.version), d.sha256, d.json, d.resource_name, d.deployed_ms);
        if (!write.ok()) return failed(write.error());
        outcome.forms.push_back(FormOutcome{std::move(d), true});
      }
      bound[f.id] = outcome.forms.back().form.version;
    }

    std::optional<DeployedDefinition> latest;
    Status read = s.each(
        std::string("SELECT ") + kDefinitionColumns +
            " FROM definitions WHERE key = ?1 ORDER BY version DESC LIMIT 1",
        [&](Query& q) { q.bind(1, key); }, [&](const Query& q) { latest = read_definition(q); });
    if (read.ok() && latest) read = s.load_form_bindings(*latest);
    if (!read.ok()) return failed(read.error());
    if (latest && latest->sha256 == sha256 && latest->forms == bound) {
      // Nothing new: not even a form (a new form version would have changed `bound`).
      rollback();
      outcome.definition = std::move(*latest);
      return outcome;
    }
    DeployedDefinition d{key,
                         latest ? latest->version + 1 : 1,
                         sha256,
                         xml,
                         resource_name,
                         now_ms,
                         std::move(bound)};
    Status write = ctx.run(
        "INSERT INTO definitions(key, version, sha256, xml, resource_name, deployed_ms) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
        d.key, static_cast<int>(d.version), d.sha256, d.xml, d.resource_name, d.deployed_ms);
    for (auto it = d.forms.begin(); write.ok() && it != d.forms.end(); ++it) {
      write = ctx.run(
          "INSERT INTO definition_forms(key, version, form_id, form_version) "
          "VALUES(?1, ?2, ?3, ?4)",
          d.key, static_cast<int>(d.version), it->first, static_cast<int>(it->second));
    }
    if (!write.ok()) return failed(write.error());
    rc = s.db.exec("COMMIT");
    if (rc != SQLITE_OK) return failed(s.error(rc, "deploy '" + key + "': commit"));
    PMIFLOW_TRY(s.durable());
    outcome.definition = std::move(d);
    outcome.created = true;
    return outcome;
  } catch (const std::exception& e) {
    if (impl_->db.in_transaction()) impl_->db.exec("ROLLBACK");
    return make_error(ErrorCode::kInternal, "deploy '" + key + "': " + e.what());
  }
}

Status SqliteStore::Impl::load_form_bindings(DeployedDefinition& d) {
  return each(
      "SELECT form_id, form_version FROM definition_forms WHERE key = ?1 AND version = ?2",
      [&](Query& q) {
        q.bind(1, d.key);
        q.bind(2, static_cast<int>(d.version));
      },
      [&](const Query& q) { d.forms[q.text(0)] = q.int32(1); });
}

Result<DeployedDefinition> SqliteStore::definition(const std::string& key, std::int32_t version) {
  try {
    std::lock_guard lock(impl_->mu);
    Impl::ReadTransaction tx(*impl_);
    PMIFLOW_TRY(tx.status());
    std::optional<DeployedDefinition> found;
    PMIFLOW_TRY(impl_->find_version("definition", kDefinitionColumns, "definitions", "key", key,
                                    version, read_definition, found));
    PMIFLOW_TRY(impl_->load_form_bindings(*found));
    return std::move(*found);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, "definition '" + key + "': " + e.what());
  }
}

Result<std::int32_t> SqliteStore::latest_version(const std::string& key) {
  try {
    std::lock_guard lock(impl_->mu);
    std::optional<std::int32_t> found;
    PMIFLOW_TRY(impl_->find_version(
        "definition", "version", "definitions", "key", key, 0,
        [](const Query& q) { return static_cast<std::int32_t>(q.int64(0)); }, found));
    return *found;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, "definition '" + key + "': " + e.what());
  }
}

Result<std::vector<DeployedDefinition>> SqliteStore::definitions() {
  try {
    std::lock_guard lock(impl_->mu);
    Impl::ReadTransaction tx(*impl_);
    PMIFLOW_TRY(tx.status());
    std::vector<DeployedDefinition> out;
    PMIFLOW_TRY(impl_->each(
        std::string("SELECT ") + kDefinitionColumns + " FROM definitions ORDER BY key, version",
        [](Query&) {}, [&](const Query& q) { out.push_back(read_definition(q)); }));
    for (auto& d : out) PMIFLOW_TRY(impl_->load_form_bindings(d));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("definitions: ") + e.what());
  }
}

Result<DeployedForm> SqliteStore::form(const std::string& id, std::int32_t version) {
  try {
    std::lock_guard lock(impl_->mu);
    std::optional<DeployedForm> found;
    PMIFLOW_TRY(
        impl_->find_version("form", kFormColumns, "forms", "id", id, version, read_form, found));
    return std::move(*found);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, "form '" + id + "': " + e.what());
  }
}

// ---------------------------------------------------------------------------------------------
// Append

void SqliteStore::prepare(AppendRequest& request) const {
  // Only a request whose instance id and chain head are known (and with the fold, which gives
  // its active elements and join arrivals) can be planned before its turn.
  if (request.instance_id == 0 || request.new_state == nullptr || request.events.empty() ||
      request.encoded.size() != request.events.size()) {
    return;
  }
  try {
    request.prepared = std::make_shared<const detail::RequestPlan>(
        plan_request(request.instance_id, request, request.encoded.front().prev_hash, {}));
  } catch (const std::exception&) {
    request.prepared.reset();  // append() plans it again and reports the error
  }
}

std::vector<AppendResult> SqliteStore::append(const std::vector<AppendRequest>& batch,
                                              const std::function<void()>& committed) {
  std::vector<AppendResult> results(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) results[i].instance_id = batch[i].instance_id;
  if (batch.empty()) return results;
  Impl& s = *impl_;
  // The whole batch fails with `e`: acknowledge nothing.
  auto fail_all = [&](const Error& e) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      results[i].status = e;
      results[i].instance_id = batch[i].instance_id;
      results[i].created = false;
    }
    return results;
  };

  std::uint64_t ticket = 0;  // of the commit, when s.wal_sync makes it durable
  {
    std::lock_guard lock(s.mu);
    detail::WriteContext ctx{s.db, s.path};
    auto rollback_all = [&](const Error& e) {
      if (s.db.in_transaction()) s.db.exec("ROLLBACK");
      return fail_all(e);
    };
    try {
      // No SAVEPOINT per request (each would copy every page the request touches into the
      // statement journal): a request that fails before writing anything (a conflict, an
      // unknown instance, an existing business key) simply writes nothing; one that fails
      // after writing (an engine bug: a constraint) makes the transaction roll back and the
      // batch be written again without it.
      std::vector<bool> failed(batch.size(), false);
      for (bool again = true; again;) {
        again = false;
        if (Status begin = ctx.run("BEGIN IMMEDIATE"); !begin.ok()) {
          return rollback_all(begin.error());
        }
        for (std::size_t i = 0; i < batch.size() && !again; ++i) {
          if (failed[i]) continue;
          const auto changes = sqlite3_total_changes64(s.db.raw());
          Status st;
          try {
            st = s.apply_request(ctx, batch[i], results[i]);
          } catch (const std::bad_alloc&) {
            throw;
          } catch (const std::exception& e) {
            st = make_error(ErrorCode::kInternal,
                            "instance " + std::to_string(batch[i].instance_id) + ": " + e.what());
          }
          if (st.ok()) continue;
          if (ctx.fatal) return rollback_all(st.error());
          failed[i] = true;
          results[i].status = st;
          results[i].instance_id = batch[i].instance_id;
          results[i].created = false;
          if (sqlite3_total_changes64(s.db.raw()) != changes) {
            if (Status undo = ctx.run("ROLLBACK"); !undo.ok()) return rollback_all(undo.error());
            again = true;
          }
        }
      }
      if (Status commit = ctx.run("COMMIT"); !commit.ok()) return rollback_all(commit.error());
    } catch (const std::exception& e) {
      return rollback_all(make_error(ErrorCode::kInternal,
                                     "sqlite database '" + s.path + "': append: " + e.what()));
    }
    if (s.wal_sync) ticket = s.wal_sync->note_commit();
  }
  if (ticket == 0) return results;
  if (committed) committed();
  if (Status durable = s.wal_sync->wait_durable(ticket); !durable.ok()) {
    // Committed but not known to be durable: the outcome is unknown, so nothing is reported
    // done (a retried start is idempotent by business key; a retried command finds its task
    // completed or gets kConflict).
    return fail_all(durable.error());
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Queries

Result<std::optional<std::int64_t>> SqliteStore::find_instance(const runtime::BusinessKey& key) {
  try {
    std::lock_guard lock(impl_->mu);
    std::optional<std::int64_t> id;
    PMIFLOW_TRY(impl_->each(
        "SELECT id FROM instances WHERE process = ?1 AND school = ?2 AND period = ?3",
        [&](Query& q) { q.bind(1, key.process).bind(2, key.school).bind(3, key.period); },
        [&](const Query& q) { id = q.int64(0); }));
    return id;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("find_instance: ") + e.what());
  }
}

Result<InstanceRow> SqliteStore::instance(std::int64_t id) {
  try {
    std::lock_guard lock(impl_->mu);
    Impl::ReadTransaction tx(*impl_);
    PMIFLOW_TRY(tx.status());
    std::vector<InstanceRow> rows;
    PMIFLOW_TRY(impl_->each(
        std::string("SELECT ") + kInstanceColumns + " FROM instances i WHERE i.id = ?1",
        [&](Query& q) { q.bind(1, id); },
        [&](const Query& q) { rows.push_back(read_instance(q)); }));
    if (rows.empty()) {
      return make_error(ErrorCode::kNotFound, "instance " + std::to_string(id) + " not found");
    }
    return std::move(rows[0]);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, "instance " + std::to_string(id) + ": " + e.what());
  }
}

Result<std::vector<InstanceRow>> SqliteStore::instances(const InstanceQuery& query) {
  try {
    std::lock_guard lock(impl_->mu);
    std::string where;
    std::vector<std::string> args;
    auto filter = [&](const std::optional<std::string>& value, const char* column) {
      if (!value) return;
      args.push_back(*value);
      where += (where.empty() ? " WHERE " : " AND ");
      where += std::string("i.") + column + " = ?" + std::to_string(args.size());
    };
    filter(query.process, "process");
    filter(query.school, "school");
    filter(query.period, "period");
    filter(query.status, "status");

    Impl::ReadTransaction tx(*impl_);
    PMIFLOW_TRY(tx.status());
    std::vector<InstanceRow> rows;
    auto bind = [&](Query& q) {
      for (std::size_t k = 0; k < args.size(); ++k) q.bind(static_cast<int>(k + 1), args[k]);
    };
    PMIFLOW_TRY(impl_->each(
        std::string("SELECT ") + kInstanceColumns + " FROM instances i" + where + " ORDER BY i.id",
        bind, [&](const Query& q) { rows.push_back(read_instance(q)); }));
    return rows;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("instances: ") + e.what());
  }
}

Result<std::vector<runtime::Event>> SqliteStore::events(std::int64_t instance_id,
                                                        std::int64_t from_seq,
                                                        std::int64_t to_seq) {
  try {
    std::lock_guard lock(impl_->mu);
    Impl::ReadTransaction tx(*impl_);
    PMIFLOW_TRY(tx.status());
    bool exists = false;
    PMIFLOW_TRY(impl_->each(
        "SELECT 1 FROM instances WHERE id = ?1", [&](Query& q) { q.bind(1, instance_id); },
        [&](const Query&) { exists = true; }));
    if (!exists) {
      return make_error(ErrorCode::kNotFound,
                        "instance " + std::to_string(instance_id) + " not found");
    }
    std::vector<runtime::Event> out;
    std::optional<Error> corrupt;
    PMIFLOW_TRY(impl_->each(
        "SELECT first_seq, last_seq, prev_hash, events FROM event_batches "
        "WHERE instance_id = ?1 AND first_seq <= ?3 AND last_seq >= ?2 ORDER BY first_seq",
        [&](Query& q) { q.bind(1, instance_id).bind(2, from_seq).bind(3, to_seq); },
        [&](const Query& q) {
          if (corrupt) return;
          std::string prev_hash = q.text(2);
          if (auto bad =
                  detail::read_batch(instance_id, q.text(3), from_seq, to_seq, prev_hash, out)) {
            corrupt = make_error(ErrorCode::kIo, "sqlite database '" + impl_->path + "': events " +
                                                     std::to_string(q.int64(0)) + " to " +
                                                     std::to_string(q.int64(1)) + " of instance " +
                                                     std::to_string(instance_id) + ": " + *bad);
          }
        }));
    if (corrupt) return *corrupt;
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal,
                      "events of instance " + std::to_string(instance_id) + ": " + e.what());
  }
}

Result<std::vector<TaskRow>> SqliteStore::tasks(const TaskQuery& query) {
  try {
    std::lock_guard lock(impl_->mu);
    std::string sql = std::string("SELECT ") + kTaskColumns + " FROM tasks t";
    if (query.role) sql += " JOIN task_groups g ON g.task_id = t.id AND g.grp = ?1";
    sql += " JOIN instances i ON i.id = t.instance_id WHERE 1";
    if (query.school) sql += " AND i.school = ?2";
    if (query.period) sql += " AND i.period = ?3";
    if (query.instance_id) sql += " AND t.instance_id = ?4";
    sql += " ORDER BY t.created_ms, t.instance_id, t.element_key";
    std::vector<TaskRow> out;
    PMIFLOW_TRY(impl_->each(
        sql,
        [&](Query& q) {
          if (query.role) q.bind(1, *query.role);
          if (query.school) q.bind(2, *query.school);
          if (query.period) q.bind(3, *query.period);
          if (query.instance_id) q.bind(4, *query.instance_id);
        },
        [&](const Query& q) { out.push_back(read_task(q)); }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("tasks: ") + e.what());
  }
}

Result<TaskRow> SqliteStore::task(const std::string& id) {
  try {
    std::lock_guard lock(impl_->mu);
    std::optional<TaskRow> found;
    PMIFLOW_TRY(impl_->each(
        std::string("SELECT ") + kTaskColumns +
            " FROM tasks t JOIN instances i ON i.id = t.instance_id WHERE t.id = ?1",
        [&](Query& q) { q.bind(1, id); }, [&](const Query& q) { found = read_task(q); }));
    if (!found) return make_error(ErrorCode::kNotFound, "task " + id + " is not open");
    return std::move(*found);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, "task " + id + ": " + e.what());
  }
}

Result<Variables> SqliteStore::variables(std::int64_t instance_id) {
  try {
    std::lock_guard lock(impl_->mu);
    Impl::ReadTransaction tx(*impl_);
    PMIFLOW_TRY(tx.status());
    bool exists = false;
    PMIFLOW_TRY(impl_->each(
        "SELECT 1 FROM instances WHERE id = ?1", [&](Query& q) { q.bind(1, instance_id); },
        [&](const Query&) { exists = true; }));
    if (!exists) {
      return make_error(ErrorCode::kNotFound,
                        "instance " + std::to_string(instance_id) + " not found");
    }
    Variables out;
    PMIFLOW_TRY(impl_->each(
        "SELECT name, value FROM variables WHERE instance_id = ?1 ORDER BY name",
        [&](Query& q) { q.bind(1, instance_id); },
        [&](const Query& q) { out[q.text(0)] = Json::parse(q.text(1), nullptr, false); }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal,
                      "variables of instance " + std::to_string(instance_id) + ": " + e.what());
  }
}

Result<std::vector<JobRow>> SqliteStore::jobs(std::optional<std::int64_t> instance_id) {
  try {
    std::lock_guard lock(impl_->mu);
    std::vector<JobRow> out;
    PMIFLOW_TRY(impl_->each(
        std::string("SELECT id, instance_id, element_id, type, retries_left, state FROM jobs") +
            (instance_id ? " WHERE instance_id = ?1" : "") + " ORDER BY instance_id, element_key",
        [&](Query& q) {
          if (instance_id) q.bind(1, *instance_id);
        },
        [&](const Query& q) {
          JobRow row;
          row.id = q.text(0);
          row.instance_id = q.int64(1);
          row.element_id = q.text(2);
          row.type = q.text(3);
          row.retries_left = q.int32(4);
          row.state = q.text(5);
          out.push_back(std::move(row));
        }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("jobs: ") + e.what());
  }
}

Result<std::vector<IncidentRow>> SqliteStore::incidents(std::optional<std::int64_t> instance_id) {
  try {
    std::lock_guard lock(impl_->mu);
    std::vector<IncidentRow> out;
    PMIFLOW_TRY(impl_->each(
        std::string("SELECT id, instance_id, element_id, kind, message FROM incidents") +
            (instance_id ? " WHERE instance_id = ?1" : "") + " ORDER BY instance_id, rowid",
        [&](Query& q) {
          if (instance_id) q.bind(1, *instance_id);
        },
        [&](const Query& q) {
          IncidentRow row;
          row.id = q.text(0);
          row.instance_id = q.int64(1);
          row.element_id = q.text(2);
          row.kind = q.text(3);
          row.message = q.text(4);
          out.push_back(std::move(row));
        }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("incidents: ") + e.what());
  }
}

Result<std::vector<RecordRow>> SqliteStore::records(const RecordQuery& query) {
  try {
    std::lock_guard lock(impl_->mu);
    std::vector<RecordRow> out;
    PMIFLOW_TRY(impl_->each(
        "SELECT instance_id, seq, kind, element_id, school, period, data, time_ms FROM records "
        "WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR period = ?2) AND "
        "(?3 IS NULL OR school = ?3) ORDER BY instance_id, seq",
        [&](Query& q) {
          if (query.kind) q.bind(1, *query.kind);
          if (query.period) q.bind(2, *query.period);
          if (query.school) q.bind(3, *query.school);
        },
        [&](const Query& q) {
          RecordRow r;
          r.instance_id = q.int64(0);
          r.seq = q.int64(1);
          r.kind = q.text(2);
          r.element_id = q.text(3);
          r.school = q.text(4);
          r.period = q.text(5);
          r.data = Json::parse(q.text(6), nullptr, false);
          r.time_ms = q.int64(7);
          out.push_back(std::move(r));
        }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("records: ") + e.what());
  }
}

Result<std::vector<OutboxRow>> SqliteStore::outbox(std::optional<std::string> subprocess,
                                                   bool include_acked) {
  try {
    std::lock_guard lock(impl_->mu);
    std::vector<OutboxRow> out;
    PMIFLOW_TRY(impl_->each(
        "SELECT id, instance_id, seq, subprocess, element_id, school, period, data, created_ms, "
        "acked_ms FROM outbox WHERE (?1 IS NULL OR subprocess = ?1) AND (?2 = 1 OR acked_ms = 0) "
        "ORDER BY rowid",
        [&](Query& q) {
          if (subprocess) q.bind(1, *subprocess);
          q.bind(2, include_acked ? 1 : 0);
        },
        [&](const Query& q) {
          OutboxRow m;
          m.id = q.text(0);
          m.instance_id = q.int64(1);
          m.seq = q.int64(2);
          m.subprocess = q.text(3);
          m.element_id = q.text(4);
          m.school = q.text(5);
          m.period = q.text(6);
          m.data = Json::parse(q.text(7), nullptr, false);
          m.created_ms = q.int64(8);
          m.acked_ms = q.int64(9);
          out.push_back(std::move(m));
        }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("outbox: ") + e.what());
  }
}

Status SqliteStore::ack_outbox(const std::string& id, std::int64_t now_ms) {
  try {
    std::lock_guard lock(impl_->mu);
    bool exists = false;
    PMIFLOW_TRY(impl_->each(
        "SELECT 1 FROM outbox WHERE id = ?1", [&](Query& q) { q.bind(1, id); },
        [&](const Query&) { exists = true; }));
    if (!exists) return make_error(ErrorCode::kNotFound, "no outbox message " + id);
    detail::WriteContext ctx{impl_->db, impl_->path};
    PMIFLOW_TRY(
        ctx.run("UPDATE outbox SET acked_ms = ?2 WHERE id = ?1 AND acked_ms = 0", id, now_ms));
    return impl_->durable();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("outbox ack: ") + e.what());
  }
}

}  // namespace pmiflow::persistence
