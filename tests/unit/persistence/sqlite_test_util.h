// Helpers for the SqliteStore tests: temporary files, hand-built events and requests (with the
// state and changes the engine would give), and raw SQLite access to look under the store.
#pragma once

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/engine/audit.h"
#include "engine/engine/store.h"
#include "engine/runtime/event_applier.h"
#include "engine/runtime/event_codec.h"
#include "persistence/memory/memory_store.h"
#include "persistence/sqlite/sqlite_store.h"

namespace pmiflow::persistence::testing {

using runtime::Event;
using runtime::EventType;

// A fresh directory under the system temp dir, removed (with its contents) on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::temp_directory_path() /
            ("pmiflow-sqlite-" + std::to_string(::getpid()) + "-" + std::to_string(stamp) + "-" +
             std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// The store a test parameterized by store runs on: "sqlite" (a file in `dir`) or "memory".
inline std::unique_ptr<Store> open_store(const std::string& kind, const TempDir& dir) {
  if (kind != "sqlite") return std::make_unique<MemoryStore>();
  auto opened = SqliteStore::open(dir.file("pmiflow.db"));
  EXPECT_TRUE(opened.ok()) << opened.error().message;
  return opened.ok() ? std::unique_ptr<Store>(std::move(*opened)) : nullptr;
}

// Raw access to a database file, bypassing the store (as another tool or an attacker would).
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // Runs `sql`; returns SQLite's result code (message in last_error()).
  int exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    last_error_ = err != nullptr ? err : "";
    sqlite3_free(err);
    return rc;
  }
  // Every row of `sql`, each cell as text ("NULL" for null).
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    std::vector<std::vector<std::string>> out;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      last_error_ = sqlite3_errmsg(db_);
      return out;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const auto* text = sqlite3_column_text(stmt, c);
        row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "NULL");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    return out;
  }
  std::int64_t scalar(const std::string& sql) {
    auto r = rows(sql);
    return r.empty() || r[0].empty() ? -1 : std::stoll(r[0][0]);
  }
  const std::string& last_error() const { return last_error_; }

 private:
  sqlite3* db_ = nullptr;
  std::string last_error_;
};

// ---- events, built from their structs (engine/runtime/event_types.h) --------------------------

inline Event event(runtime::EventBody body, std::int64_t time_ms = 1000) {
  Event e;
  e.body = std::move(body);
  e.type_version = runtime::current_version(e.type());
  e.time_ms = time_ms;
  e.actor = runtime::Actor::engine();
  e.definition_version = 1;
  return e;
}

// D02.03's way of naming an instance (handlers/d02_03/business_key.h); these tests need one.
inline runtime::BusinessKey key_of(const std::string& process, const std::string& school,
                                   const std::string& period) {
  return runtime::BusinessKey{process, school + "/" + period};
}

// The tags of a key made by key_of: school and period.
inline runtime::Tags tags_of(const runtime::BusinessKey& key) {
  const auto slash = key.id.find('/');
  if (slash == std::string::npos) return {};
  return {{"period", key.id.substr(slash + 1)}, {"school", key.id.substr(0, slash)}};
}

inline Event instance_created(const runtime::BusinessKey& key, Variables vars = {},
                              std::int64_t time_ms = 1000) {
  return event(
      runtime::InstanceCreated{key.id, key.process, tags_of(key), std::move(vars), 0, {}, 0},
      time_ms);
}
inline Event activated(const std::string& element, std::int64_t key, const std::string& kind,
                       const std::string& flow = "") {
  return event(runtime::ElementActivated{element, flow, {}, key, kind, 0});
}
inline Event completed(const std::string& element, std::int64_t key) {
  return event(runtime::ElementCompleted{element, key});
}
inline Event terminated(const std::string& element, std::int64_t key) {
  return event(runtime::ElementTerminated{element, key});
}
inline Event flow_taken(const std::string& flow, const std::string& from, const std::string& to,
                        bool join = false) {
  return event(runtime::FlowTaken{flow, from, join, 0, to});
}
inline Event task_created(std::int64_t key, const std::string& element, const std::string& name,
                          std::vector<std::string> groups, const std::string& form,
                          std::int64_t time_ms = 2000) {
  return event(runtime::UserTaskCreated{std::move(groups), element, form, key, name}, time_ms);
}
inline Event task_completed(std::int64_t key, const std::string& element) {
  Event e = event(runtime::UserTaskCompleted{element, key});
  e.actor = runtime::Actor::user("ana", "rector");
  return e;
}
// {name: value}: the variables set (none existed before).
inline Event variables_set(const Variables& values) {
  runtime::VariablesSet set;
  for (const auto& [name, value] : values) set.changes.push_back({name, value, std::nullopt});
  return event(std::move(set));
}
inline Event job_created(std::int64_t key, const std::string& element, const std::string& type,
                         int retries) {
  return event(runtime::JobCreated{element, key, retries, type});
}
inline Event job_failed(std::int64_t key, const std::string& element, const std::string& message,
                        int retries_left) {
  Event e = event(runtime::JobFailed{element, key, message, retries_left});
  e.actor = runtime::Actor::handler("mail");
  return e;
}
inline Event job_completed(std::int64_t key, const std::string& element) {
  return event(runtime::JobCompleted{element, key});
}
inline Event incident_raised(std::int64_t key, std::int64_t element_key, const std::string& element,
                             const std::string& kind, const std::string& message) {
  return event(runtime::IncidentRaised{element, element_key, key, kind, message});
}
inline Event incident_resolved(std::int64_t key) {
  return event(runtime::IncidentResolved{key});
}
inline Event instance_completed(std::int64_t time_ms = 9000) {
  return event(runtime::InstanceCompleted{}, time_ms);
}

