#include "app/due_timers.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

namespace pmiflow::app {
namespace {

// Timers read per query: a fire that arms a timer due before the rest of a batch ends it.
constexpr std::size_t kBatch = 256;

// What firing one timer did.
enum class Fire { kFired, kSkipped, kNotDue, kArmedEarlier, kFailed };

}  // namespace

Result<DueTimersReport> fire_due_timers(Engine& engine, ReadModel& read_model,
                                        std::int64_t until_ms, ManualClock* simulated, int workers,
                                        const OnFired& on_fired) {
  DueTimersReport report;
  std::mutex mu;  // guards report and failure
  std::optional<Error> failure;
  // Fires timer i of `due`; `next_due`: the due time of the one after it in the batch.
  auto fire = [&](const TimerRow& timer, std::int64_t next_due) -> Fire {
    if (simulated != nullptr && simulated->now_ms() < timer.due_ms) simulated->set(timer.due_ms);
    auto outcome = engine.trigger_timer(timer.instance_id, timer.key);
    std::lock_guard<std::mutex> lock(mu);
    if (!outcome.ok()) {
      // kNotFound: fired or canceled already; kConflict: another runner's command on the
      // instance won the race (the timer is then gone, or left for the next round).
      const ErrorCode code = outcome.error().code;
      if (code == ErrorCode::kInvalidState && simulated == nullptr) return Fire::kNotDue;
      if (code != ErrorCode::kNotFound && code != ErrorCode::kInvalidState &&
          code != ErrorCode::kConflict) {
        if (!failure) failure = outcome.error();
        return Fire::kFailed;
      }
      ++report.skipped;
      return Fire::kSkipped;
    }
    ++report.fired;
    if (on_fired) {
      on_fired(FiredTimer{timer.instance_id, timer.id, timer.element_id, timer.due_ms,
                          engine.clock().now_ms()});
    }
    const bool armed_earlier =
        std::any_of(outcome->events.begin(), outcome->events.end(), [&](const auto& e) {
          const auto* created = e.template get_if<runtime::TimerCreated>();
          return created != nullptr && created->due < next_due;
        });
    return armed_earlier ? Fire::kArmedEarlier : Fire::kFired;
  };

  TimerQuery query;
  query.due_by = until_ms;
  query.limit = kBatch;
  // In order on a simulated clock (each at its due time); else by `workers` threads, whose
  // commands group-commit together.
  const int threads = simulated != nullptr ? 1 : std::max(1, workers);
  while (true) {
    auto due = read_model.timers(query);
    if (!due.ok()) return due.error();
    if (due->empty()) break;
    const std::int64_t fired_before = report.fired;
    bool stop = false;  // not due yet on this clock: the rest are later still
    if (threads == 1) {
      for (std::size_t i = 0; i < due->size(); ++i) {
        const std::int64_t next_due =
            i + 1 < due->size() ? (*due)[i + 1].due_ms : std::numeric_limits<std::int64_t>::max();
        const Fire f = fire((*due)[i], next_due);
        if (f == Fire::kNotDue) stop = true;
        if (f == Fire::kNotDue || f == Fire::kFailed || f == Fire::kArmedEarlier) break;
      }
    } else {
      std::atomic<std::size_t> next{0};
      std::atomic<bool> not_due{false};
      auto worker = [&] {
        for (std::size_t i = next++; i < due->size() && !not_due; i = next++) {
          const Fire f = fire((*due)[i], std::numeric_limits<std::int64_t>::max());
          if (f == Fire::kNotDue || f == Fire::kFailed) not_due = true;  // stop the workers
        }
      };
      std::vector<std::thread> pool;
      pool.reserve(static_cast<std::size_t>(threads));
      for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
      for (auto& th : pool) th.join();
      stop = not_due;
    }
    if (failure) return *failure;
    // Every one was skipped (none is left to fire), or the rest are not due yet.
    if (stop || report.fired == fired_before) break;
  }
  return report;
}

Result<std::optional<std::int64_t>> next_due(ReadModel& read_model) {
  TimerQuery query;
  query.limit = 1;
  auto soonest = read_model.timers(query);
  if (!soonest.ok()) return soonest.error();
  if (soonest->empty()) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(soonest->front().due_ms);
}

}  // namespace pmiflow::app
