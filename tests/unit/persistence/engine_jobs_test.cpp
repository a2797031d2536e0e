// Jobs for workers (engine.h activate_job / complete_job ..., app/jobs.h) on both stores: a job
// whose type no in-process handler runs waits; a worker leases it with a fencing token; only
// the current lease's answers take effect; an expired lease lets another worker take the job,
// and each job takes effect on its instance once. The events each step writes.

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "app/jobs.h"
#include "engine/engine/clock.h"
#include "engine/engine/engine.h"
#include "engine/engine/handler.h"
#include "engine/runtime/event_describer.h"
#include "persistence/memory/memory_store.h"
#include "sqlite_test_util.h"

namespace pmiflow {
namespace {

using persistence::SqliteStore;
using persistence::testing::TempDir;
using Trace = std::vector<std::string>;

constexpr std::int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kSecond = 1000;

// tests/data/good/job-for-a-worker.bpmn: "Notificar" calls a mail service no in-process
// handler runs (type "enviar-correo", 2 retries): its jobs wait for a worker. A BPMN error
// "sin-correo" thrown by the worker is caught by the boundary event "SinCorreo".
std::string job_for_a_worker() {
  return persistence::testing::read_bytes(std::string(PMIFLOW_TEST_DATA) +
                                          "/good/job-for-a-worker.bpmn");
}

class EngineJobs : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    store_ = persistence::testing::open_store(GetParam(), dir_);
    ASSERT_NE(store_, nullptr);
    engine_ = std::make_unique<Engine>(*store_, *store_, *store_, handlers_, clock_);
    auto deployed = engine_->deploy(job_for_a_worker(), "job-for-a-worker.bpmn");
    ASSERT_TRUE(deployed.ok()) << deployed.error().message;
    auto started = engine_->start(StartRequest{{"aviso", "111001000123/2026"},
                                               {},
                                               Variables{{"correo", "rector@ee.edu.co"}},
                                               runtime::Actor::user("ana", "g")});
    ASSERT_TRUE(started.ok()) << started.error().message;
    id_ = started->instance_id;
  }

  std::vector<ActivatedJob> activate(const std::string& worker, std::int64_t timeout_ms) {
    auto jobs = app::activate_jobs(
        *engine_, *store_, app::ActivateJobsRequest{"enviar-correo", worker, 10, timeout_ms});
    EXPECT_TRUE(jobs.ok()) << jobs.error().message;
    return jobs.ok() ? *jobs : std::vector<ActivatedJob>{};
  }

  Trace trace() {
    Trace out;
    auto events = store_->events(id_);
    EXPECT_TRUE(events.ok());
    for (const auto& e : *events) out.push_back(runtime::event_type_name(e.type()));
    return out;
  }

  int count(const std::string& type) {
    int n = 0;
    for (const auto& t : trace()) n += t == type ? 1 : 0;
    return n;
  }

  std::string status() { return store_->instance(id_).value().status; }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  HandlerRegistry handlers_;  // none for "enviar-correo"
  ManualClock clock_{kT0};
  std::unique_ptr<Engine> engine_;
  std::int64_t id_ = 0;
};