// A request as the engine makes one, with the state and the changes it points to.
struct OwnedRequest {
  AppendRequest request;
  runtime::InstanceState state;
  runtime::ProjectionChanges changes;
};
using Req = std::unique_ptr<OwnedRequest>;

// The request appending `events` (seqs expected_seq+1, ...) to instance `id`: the state is the
// fold of the instance's stored events 1..expected_seq and these (an event that does not apply
// is left out of the state, for the store to refuse the request), the head that of stored
// event expected_seq.
inline Req request(Store& store, std::int64_t id, std::int64_t expected_seq,
                   std::vector<Event> events) {
  auto owned = std::make_unique<OwnedRequest>();
  AppendRequest& r = owned->request;
  r.instance_id = id;
  r.expected_seq = expected_seq;
  r.head_hash = audit::kGenesisHash;
  owned->state.id = id;
  if (expected_seq > 0) {
    auto prior = store.events(id, 1, expected_seq);
    if (prior.ok() && !prior->empty()) {
      owned->state = runtime::fold(*prior);
      r.head_hash = prior->back().hash;
    }
  }
  std::int64_t seq = expected_seq;
  for (Event& e : events) {
    e.instance_id = id;
    e.seq = ++seq;
    try {
      runtime::apply(owned->state, e, &owned->changes);
    } catch (const std::exception&) {
    }
  }
  r.events = std::move(events);
  r.new_state = &owned->state;
  r.changes = &owned->changes;
  return owned;
}

// The creation request of a new instance with `key` (InstanceCreated, then `more`).
inline Req create_request(Store& store, const runtime::BusinessKey& key,
                          std::vector<Event> more = {}) {
  auto id = store.reserve_instance_id();
  EXPECT_TRUE(id.ok());
  std::vector<Event> events{instance_created(key)};
  for (Event& e : more) events.push_back(std::move(e));
  Req r = request(store, id.ok() ? *id : 0, 0, std::move(events));
  r->request.create = true;
  r->request.business_key = key;
  return r;
}

// Appends the requests as one group (SqliteStore::append_batch).
template <typename... Reqs>
std::vector<AppendResult> append_all(SqliteStore& store, Reqs&&... reqs) {
  std::vector<AppendRequest*> batch{&reqs->request...};
  return store.append_batch(batch);
}
inline std::vector<AppendResult> append_all(SqliteStore& store, std::vector<Req>& reqs) {
  std::vector<AppendRequest*> batch;
  for (Req& r : reqs) batch.push_back(&r->request);
  return store.append_batch(batch);
}

// Queries by field name (designated initializers would trip -Wmissing-field-initializers).
struct Q {
  std::optional<std::string> role, school, period, process, status;
  std::optional<std::int64_t> instance_id;
  runtime::Tags tags() const {
    runtime::Tags t;
    if (school) t["school"] = *school;
    if (period) t["period"] = *period;
    return t;
  }
  Q& with_role(std::string v) {
    role = std::move(v);
    return *this;
  }
  Q& with_school(std::string v) {
    school = std::move(v);
    return *this;
  }
  Q& with_period(std::string v) {
    period = std::move(v);
    return *this;
  }
  Q& with_process(std::string v) {
    process = std::move(v);
    return *this;
  }
  Q& with_status(std::string v) {
    status = std::move(v);
    return *this;
  }
  Q& with_instance(std::int64_t v) {
    instance_id = v;
    return *this;
  }
  operator TaskQuery() const {  // NOLINT(google-explicit-constructor)
    TaskQuery q;
    q.role = role;
    q.tags = tags();
    q.instance_id = instance_id;
    return q;
  }
  operator InstanceQuery() const {  // NOLINT(google-explicit-constructor)
    InstanceQuery q;
    q.process = process;
    q.tags = tags();
    q.status = status;
    return q;
  }
};

// Opens a store or fails the test.
inline std::unique_ptr<SqliteStore> open_ok(const std::string& path,
                                            const SqliteOptions& options = {}) {
  auto store = SqliteStore::open(path, options);
  if (!store.ok()) {
    ADD_FAILURE() << "open " << path << ": " << store.error().message;
    return nullptr;
  }
  return std::move(store).value();
}

}  // namespace pmiflow::persistence::testing
