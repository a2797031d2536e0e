// Timers on the SQLite store, as `pmiflow run` fires them (app::fire_due_timers): nothing fires
// early; after a restart every overdue timer fires exactly once; two runners on one database
// never fire a timer twice; on a simulated clock each timer fires at its own due time. The
// runner's in-process workers do the asynchronous jobs the timers reach.

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <csignal>

#include "app/due_timers.h"
#include "app/runner.h"
#include "engine/engine/clock.h"
#include "engine/engine/engine.h"
#include "engine/engine/handler.h"
#include "persistence/sqlite/sqlite_store.h"

namespace pmiflow {
namespace {

using runtime::EventType;

constexpr std::int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kHour = 3600 * 1000;

// Start -> Wait (PT1H) -> Review (a user task with a daily non-interrupting reminder) -> End.
const std::string kXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="espera" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Wait" />
    <bpmn:intermediateCatchEvent id="Wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="Wait" targetRef="Review" />
    <bpmn:userTask id="Review">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="g" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="Daily" cancelActivity="false" attachedToRef="Review">
      <bpmn:timerEventDefinition><bpmn:timeCycle>R/P1D</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_daily" sourceRef="Daily" targetRef="Reminded" />
    <bpmn:endEvent id="Reminded" />
    <bpmn:sequenceFlow id="f3" sourceRef="Review" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
)";

// One runner: a connection to the database, an engine and its clock.
struct World {
  World(const std::string& db, std::int64_t now) : clock(now) {
    persistence::SqliteOptions options;
    options.durability = persistence::SqliteOptions::Durability::kFast;
    auto opened = persistence::SqliteStore::open(db, options);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    store = std::move(*opened);
    engine = std::make_unique<Engine>(*store, *store, *store, handlers, clock);
  }
  std::unique_ptr<persistence::SqliteStore> store;
  HandlerRegistry handlers;
  ManualClock clock;
  std::unique_ptr<Engine> engine;
};

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("pmiflow-timers-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = (dir_ / "pmiflow.db").string();
    World first(db_, kT0);
    ASSERT_TRUE(first.engine->deploy(kXml, "espera.bpmn").ok());
    for (int i = 0; i < kInstances; ++i) {
      auto started = first.engine->start(StartRequest{
          {"espera", "i" + std::to_string(i)}, {}, {}, runtime::Actor::user("ana", "g")});
      ASSERT_TRUE(started.ok()) << started.error().message;
      ids_.push_back(started->instance_id);
    }
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // How many events of `type` the instances wrote, read back from the database.
  int count(World& runner, EventType type) {
    int n = 0;
    for (std::int64_t id : ids_) {
      auto events = runner.store->events(id);
      EXPECT_TRUE(events.ok());
      for (const auto& e : *events) n += e.type() == type ? 1 : 0;
    }
    return n;
  }

  static constexpr int kInstances = 20;
  std::filesystem::path dir_;
  std::string db_;
  std::vector<std::int64_t> ids_;
};

TEST_F(RunnerTest, NothingFiresEarly) {
  World runner(db_, kT0 + kHour - 1);
  auto report = app::fire_due_timers(*runner.engine, *runner.store, runner.clock.now_ms());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->fired, 0);
  EXPECT_EQ(count(runner, EventType::kTimerTriggered), 0);
  auto next = app::next_due(*runner.store);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, kT0 + kHour);
}

TEST_F(RunnerTest, AfterARestartEveryOverdueTimerFiresExactlyOnce) {
  // The engine that armed the timers is gone (SetUp's); a new process opens the database five
  // hours later: each Wait timer is overdue and fires once; each Review's daily reminder is
  // armed for tomorrow, not yet due.
  {
    World restarted(db_, kT0 + 5 * kHour);
    std::vector<app::FiredTimer> fired_list;
    auto report =
        app::fire_due_timers(*restarted.engine, *restarted.store, restarted.clock.now_ms(), nullptr,
                             1, [&](const app::FiredTimer& f) { fired_list.push_back(f); });
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(report->fired, kInstances);
    ASSERT_EQ(fired_list.size(), static_cast<std::size_t>(kInstances));
    for (const auto& fired : fired_list) {
      EXPECT_EQ(fired.element_id, "Wait");
      EXPECT_EQ(fired.due_ms, kT0 + kHour);
      EXPECT_EQ(fired.fired_ms, kT0 + 5 * kHour);
    }
    auto again =
        app::fire_due_timers(*restarted.engine, *restarted.store, restarted.clock.now_ms());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->fired, 0);
  }
  World later(db_, kT0 + 5 * kHour);
  EXPECT_EQ(count(later, EventType::kTimerTriggered), kInstances);
  auto waiting = later.store->timers(TimerQuery{});
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), static_cast<std::size_t>(kInstances));
  for (const auto& t : *waiting) {
    EXPECT_EQ(t.element_id, "Daily");
    EXPECT_EQ(t.due_ms, kT0 + 5 * kHour + 24 * kHour);
  }
}

