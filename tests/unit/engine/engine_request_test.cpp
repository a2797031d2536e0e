// The engine's requests: a command (a start included) and the handlers that follow it are one
// request to the event log (synchronous continuation). How the SQLite store groups and
// pipelines requests is tests/unit/persistence/sqlite_group_commit_test.cpp's.

#include <condition_variable>
#include <future>
#include <latch>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine_test_util.h"

namespace pmiflow::testing {
namespace {

using runtime::Actor;
using runtime::BusinessKey;
using Trace = std::vector<std::string>;

const Actor kLider = Actor::user("luis", kRole);

// A MemoryStore that records the events of every request it is given.
class RecordingStore final : public MemoryStore {
 public:
  AppendResult append(AppendRequest& request) override {
    {
      std::lock_guard lock(mu_);
      requests_.push_back(describe(request.events));
    }
    return MemoryStore::append(request);
  }
  // The event traces of each request, in the order they came.
  std::vector<Trace> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::vector<Trace> requests_;
};

struct RequestHarness {
  RequestHarness() : engine(store, store, store, make_registry(), clock) {
    auto deployed = engine.deploy(kProcessXml, "proceso_prueba.bpmn");
    EXPECT_TRUE(deployed.ok()) << deployed.error().message;
  }
  std::vector<runtime::Event> events(std::int64_t id) { return *store.events(id); }
  std::int64_t start(int school) {
    auto started = engine.start(start_of(key_of(dane(school), "2026", kProcess), {},
                                         Actor::user("ana", "profesional_mejoramiento")));
    EXPECT_TRUE(started.ok()) << started.error().message;
    return started.ok() ? started->instance_id : 0;
  }
  std::string task_of(std::int64_t id) {
    auto tasks = store.tasks(TaskQuery{{}, id, {}});
    EXPECT_TRUE(tasks.ok() && tasks->size() == 1);
    return tasks.ok() && tasks->size() == 1 ? tasks->front().id : std::string();
  }

  RecordingStore store;
  ManualClock clock{kT0};
  std::shared_ptr<ScriptedHandler> handler;
  HandlerRegistry registry;
  Engine engine;

