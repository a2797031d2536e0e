// Helpers of the CLI tests: run the real `pmiflow` executable as a child process (argv vector,
// stdout/stderr captured through pipes, exit code), temporary directories, file snapshots, and
// raw SQLite access to look under the store.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/common/json.h"
#include "tools/cli/autopilot.h"

extern char** environ;

namespace pmiflow::cli::testing {

inline const std::string kProcess = "D02_03_ApoyarGestionPMI";
inline const std::string kRoleProfesional = "profesional_mejoramiento";
inline const std::string kRoleLider = "lider_calidad";

inline std::string d02_03_file() {
  return std::string(PMIFLOW_SOURCE_DIR) + "/process-definitions/d02_03_apoyar_gestion_pmi.bpmn";
}

inline std::string shipped_forms_dir() {
  return std::string(PMIFLOW_SOURCE_DIR) + "/process-definitions/forms";
}

// Copies the shipped forms into `dir`/forms, so that a copy of the BPMN in `dir` deploys.
inline void copy_shipped_forms(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir / "forms");
  for (const auto& f : std::filesystem::directory_iterator(shipped_forms_dir())) {
    if (f.path().extension() == ".form") {
      std::filesystem::copy_file(f.path(), dir / "forms" / f.path().filename(),
                                 std::filesystem::copy_options::overwrite_existing);
    }
  }
}

// The --var flags of a valid official school: the rest of D02.03's start data beside the
// código DANE and the period (the data contract, handlers/d02_03/start_data.h), which
// `start` refuses to go without.
inline std::vector<std::string> school_vars() {
  return {"--var", "nombre=Institución Educativa San José",
          "--var", "municipio=Andes",
          "--var", "etc=Antioquia",
          "--var", "sector=OFICIAL",
          "--var", "categoria_saber=B"};
}

// `start --process D02.03 --school SCHOOL --period PERIOD` with school_vars().
inline std::vector<std::string> start_args(const std::string& school,
                                           const std::string& period = "2026") {
  std::vector<std::string> args = {"start", "--process", kProcess, "--school",
                                   school,  "--period",  period};
  const std::vector<std::string> vars = school_vars();
  args.insert(args.end(), vars.begin(), vars.end());
  return args;
}

struct RunResult {
  int code = -1;  // exit status; 128 + N when killed by signal N; -1 when it could not run
  std::string out;
  std::string err;
};

inline std::ostream& operator<<(std::ostream& os, const RunResult& r) {
  return os << "exit " << r.code << "\n--- stdout ---\n" << r.out << "--- stderr ---\n" << r.err;
}

// How to spawn a child beyond its arguments.
struct SpawnOptions {
  std::vector<std::string> env;  // NAME=value entries replacing (or adding to) this process's
  std::string cwd;               // working directory; empty: this process's
};

// One running `pmiflow` child: spawned by the constructor (so that several can be started
// before any is waited for), collected by wait().
class Child {
 public:
  explicit Child(const std::vector<std::string>& args, const SpawnOptions& options = {}) {
    int out_pipe[2] = {-1, -1};
    int err_pipe[2] = {-1, -1};
    // O_CLOEXEC: a child spawned meanwhile must not inherit another child's pipe ends, or the
    // reader would never see end-of-file.
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) return;
    std::vector<std::string> argv_storage;
    argv_storage.emplace_back(PMIFLOW_BINARY);
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);

    std::vector<std::string> env_storage;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry(*e);
      const std::string name = entry.substr(0, entry.find('='));
      bool replaced = false;
      for (const auto& o : options.env) replaced = replaced || o.substr(0, o.find('=')) == name;
      if (!replaced) env_storage.push_back(entry);
    }
    env_storage.insert(env_storage.end(), options.env.begin(), options.env.end());
    std::vector<char*> envp;
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());
    const int rc =
        ::posix_spawn(&pid_, PMIFLOW_BINARY, &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    out_fd_ = out_pipe[0];
    err_fd_ = err_pipe[0];
    if (rc != 0) {
      pid_ = -1;
      spawn_error_ = rc;
    }
  }
  ~Child() {
    if (pid_ > 0) wait();
    close_fds();
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Reads both pipes to their end, then reaps the child.
  RunResult wait() {
    RunResult r;
    if (pid_ <= 0) {
      close_fds();
      r.err =
          "cannot spawn " + std::string(PMIFLOW_BINARY) + ": errno " + std::to_string(spawn_error_);
      return r;
    }
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    std::string* sinks[2] = {&r.out, &r.err};
    int open_count = 2;
    char buffer[4096];
    while (open_count > 0) {
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) continue;
        const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
        if (n > 0) {
          sinks[i]->append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
          fds[i].fd = -1;  // poll ignores negative descriptors
          --open_count;
        }
      }
    }
    close_fds();
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    if (WIFEXITED(status)) r.code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.code = 128 + WTERMSIG(status);
    return r;
  }

 private:
  void close_fds() {
    if (out_fd_ >= 0) ::close(out_fd_);
    if (err_fd_ >= 0) ::close(err_fd_);
    out_fd_ = err_fd_ = -1;
  }

  pid_t pid_ = -1;
  int spawn_error_ = 0;
  int out_fd_ = -1;
  int err_fd_ = -1;
};

