// Crash safety: a process running D02.03 commands is SIGKILLed at arbitrary points, again and
// again on the same database, and after every kill
//  * the database opens (SQLite recovers the WAL) and PRAGMA integrity_check says "ok";
//  * every command the child had acknowledged (the engine call returned ok, so the append was
//    committed with durability full) is in the log;
//  * for every instance, the projections (instance row, active elements, open tasks,
//    variables, jobs, incidents) equal runtime::fold of its events: no half-written request.
// The next round's child resumes on the surviving database: it continues the open instances
// with the autopilot (running the jobs a kill left pending) and starts new schools.
//
// The child is a fork() of this test that opens the store and the engine in-process
// (cli::open_session) and prints "ack <instance> <last seq>" to a pipe after each command the
// engine acknowledged. The parent kills it after reading a pseudo-random number of acks,
// sometimes after a further pseudo-random delay of a few microseconds so that the kill lands
// inside a command (the delay only moves the kill point; nothing waits on it). Seeded RNG:
// the kill points are reproducible in number of acks; where inside a command a delayed kill
// lands is not, and the checks hold for any point.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "engine/runtime/event_applier.h"
#include "handlers/d02_03/business_key.h"
#include "handlers/d02_03/start_data.h"
#include "persistence/sqlite/sqlite_store.h"
#include "tools/cli/autopilot.h"
#include "tools/cli/session.h"

