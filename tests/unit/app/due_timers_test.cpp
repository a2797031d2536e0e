// app::fire_due_timers from several workers, and two engines on one store at once: each timer
// fires exactly once (this file also runs under ThreadSanitizer, label concurrency).

#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "app/due_timers.h"
#include "app_test_util.h"

namespace pmiflow::app {
namespace {

using testing::kT0;

const std::string kTimerXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="espera" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Wait" />
    <bpmn:intermediateCatchEvent id="Wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="Wait" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
)";

constexpr int kTimers = 300;

struct Timers {
  Timers()
      : first(store, store, store, registry, clock), second(store, store, store, registry, clock) {
    EXPECT_TRUE(first.deploy(kTimerXml, "espera.bpmn").ok());
    for (int i = 0; i < kTimers; ++i) {
      auto started = first.start(StartRequest{
          {"espera", "i" + std::to_string(i)}, {}, {}, runtime::Actor::user("ana", "g")});
      EXPECT_TRUE(started.ok());
    }
    clock.set(kT0 + 60 * 1000);
  }
  MemoryStore store;
  HandlerRegistry registry;
  ManualClock clock{kT0};
  Engine first;
  Engine second;
};

TEST(FireDueTimers, WorkersFireEachTimerOnce) {
  Timers t;
  std::set<std::string> ids;
  auto report = fire_due_timers(t.first, t.store, t.clock.now_ms(), nullptr, 4,
                                [&](const FiredTimer& f) { ids.insert(f.timer_id); });
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kTimers));
  EXPECT_EQ(report->fired, kTimers);
  auto left = t.store.timers(TimerQuery{});
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
}

TEST(FireDueTimers, TwoEnginesAtOnceFireEachTimerOnce) {
  Timers t;
  std::mutex mu;
  std::set<std::string> ids;
  int twice = 0;
  const OnFired collect = [&](const FiredTimer& f) {
    std::lock_guard<std::mutex> lock(mu);  // the two engines' callbacks
    twice += ids.insert(f.timer_id).second ? 0 : 1;
  };
  Result<DueTimersReport> a = DueTimersReport{};
  Result<DueTimersReport> b = DueTimersReport{};
  std::thread ta(
      [&] { a = fire_due_timers(t.first, t.store, t.clock.now_ms(), nullptr, 2, collect); });
  std::thread tb(
      [&] { b = fire_due_timers(t.second, t.store, t.clock.now_ms(), nullptr, 2, collect); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(twice, 0);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kTimers));
  EXPECT_EQ(a->fired + b->fired, kTimers);
  int triggered = 0;
  for (std::int64_t id = 1; id <= kTimers; ++id) {
    auto events = t.store.events(id);
    ASSERT_TRUE(events.ok());
    for (const auto& e : *events) triggered += e.type() == runtime::EventType::kTimerTriggered;
  }
  EXPECT_EQ(triggered, kTimers);
}

TEST(FireDueTimers, NothingIsDueBeforeItsTime) {
  Timers t;
  auto report = fire_due_timers(t.first, t.store, kT0 + 59 * 1000, nullptr, 4);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->fired, 0);
  auto next = next_due(t.store);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, kT0 + 60 * 1000);
}

}  // namespace
}  // namespace pmiflow::app