TEST_F(RunnerTest, TwoRunnersOnOneDatabaseNeverFireATimerTwice) {
  World a(db_, kT0 + 2 * kHour);
  World b(db_, kT0 + 2 * kHour);
  // B read the due timers before A fired them: its fires lose, and write nothing.
  auto stale = b.store->timers(TimerQuery{{}, b.clock.now_ms(), 0});
  ASSERT_TRUE(stale.ok());
  ASSERT_EQ(stale->size(), static_cast<std::size_t>(kInstances));
  auto report = app::fire_due_timers(*a.engine, *a.store, a.clock.now_ms());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->fired, kInstances);
  for (const auto& t : *stale) {
    auto lost = b.engine->trigger_timer(t.instance_id, t.key);
    ASSERT_FALSE(lost.ok());
    EXPECT_EQ(lost.error().code, ErrorCode::kNotFound) << lost.error().message;
  }
  EXPECT_EQ(count(a, EventType::kTimerTriggered), kInstances);

  // Then both at once, on the daily reminders a day later: each fires once in all.
  a.clock.set(kT0 + 27 * kHour);
  b.clock.set(kT0 + 27 * kHour);
  Result<app::DueTimersReport> ra = app::DueTimersReport{};
  Result<app::DueTimersReport> rb = app::DueTimersReport{};
  std::thread ta([&] { ra = app::fire_due_timers(*a.engine, *a.store, a.clock.now_ms()); });
  std::thread tb([&] { rb = app::fire_due_timers(*b.engine, *b.store, b.clock.now_ms()); });
  ta.join();
  tb.join();
  ASSERT_TRUE(ra.ok()) << ra.error().message;
  ASSERT_TRUE(rb.ok()) << rb.error().message;
  EXPECT_EQ(ra->fired + rb->fired, kInstances);
  EXPECT_EQ(count(a, EventType::kTimerTriggered), 2 * kInstances);
  EXPECT_EQ(count(a, EventType::kElementActivated) - count(a, EventType::kElementCompleted),
            kInstances);  // each instance: Review still open, the reminder passed through
}

TEST_F(RunnerTest, OnASimulatedClockEachTimerFiresAtItsDueTimeInOrder) {
  World runner(db_, kT0);
  const std::int64_t until = kT0 + 3 * 24 * kHour + 2 * kHour;
  std::vector<app::FiredTimer> fired_list;
  auto report = app::fire_due_timers(*runner.engine, *runner.store, until, &runner.clock, 1,
                                     [&](const app::FiredTimer& f) { fired_list.push_back(f); });
  ASSERT_TRUE(report.ok()) << report.error().message;
  // Each instance: Wait at +1h, then the daily reminder at +25h, +49h, +73h.
  EXPECT_EQ(report->fired, 4 * kInstances);
  ASSERT_EQ(fired_list.size(), static_cast<std::size_t>(4 * kInstances));
  std::int64_t previous = 0;
  for (const auto& fired : fired_list) {
    EXPECT_EQ(fired.fired_ms, fired.due_ms);  // the events carry the due time
    EXPECT_GE(fired.due_ms, previous);        // soonest first
    previous = fired.due_ms;
  }
  EXPECT_EQ(fired_list.back().due_ms, kT0 + 73 * kHour);
  EXPECT_EQ(runner.clock.now_ms(), kT0 + 73 * kHour);
  auto next = app::next_due(*runner.store);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, kT0 + 97 * kHour);
}

// The states of the runner's log lines, in order.
std::vector<std::string> states(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const auto& line : lines) out.push_back(Json::parse(line)["to"].get<std::string>());
  return out;
}

