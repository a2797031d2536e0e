// The engine's commit path: a command and the handlers that follow it commit as one store
// request (synchronous continuation), and group commits are pipelined: the next group is
// written while the previous one is being made durable, and nothing is acknowledged before
// its group is durable.

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

// A MemoryStore that records every batch it is given and, once armed, holds the next batch
// between "committed" and "durable" until opened, as SqliteStore does while it fsyncs.
class GatedStore final : public MemoryStore {
 public:
  std::vector<AppendResult> append(const std::vector<AppendRequest>& batch,
                                   const std::function<void()>& committed) override {
    auto results = MemoryStore::append(batch, committed);
    bool hold = false;
    {
      std::lock_guard lock(mu_);
      std::vector<Trace> requests;
      for (const auto& r : batch) requests.push_back(describe(r.events));
      batches_.push_back(std::move(requests));
      threads_.push_back(std::this_thread::get_id());
      hold = armed_;
      armed_ = false;
    }
    if (committed) committed();
    if (hold) {
      held_.count_down();
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return open_; });
    }
    return results;
  }

  void arm() {
    std::lock_guard lock(mu_);
    armed_ = true;
  }
  void wait_until_held() { held_.wait(); }
  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  // The event traces of each request of each batch, in the order the batches came.
  std::vector<std::vector<Trace>> batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }
  // The thread that wrote each batch.
  std::vector<std::thread::id> threads() {
    std::lock_guard lock(mu_);
    return threads_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::latch held_{1};
  bool armed_ = false;
  bool open_ = false;
  std::vector<std::vector<Trace>> batches_;
  std::vector<std::thread::id> threads_;
};

struct PipelineHarness {
  PipelineHarness() : engine(store, make_registry(), clock) {
    auto deployed = engine.deploy(kProcessXml, "proceso_prueba.bpmn");
    EXPECT_TRUE(deployed.ok()) << deployed.error().message;
  }
  std::int64_t start(int school) {
    auto started = engine.start(BusinessKey{kProcess, dane(school), "2026"}, {},
                                Actor::user("ana", "profesional_mejoramiento"));
    EXPECT_TRUE(started.ok()) << started.error().message;
    return started.ok() ? started->instance_id : 0;
  }
  std::string task_of(std::int64_t id) {
    auto tasks = store.tasks(TaskQuery{{}, {}, {}, id});
    EXPECT_TRUE(tasks.ok() && tasks->size() == 1);
    return tasks.ok() && tasks->size() == 1 ? tasks->front().id : std::string();
  }

  GatedStore store;
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
  PipelineHarness h;
  const std::int64_t id = h.start(1);
  const std::size_t before = h.store.batches().size();

  auto done = h.engine.complete_task(h.task_of(id), kLider, {{"revisado", "si"}});
  ASSERT_TRUE(done.ok()) << done.error().message;

  const auto batches = h.store.batches();
  ASSERT_EQ(batches.size(), before + 1) << "one store transaction for the task and its job";
  ASSERT_EQ(batches.back().size(), 1U);
  EXPECT_EQ(batches.back().front(),
            (Trace{"VariablesSet:Task_Review", "UserTaskCompleted:Task_Review",
                   "ElementCompleted:Task_Review", "FlowTaken:f2", "ElementActivated:Svc_Notify",
                   "JobCreated:Svc_Notify", "VariablesSet:Svc_Notify", "JobCompleted:Svc_Notify",
                   "ElementCompleted:Svc_Notify", "FlowTaken:f3", "ElementActivated:End",
                   "ElementCompleted:End", "InstanceCompleted"}));
  EXPECT_EQ(describe(done->events), batches.back().front());
  EXPECT_EQ(h.handler->calls().size(), 1U);
}

