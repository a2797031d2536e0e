// A BPMN timer cycle (`timeCycle`), in the two forms Camunda 8 accepts:
//
//   - an ISO 8601 repeating interval: "R5/PT10S" (5 times, every 10 s, the first 10 s after the
//     timer is armed), "R/P1M" (every month, without end), "R3/2026-01-01T08:00:00/P1D" (from a
//     start: at the start, then every day, 3 times in all);
//   - a cron expression as Spring's CronExpression (and so Zeebe) reads it: six fields, second
//     minute hour day-of-month month day-of-week ("0 0 8 * * MON-FRI"), or a macro (@yearly,
//     @annually, @monthly, @weekly, @daily, @midnight, @hourly).
//
// Fires are computed in a zone (the engine's, unless the start says otherwise). The n-th fire of
// an interval is its base plus n periods, not the previous fire plus one, so that "R/P1M" from
// January 31 fires on February 28, then March 31, not March 28.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/common/result.h"
#include "engine/time/temporal.h"
#include "engine/time/zone.h"

namespace pmiflow::time {

// Cron fields as sets of allowed values (bit i = value i). Day of week is ISO: 1 = Monday, 7 =
// Sunday.
struct CronFields {
  std::uint64_t seconds = 0;
  std::uint64_t minutes = 0;
  std::uint32_t hours = 0;
  std::uint32_t days_of_month = 0;  // bits 1..31
  bool last_day_of_month = false;   // "L"
  std::uint16_t months = 0;         // bits 1..12
  std::uint8_t days_of_week = 0;    // bits 1..7
  bool operator==(const CronFields&) const = default;
};

class Cycle {
 public:
  enum class Kind { kInterval, kCron };

  // kInvalidArgument quoting the text, saying what is expected; a period of zero or less, "R0"
  // and a cron expression that can never fire (30 February) are refused too.
  static Result<Cycle> parse(std::string_view text);

  Kind kind() const { return kind_; }
  // nullopt: without end ("R/…", every cron expression).
  std::optional<std::int64_t> repetitions() const { return repetitions_; }
  const Duration& period() const { return period_; }
  const std::optional<DateTime>& start() const { return start_; }
  const CronFields& cron() const { return cron_; }

  // The instant of fire number `index` (0 = the first) of the cycle armed at `armed_at`, where
  // `previous` is the instant of the fire before it (`armed_at` for the first); nullopt when the
  // cycle has no such fire. A start in the past counts from the first fire not before
  // `armed_at`. Always later than `previous`, except an interval's start, which may equal it.
  std::optional<std::int64_t> fire(std::int64_t armed_at, std::int64_t index, std::int64_t previous,
                                   const Zone& zone) const;

 private:
  std::optional<std::int64_t> interval_fire(std::int64_t armed_at, std::int64_t index,
                                            const Zone& zone) const;
  Kind kind_ = Kind::kInterval;
  std::optional<std::int64_t> repetitions_;
  Duration period_;
  std::optional<DateTime> start_;
  CronFields cron_;
};

// The first instant after `after` that the cron fields match in `zone`; nullopt if none within
// 28 years (the calendar's cycle of weekdays and leap days).
std::optional<std::int64_t> next_cron_match(const CronFields& cron, std::int64_t after,
                                            const Zone& zone);

// A period a timer can wait: both kinds of duration, more than zero. kInvalidArgument otherwise.
Result<Duration> parse_timer_duration(std::string_view text);

// The instant a duration after `from`, in `zone`: months and days move the wall clock, then the
// hours, minutes and seconds the instant; nullopt on overflow.
std::optional<std::int64_t> add_duration(std::int64_t from, const Duration& d, const Zone& zone);

}  // namespace pmiflow::time