namespace pmiflow::recovery {
namespace {

using persistence::SqliteStore;

const std::string kProcess = "D02_03_ApoyarGestionPMI";

class TempDir {
 public:
  TempDir() {
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::temp_directory_path() /
            ("pmiflow-recovery-" + std::to_string(::getpid()) + "-" + std::to_string(stamp));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// ---- the child -------------------------------------------------------------------------------

// Writes whole lines to the pipe; a line shorter than PIPE_BUF is written atomically, so the
// threads of the child never interleave within a line.
class Acker {
 public:
  explicit Acker(int fd) : fd_(fd) {}
  void line(const std::string& text) {
    std::string l = text + "\n";
    const char* p = l.data();
    std::size_t left = l.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) ::_exit(4);  // the parent is gone
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }
  void ack(std::int64_t instance, std::int64_t seq) {
    line("ack " + std::to_string(instance) + " " + std::to_string(seq));
  }
  [[noreturn]] void fail(const std::string& message) {
    line("error " + message);
    ::_exit(3);
  }

 private:
  int fd_;
};

std::string school_code(int index) {
  char code[32];
  std::snprintf(code, sizeof code, "105%09d", index);
  return code;
}

std::int64_t last_seq(Engine& engine, std::int64_t id, Acker& acker) {
  auto s = engine.snapshot(id);
  if (!s.ok()) acker.fail("snapshot " + std::to_string(id) + ": " + s.error().message);
  return (*s)->last_seq;
}

// Drives `ids` with the autopilot, round robin, until every one is completed.
void drive(Engine& engine, ManualClock& clock, std::vector<std::int64_t> ids, Acker& acker) {
  for (int pass = 0; !ids.empty(); ++pass) {
    if (pass > 200) acker.fail("instances still active after 200 passes");
    for (auto it = ids.begin(); it != ids.end();) {
      const std::int64_t id = *it;
      auto snap = engine.snapshot(id);
      if (!snap.ok()) acker.fail("snapshot " + std::to_string(id) + ": " + snap.error().message);
      const runtime::InstanceState& s = **snap;
      if (s.status != runtime::InstanceStatus::kActive) {
        it = ids.erase(it);
        continue;
      }
      if (!s.incidents.empty()) {
        acker.fail("instance " + std::to_string(id) +
                   " has an incident: " + s.incidents.begin()->second.message);
      }
      const bool job_pending = std::any_of(s.jobs.begin(), s.jobs.end(), [](const auto& j) {
        return j.second.state == runtime::JobState::kActivatable;
      });
      if (job_pending) {
        // A kill between a command's commit and its jobs leaves them activatable.
        auto ran = engine.run_jobs(id);
        if (!ran.ok()) acker.fail("run_jobs " + std::to_string(id) + ": " + ran.error().message);
      } else if (const cli::AutopilotMove move = cli::autopilot_move(s);
                 move.kind != cli::AutopilotMove::Kind::kNone) {
        // A task to complete, or a follow-up or deadline whose time the simulated clock
        // reaches.
        auto done = cli::autopilot_apply(engine, clock, id, move);
        if (!done.ok()) {
          acker.fail(move.task_id + move.timer_element + " of " + std::to_string(id) + ": " +
                     done.error().message);
        }
      } else {
        acker.fail("instance " + std::to_string(id) +
                   " is active with no task, timer, job or incident");
      }
      acker.ack(id, last_seq(engine, id, acker));
      ++it;
    }
  }
}

// The child of one round: deploys (idempotent), starts the schools [first_school,
// end_school) — idempotently: those a previous child started already exist and are not
// acknowledged again — and drives every active instance to its end, resuming the ones a kill
// interrupted. `threads` client threads, whose commands group-commit together. Never returns.
[[noreturn]] void child_main(const std::string& db, int first_school, int end_school, int threads,
                             int write_fd) {
  Acker acker(write_fd);
  // A simulated clock from the opening of the period (each child starts it there again): the
  // autopilot lets time pass to each follow-up and deadline.
  auto simulated =
      std::make_unique<ManualClock>(handlers::d02_03::period_opening_ms("2026").value());
  ManualClock& clock = *simulated;
  auto session = cli::open_session(db, cli::OpenMode::kCreate, {}, std::move(simulated));
  if (!session.ok()) acker.fail("open: " + session.error().message);
  Engine& engine = *(*session)->engine;
  Store& store = *(*session)->store;

  auto deployed = cli::deploy_file(engine, cli::d02_03_definition_path());
  if (!deployed.ok()) acker.fail("deploy: " + deployed.error().message);
  acker.line("deployed");

  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int index = first_school + t; index < end_school; index += threads) {
        const std::string school = school_code(index);
        Variables vars = cli::sample_school_variables(school, "2026", index);
        auto started =
            engine.start(handlers::d02_03::start_request(
                             kProcess, school, "2026", vars,
                             runtime::Actor::user("recovery", "profesional_mejoramiento"))
                             .value());
        if (!started.ok()) acker.fail("start " + school + ": " + started.error().message);
        if (started->created) {
          acker.ack(started->instance_id, last_seq(engine, started->instance_id, acker));
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  pool.clear();

  InstanceQuery active;
  active.status = "active";
  auto open = store.instances(active);
  if (!open.ok()) acker.fail("instances: " + open.error().message);
  std::vector<std::vector<std::int64_t>> work(static_cast<std::size_t>(threads));
  for (const InstanceRow& row : *open) {
    work[static_cast<std::size_t>(row.id % threads)].push_back(row.id);
  }
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] { drive(engine, clock, work[static_cast<std::size_t>(t)], acker); });
  }
  for (auto& th : pool) th.join();
  acker.line("done");
  ::_exit(0);
}

// ---- the parent ------------------------------------------------------------------------------

// Reads the child's pipe line by line.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  // false at end of file.
  bool next(std::string& line) {
    for (;;) {
      auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return true;
      }
      char chunk[4096];
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
  std::string buffer_;
};

struct RoundOutcome {
  int acks = 0;
  bool killed = false;
  bool finished = false;  // the child printed "done" and exited 0
};

// PRAGMA integrity_check through a raw connection (closed before returning).
std::string integrity_check(const std::string& db) {
  sqlite3* raw = nullptr;
  std::string result;
  if (sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        const unsigned char* text = sqlite3_column_text(stmt, 0);
        if (!result.empty()) result += "; ";
        result += text != nullptr ? reinterpret_cast<const char*>(text) : "NULL";
      }
    }
    sqlite3_finalize(stmt);
  } else {
    result = std::string("cannot open: ") + sqlite3_errmsg(raw);
  }
  sqlite3_close_v2(raw);
  return result;
}

