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
  EXPECT_EQ(job.custom_headers,
            (std::vector<std::pair<std::string, std::string>>{
                {"plantilla", "aviso-pmi"}, {"remitente", "calidad@sedantioquia.gov.co"}}));
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
  for (std::int64_t token : {2, 99}) {  // token 0: BadInputIsRefused...
    auto refused = engine_->complete_job(JobAnswer{job.key, token}, {});
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kStaleToken) << refused.error().message;
    EXPECT_NE(refused.error().message.find("is not the current lease's (worker worker-1, token 1)"),
              std::string::npos)
        << refused.error().message;
    EXPECT_EQ(engine_->fail_job(JobAnswer{job.key, token}, {"x", {}, {}}).error().code,
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
  ASSERT_TRUE(engine_->fail_job(JobAnswer{first.key, first.token}, {"SMTP 451", {}, {}}).ok());
  auto row = store_->jobs(id_).value().at(0);
  EXPECT_EQ(row.state, "activatable");
  EXPECT_EQ(row.retries_left, 1);
  // The default backoff: 1 s after the first failure.
  EXPECT_EQ(row.retry_at_ms, kT0 + kSecond);
  EXPECT_TRUE(activate("worker-1", 30 * kSecond).empty());
  clock_.advance(kSecond);
  const ActivatedJob second = activate("worker-1", 30 * kSecond).at(0);
  EXPECT_EQ(second.token, 2);
  EXPECT_EQ(second.retries, 1);
  ASSERT_TRUE(engine_->fail_job(JobAnswer{second.key, second.token}, {"SMTP 550", {}, {}}).ok());
  EXPECT_EQ(store_->jobs(id_).value().at(0).state, "failed");
  auto incidents = store_->incidents(IncidentQuery::of_instance(id_)).value();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].kind, "job");
  EXPECT_EQ(incidents[0].message, "SMTP 550");
  EXPECT_TRUE(activate("worker-1", 30 * kSecond).empty());  // out of retries: not activatable
}

// Zeebe's FailJob: the worker says how many retries are left and how long to wait.
TEST_P(EngineJobs, TheWorkerSetsTheRetriesLeftAndTheBackoff) {
  const ActivatedJob first = activate("worker-1", 30 * kSecond).at(0);
  ASSERT_TRUE(
      engine_->fail_job(JobAnswer{first.key, first.token}, {"SIGCE caído", 5, 10 * kSecond}).ok());
  auto events = store_->events(id_).value();
  const auto* failed = events.back().get_if<runtime::JobFailed>();
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->retries_left, 5);
  EXPECT_EQ(failed->retry_at, kT0 + 10 * kSecond);
  EXPECT_EQ(failed->message, "SIGCE caído");
  // Not before its backoff: neither listed nor leased.
  clock_.advance(10 * kSecond - 1);
  EXPECT_TRUE(activate("worker-1", 30 * kSecond).empty());
  auto early = engine_->activate_job(first.key, "worker-2", 30 * kSecond);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, ErrorCode::kInvalidState);
  EXPECT_NE(early.error().message.find("its backoff"), std::string::npos);
  clock_.advance(1);
  const ActivatedJob second = activate("worker-2", 30 * kSecond).at(0);
  EXPECT_EQ(second.retries, 5);
  EXPECT_EQ(second.token, 2);
  // Retries 0 from the worker: an incident at once, with its message.
  ASSERT_TRUE(
      engine_->fail_job(JobAnswer{second.key, second.token}, {"buzón inexistente", 0, {}}).ok());
  auto incidents = store_->incidents(IncidentQuery::of_instance(id_)).value();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].message, "buzón inexistente");
  EXPECT_EQ(incidents[0].raised_ms, kT0 + 10 * kSecond);
}

// Without a backoff from the worker or the model: 1 s, then 2 s, 4 s... (at most 5 min).
TEST_P(EngineJobs, TheDefaultBackoffDoublesAtEachFailure) {
  std::vector<std::int64_t> waits;
  for (int i = 0; i < 4; ++i) {
    auto jobs = activate("worker-1", 30 * kSecond);
    ASSERT_EQ(jobs.size(), 1u) << "failure " << i;
    ASSERT_TRUE(engine_->fail_job(JobAnswer{jobs[0].key, jobs[0].token}, {"451", 3, {}}).ok());
    const std::int64_t retry_at = store_->jobs(id_).value().at(0).retry_at_ms;
    waits.push_back(retry_at - clock_.now_ms());
    clock_.set(retry_at);
  }
  EXPECT_EQ(waits, (std::vector<std::int64_t>{kSecond, 2 * kSecond, 4 * kSecond, 8 * kSecond}));
}