TEST(EngineSynchronousContinuation, RetriesOfAFailingHandlerAndTheIncidentAreOneRequest) {
  GatedStore store;
  ManualClock clock{kT0};
  HandlerRegistry registry;
  auto handler = failing("SIGCE no responde");
  registry.add(kNotifyType, handler);
  Engine engine(store, registry, clock);
  ASSERT_TRUE(engine.deploy(kProcessXml, "proceso_prueba.bpmn").ok());
  auto started = engine.start(BusinessKey{kProcess, dane(2), "2026"}, {},
                              Actor::user("ana", "profesional_mejoramiento"));
  ASSERT_TRUE(started.ok());
  auto tasks = store.tasks(TaskQuery{{}, {}, {}, started->instance_id});
  ASSERT_TRUE(tasks.ok() && tasks->size() == 1);
  const std::size_t before = store.batches().size();

  auto done = engine.complete_task(tasks->front().id, kLider, {});
  ASSERT_TRUE(done.ok()) << done.error().message;

  const auto batches = store.batches();
  ASSERT_EQ(batches.size(), before + 1);
  EXPECT_EQ(batches.back().front(),
            (Trace{"UserTaskCompleted:Task_Review", "ElementCompleted:Task_Review", "FlowTaken:f2",
                   "ElementActivated:Svc_Notify", "JobCreated:Svc_Notify", "JobFailed:Svc_Notify",
                   "JobFailed:Svc_Notify", "JobFailed:Svc_Notify", "IncidentRaised:Svc_Notify"}));
  EXPECT_EQ(handler->calls().size(), 3U);
}

TEST(EnginePipelinedCommit, NextGroupIsWrittenWhileThePreviousIsMadeDurable) {
  PipelineHarness h;
  const std::int64_t a = h.start(3);
  const std::int64_t b = h.start(4);
  const std::string task_a = h.task_of(a);
  const std::string task_b = h.task_of(b);

  h.store.arm();  // the next batch (task A's) commits, then waits to become durable
  std::promise<Status> a_done;
  std::thread first([&] {
    auto r = h.engine.complete_task(task_a, kLider, {});
    a_done.set_value(r.ok() ? Status{} : Status{r.error()});
  });
  h.store.wait_until_held();
  auto a_result = a_done.get_future();

  // Task B's command is written, committed and acknowledged while A's group is not durable.
  auto b_result = std::async(std::launch::async,
                             [&] { return h.engine.complete_task(task_b, kLider, {}).ok(); });
  const bool b_went_through = b_result.wait_for(std::chrono::seconds(60)) ==
                              std::future_status::ready;  // a guard against a hang only
  EXPECT_TRUE(b_went_through) << "the second group waited for the first one's sync";
  EXPECT_EQ(a_result.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "task A was acknowledged before its group was durable";

  h.store.open();
  first.join();
  EXPECT_TRUE(b_result.get());
  EXPECT_TRUE(a_result.get().ok());
  const auto batches = h.store.batches();
  ASSERT_GE(batches.size(), 2U);
  // A's batch came first, B's after it: two groups, not one.
  EXPECT_EQ(batches[batches.size() - 2].size(), 1U);
  EXPECT_EQ(batches.back().size(), 1U);
  EXPECT_EQ(batches[batches.size() - 2].front().at(0), "UserTaskCompleted:Task_Review");
}

TEST(EnginePipelinedCommit, GroupsAreWrittenByTheEnginesWritersNotByTheCommandsThreads) {
  PipelineHarness h;
  const std::int64_t id = h.start(5);
  std::thread::id caller;
  std::thread other([&] {
    caller = std::this_thread::get_id();
    EXPECT_TRUE(h.engine.complete_task(h.task_of(id), kLider, {}).ok());
  });
  other.join();

  const auto threads = h.store.threads();
  ASSERT_EQ(threads.size(), 2U) << "the start and the completion, one group each";
  for (const std::thread::id& t : threads) {
    EXPECT_NE(t, std::this_thread::get_id());
    EXPECT_NE(t, caller);
  }
}

}  // namespace
}  // namespace pmiflow::testing