TEST_F(RunnerTest, TheRunnerRecoversTheOverdueThenRunsUntilItDrains) {
  World runner(db_, kT0 + 2 * kHour);
  std::vector<std::string> lines;
  app::RunnerOptions options;
  options.handle_signals = false;
  app::Runner* self = nullptr;
  app::Runner the_runner(*runner.engine, *runner.store, options, [&](const std::string& line) {
    lines.push_back(line);
    if (states(lines).back() == "Running") self->stop();
  });
  self = &the_runner;
  auto stats = the_runner.run();
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(states(lines),
            (std::vector<std::string>{"Starting", "Recovering", "Running", "Draining", "Stopped"}));
  EXPECT_EQ(stats->overdue_at_start, kInstances);
  EXPECT_EQ(stats->fired, kInstances);
  const Json recovering = Json::parse(lines.at(1));
  EXPECT_EQ(recovering["from"], "Starting");
  EXPECT_EQ(recovering["overdue"], kInstances);
  EXPECT_EQ(Json::parse(lines.at(2))["fired"], kInstances);
  EXPECT_EQ(count(runner, EventType::kTimerTriggered), kInstances);
}

// Start -> Wait (PT1H) -> Avisar (asynchronous, an in-process handler) -> End.
const std::string kAsyncXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="aviso" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Wait" />
    <bpmn:intermediateCatchEvent id="Wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="Wait" targetRef="Avisar" />
    <bpmn:serviceTask id="Avisar">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="test.avisar" />
        <zeebe:properties><zeebe:property name="pmiflow.async" value="true" /></zeebe:properties>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="Avisar" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
)";

class Avisar : public TaskHandler {
 public:
  HandlerResult handle(const HandlerContext& ctx) const override {
    return HandlerResult::success(Variables{{"avisado", ctx.job_id}});
  }
};

// A timer's fire reaches an asynchronous task: the runner's workers do its job in the same
// wake, each job once, leased as "pmiflow-run".
TEST_F(RunnerTest, TheWorkersDoTheAsynchronousJobsTheTimersReach) {
  std::vector<std::int64_t> avisos;
  {
    World first(db_, kT0);
    ASSERT_TRUE(first.engine->deploy(kAsyncXml, "aviso.bpmn").ok());
    for (int i = 0; i < 5; ++i) {
      auto started = first.engine->start(StartRequest{
          {"aviso", "a" + std::to_string(i)}, {}, {}, runtime::Actor::user("ana", "g")});
      ASSERT_TRUE(started.ok()) << started.error().message;
      avisos.push_back(started->instance_id);
    }
  }
  World runner(db_, kT0 + 2 * kHour);
  runner.handlers.add("test.avisar", std::make_shared<Avisar>());
  std::vector<std::string> lines;
  app::RunnerOptions options;
  options.handle_signals = false;
  app::Runner* self = nullptr;
  app::Runner the_runner(*runner.engine, *runner.store, options, [&](const std::string& line) {
    lines.push_back(line);
    if (states(lines).back() == "Running") self->stop();
  });
  self = &the_runner;
  auto stats = the_runner.run();
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->fired, kInstances + 5);
  EXPECT_EQ(stats->jobs_completed, 5);
  EXPECT_EQ(Json::parse(lines.back())["jobs_completed"], 5);
  for (std::int64_t id : avisos) {
    EXPECT_EQ(runner.store->instance(id).value().status, "completed") << id;
    const auto events = runner.store->events(id).value();
    int leases = 0;
    for (const auto& e : events) {
      if (const auto* lease = e.get_if<runtime::JobActivated>()) {
        ++leases;
        EXPECT_EQ(lease->worker, "pmiflow-run");
      }
    }
    EXPECT_EQ(leases, 1) << id;
  }
}

TEST_F(RunnerTest, SigtermDrainsTheRunner) {
  World runner(db_, kT0);
  std::vector<std::string> lines;
  app::Runner the_runner(*runner.engine, *runner.store, {}, [&](const std::string& line) {
    lines.push_back(line);
    if (states(lines).back() == "Running") std::raise(SIGTERM);
  });
  auto stats = the_runner.run();
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(states(lines),
            (std::vector<std::string>{"Starting", "Recovering", "Running", "Draining", "Stopped"}));
  EXPECT_EQ(Json::parse(lines.at(3))["signal"], "SIGTERM");
  EXPECT_EQ(stats->fired, 0);  // nothing was due at kT0
}

TEST_F(RunnerTest, StoppedBeforeItRunsItNeverFires) {
  World runner(db_, kT0 + 2 * kHour);
  std::vector<std::string> lines;
  app::Runner the_runner(*runner.engine, *runner.store, {},
                         [&](const std::string& line) { lines.push_back(line); });
  the_runner.stop();
  auto stats = the_runner.run();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(states(lines), (std::vector<std::string>{"Starting", "Draining", "Stopped"}));
  EXPECT_EQ(count(runner, EventType::kTimerTriggered), 0);
}

}  // namespace
}  // namespace pmiflow
