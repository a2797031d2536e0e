// In-process job workers (app/job_workers.h): the jobs of registered handlers that no request ran
// (an asynchronous task, a retry after its backoff) are leased and worked by the pool, each
// taking effect once. The events each step writes.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "app/job_workers.h"
#include "engine/engine/clock.h"
#include "engine/engine/engine.h"
#include "engine/engine/handler.h"
#include "engine/runtime/event_describer.h"
#include "persistence/memory/memory_store.h"

namespace pmiflow::app {
namespace {

constexpr std::int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
using Trace = std::vector<std::string>;
using Headers = std::vector<std::pair<std::string, std::string>>;

// Start -> Avisar (test.avisar, asynchronous when `async`) -> End.
std::string aviso_xml(bool async) {
  return std::string(R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="aviso" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Avisar" />
    <bpmn:serviceTask id="Avisar" name="Avisar a la SE">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="test.avisar" retries="3" />
        <zeebe:taskHeaders><zeebe:header key="canal" value="correo" /></zeebe:taskHeaders>
        <zeebe:properties>
          <zeebe:property name="pmiflow.async" value=")") +
         (async ? "true" : "false") + R"(" />
        </zeebe:properties>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Avisar" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
)";
}

// Fails the first `failures` calls of each job, then succeeds with {"avisado": <job id>}; keeps
// what each call saw.
class Avisar : public TaskHandler {
 public:
  explicit Avisar(int failures) : failures_(failures) {}
  HandlerResult handle(const HandlerContext& ctx) const override {
    std::lock_guard<std::mutex> lock(mu_);
    headers_ = ctx.headers != nullptr ? *ctx.headers : Headers{};
    if (++calls_[ctx.job_id] <= failures_) return HandlerResult::failure("SMTP 451");
    return HandlerResult::success(Variables{{"avisado", ctx.job_id}});
  }
  int calls(const std::string& job) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = calls_.find(job);
    return it == calls_.end() ? 0 : it->second;
  }
  Headers headers() const {
    std::lock_guard<std::mutex> lock(mu_);
    return headers_;
  }

 private:
  const int failures_;
  mutable std::mutex mu_;
  mutable std::map<std::string, int> calls_;
  mutable Headers headers_;
};

struct World {
  World(bool async, int failures) : handler(std::make_shared<Avisar>(failures)) {
    registry.add("test.avisar", handler);
    engine = std::make_unique<Engine>(store, store, store, registry, clock);
    auto deployed = engine->deploy(aviso_xml(async), "aviso.bpmn");
    EXPECT_TRUE(deployed.ok()) << deployed.error().message;
  }
  std::int64_t start(const std::string& id) {
    auto started =
        engine->start(StartRequest{{"aviso", id}, {}, {}, runtime::Actor::user("ana", "g")});
    EXPECT_TRUE(started.ok()) << started.error().message;
    return started.ok() ? started->instance_id : 0;
  }
  Trace trace(std::int64_t id) {
    Trace out;
    const auto events = store.events(id).value();
    for (const auto& e : events) out.push_back(runtime::event_type_name(e.type()));
    return out;
  }

  ManualClock clock{kT0};
  MemoryStore store;
  HandlerRegistry registry;
  std::shared_ptr<Avisar> handler;
  std::unique_ptr<Engine> engine;
};

TEST(JobWorkers, AnAsynchronousTaskIsWorkedByThePoolNotInTheRequestThatReachedIt) {
  World w(/*async=*/true, /*failures=*/0);
  const std::int64_t id = w.start("a");
  EXPECT_EQ(w.trace(id), (Trace{"InstanceCreated", "ElementActivated", "ElementCompleted",
                                "FlowTaken", "ElementActivated", "JobCreated"}));
  const std::string job = w.store.jobs(id).value().at(0).id;
  EXPECT_EQ(w.handler->calls(job), 0);

  JobWorkers workers(*w.engine, w.store, JobWorkersOptions{"runner-1", 2, 16, 30000});
  auto report = workers.work_due();
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->completed, 1);
  EXPECT_EQ(report->lost, 0);
  EXPECT_EQ(w.handler->calls(job), 1);
  EXPECT_EQ(w.handler->headers(), (Headers{{"canal", "correo"}}));
  EXPECT_EQ(w.trace(id), (Trace{"InstanceCreated", "ElementActivated", "ElementCompleted",
                                "FlowTaken", "ElementActivated", "JobCreated", "JobActivated",
                                "VariablesSet", "JobCompleted", "ElementCompleted", "FlowTaken",
                                "ElementActivated", "ElementCompleted", "InstanceCompleted"}));
  const auto events = w.store.events(id).value();
  const auto* lease = events[6].get_if<runtime::JobActivated>();
  ASSERT_NE(lease, nullptr);
  EXPECT_EQ(lease->worker, "runner-1");
  EXPECT_EQ(lease->token, 1);
  EXPECT_EQ(events[8].actor, runtime::Actor::handler("test.avisar"));
  // The job key is the handler's idempotency key.
  EXPECT_EQ(w.store.variables(id).value().at("avisado"), job);
  // Nothing is left: a second call does nothing.
  auto again = workers.work_due();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->completed, 0);
}

TEST(JobWorkers, AFailedJobIsRetriedByThePoolOnlyAfterItsBackoff) {
  World w(/*async=*/false, /*failures=*/1);
  const std::int64_t id = w.start("b");
  // The first attempt ran in the start's request and failed: retried from kT0 + 1 s.
  EXPECT_EQ(w.trace(id).back(), "JobFailed");
  const std::string job = w.store.jobs(id).value().at(0).id;
  JobWorkers workers(*w.engine, w.store, JobWorkersOptions{"runner-1", 2, 16, 30000});
  w.clock.advance(999);
  EXPECT_EQ(workers.work_due().value().completed, 0);
  EXPECT_EQ(w.handler->calls(job), 1);
  w.clock.advance(1);
  EXPECT_EQ(workers.work_due().value().completed, 1);
  EXPECT_EQ(w.handler->calls(job), 2);
  EXPECT_EQ(w.store.instance(id).value().status, "completed");
}

TEST(JobWorkers, TwoPoolsOnOneStoreWorkEachJobOnce) {
  World w(/*async=*/true, /*failures=*/0);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(w.start("c" + std::to_string(i)));
  // Two pools, as two runners: each job is leased and completed by one of them.
  JobWorkers one(*w.engine, w.store, JobWorkersOptions{"runner-1", 4, 8, 30000});
  JobWorkers two(*w.engine, w.store, JobWorkersOptions{"runner-2", 4, 8, 30000});
  Result<JobWorkReport> theirs = make_error(ErrorCode::kInternal, "not run");
  std::thread other([&] { theirs = two.work_due(); });
  auto mine = one.work_due();
  other.join();
  ASSERT_TRUE(mine.ok()) << mine.error().message;
  ASSERT_TRUE(theirs.ok()) << theirs.error().message;
  EXPECT_EQ(mine->completed + theirs->completed, 40);
  for (std::int64_t id : ids) {
    EXPECT_EQ(w.store.instance(id).value().status, "completed") << id;
    std::string job;
    int completed = 0;
    const auto events = w.store.events(id).value();
    for (const auto& e : events) {
      if (const auto* created = e.get_if<runtime::JobCreated>()) {
        job = std::to_string(id) + "-" + std::to_string(created->key);
      }
      completed += e.type() == runtime::EventType::kJobCompleted ? 1 : 0;
    }
    EXPECT_EQ(completed, 1) << id;
    EXPECT_EQ(w.handler->calls(job), 1) << job;
  }
}

}  // namespace
}  // namespace pmiflow::app
