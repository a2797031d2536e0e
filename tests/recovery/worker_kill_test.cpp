// A worker process killed while it holds a job (docs/jobs.md, "Leases and fencing tokens"):
// the child leases the job, says so on a pipe, and is SIGKILLed mid-job. On the parent's fake
// clock the lease runs until its deadline (no one else gets the job), then expires; another
// worker takes the job with the next token and completes it; the dead worker's token, were it
// to answer late, is refused. The log holds exactly one completion.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "app/jobs.h"
#include "tools/cli/session.h"

namespace pmiflow::recovery {
namespace {

constexpr std::int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kLeaseMs = 30000;

std::string read_all(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  std::string out;
  if (f == nullptr) return out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  std::fclose(f);
  return out;
}

// The child: leases the job of type enviar-correo as worker "muere", reports "leased KEY TOKEN"
// and waits, as a worker in the middle of its work, until it is killed. Never returns.
[[noreturn]] void doomed_worker(const std::string& db, int write_fd) {
  auto report = [&](const std::string& line) {
    const std::string l = line + "\n";
    if (::write(write_fd, l.data(), l.size()) != static_cast<ssize_t>(l.size())) ::_exit(4);
  };
  auto session =
      cli::open_session(db, cli::OpenMode::kExisting, {}, std::make_unique<ManualClock>(kT0));
  if (!session.ok()) {
    report("error " + session.error().message);
    ::_exit(3);
  }
  auto jobs = app::activate_jobs(*(*session)->engine, *(*session)->store,
                                 app::ActivateJobsRequest{"enviar-correo", "muere", 1, kLeaseMs});
  if (!jobs.ok() || jobs->size() != 1) {
    report("error activation: " + (jobs.ok() ? std::string("no job") : jobs.error().message));
    ::_exit(3);
  }
  report("leased " + jobs->front().key + " " + std::to_string(jobs->front().token));
  for (;;) ::pause();  // working on it
}

TEST(WorkerKilledMidJob, TheLeaseExpiresAnotherWorkerCompletesAndTheJobTakesEffectOnce) {
  const std::string dir =
      (std::filesystem::temp_directory_path() /
       ("pmiflow-worker-kill-" + std::to_string(::getpid()) + "-" +
        std::to_string(std::chrono::steady_clock::now().time_since_epoch().count())))
          .string();
  std::filesystem::create_directories(dir);
  const std::string db = dir + "/pmiflow.db";
  {
    auto session =
        cli::open_session(db, cli::OpenMode::kCreate, {}, std::make_unique<ManualClock>(kT0));
    ASSERT_TRUE(session.ok()) << session.error().message;
    Engine& engine = *(*session)->engine;
    ASSERT_TRUE(
        engine
            .deploy(read_all(std::string(PMIFLOW_TEST_DATA) + "/good/job-for-a-worker.bpmn"),
                    "job-for-a-worker.bpmn")
            .ok());
    ASSERT_TRUE(
        engine
            .start(StartRequest{
                {"aviso", "111001000123/2026"}, {}, {}, runtime::Actor::user("ana", "lider")})
            .ok());
  }

  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    doomed_worker(db, fds[1]);
  }
  ::close(fds[1]);
  std::string line;
  char c = 0;
  while (::read(fds[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(fds[0]);
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  char key[64] = {};
  std::int64_t dead_token = 0;
  ASSERT_EQ(std::sscanf(line.c_str(), "leased %63s %" SCNd64, key, &dead_token), 2) << line;
  EXPECT_EQ(dead_token, 1);

  auto clock = std::make_unique<ManualClock>(kT0 + kLeaseMs - 1);
  ManualClock& now = *clock;
  auto session = cli::open_session(db, cli::OpenMode::kExisting, {}, std::move(clock));
  ASSERT_TRUE(session.ok()) << session.error().message;
  Engine& engine = *(*session)->engine;
  Store& store = *(*session)->store;
  const app::ActivateJobsRequest next{"enviar-correo", "sobrevive", 1, kLeaseMs};
  // The dead worker's lease still runs: no one gets the job.
  EXPECT_TRUE(app::activate_jobs(engine, store, next).value().empty());
  now.set(kT0 + kLeaseMs);
  auto taken = app::activate_jobs(engine, store, next);
  ASSERT_TRUE(taken.ok()) << taken.error().message;
  ASSERT_EQ(taken->size(), 1u);
  EXPECT_EQ(taken->front().key, key);
  EXPECT_EQ(taken->front().token, dead_token + 1);
  EXPECT_EQ(taken->front().retries, 2) << "an expired lease spends no retry";
  // Were the dead worker to answer now, late: refused.
  auto late = engine.complete_job(JobAnswer{key, dead_token}, {});
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kStaleToken);
  ASSERT_TRUE(engine.complete_job(JobAnswer{key, taken->front().token}, {}).ok());
  // And twice: the job is gone.
  EXPECT_FALSE(engine.complete_job(JobAnswer{key, taken->front().token}, {}).ok());

  auto row = store.instances(InstanceQuery{}).value().at(0);
  EXPECT_EQ(row.status, "completed");
  int activated = 0;
  int completed = 0;
  const auto events = store.events(row.id).value();
  for (const auto& e : events) {
    activated += e.type() == runtime::EventType::kJobActivated ? 1 : 0;
    completed += e.type() == runtime::EventType::kJobCompleted ? 1 : 0;
  }
  EXPECT_EQ(activated, 2);
  EXPECT_EQ(completed, 1);
  session->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace pmiflow::recovery
