#include "app/due_timers.h"

#include <algorithm>
#include <limits>
#include <optional>

namespace pmiflow::app {
namespace {

// Timers read per query: a fire that arms a timer due before the rest of a batch ends it.
constexpr std::size_t kBatch = 256;

}  // namespace

Result<DueTimersReport> fire_due_timers(Engine& engine, ReadModel& read_model,
                                        std::int64_t until_ms, ManualClock* simulated) {
  DueTimersReport report;
  TimerQuery query;
  query.due_by = until_ms;
  query.limit = kBatch;
  while (true) {
    auto due = read_model.timers(query);
    if (!due.ok()) return due.error();
    if (due->empty()) break;
    std::int64_t fired_now = 0;
    for (std::size_t i = 0; i < due->size(); ++i) {
      const TimerRow& timer = (*due)[i];
      if (simulated != nullptr && simulated->now_ms() < timer.due_ms) simulated->set(timer.due_ms);
      auto outcome = engine.trigger_timer(timer.instance_id, timer.key);
      if (!outcome.ok()) {
        // kNotFound: fired or canceled already; kConflict: another runner's command on the
        // instance won the race (the timer is then gone, or left for the next round).
        const ErrorCode code = outcome.error().code;
        if (code != ErrorCode::kNotFound && code != ErrorCode::kInvalidState &&
            code != ErrorCode::kConflict) {
          return outcome.error();
        }
        if (code == ErrorCode::kInvalidState && simulated == nullptr) {
          return report;  // not due yet on this clock: the rest are later still
        }
        ++report.skipped;
        continue;
      }
      ++fired_now;
      report.fired.push_back(FiredTimer{timer.instance_id, timer.id, timer.element_id, timer.due_ms,
                                        engine.clock().now_ms()});
      // A timer this fire armed that is due before the next of the batch: read again.
      const std::int64_t next_due =
          i + 1 < due->size() ? (*due)[i + 1].due_ms : std::numeric_limits<std::int64_t>::max();
      const bool armed_earlier =
          std::any_of(outcome->events.begin(), outcome->events.end(), [&](const auto& e) {
            const auto* created = e.template get_if<runtime::TimerCreated>();
            return created != nullptr && created->due < next_due;
          });
      if (armed_earlier) break;
    }
    if (fired_now == 0) break;  // every one was skipped: none is left to fire
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