TEST_P(EngineJobs, AJobNoHandlerRunsWaitsForAWorkerWhoCompletesItWithItsToken) {
  EXPECT_EQ(trace(), (Trace{"InstanceCreated", "ElementActivated", "ElementCompleted", "FlowTaken",
                            "ElementActivated", "JobCreated"}));
  auto waiting = store_->jobs(id_).value();
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].state, "activatable");

  std::vector<ActivatedJob> jobs = activate("worker-1", 30 * kSecond);
  ASSERT_EQ(jobs.size(), 1u);
  const ActivatedJob& job = jobs[0];
  EXPECT_EQ(job.key, waiting[0].id);
  EXPECT_EQ(job.instance_id, id_);
  EXPECT_EQ(job.token, 1);
  EXPECT_EQ(job.deadline_ms, kT0 + 30 * kSecond);
  EXPECT_EQ(job.type, "enviar-correo");
  EXPECT_EQ(job.retries, 2);
  EXPECT_EQ(job.element_id, "Notificar");
  EXPECT_EQ(job.variables.at("correo"), "rector@ee.edu.co");
  auto leased = store_->jobs(id_).value();
  EXPECT_EQ(leased[0].state, "activated");
  EXPECT_EQ(leased[0].worker, "worker-1");
  EXPECT_EQ(leased[0].deadline_ms, kT0 + 30 * kSecond);
  EXPECT_EQ(leased[0].token, 1);
  // Leased: no other worker gets it while the lease runs.
  EXPECT_TRUE(activate("worker-2", 30 * kSecond).empty());

  clock_.advance(10 * kSecond);
  auto done = engine_->complete_job(JobAnswer{job.key, job.token}, Variables{{"enviado", true}});
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(status(), "completed");
  EXPECT_EQ(trace(), (Trace{"InstanceCreated", "ElementActivated", "ElementCompleted", "FlowTaken",
                            "ElementActivated", "JobCreated", "JobActivated", "VariablesSet",
                            "JobCompleted", "ElementCompleted", "FlowTaken", "ElementActivated",
                            "ElementCompleted", "InstanceCompleted"}));
  EXPECT_EQ(store_->variables(id_).value().at("enviado"), true);
  EXPECT_TRUE(store_->jobs(id_).value().empty());
}

TEST_P(EngineJobs, AnAnswerWithoutTheCurrentTokenIsRefusedAndWritesNothing) {
  const ActivatedJob job = activate("worker-1", 30 * kSecond).at(0);
  const std::size_t before = trace().size();
  for (std::int64_t token : {0, 2, 99}) {
    auto refused = engine_->complete_job(JobAnswer{job.key, token}, {});
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kStaleToken) << refused.error().message;
    EXPECT_NE(refused.error().message.find("is not the current lease's (worker worker-1, token 1)"),
              std::string::npos)
        << refused.error().message;
    EXPECT_EQ(engine_->fail_job(JobAnswer{job.key, token}, "x").error().code,
              ErrorCode::kStaleToken);
    EXPECT_EQ(engine_->throw_job_error(JobAnswer{job.key, token}, "sin-correo", "").error().code,
              ErrorCode::kStaleToken);
    EXPECT_EQ(engine_->extend_job_lease(JobAnswer{job.key, token}, kSecond).error().code,
              ErrorCode::kStaleToken);
  }
  EXPECT_EQ(trace().size(), before);
  EXPECT_EQ(status(), "active");
}

// A worker that dies holding a job: its lease expires, another worker takes the job with the
// next token, and the first worker's late answer is refused. One completion in the log.
TEST_P(EngineJobs, AnExpiredLeaseGoesToTheNextWorkerAndTheLateAnswerIsRefused) {
  const ActivatedJob first = activate("worker-1", 30 * kSecond).at(0);
  clock_.set(kT0 + 30 * kSecond - 1);
  EXPECT_TRUE(activate("worker-2", 30 * kSecond).empty());  // not expired yet
  clock_.set(kT0 + 30 * kSecond);
  std::vector<ActivatedJob> again = activate("worker-2", 60 * kSecond);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].key, first.key);
  EXPECT_EQ(again[0].token, 2);
  EXPECT_EQ(again[0].retries, 2);  // an expired lease spends no retry

  auto late = engine_->complete_job(JobAnswer{first.key, first.token}, {});
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kStaleToken);
  ASSERT_TRUE(engine_->complete_job(JobAnswer{again[0].key, again[0].token}, {}).ok());
  EXPECT_EQ(count("JobActivated"), 2);
  EXPECT_EQ(count("JobCompleted"), 1);
  // And after the instance completed, the late answer finds it ended.
  EXPECT_EQ(engine_->complete_job(JobAnswer{first.key, first.token}, {}).error().code,
            ErrorCode::kInvalidState);
}

TEST_P(EngineJobs, AnAnswerAfterTheDeadlineIsRefusedEvenWhenNoOneElseTookTheJob) {
  const ActivatedJob job = activate("worker-1", 30 * kSecond).at(0);
  clock_.set(kT0 + 30 * kSecond);
  auto late = engine_->complete_job(JobAnswer{job.key, job.token}, {});
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kStaleToken);
  EXPECT_NE(late.error().message.find("expired at 2026-01-01T00:00:30.000Z"), std::string::npos)
      << late.error().message;
}

