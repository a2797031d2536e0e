// What a timer event waits for (<timerEventDefinition>): a date (timeDate), a duration after
// the event is reached (timeDuration) or a cycle (timeCycle, engine/time/cycle.h), written as
// a literal or as a FEEL expression (Camunda's leading '='), which is evaluated when the timer
// is armed. A literal is checked when the definition is read; an expression's value when it is
// armed (an incident when it does not give a date, a duration or a cycle).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/common/result.h"
#include "engine/feel/feel.h"
#include "engine/time/cycle.h"
#include "engine/time/zone.h"

namespace pmiflow::model {

struct TimerDefinition {
  enum class Kind : std::uint8_t { kDate, kDuration, kCycle };
  Kind kind = Kind::kDuration;
  std::string text;                            // as written, without the leading '='
  std::optional<feel::Expression> expression;  // set when written as a FEEL expression
};

// "timeDate", "timeDuration", "timeCycle".
const char* timer_kind_name(TimerDefinition::Kind kind);

// When a timer armed at `now_ms` first fires, from its text (a literal, or an expression's
// value): a date and time (one without an offset or zone is read in `zone`; a date alone is its
// midnight), a duration after `now_ms` (more than zero), or the first fire of a cycle (which is
// kept to compute the next ones). kInvalidArgument saying what the text should be.
struct TimerSchedule {
  std::int64_t due_ms = 0;
  std::optional<time::Cycle> cycle;
};
Result<TimerSchedule> schedule_timer(TimerDefinition::Kind kind, std::string_view text,
                                     std::int64_t now_ms, const time::Zone& zone);

}  // namespace pmiflow::model
