// Helpers for the SqliteStore tests: temporary files, hand-built events with the payloads
// documented in engine/runtime/event.h, and raw SQLite access to look under the store.
#pragma once

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/engine/store.h"
#include "engine/runtime/applier.h"
#include "persistence/sqlite_store.h"

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

// ---- events, payloads as in engine/runtime/event.h -------------------------------------------

inline Event event(EventType type, Json payload, std::int64_t time_ms = 1000) {
  Event e;
  e.type = type;
  e.payload = std::move(payload);
  e.time_ms = time_ms;
  e.actor = runtime::Actor::engine();
  e.definition_version = 1;
  return e;
}

inline Event instance_created(const runtime::BusinessKey& key, Json vars = Json::object(),
                              std::int64_t time_ms = 1000) {
  return event(EventType::kInstanceCreated,
               {{"process", key.process},
                {"version", 1},
                {"school", key.school},
                {"period", key.period},
                {"variables", std::move(vars)}},
               time_ms);
}
inline Event activated(const std::string& element, std::int64_t key, const std::string& kind,
                       Json extra = Json::object()) {
  Json p = {{"element", element}, {"key", key}, {"kind", kind}};
  for (auto& [k, v] : extra.items()) p[k] = v;
  return event(EventType::kElementActivated, std::move(p));
}
inline Event completed(const std::string& element, std::int64_t key) {
  return event(EventType::kElementCompleted, {{"element", element}, {"key", key}});
}
inline Event terminated(const std::string& element, std::int64_t key) {
  return event(EventType::kElementTerminated, {{"element", element}, {"key", key}});
}
inline Event flow_taken(const std::string& flow, const std::string& from, const std::string& to,
                        bool join = false) {
  Json p = {{"flow", flow}, {"from", from}, {"to", to}};
  if (join) p["join"] = true;
  return event(EventType::kFlowTaken, std::move(p));
}
inline Event task_created(std::int64_t key, const std::string& element, const std::string& name,
                          std::vector<std::string> groups, const std::string& form,
                          std::int64_t time_ms = 2000) {
  return event(EventType::kUserTaskCreated,
               {{"task", "0-" + std::to_string(key)},
                {"element", element},
                {"key", key},
                {"name", name},
                {"candidate_groups", groups},
                {"form", form}},
               time_ms);
}
inline Event task_completed(std::int64_t key, const std::string& element) {
  Event e = event(EventType::kUserTaskCompleted, {{"element", element}, {"key", key}});
  e.actor = runtime::Actor::user("ana", "rector");
  return e;
}
inline Event variables_set(Json changes) {
  return event(EventType::kVariablesSet, {{"element", ""}, {"changes", std::move(changes)}});
}
inline Event job_created(std::int64_t key, const std::string& element, const std::string& type,
                         int retries) {
  return event(EventType::kJobCreated,
               {{"element", element}, {"key", key}, {"type", type}, {"retries", retries}});
}
inline Event job_failed(std::int64_t key, const std::string& element, const std::string& message,
                        int retries_left) {
  Event e = event(
      EventType::kJobFailed,
      {{"element", element}, {"key", key}, {"message", message}, {"retries_left", retries_left}});
  e.actor = runtime::Actor::handler("mail");
  return e;
}
inline Event job_completed(std::int64_t key, const std::string& element) {
  return event(EventType::kJobCompleted, {{"element", element}, {"key", key}});
}
inline Event incident_raised(std::int64_t key, std::int64_t element_key, const std::string& element,
                             const std::string& kind, const std::string& message) {
  return event(EventType::kIncidentRaised, {{"key", key},
                                            {"element_key", element_key},
                                            {"element", element},
                                            {"kind", kind},
                                            {"message", message}});
}
inline Event incident_resolved(std::int64_t key) {
  return event(EventType::kIncidentResolved, {{"key", key}});
}
inline Event instance_completed(std::int64_t time_ms = 9000) {
  return event(EventType::kInstanceCompleted, Json::object(), time_ms);
}

// Assigns seqs expected_seq+1, ... and builds the request (new_state left null).
inline AppendRequest request(std::int64_t instance_id, std::int64_t expected_seq,
                             std::vector<Event> events, runtime::BusinessKey key = {}) {
  AppendRequest r;
  r.instance_id = instance_id;
  r.expected_seq = expected_seq;
  r.business_key = std::move(key);
  std::int64_t seq = expected_seq;
  for (Event& e : events) {
    e.instance_id = instance_id;
    e.seq = ++seq;
  }
  r.events = std::move(events);
  return r;
}

inline AppendRequest create_request(const runtime::BusinessKey& key, std::vector<Event> more = {}) {
  std::vector<Event> events{instance_created(key)};
  for (Event& e : more) events.push_back(std::move(e));
  return request(0, 0, std::move(events), key);
}

// Queries by field name (designated initializers would trip -Wmissing-field-initializers).
struct Q {
  std::optional<std::string> role, school, period, process, status;
  std::optional<std::int64_t> instance_id;
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
    q.school = school;
    q.period = period;
    q.instance_id = instance_id;
    return q;
  }
  operator InstanceQuery() const {  // NOLINT(google-explicit-constructor)
    InstanceQuery q;
    q.process = process;
    q.school = school;
    q.period = period;
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
