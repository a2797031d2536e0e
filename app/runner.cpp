#include "app/runner.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <optional>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/mpl/list.hpp>
#include <boost/statechart/custom_reaction.hpp>
#include <boost/statechart/event.hpp>
#include <boost/statechart/simple_state.hpp>
#include <boost/statechart/state_machine.hpp>
#include <boost/statechart/transition.hpp>

#include "app/due_timers.h"
#include "app/job_workers.h"
#include "engine/common/json.h"

namespace pmiflow::app {
// Not in an anonymous namespace: Boost.Statechart declares functions over the event types that
// need linkage.
namespace runner_lifecycle {

namespace sc = boost::statechart;

struct EvStarted : sc::event<EvStarted> {};
struct EvRecovered : sc::event<EvRecovered> {};
struct EvStop : sc::event<EvStop> {};
struct EvDrained : sc::event<EvDrained> {};

struct Starting;
struct Recovering;
struct Running;
struct Draining;
struct Stopped;

// The lifecycle: which transitions exist. Each transition is logged by the runner as it makes
// it (entered()), with what it did.
struct Lifecycle : sc::state_machine<Lifecycle, Starting> {
  explicit Lifecycle(RunnerLog log) : log_(std::move(log)) {}
  void entered(const char* state, Json detail = Json::object()) {
    detail["runner"] = "state";
    detail["from"] = current_;
    detail["to"] = state;
    current_ = state;
    if (log_) log_(json_text(detail));
  }
  const std::string& current() const { return current_; }
  Json next_detail = Json::object();  // what the next transition's line says besides the states

 private:
  RunnerLog log_;
  std::string current_ = "none";
};

struct Starting : sc::simple_state<Starting, Lifecycle> {
  using reactions =
      boost::mpl::list<sc::transition<EvStarted, Recovering>, sc::transition<EvStop, Draining>>;
};
struct Recovering : sc::simple_state<Recovering, Lifecycle> {
  using reactions =
      boost::mpl::list<sc::transition<EvRecovered, Running>, sc::transition<EvStop, Draining>>;
};
struct Running : sc::simple_state<Running, Lifecycle> {
  using reactions = sc::transition<EvStop, Draining>;
};
struct Draining : sc::simple_state<Draining, Lifecycle> {
  using reactions = sc::transition<EvDrained, Stopped>;
};
struct Stopped : sc::simple_state<Stopped, Lifecycle> {};

}  // namespace runner_lifecycle

using namespace runner_lifecycle;

namespace {

JobWorkersOptions job_workers_options(const RunnerOptions& o) {
  JobWorkersOptions options;
  options.threads = o.job_threads;
  return options;
}

}  // namespace

struct Runner::Impl {
  Impl(Engine& e, Store& r, RunnerOptions o, RunnerLog l)
      : engine(e),
        store(r),
        options(o),
        machine(std::move(l)),
        wake(io),
        signals(io),
        jobs(e, r, job_workers_options(o)) {}

  Json take_detail() { return std::exchange(machine.next_detail, Json::object()); }

  bool is(const char* state) const { return machine.current() == state; }

  // Fires what is due now, works the jobs of the in-process handlers that wait for a worker,
  // and deletes the expired messages; false on a store error (kept in `failure`).
  bool fire_due() {
    const std::int64_t now = engine.clock().now_ms();
    auto report = fire_due_timers(engine, store, now, nullptr, options.workers);
    if (!report.ok()) {
      failure = report.error();
      return false;
    }
    stats.fired += report->fired;
    stats.skipped += report->skipped;
    auto worked = jobs.work_due();
    if (!worked.ok()) {
      failure = worked.error();
      return false;
    }
    stats.jobs_completed += worked->completed;
    stats.jobs_failed += worked->failed + worked->errors;
    auto expired = store.expire_messages(now);
    if (!expired.ok()) {
      failure = expired.error();
      return false;
    }
    stats.expired += static_cast<std::int64_t>(*expired);
    return true;
  }