// The log of instance `id` holds its acknowledged seq (`acked`, 0: none), and its projections
// equal the fold of its stored events.
// Counts in `interrupted` an active instance whose jobs a kill left pending.
void expect_log_and_projections(SqliteStore& store, std::int64_t id, std::int64_t acked,
                                int& interrupted) {
  SCOPED_TRACE("instance " + std::to_string(id));
  auto events = store.events(id);
  ASSERT_TRUE(events.ok()) << events.error().message;
  ASSERT_FALSE(events->empty());
  EXPECT_GE(events->back().seq, acked)
      << "acknowledged seq " << acked << " lost (log ends at " << events->back().seq << ")";
  for (std::size_t i = 0; i < events->size(); ++i) {
    ASSERT_EQ((*events)[i].seq, static_cast<std::int64_t>(i) + 1) << "seqs are not dense";
    ASSERT_EQ((*events)[i].instance_id, id);
  }
  runtime::InstanceState s;
  try {
    s = runtime::fold(*events);
  } catch (const std::exception& e) {
    FAIL() << "the log does not replay: " << e.what();
  }

  if (s.status == runtime::InstanceStatus::kActive && !s.jobs.empty()) ++interrupted;

  auto row = store.instance(id);
  ASSERT_TRUE(row.ok()) << row.error().message;
  EXPECT_EQ(row->id, id);
  EXPECT_EQ(row->business_key, s.business_key);
  EXPECT_EQ(row->version, s.definition_version);
  EXPECT_EQ(row->status, runtime::to_string(s.status));
  EXPECT_EQ(row->last_seq, s.last_seq);
  EXPECT_EQ(row->created_ms, s.created_ms);
  EXPECT_EQ(row->ended_ms, s.ended_ms);
  EXPECT_EQ(row->open_incidents, static_cast<int>(s.incidents.size()));
  std::vector<std::string> elements;
  for (const auto& [key, element] : s.elements) elements.push_back(element.element_id);
  EXPECT_EQ(row->active_elements, elements);

  TaskQuery by_instance;
  by_instance.instance_id = id;
  auto tasks = store.tasks(by_instance);
  ASSERT_TRUE(tasks.ok()) << tasks.error().message;
  std::map<std::string, std::vector<std::string>> stored_tasks;
  for (const TaskRow& t : *tasks) {
    EXPECT_EQ(t.instance_id, id);
    stored_tasks[t.id] = {t.element_id, t.name, t.form};
    stored_tasks[t.id].insert(stored_tasks[t.id].end(), t.candidate_groups.begin(),
                              t.candidate_groups.end());
  }
  std::map<std::string, std::vector<std::string>> folded_tasks;
  for (const auto& [task_id, t] : s.tasks) {
    folded_tasks[task_id] = {t.element_id, t.name, t.form};
    folded_tasks[task_id].insert(folded_tasks[task_id].end(), t.candidate_groups.begin(),
                                 t.candidate_groups.end());
  }
  EXPECT_EQ(stored_tasks, folded_tasks);

  auto vars = store.variables(id);
  ASSERT_TRUE(vars.ok()) << vars.error().message;
  EXPECT_EQ(*vars, s.variables);

  auto jobs = store.jobs(id);
  ASSERT_TRUE(jobs.ok()) << jobs.error().message;
  std::map<std::string, std::string> stored_jobs;
  for (const JobRow& j : *jobs) {
    stored_jobs[j.id] =
        j.element_id + "|" + j.type + "|" + std::to_string(j.retries_left) + "|" + j.state;
  }
  std::map<std::string, std::string> folded_jobs;
  for (const auto& [job_id, j] : s.jobs) {
    folded_jobs[job_id] = j.element_id + "|" + j.type + "|" + std::to_string(j.retries_left) + "|" +
                          runtime::to_string(j.state);
  }
  EXPECT_EQ(stored_jobs, folded_jobs);

  auto incidents = store.incidents(IncidentQuery::of_instance(id));
  ASSERT_TRUE(incidents.ok()) << incidents.error().message;
  std::map<std::string, std::string> stored_incidents;
  for (const IncidentRow& i : *incidents) {
    stored_incidents[i.id] = i.element_id + "|" + i.kind + "|" + i.message;
  }
  std::map<std::string, std::string> folded_incidents;
  for (const auto& [incident_id, i] : s.incidents) {
    folded_incidents[incident_id] = i.element_id + "|" + i.kind + "|" + i.message;
  }
  EXPECT_EQ(stored_incidents, folded_incidents);
}

