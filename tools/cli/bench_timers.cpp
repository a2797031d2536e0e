// `pmiflow bench-timers`: N instances each wait at a timer that is due at once; then the timers
// fire (app::fire_due_timers, --threads workers whose commits group together) on a fresh
// database. Prints the rate of arming (the starts) and of firing, and the resident memory
// with the N timers waiting, to show that it does not grow with them (the state cache is
// bounded; timers wait as rows).
#include <chrono>
#include <cstdio>

#include "app/due_timers.h"
#include "tools/cli/bench_db.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/session.h"

namespace pmiflow::cli {
namespace {

using Steady = std::chrono::steady_clock;

constexpr const char* kBpmn = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="bench_timer" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Wait" />
    <bpmn:intermediateCatchEvent id="Wait">
      <bpmn:timerEventDefinition><bpmn:timeDate>2026-01-01T00:00:00Z</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="Wait" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
)";

}  // namespace

int cmd_bench_timers(const BenchTimersArgs& a, std::ostream& out, std::ostream& err) {
  const BenchDb db(a.db, "bench-timers", a.fast);
  auto session = open_session(db.path(), OpenMode::kCreate, db.options());
  if (!session.ok()) return fail(err, session.error());
  Engine& engine = *(*session)->engine;
  auto deployed = engine.deploy(kBpmn, "bench_timer.bpmn");
  if (!deployed.ok()) return fail(err, deployed.error());
  const double rss_before = rss_mib();

  // Arm: one instance per timer, from --threads client threads.
  auto arm_s = run_parallel(a.timers, a.threads, [&](int i) -> Status {
    auto started = engine.start(StartRequest{
        {"bench_timer", "t" + std::to_string(i)}, {}, {}, runtime::Actor::user("bench", "")});
    if (!started.ok()) return started.error();
    return {};
  });
  if (!arm_s.ok()) return fail(err, arm_s.error());
  const double rss_armed = rss_mib();

  // Fire: every timer is due.
  const auto fire_start = Steady::now();
  auto report =
      app::fire_due_timers(engine, *(*session)->store, engine.clock().now_ms(), nullptr, a.threads);
  const double fire_s = seconds_since(fire_start);
  if (!report.ok()) return fail(err, report.error());
  const double rss_fired = rss_mib();
  TimerQuery any;
  any.limit = 1;
  auto left = (*session)->store->timers(any);
  if (!left.ok()) return fail(err, left.error());

  char buf[160];
  auto line = [&](const char* label, const char* fmt, double v) {
    std::snprintf(buf, sizeof buf, fmt, v);
    out << label << buf << '\n';
  };
  out << "pmiflow bench-timers: " << a.timers << " timers due at once, " << a.threads
      << " threads, durability " << (a.fast ? "fast (synchronous=NORMAL)" : "full (fsync)") << '\n';
  line("arming (starts) per second: ", "%.0f", static_cast<double>(a.timers) / *arm_s);
  line("timers fired:               ", "%.0f", static_cast<double>(report->fired));
  line("timers skipped:             ", "%.0f", static_cast<double>(report->skipped));
  out << "timers left waiting:        " << (left->empty() ? "none" : "some") << '\n';
  line("firing time:                ", "%.2f s", fire_s);
  line("timers fired per second:    ", "%.0f", static_cast<double>(report->fired) / fire_s);
  line("RSS before arming:          ", "%.1f MiB", rss_before);
  line("RSS with the timers waiting:", " %.1f MiB", rss_armed);
  line("RSS after firing:           ", "%.1f MiB", rss_fired);
  if (report->fired != a.timers || !left->empty()) {
    return fail(err, make_error(ErrorCode::kInternal, "not every timer fired exactly once"));
  }
  return kExitOk;
}

}  // namespace pmiflow::cli