 private:
  const HandlerRegistry& make_registry() {
    handler = succeeding();
    registry.add(kNotifyType, handler);
    return registry;
  }
};

TEST(EngineSynchronousContinuation, TaskAndTheHandlerAfterItCommitAsOneRequest) {
  RequestHarness h;
  const std::int64_t id = h.start(1);
  const std::size_t before = h.store.requests().size();

  auto done = h.engine.complete_task(h.task_of(id), kLider, {{"revisado", "si"}});
  ASSERT_TRUE(done.ok()) << done.error().message;

  const auto requests = h.store.requests();
  ASSERT_EQ(requests.size(), before + 1) << "one request for the task and its job";
  EXPECT_EQ(requests.back(),
            (Trace{"VariablesSet:Task_Review", "UserTaskCompleted:Task_Review",
                   "ElementCompleted:Task_Review", "FlowTaken:f2", "ElementActivated:Svc_Notify",
                   "JobCreated:Svc_Notify", "VariablesSet:Svc_Notify", "JobCompleted:Svc_Notify",
                   "ElementCompleted:Svc_Notify", "FlowTaken:f3", "ElementActivated:End",
                   "ElementCompleted:End", "InstanceCompleted"}));
  EXPECT_EQ(describe(done->events), requests.back());
  EXPECT_EQ(h.handler->calls().size(), 1U);
}

// The first failure commits with the command; each retry, after its backoff, is a request of
// its own (the runner's workers, or run_jobs, make it), the last one with the incident.
TEST(EngineSynchronousContinuation, EachRetryOfAFailingHandlerIsARequestAfterItsBackoff) {
  RecordingStore store;
  ManualClock clock{kT0};
  HandlerRegistry registry;
  auto handler = failing("SIGCE no responde");
  registry.add(kNotifyType, handler);
  Engine engine(store, store, store, registry, clock);
  ASSERT_TRUE(engine.deploy(kProcessXml, "proceso_prueba.bpmn").ok());
  auto started = engine.start(start_of(key_of(dane(2), "2026", kProcess), {},
                                       Actor::user("ana", "profesional_mejoramiento")));
  ASSERT_TRUE(started.ok());
  auto tasks = store.tasks(TaskQuery{{}, started->instance_id, {}});
  ASSERT_TRUE(tasks.ok() && tasks->size() == 1);
  const std::size_t before = store.requests().size();

  auto done = engine.complete_task(tasks->front().id, kLider, {});
  ASSERT_TRUE(done.ok()) << done.error().message;

  const std::int64_t id = started->instance_id;
  ASSERT_EQ(store.requests().size(), before + 1);
  EXPECT_EQ(
      store.requests().back(),
      (Trace{"UserTaskCompleted:Task_Review", "ElementCompleted:Task_Review", "FlowTaken:f2",
             "ElementActivated:Svc_Notify", "JobCreated:Svc_Notify", "JobFailed:Svc_Notify"}));
  // Within the backoff nothing runs.
  ASSERT_TRUE(engine.run_jobs(id).ok());
  EXPECT_EQ(store.requests().size(), before + 1);
  clock.advance(1000);  // the first backoff: 1 s
  ASSERT_TRUE(engine.run_jobs(id).ok());
  EXPECT_EQ(store.requests().back(), (Trace{"JobFailed:Svc_Notify"}));
  clock.advance(2000);  // the second: 2 s
  ASSERT_TRUE(engine.run_jobs(id).ok());
  EXPECT_EQ(store.requests().back(), (Trace{"JobFailed:Svc_Notify", "IncidentRaised:Svc_Notify"}));
  EXPECT_EQ(store.requests().size(), before + 3);
  EXPECT_EQ(handler->calls().size(), 3U);
}

// Start -> Svc_First (test.notify) -> Task_Review -> End: the handler runs in the start.
const std::string kServiceFirstXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="Definitions_Primero" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="servicio_primero" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Svc_First" />
    <bpmn:serviceTask id="Svc_First">
      <bpmn:extensionElements><zeebe:taskDefinition type="test.notify" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Svc_First" targetRef="Task_Review" />
    <bpmn:userTask id="Task_Review">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="lider_calidad" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="Task_Review" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
)";

// The instance's id is reserved before its creation is interpreted, so the handler of a service
// task reached at once runs with its job's real id, and the creation and the handler's
// result are one request.
TEST(EngineSynchronousContinuation, StartAndTheHandlersItReachesAreOneRequest) {
  RequestHarness h;
  ASSERT_TRUE(h.engine.deploy(kServiceFirstXml, "servicio_primero.bpmn").ok());
  const std::size_t before = h.store.requests().size();
  auto started = h.engine.start(start_of(BusinessKey{"servicio_primero", "exp-1"}, {},
                                         Actor::user("ana", "profesional_mejoramiento")));
  ASSERT_TRUE(started.ok()) << started.error().message;
  const auto requests = h.store.requests();
  ASSERT_EQ(requests.size(), before + 1) << "one request for the creation and the job";
  EXPECT_EQ(requests.back(),
            (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                   "FlowTaken:f1", "ElementActivated:Svc_First", "JobCreated:Svc_First",
                   "VariablesSet:Svc_First", "JobCompleted:Svc_First", "ElementCompleted:Svc_First",
                   "FlowTaken:f2", "ElementActivated:Task_Review", "UserTaskCreated:Task_Review"}));
  const auto calls = h.handler->calls();
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_EQ(calls[0].instance_id, started->instance_id);
  EXPECT_EQ(calls[0].job_id, std::to_string(started->instance_id) + "-2");
  EXPECT_EQ(h.events(started->instance_id).size(), requests.back().size());
}

}  // namespace
}  // namespace pmiflow::testing