// The model's default backoff: the task's retryBackoff header.
TEST_P(EngineJobs, TheTasksRetryBackoffHeaderIsTheDefaultBackoff) {
  std::string xml = job_for_a_worker();
  const std::string header = R"(<zeebe:header key="plantilla" value="aviso-pmi" />)";
  xml.replace(xml.find(header), header.size(),
              header + R"(<zeebe:header key="retryBackoff" value="PT45S" />)");
  ASSERT_TRUE(engine_->deploy(xml, "job-for-a-worker.bpmn").ok());
  auto started = engine_->start(
      StartRequest{{"aviso", "111001000999/2026"}, {}, {}, runtime::Actor::user("ana", "g")});
  ASSERT_TRUE(started.ok());
  for (const ActivatedJob& job : activate("worker-1", 30 * kSecond)) {
    ASSERT_TRUE(engine_->fail_job(JobAnswer{job.key, job.token}, {"451", {}, {}}).ok());
  }
  const std::int64_t expected[] = {kT0 + kSecond, kT0 + 45 * kSecond};  // version 1, version 2
  std::vector<std::int64_t> retry_at;
  const std::vector<JobRow> rows = store_->jobs(std::nullopt).value();
  for (const JobRow& row : rows) retry_at.push_back(row.retry_at_ms);
  EXPECT_EQ(retry_at, std::vector<std::int64_t>(std::begin(expected), std::end(expected)));
}

// Retries run out -> incident -> one call gives retries back -> a worker completes the job.
TEST_P(EngineJobs, AnIncidentOfAJobOutOfRetriesIsResolvedWithNewRetriesInOneCall) {
  const ActivatedJob first = activate("worker-1", 30 * kSecond).at(0);
  ASSERT_TRUE(engine_->fail_job(JobAnswer{first.key, first.token}, {"SMTP 550", 0, {}}).ok());
  const std::string incident = store_->incidents(IncidentQuery::of_instance(id_)).value().at(0).id;
  const std::size_t before = trace().size();
  const runtime::Actor lider = runtime::Actor::user("ana", "lider_calidad");
  // Not a kind that takes retries, or too few: refused, nothing written.
  auto zero = engine_->resolve_incident(incident, lider, 0);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(zero.error().message.find("retries: 0"), std::string::npos) << zero.error().message;
  EXPECT_EQ(trace().size(), before);

  auto resolved = engine_->resolve_incident(incident, lider, 2);
  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  Trace written;
  for (const auto& e : resolved->events) written.push_back(runtime::event_type_name(e.type()));
  EXPECT_EQ(written, (Trace{"JobRetriesUpdated", "IncidentResolved"}));
  EXPECT_EQ(resolved->events[0].actor.id, "ana");
  EXPECT_TRUE(store_->incidents(IncidentQuery::of_instance(id_)).value().empty());
  const ActivatedJob again = activate("worker-1", 30 * kSecond).at(0);
  EXPECT_EQ(again.retries, 2);
  EXPECT_EQ(again.token, 2);
  ASSERT_TRUE(engine_->complete_job(JobAnswer{again.key, again.token}, {}).ok());
  EXPECT_EQ(status(), "completed");
  EXPECT_EQ(count("JobCompleted"), 1);
  // Resolved already: a second call finds nothing open.
  auto twice = engine_->resolve_incident(incident, lider, 2);
  EXPECT_FALSE(twice.ok());
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
  const ActivatedJob job = activate("w", 30 * kSecond).at(0);
  const std::size_t leased = trace().size();
  auto negative = engine_->fail_job(JobAnswer{job.key, job.token}, {"x", -1, {}});
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(negative.error().message, "retries: -1 is negative");
  auto backwards = engine_->fail_job(JobAnswer{job.key, job.token}, {"x", 1, -kSecond});
  EXPECT_EQ(backwards.error().code, ErrorCode::kInvalidArgument);
  // Token 0 is the in-process handlers' own: a worker's answer without a lease is refused.
  auto unleased = engine_->complete_job(JobAnswer{job.key, 0}, {});
  EXPECT_EQ(unleased.error().code, ErrorCode::kStaleToken);
  EXPECT_EQ(trace().size(), leased);
  EXPECT_EQ(leased, before + 1);
}

INSTANTIATE_TEST_SUITE_P(Stores, EngineJobs, ::testing::Values("memory", "sqlite"));

}  // namespace
}  // namespace pmiflow
