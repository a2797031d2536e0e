// `pmiflow bench-timers`: N instances each wait at a timer that is due at once; then the timers
// fire (app::fire_due_timers, --threads workers whose commits group together) on a fresh
// database. Prints the rate of arming (the starts) and of firing, and the resident memory
// with the N timers waiting, to show that it does not grow with them (the state cache is
// bounded; timers wait as rows).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

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

// Resident memory now, from /proc/self/statm (MiB).
double rss_mib() {
  std::ifstream in("/proc/self/statm");
  long pages = 0;
  long resident = 0;
  in >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

double seconds_since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

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
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::string first_error;
  std::mutex error_mu;
  auto starter = [&] {
    for (int i = next++; i < a.timers && !failed; i = next++) {
      auto started = engine.start(StartRequest{
          {"bench_timer", "t" + std::to_string(i)}, {}, {}, runtime::Actor::user("bench", "")});
      if (!started.ok()) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (!failed.exchange(true)) first_error = started.error().message;
      }
    }
  };
  const auto arm_start = Steady::now();
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(a.threads));
  for (int t = 0; t < a.threads; ++t) pool.emplace_back(starter);
  for (auto& th : pool) th.join();
  const double arm_s = seconds_since(arm_start);
  if (failed) return fail(err, make_error(ErrorCode::kInternal, first_error));
  TimerQuery all;
  auto waiting = (*session)->store->timers(all);
  if (!waiting.ok()) return fail(err, waiting.error());
  const double rss_armed = rss_mib();

  // Fire: every timer is due.
  const auto fire_start = Steady::now();
  auto report =
      app::fire_due_timers(engine, *(*session)->store, engine.clock().now_ms(), nullptr, a.threads);
  const double fire_s = seconds_since(fire_start);
  if (!report.ok()) return fail(err, report.error());
  auto left = (*session)->store->timers(all);
  if (!left.ok()) return fail(err, left.error());
  const double rss_fired = rss_mib();

  char buf[160];
  auto line = [&](const char* label, const char* fmt, double v) {
    std::snprintf(buf, sizeof buf, fmt, v);
    out << label << buf << '\n';
  };
  out << "pmiflow bench-timers: " << a.timers << " timers due at once, " << a.threads
      << " threads, durability " << (a.fast ? "fast (synchronous=NORMAL)" : "full (fsync)") << '\n';
  line("timers armed (waiting):     ", "%.0f", static_cast<double>(waiting->size()));
  line("arming (starts) per second: ", "%.0f", static_cast<double>(a.timers) / arm_s);
  line("timers fired:               ", "%.0f", static_cast<double>(report->fired.size()));
  line("timers skipped:             ", "%.0f", static_cast<double>(report->skipped));
  line("timers left waiting:        ", "%.0f", static_cast<double>(left->size()));
  line("firing time:                ", "%.2f s", fire_s);
  line("timers fired per second:    ", "%.0f", static_cast<double>(report->fired.size()) / fire_s);
  line("RSS before arming:          ", "%.1f MiB", rss_before);
  line("RSS with the timers waiting:", " %.1f MiB", rss_armed);
  line("RSS after firing:           ", "%.1f MiB", rss_fired);
  if (static_cast<int>(report->fired.size()) != a.timers || !left->empty()) {
    return fail(err, make_error(ErrorCode::kInternal, "not every timer fired exactly once"));
  }
  return kExitOk;
}

}  // namespace pmiflow::cli