// Runs `pmiflow args...` to its end.
inline RunResult run_cli(const std::vector<std::string>& args, const SpawnOptions& options = {}) {
  return Child(args, options).wait();
}

// A fresh directory under the system temp dir, removed (with its contents) on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::temp_directory_path() /
            ("pmiflow-cli-" + std::to_string(::getpid()) + "-" + std::to_string(stamp) + "-" +
             std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
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

inline bool exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

// The bytes of a database and of its write-ahead log (absent files are nullopt), to check that
// a failed command left them unchanged. The -shm index is left out: it is a cache that SQLite
// rebuilds, not part of the data.
struct DbSnapshot {
  std::optional<std::string> db;
  std::optional<std::string> wal;
  bool operator==(const DbSnapshot&) const = default;
};

inline DbSnapshot snapshot(const std::string& path) {
  DbSnapshot s;
  if (exists(path)) s.db = read_bytes(path);
  if (exists(path + "-wal")) s.wal = read_bytes(path + "-wal");
  return s;
}

// Raw access to a database file, bypassing the store.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      ADD_FAILURE() << "sqlite3_open_v2 " << path << ": " << sqlite3_errmsg(db_);
    }
    sqlite3_busy_timeout(db_, 10000);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // Runs `sql`; returns SQLite's result code.
  int exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) ADD_FAILURE() << sql << ": " << (err != nullptr ? err : "?");
    sqlite3_free(err);
    return rc;
  }
  // Every row of `sql`, each cell as text ("NULL" for null).
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    std::vector<std::vector<std::string>> out;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return out;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const unsigned char* text = sqlite3_column_text(stmt, c);
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

 private:
  sqlite3* db_ = nullptr;
};

inline std::int64_t count_rows(const std::string& db, const std::string& sql) {
  RawDb raw(db);
  return raw.scalar(sql);
}

// Parses a command's JSON output; a parse failure is a test failure (and a null value).
inline Json parse_json(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    ADD_FAILURE() << "not JSON: " << text;
    return Json();
  }
  return j;
}

// A fixture with its own temporary directory and database path.
class CliTest : public ::testing::Test {
 protected:
  std::string db() const { return db_; }

  // `pmiflow <args...> --db <db>`.
  RunResult run(std::vector<std::string> args) const {
    args.push_back("--db");
    args.push_back(db_);
    return run_cli(args);
  }

  void deploy() {
    RunResult r = run({"deploy", d02_03_file()});
    ASSERT_EQ(r.code, 0) << r;
  }

  // Starts D02.03 for `school` in 2026 with school_vars() and then `extra` (a later --var
  // wins); returns the instance id (0 on failure).
  std::int64_t start(const std::string& school, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = start_args(school);
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = run(args);
    EXPECT_EQ(r.code, 0) << r;
    if (r.code != 0) return 0;
    Json j = parse_json(r.out);
    return j.is_object() && j.contains("id") ? j["id"].get<std::int64_t>() : 0;
  }

  // `--var name=JSON` arguments with the autopilot's answer to `element` at its `visit`th
  // activation: variables that pass the task's form.
  static std::vector<std::string> answer(const std::string& element, int visit = 1) {
    runtime::UserTask task;
    task.element_id = element;
    std::vector<std::string> args;
    for (const auto& [name, value] : autopilot_step(task, visit).variables) {
      args.push_back("--var");
      args.push_back(name + "=" + value.dump());
    }
    return args;
  }

  // `complete TASK --as ROLE` with the autopilot's answer to `element` (and `extra`).
  RunResult complete(const std::string& task, const std::string& element, const std::string& role,
                     std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"complete", task, "--as", role};
    for (auto& a : answer(element)) args.push_back(std::move(a));
    for (auto& a : extra) args.push_back(std::move(a));
    return run(args);
  }

  // `show INSTANCE --json`.
  Json show(std::int64_t instance) const {
    RunResult r = run({"show", std::to_string(instance), "--json"});
    EXPECT_EQ(r.code, 0) << r;
    return parse_json(r.out);
  }

  // The id of the open task of `instance` at `element` ("" when none).
  std::string open_task(std::int64_t instance, const std::string& element) const {
    Json j = show(instance);
    if (!j.is_object()) return "";
    for (const auto& t : j["tasks"]) {
      if (t["element_id"] == element) return t["id"].get<std::string>();
    }
    return "";
  }

  std::int64_t events_of(std::int64_t instance) const {
    return count_rows(
        db_, "SELECT count(*) FROM events WHERE instance_id = " + std::to_string(instance));
  }

  TempDir dir_;
  std::string db_ = dir_.file("pmiflow.db");
};

// A process whose task has no form, so that any variable may be submitted.
inline constexpr const char* kFormlessBpmn = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="D"
                  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="sin_formulario" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Tarea" />
    <bpmn:userTask id="Tarea" name="Tarea sin formulario">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="profesional_mejoramiento" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Tarea" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
)";

}  // namespace pmiflow::cli::testing