TEST_P(EngineJobs, ExtendingTheLeaseMovesItsDeadline) {
  const ActivatedJob job = activate("worker-1", 30 * kSecond).at(0);
  clock_.set(kT0 + 20 * kSecond);
  ASSERT_TRUE(engine_->extend_job_lease(JobAnswer{job.key, job.token}, 60 * kSecond).ok());
  EXPECT_EQ(store_->jobs(id_).value().at(0).deadline_ms, kT0 + 80 * kSecond);
  clock_.set(kT0 + 70 * kSecond);  // past the first deadline, within the new one
  EXPECT_TRUE(activate("worker-2", 30 * kSecond).empty());
  ASSERT_TRUE(engine_->complete_job(JobAnswer{job.key, job.token}, {}).ok());
  EXPECT_EQ(count("JobLeaseExtended"), 1);
}

TEST_P(EngineJobs, AFailureSpendsARetryAndTheLastOneRaisesAnIncident) {
  const ActivatedJob first = activate("worker-1", 30 * kSecond).at(0);
  ASSERT_TRUE(engine_->fail_job(JobAnswer{first.key, first.token}, "SMTP 451").ok());
  auto row = store_->jobs(id_).value().at(0);
  EXPECT_EQ(row.state, "activatable");
  EXPECT_EQ(row.retries_left, 1);
  const ActivatedJob second = activate("worker-1", 30 * kSecond).at(0);
  EXPECT_EQ(second.token, 2);
  EXPECT_EQ(second.retries, 1);
  ASSERT_TRUE(engine_->fail_job(JobAnswer{second.key, second.token}, "SMTP 550").ok());
  EXPECT_EQ(store_->jobs(id_).value().at(0).state, "failed");
  auto incidents = store_->incidents(id_).value();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].kind, "job");
  EXPECT_EQ(incidents[0].message, "SMTP 550");
  EXPECT_TRUE(activate("worker-1", 30 * kSecond).empty());  // out of retries: not activatable
}

TEST_P(EngineJobs, AWorkersBpmnErrorIsCaughtByTheBoundaryEvent) {
  const ActivatedJob job = activate("worker-1", 30 * kSecond).at(0);
  auto thrown = engine_->throw_job_error(JobAnswer{job.key, job.token}, "sin-correo", "no MX");
  ASSERT_TRUE(thrown.ok()) << thrown.error().message;
  EXPECT_EQ(status(), "completed");
  auto events = store_->events(id_).value();
  bool caught = false;
  for (const auto& e : events) {
    if (const auto* p = e.get_if<runtime::ErrorThrown>()) caught = p->caught_by == "SinCorreo";
  }
  EXPECT_TRUE(caught);
}

TEST_P(EngineJobs, BadInputIsRefusedAndNothingIsWritten) {
  const std::size_t before = trace().size();
  auto refused = [&](const app::ActivateJobsRequest& r, const std::string& expected) {
    auto out = app::activate_jobs(*engine_, *store_, r);
    ASSERT_FALSE(out.ok()) << expected;
    EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(out.error().message.find(expected), std::string::npos) << out.error().message;
  };
  refused({"enviar-correo", "", 1, kSecond}, "worker: a name is required");
  refused({"", "w", 1, kSecond}, "job type: a name is required");
  refused({"enviar-correo", "w", 0, kSecond}, "max jobs: 0 is not in 1..1000");
  refused({"enviar-correo", "w", 1, 0}, "timeout: 0 ms is not positive");
  refused({"enviar-correo", std::string(257, 'w'), 1, kSecond},
          "worker: 257 bytes, more than the limit of 256");
  auto unknown = engine_->complete_job(JobAnswer{"nope", 1}, {});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto no_job = engine_->complete_job(JobAnswer{std::to_string(id_) + "-99", 1}, {});
  EXPECT_EQ(no_job.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(trace().size(), before);
}

INSTANTIATE_TEST_SUITE_P(Stores, EngineJobs, ::testing::Values("memory", "sqlite"));

}  // namespace
}  // namespace pmiflow
