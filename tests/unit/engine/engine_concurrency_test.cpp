// Engine under concurrency: group commit from many threads, two engines sharing one store
// (optimistic concurrency), and the LRU state cache.

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine_test_util.h"

namespace pmiflow::testing {
namespace {

using runtime::Actor;
using runtime::BusinessKey;
using runtime::EventType;
using runtime::InstanceStatus;

const Actor kStarter = Actor::user("ana", "profesional_mejoramiento");
const Actor kLider = Actor::user("luis", kRole);

int count_of(const std::vector<runtime::Event>& events, EventType type) {
  int n = 0;
  for (const auto& e : events) {
    if (e.type() == type) ++n;
  }
  return n;
}

TEST(EngineGroupCommit, EightThreadsDriveTheirOwnInstancesToCompletion) {
  Harness h;
  h.deploy();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 12;
  std::latch go(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      go.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        auto started =
            h.engine.start(start_of(key_of(dane(t * 100 + i), "2026", kProcess), {}, kStarter));
        if (!started.ok() || !started->created) {
          ++failures;
          continue;
        }
        auto tasks = h.store.tasks(TaskQuery{{}, started->instance_id, {}});
        if (!tasks.ok() || tasks->size() != 1) {
          ++failures;
          continue;
        }
        auto done = h.engine.complete_task(tasks->front().id, kLider, {{"hilo", t}});
        if (!done.ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);

  constexpr std::uint64_t kInstances = kThreads * kPerThread;
  InstanceQuery completed;
  completed.status = "completed";
  EXPECT_EQ(h.store.instances(completed)->size(), kInstances);
  EXPECT_EQ(h.store.instances({})->size(), kInstances);

  std::uint64_t events = 0;
  auto rows = h.store.instances({});
  ASSERT_TRUE(rows.ok());
  for (const auto& row : *rows) {
    const auto log = h.events(row.id);
    events += log.size();
    EXPECT_EQ(count_of(log, EventType::kInstanceCompleted), 1) << "instance " << row.id;
    EXPECT_TRUE(*h.engine.state(row.id) == runtime::fold(log)) << "instance " << row.id;
  }
  const EngineStats stats = h.engine.stats();
  // Each instance: start, and complete_task with the job's CompleteJob in the same request.
  EXPECT_EQ(stats.commands, 2 * kInstances);
  EXPECT_EQ(stats.events, events);
  EXPECT_EQ(h.handler->calls().size(), kInstances);
}

TEST(EngineGroupCommit, ConcurrentStartsOfOneBusinessKeyCreateOneInstance) {
  Harness h;
  h.deploy();
  constexpr int kThreads = 8;
  std::latch go(kThreads);
  std::vector<std::int64_t> ids(kThreads, 0);
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      go.arrive_and_wait();
      auto started = h.engine.start(start_of(key_of(dane(1), "2026", kProcess), {}, kStarter));
      if (!started.ok()) return;
      ids[static_cast<std::size_t>(t)] = started->instance_id;
      if (started->created) ++created;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(created.load(), 1);
  for (std::int64_t id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_EQ(h.store.instances({})->size(), 1U);
  EXPECT_EQ(count_of(h.events(ids[0]), EventType::kInstanceCreated), 1);
}

// Two engines on one store: engine B still caches the task as open when engine A completes it.
// The process continues after the task (version 2 has Task_Extra), so the instance stays active.
TEST(EngineTwoEngines, StaleCacheLosesWithConflict) {
  Harness h;
  h.deploy(kProcessXmlV2);
  Engine b(h.store, h.store, h.store, h.registry, h.clock);
  const std::int64_t id = h.start(dane(1));
  const std::string task = h.open_task(id);
  auto cached = b.state(id);
  ASSERT_TRUE(cached.ok());
  ASSERT_EQ(cached->tasks.count(task), 1U) << "B has the task open in its cache";

  auto a_done = h.engine.complete_task(task, kLider, {{"por", "A"}});
  ASSERT_TRUE(a_done.ok()) << a_done.error().message;
  auto b_done = b.complete_task(task, kLider, {{"por", "B"}});
  ASSERT_FALSE(b_done.ok()) << "both engines completed the same task";
  EXPECT_EQ(b_done.error().code, ErrorCode::kConflict) << b_done.error().message;

  const auto log = h.events(id);
  EXPECT_EQ(count_of(log, EventType::kUserTaskCompleted), 1);
  EXPECT_EQ(h.store.variables(id)->at("por"), "A");
  EXPECT_TRUE(runtime::fold(log) == *b.state(id)) << "B's cache was refreshed from the store";
  EXPECT_EQ(b.stats().commands, 0U);
}

// The same, when A's completion also completes the instance (version 1: review -> notify ->
// end). The second completion lost a race just as above, and engine.h promises kConflict "when
// another process completed it first".
TEST(EngineTwoEngines, StaleCacheLosesWithConflictWhenTheWinnerEndedTheInstance) {
  Harness h;
  h.deploy(kProcessXml);
  Engine b(h.store, h.store, h.store, h.registry, h.clock);
  const std::int64_t id = h.start(dane(1));
  const std::string task = h.open_task(id);
  ASSERT_TRUE(b.state(id).ok());

  ASSERT_TRUE(h.engine.complete_task(task, kLider, {}).ok());
  ASSERT_EQ(h.store.instance(id)->status, "completed");
  auto b_done = b.complete_task(task, kLider, {});
  ASSERT_FALSE(b_done.ok()) << "both engines completed the same task";
  EXPECT_EQ(count_of(h.events(id), EventType::kUserTaskCompleted), 1);
  EXPECT_EQ(b_done.error().code, ErrorCode::kConflict) << b_done.error().message;
}

// A's handler runs before A's command commits (synchronous continuation): engine B, reading
// the instance while the handler runs (deterministically, from inside it), sees the task still
// open and no job: none of A's work until all of it is committed. B's stale cache then holds
// no job, so B's job runner has nothing to do once A ended the instance, and that is no error.
TEST(EngineTwoEngines, AHandlersWorkIsInvisibleUntilItsCommandCommits) {
  auto engine_b = std::make_shared<Engine*>(nullptr);
  auto handler = std::make_shared<ScriptedHandler>([engine_b](const HandlerContext& ctx) {
    if (*engine_b != nullptr) {
      auto seen = (*engine_b)->state(ctx.instance_id);
      EXPECT_TRUE(seen.ok());
      if (seen.ok()) {
        EXPECT_EQ(seen->tasks.size(), 1U) << "B saw the task completed before the commit";
        EXPECT_TRUE(seen->jobs.empty()) << "B saw the job before the commit";
        EXPECT_EQ(seen->status, InstanceStatus::kActive);
      }
      *engine_b = nullptr;
    }
    return HandlerResult::success({{"notificado", true}});
  });
  Harness h(handler);
  h.deploy(kProcessXml);
  Engine b(h.store, h.store, h.store, h.registry, h.clock);
  const std::int64_t id = h.start(dane(1));
  *engine_b = &b;
  ASSERT_TRUE(h.engine.complete_task(h.open_task(id), kLider, {}).ok());
  ASSERT_EQ(*engine_b, nullptr) << "the handler did not run";
  ASSERT_EQ(h.store.instance(id)->status, "completed");

  auto ran = b.run_jobs(id);
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  EXPECT_TRUE(ran->events.empty());
  EXPECT_EQ(count_of(h.events(id), EventType::kJobCompleted), 1);
  EXPECT_EQ(h.handler->calls().size(), 1U);
}

TEST(EngineTwoEngines, ConcurrentCompletionsOfOneTaskExactlyOneWins) {
  Harness h;
  h.deploy(kProcessXmlV2);
  Engine b(h.store, h.store, h.store, h.registry, h.clock);
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    const std::int64_t id = h.start(dane(round));
    const std::string task = h.open_task(id);
    // Both engines have the instance, with the task open, in their caches.
    ASSERT_TRUE(h.engine.state(id).ok());
    ASSERT_TRUE(b.state(id).ok());

    std::latch go(2);
    Result<CommandOutcome> results[2] = {make_error(ErrorCode::kInternal, "not run"),
                                         make_error(ErrorCode::kInternal, "not run")};
    std::thread ta([&] {
      go.arrive_and_wait();
      results[0] = h.engine.complete_task(task, kLider, {{"por", "A"}});
    });
    std::thread tb([&] {
      go.arrive_and_wait();
      results[1] = b.complete_task(task, kLider, {{"por", "B"}});
    });
    ta.join();
    tb.join();

    const int winners = (results[0].ok() ? 1 : 0) + (results[1].ok() ? 1 : 0);
    EXPECT_EQ(winners, 1) << "round " << round;
    for (const auto& r : results) {
      if (!r.ok()) {
        EXPECT_EQ(r.error().code, ErrorCode::kConflict)
            << "round " << round << ": " << r.error().message;
      }
    }
    const auto log = h.events(id);
    EXPECT_EQ(count_of(log, EventType::kUserTaskCompleted), 1) << "round " << round;
    const std::string winner = results[0].ok() ? "A" : "B";
    EXPECT_EQ(h.store.variables(id)->at("por"), winner) << "round " << round;
  }
}

TEST(EngineStateCache, CapacityTwoStillGivesRightStatesForFiveInstances) {
  EngineOptions options;
  options.state_cache_capacity = 2;
  Harness h(succeeding(), options);
  h.deploy(kProcessXmlV2);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(h.start(dane(i)));

  auto check_all = [&](const char* when) {
    for (std::int64_t id : ids) {
      auto state = h.engine.state(id);
      ASSERT_TRUE(state.ok()) << when;
      EXPECT_TRUE(*state == runtime::fold(h.events(id))) << when << ": instance " << id;
    }
  };
  check_all("after start");

  // Two steps per instance, interleaved so that every step finds its state evicted.
  for (int step = 0; step < 2; ++step) {
    for (std::size_t i : {0U, 2U, 4U, 1U, 3U}) {
      auto done = h.engine.complete_task(h.open_task(ids[i]), kLider,
                                         {{"paso", step}, {"escuela", static_cast<int>(i)}});
      ASSERT_TRUE(done.ok()) << "instance " << ids[i] << " step " << step << ": "
                             << done.error().message;
      check_all("during the steps");
    }
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto state = h.engine.state(ids[i]);
    ASSERT_TRUE(state.ok());
    EXPECT_EQ(state->status, InstanceStatus::kCompleted);
    EXPECT_EQ(state->variables.at("escuela"), static_cast<int>(i));
    EXPECT_EQ(state->variables.at("paso"), 1);
    EXPECT_EQ(state->activation_counts.at("Task_Extra"), 1);
  }
  EXPECT_EQ(h.handler->calls().size(), ids.size());
  // A fresh engine, with nothing cached, reads the same states.
  Engine fresh(h.store, h.store, h.store, h.registry, h.clock);
  for (std::int64_t id : ids) EXPECT_TRUE(*fresh.state(id) == *h.engine.state(id));
}

TEST(EngineStateCache, UnknownInstanceIsNotFound) {
  Harness h;
  h.deploy();
  auto state = h.engine.state(42);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pmiflow::testing