  // Waits until the soonest due time, or recheck_ms, whichever is first.
  void arm_wake() {
    if (!is("Running")) return;
    auto next = next_due(store);
    if (!next.ok()) {
      failure = next.error();
      begin_drain();
      return;
    }
    const std::int64_t now = engine.clock().now_ms();
    std::int64_t wait = options.recheck_ms;
    if (*next) wait = std::clamp<std::int64_t>(**next - now, 0, options.recheck_ms);
    wake.expires_after(std::chrono::milliseconds(wait));
    wake.async_wait([this](const boost::system::error_code& ec) {
      if (ec || !is("Running")) return;
      if (!fire_due()) {
        begin_drain();
        return;
      }
      arm_wake();
    });
  }

  void begin_drain() {
    if (is("Draining") || is("Stopped")) return;
    machine.next_detail["fired"] = stats.fired;  // with the signal's name, when one stops it
    machine.next_detail["skipped"] = stats.skipped;
    machine.process_event(EvStop());
    machine.entered("Draining", take_detail());
    wake.cancel();
    signals.cancel();
    // Whatever fire was in flight has returned (this runs on the loop's one thread) and its
    // events are committed: nothing is left to finish.
    machine.next_detail = {{"fired", stats.fired},
                           {"skipped", stats.skipped},
                           {"jobs_completed", stats.jobs_completed},
                           {"jobs_failed", stats.jobs_failed}};
    machine.process_event(EvDrained());
    machine.entered("Stopped", take_detail());
    io.stop();
  }

  Engine& engine;
  Store& store;
  RunnerOptions options;
  Lifecycle machine;
  boost::asio::io_context io;
  boost::asio::steady_timer wake;
  boost::asio::signal_set signals;
  RunnerStats stats;
  std::optional<Error> failure;
  JobWorkers jobs;  // last: its pool's threads stop before the rest is destroyed
};

Runner::Runner(Engine& engine, Store& store, RunnerOptions options, RunnerLog log)
    : impl_(std::make_unique<Impl>(engine, store, options, std::move(log))) {}

Runner::~Runner() = default;

void Runner::stop() {
  boost::asio::post(impl_->io, [impl = impl_.get()] { impl->begin_drain(); });
}

Result<RunnerStats> Runner::run() {
  Impl& r = *impl_;
  r.machine.initiate();
  r.machine.entered("Starting");
  if (r.options.handle_signals) {
    r.signals.add(SIGINT);
    r.signals.add(SIGTERM);
    r.signals.async_wait([&r](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      r.machine.next_detail["signal"] = signal == SIGINT ? "SIGINT" : "SIGTERM";
      r.begin_drain();
    });
  }
  // Recovering: the timers that came due while no runner ran fire first, each once.
  boost::asio::post(r.io, [&r] {
    if (!r.is("Starting")) return;
    TimerQuery overdue;
    overdue.due_by = r.engine.clock().now_ms();
    auto due = r.store.timers(overdue);
    if (!due.ok()) {
      r.failure = due.error();
      r.begin_drain();
      return;
    }
    r.stats.overdue_at_start = static_cast<std::int64_t>(due->size());
    r.machine.next_detail = {{"overdue", r.stats.overdue_at_start}};
    r.machine.process_event(EvStarted());
    r.machine.entered("Recovering", r.take_detail());
    if (!r.fire_due()) {
      r.begin_drain();
      return;
    }
    auto correlated = r.engine.correlate_buffered();
    if (!correlated.ok()) {
      r.failure = correlated.error();
      r.begin_drain();
      return;
    }
    r.stats.correlated_at_start = static_cast<std::int64_t>(*correlated);
    if (!r.is("Recovering")) return;
    r.machine.next_detail = {{"fired", r.stats.fired},
                             {"skipped", r.stats.skipped},
                             {"correlated", r.stats.correlated_at_start}};
    r.machine.process_event(EvRecovered());
    r.machine.entered("Running", r.take_detail());
    r.arm_wake();
  });
  r.io.run();
  if (r.failure) return *r.failure;
  return r.stats;
}

}  // namespace pmiflow::app
