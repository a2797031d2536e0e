// The runner behind `pmiflow run`: a long-running loop on Boost.Asio that fires timers as they
// come due (app::fire_due_timers), woken at the soonest due time, and deletes the messages past
// their time to live and deduplication window at each wake. Timers another process arms
// (a `pmiflow complete` that reaches a timer) are seen at the next re-read of the soonest due
// time, every `recheck_ms` at most: one indexed query, not a scan.
//
// Its lifecycle is one Boost.Statechart machine, each transition one structured log line:
//   Starting -> Recovering (count the overdue timers and fire them; correlate the buffered
//   messages a crash left uncorrelated: Engine::correlate_buffered) -> Running -> Draining (on
//   stop(), SIGINT or SIGTERM: take no new work, finish and commit what is in flight) -> Stopped.
// Two runners on one database never fire a timer twice: firing is a command checked like any
// other (Engine::trigger_timer), and the loser drops it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/common/result.h"
#include "engine/engine/engine.h"
#include "engine/engine/store.h"

namespace pmiflow::app {

struct TimerRunnerOptions {
  std::int64_t recheck_ms = 1000;  // the longest wait before re-reading the soonest due time
  bool handle_signals = true;      // stop on SIGINT / SIGTERM
  int workers = 8;                 // threads firing at once (their commits group together)
};

struct TimerRunnerStats {
  std::int64_t overdue_at_start = 0;  // timers already due when it started
  std::int64_t fired = 0;
  std::int64_t skipped = 0;              // fired by another runner first, or canceled
  std::int64_t correlated_at_start = 0;  // buffered messages correlated when it started
  std::int64_t expired = 0;              // messages deleted past their TTL and window
};

// One line per lifecycle transition: {"runner":"state","from":"Starting","to":"Recovering",...}.
using RunnerLog = std::function<void(const std::string& json_line)>;

class TimerRunner {
 public:
  TimerRunner(Engine& engine, Store& store, TimerRunnerOptions options = {}, RunnerLog log = {});
  ~TimerRunner();
  TimerRunner(const TimerRunner&) = delete;
  TimerRunner& operator=(const TimerRunner&) = delete;

  // Runs until stopped; an error of the store ends it (after Draining) and is returned.
  Result<TimerRunnerStats> run();
  // Asks the runner to drain and stop. Thread-safe; may come before run().
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pmiflow::app
