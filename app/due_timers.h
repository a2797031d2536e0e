// Firing the timers that are due: what a runner does each time it wakes (`pmiflow run`), and
// what a simulated clock does to move a period forward (`pmiflow run --clock simulated
// --until DATE`). Each timer fires as its own command (Engine::trigger_timer), soonest due
// first; one that another runner fired first (or was firing: a conflict), or whose owner ended,
// is skipped.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/clock.h"
#include "engine/engine/engine.h"
#include "engine/engine/read_model.h"

namespace pmiflow::app {

struct FiredTimer {
  std::int64_t instance_id = 0;
  std::string timer_id;
  std::string element_id;  // the timer event
  std::int64_t due_ms = 0;
  std::int64_t fired_ms = 0;  // the time of the command that fired it
};

// Counts only: memory does not grow with the number of timers due (the fired ones are handed
// to the caller one by one, on_fired below).
struct DueTimersReport {
  std::int64_t fired = 0;
  std::int64_t skipped = 0;  // fired by another runner first, or canceled
};

// Called once per timer fired, from one thread at a time.
using OnFired = std::function<void(const FiredTimer&)>;

// Fires every timer due at or before `until_ms` (the timers the fires arm are fired too when
// they are due by then). With `simulated`, the clock is moved forward to each timer's due
// time before it fires, so that its events carry that time (never backward); else the
// engine's clock must read `until_ms` or later, or the timers not due yet are left, and the
// timers fire from `workers` threads at once (their commits group together; `fired` is then in
// no particular order). Timers are read a batch at a time.
Result<DueTimersReport> fire_due_timers(Engine& engine, ReadModel& read_model,
                                        std::int64_t until_ms, ManualClock* simulated = nullptr,
                                        int workers = 1, const OnFired& on_fired = {});

// The soonest due time of a waiting timer, if any (when a runner should wake next).
Result<std::optional<std::int64_t>> next_due(ReadModel& read_model);

}  // namespace pmiflow::app
