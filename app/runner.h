// The runner behind `pmiflow run`: a long-running loop on Boost.Asio that, at each wake, fires
// the timers that are due (app::fire_due_timers), works the jobs of the in-process handlers that
// wait for a worker (app::JobWorkers: asynchronous tasks, retries after their backoff, leases a
// dead runner left) and deletes the messages past their time to live and deduplication window.
// It wakes at the soonest due time, and every `recheck_ms` at most to see the timers and jobs
// other processes made (one indexed query each, not a scan).
//
// Its lifecycle is one Boost.Statechart machine, each transition one structured log line:
//   Starting -> Recovering (count the overdue timers and fire them; correlate the buffered
//   messages a crash left uncorrelated: Engine::correlate_buffered) -> Running -> Draining (on
//   stop(), SIGINT or SIGTERM: take no new work, finish and commit what is in flight) -> Stopped.
// Two runners on one database never fire a timer or work a job twice: firing and leasing are
// commands checked like any other (Engine::trigger_timer, Engine::activate_job), and the loser
// drops its part.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/common/result.h"
#include "engine/engine/engine.h"
#include "engine/engine/store.h"

namespace pmiflow::app {

struct RunnerOptions {
  std::int64_t recheck_ms = 1000;  // the longest wait before re-reading the soonest due time
  bool handle_signals = true;      // stop on SIGINT / SIGTERM
  int workers = 8;                 // threads firing at once (their commits group together)
  int job_threads = 64;            // in-process job workers (app/job_workers.h)
};

struct RunnerStats {
  std::int64_t overdue_at_start = 0;  // timers already due when it started
  std::int64_t fired = 0;
  std::int64_t skipped = 0;              // fired by another runner first, or canceled
  std::int64_t correlated_at_start = 0;  // buffered messages correlated when it started
  std::int64_t expired = 0;              // messages deleted past their TTL and window
  std::int64_t jobs_completed = 0;       // by the in-process workers
  std::int64_t jobs_failed = 0;          // failed or a BPMN error thrown
};

// One line per lifecycle transition: {"runner":"state","from":"Starting","to":"Recovering",...}.
using RunnerLog = std::function<void(const std::string& json_line)>;

class Runner {
 public:
  Runner(Engine& engine, Store& store, RunnerOptions options = {}, RunnerLog log = {});
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Runs until stopped; an error of the store ends it (after Draining) and is returned.
  Result<RunnerStats> run();
  // Asks the runner to drain and stop. Thread-safe; may come before run().
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pmiflow::app