class Recovery : public ::testing::Test {
 protected:
  // One round: fork the child, read acks, SIGKILL it after `kill_after` acks (never when
  // kill_after is 0) and `delay_us` more microseconds.
  RoundOutcome run_round(int first_school, int end_school, int threads, int kill_after,
                         int delay_us) {
    RoundOutcome outcome;
    int fds[2];
    if (::pipe(fds) != 0) {
      ADD_FAILURE() << "pipe: " << std::strerror(errno);
      return outcome;
    }
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
      ADD_FAILURE() << "fork: " << std::strerror(errno);
      return outcome;
    }
    if (pid == 0) {
      ::close(fds[0]);
      child_main(db_, first_school, end_school, threads, fds[1]);
    }
    ::close(fds[1]);
    LineReader reader(fds[0]);
    std::string line;
    while (reader.next(line)) {
      if (line.rfind("error ", 0) == 0) {
        ADD_FAILURE() << "child: " << line;
        continue;
      }
      if (line == "done") {
        outcome.finished = true;
        continue;
      }
      if (line.rfind("ack ", 0) != 0) continue;
      std::int64_t instance = 0;
      std::int64_t seq = 0;
      if (std::sscanf(line.c_str(), "ack %" SCNd64 " %" SCNd64, &instance, &seq) != 2) {
        ADD_FAILURE() << "bad line: " << line;
        continue;
      }
      std::int64_t& acked = acked_[instance];
      acked = std::max(acked, seq);
      ++outcome.acks;
      if (kill_after > 0 && outcome.acks == kill_after) {
        if (delay_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
        ::kill(pid, SIGKILL);
        outcome.killed = true;
        break;
      }
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (outcome.killed) {
      // It may have exited on its own just before the signal.
      EXPECT_TRUE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ||
                  (WIFEXITED(status) && WEXITSTATUS(status) == 0))
          << "child status " << status;
    } else {
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
      EXPECT_TRUE(outcome.finished);
    }
    return outcome;
  }

  // The checks after a round; returns the instances found.
  // The checks after a round (the store first, so that it is the one recovering the WAL);
  // returns the instances found.
  std::vector<InstanceRow> verify(int round) {
    SCOPED_TRACE("after round " + std::to_string(round));
    std::vector<InstanceRow> rows = verify_store();
    // With the store closed: SQLite's own check of the file.
    EXPECT_EQ(integrity_check(db_), "ok");
    return rows;
  }

  std::vector<InstanceRow> verify_store() {
    std::vector<InstanceRow> rows;
    auto opened = SqliteStore::open(db_);
    if (!opened.ok()) {
      ADD_FAILURE() << "the database does not open: " << opened.error().message;
      return rows;
    }
    SqliteStore& store = **opened;
    auto all = store.instances(InstanceQuery{});
    if (!all.ok()) {
      ADD_FAILURE() << all.error().message;
      return rows;
    }
    rows = *all;
    std::set<std::int64_t> found;
    for (const InstanceRow& row : rows) {
      found.insert(row.id);
      auto acked = acked_.find(row.id);
      expect_log_and_projections(store, row.id, acked == acked_.end() ? 0 : acked->second,
                                 interrupted_);
    }
    for (const auto& [instance, seq] : acked_) {
      EXPECT_TRUE(found.count(instance) == 1)
          << "acknowledged instance " << instance << " (seq " << seq << ") is missing";
    }
    // The definition is deployed once, however often the children redeployed it.
    auto defs = store.definitions();
    EXPECT_TRUE(defs.ok() && defs->size() == 1u);
    return rows;
  }

  TempDir dir_;
  std::string db_ = dir_.file("recovery.db");
  std::map<std::int64_t, std::int64_t> acked_;  // instance -> highest acknowledged seq
  int interrupted_ = 0;  // instances found with pending jobs after a kill (all rounds)
};

// 30 rounds of one client: 2 new schools a round, killed after 1..60 acks.
TEST_F(Recovery, KilledAtRandomPointsSingleClient) {
  std::mt19937 rng(20260101);
  constexpr int kRounds = 30;
  constexpr int kNewSchools = 2;
  int end_school = 0;
  int killed = 0;
  for (int round = 0; round < kRounds; ++round) {
    const int kill_after = 1 + static_cast<int>(rng() % 60);
    const int delay_us = rng() % 2 == 0 ? 0 : static_cast<int>(rng() % 3000);
    end_school += kNewSchools;
    RoundOutcome o = run_round(0, end_school, 1, kill_after, delay_us);
    killed += o.killed ? 1 : 0;
    verify(round);
    if (HasFailure()) return;
  }
  // A last round without a kill: every instance reaches its end.
  RoundOutcome last = run_round(0, end_school, 1, 0, 0);
  EXPECT_TRUE(last.finished);
  auto rows = verify(kRounds);
  EXPECT_EQ(rows.size(), static_cast<std::size_t>(end_school));
  for (const InstanceRow& row : rows) {
    EXPECT_EQ(row.status, "completed") << row.id;
    EXPECT_EQ(row.active_elements, std::vector<std::string>{}) << row.id;
  }
  EXPECT_GT(killed, kRounds / 2);
  std::printf(
      "%d of %d rounds killed; %d times an instance was left with pending jobs; %zu instances, "
      "all completed\n",
      killed, kRounds, interrupted_, rows.size());
}

// 8 rounds of 4 client threads whose commands share group commits: a kill lands in a
// transaction holding several instances' requests.
TEST_F(Recovery, KilledDuringGroupCommitsOfSeveralThreads) {
  std::mt19937 rng(777);
  constexpr int kRounds = 8;
  constexpr int kNewSchools = 4;
  constexpr int kThreads = 4;
  constexpr int kFirstSchool = 1000;
  int end_school = kFirstSchool;
  for (int round = 0; round < kRounds; ++round) {
    const int kill_after = 1 + static_cast<int>(rng() % 100);
    const int delay_us = rng() % 2 == 0 ? 0 : static_cast<int>(rng() % 2000);
    end_school += kNewSchools;
    run_round(kFirstSchool, end_school, kThreads, kill_after, delay_us);
    verify(round);
    if (HasFailure()) return;
  }
  RoundOutcome last = run_round(kFirstSchool, end_school, kThreads, 0, 0);
  EXPECT_TRUE(last.finished);
  auto rows = verify(kRounds);
  EXPECT_EQ(rows.size(), static_cast<std::size_t>(end_school - kFirstSchool));
  for (const InstanceRow& row : rows) EXPECT_EQ(row.status, "completed") << row.id;
}

// The checks are not vacuous: a projection that diverges from the log, an acknowledged seq
// that is not in the log, and an acknowledged instance that does not exist are all reported.
TEST_F(Recovery, ChecksDetectDivergenceAndLostAcks) {
  RoundOutcome o = run_round(2000, 2001, 1, 5, 0);
  ASSERT_TRUE(o.killed);
  EXPECT_EQ(verify_store().size(), 1u);
  ASSERT_FALSE(HasFailure());

  const std::int64_t instance = acked_.begin()->first;
  acked_[instance] += 1000;
  EXPECT_NONFATAL_FAILURE(verify_store(), "lost");
  acked_[instance] -= 1000;
  acked_[instance + 1] = 1;
  EXPECT_NONFATAL_FAILURE(verify_store(), "is missing");
  acked_.erase(instance + 1);

  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open_v2(db_.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(raw, "UPDATE variables SET value = '\"tampered\"' WHERE name = 'nombre'",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    EXPECT_EQ(sqlite3_changes(raw), 1);
    sqlite3_close_v2(raw);
  }
  EXPECT_NONFATAL_FAILURE(verify_store(), "s.variables");
}

}  // namespace
}  // namespace pmiflow::recovery
