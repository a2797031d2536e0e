// Calendar values as FEEL and BPMN timers know them (DMN 1.3 §10.3.2.3, ISO 8601): a date, a
// time of day, a date and time (local, at a fixed offset, or in a named zone), and the two kinds
// of duration. Each is a plain value: parsed from and written as ISO text, compared and added
// here, turned into an instant (Unix epoch milliseconds) with a Zone (zone.h).
//
// Precision is the millisecond (the engine's clock): a fraction of a second with more digits is
// cut to three. Years run from -9999 to 9999.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/common/result.h"

namespace pmiflow::time {

inline constexpr std::int64_t kMsPerSecond = 1000;
inline constexpr std::int64_t kMsPerMinute = 60 * kMsPerSecond;
inline constexpr std::int64_t kMsPerHour = 60 * kMsPerMinute;
inline constexpr std::int64_t kMsPerDay = 24 * kMsPerHour;

// a / b rounded down (toward minus infinity), b > 0: the day of a negative millisecond count.
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

// `text` in single quotes for a message, cut after 80 bytes.
std::string quote_text(std::string_view text);

// A day of the proleptic Gregorian calendar, as days since 1970-01-01.
struct Date {
  std::int64_t days = 0;
  int year() const;
  int month() const;    // 1..12
  int day() const;      // 1..31
  int weekday() const;  // ISO: 1 = Monday .. 7 = Sunday
  auto operator<=>(const Date&) const = default;
};

// Where a time or a date and time is: nowhere said (local), at a fixed offset from UTC, or in a
// named zone of the IANA database ("America/Bogota"), whose offset depends on the date.
struct ZoneRef {
  enum class Kind { kLocal, kOffset, kNamed };
  Kind kind = Kind::kLocal;
  int offset_seconds = 0;  // kOffset
  std::string name;        // kNamed
  bool operator==(const ZoneRef&) const = default;
};

// A time of day, optionally at an offset or zone (FEEL `time("10:30:00@America/Bogota")`).
struct TimeOfDay {
  std::int64_t ms = 0;  // since midnight, 0 .. kMsPerDay - 1
  ZoneRef zone;
  bool operator==(const TimeOfDay&) const = default;
};

// A date and time. `local_ms` is the wall-clock reading as milliseconds since 1970-01-01T00:00
// of that same wall clock; with a zone it becomes an instant (zone.h, to_instant).
struct DateTime {
  std::int64_t local_ms = 0;
  ZoneRef zone;
  Date date() const;
  std::int64_t time_ms() const;  // since midnight
  bool operator==(const DateTime&) const = default;
};

// An ISO 8601 duration. FEEL keeps two kinds apart: "years and months" (only `months`) and
// "days and time" (days and ms, an exact length: a day is 24 hours); a BPMN timer may give both
// ("P1MT12H": a month, then 12 hours) and, as Zeebe does, moves the wall clock by the months and
// days (P1D is the same time tomorrow, even over a daylight-saving change) and the instant by the
// rest. The parser keeps days * 24 h + ms within 64 bits.
struct Duration {
  std::int64_t months = 0;
  std::int64_t days = 0;    // W and D units
  std::int64_t ms = 0;      // H, M and S units
  bool has_months = false;  // the text had a Y or M (date part) unit
  bool has_time = false;    // the text had a W, D, H, M (time part) or S unit
  std::int64_t total_ms() const { return days * kMsPerDay + ms; }
  bool operator==(const Duration& o) const {
    return months == o.months && total_ms() == o.total_ms();
  }
};

// Parsers: kInvalidArgument with a message that quotes the text and says what is expected.
// "2026-03-01"
Result<Date> parse_date(std::string_view text);
// "10:30", "10:30:15", "10:30:15.250", each optionally followed by "Z", "+05:00", "-0500",
// "@America/Bogota".
Result<TimeOfDay> parse_time_of_day(std::string_view text);
// A date, 'T', a time as above; also "2026-03-01T10:30:00-05:00[America/Bogota]" (Java's and
// Camunda's zoned form: the named zone wins).
Result<DateTime> parse_date_time(std::string_view text);
// "P1Y2M", "P3W", "P1DT2H30M", "PT0.5S", "-P1D"; both kinds in one text are accepted here
// (check has_months / has_time where only one kind is allowed).
Result<Duration> parse_duration(std::string_view text);

// ISO text, as FEEL-Scala writes it: seconds always, a fraction only when not zero; a named zone
// as "@Region/City".
std::string format_date(const Date& d);
std::string format_time_of_day(const TimeOfDay& t);
std::string format_date_time(const DateTime& dt);
// A duration of one kind: "P1Y2M" / "P0M" (years and months), "P1DT2H" / "PT0S" (days and
// time, normalized: PT36H is P1DT12H); with both parts, "P1MT12H".
std::string format_duration(const Duration& d);

// Calendar arithmetic, each nullopt on overflow or a year out of range.
// Months added to a date keep its day, or the month's last day when the month is shorter
// (2026-01-31 + P1M = 2026-02-28), as java.time and FEEL-Scala do.
std::optional<Date> add_months(const Date& d, std::int64_t months);
std::optional<Date> add_days(const Date& d, std::int64_t days);
// Months to the wall clock (same day-of-month rule), then milliseconds.
std::optional<DateTime> add_local(const DateTime& dt, std::int64_t months, std::int64_t ms);
// Whole months from `from` to `to` (FEEL `years and months duration(from, to)`, java.time's
// Period.between): negative when `to` is earlier; a month counts only once its day is reached.
std::int64_t months_between(const Date& from, const Date& to);

// The date from year, month, day; nullopt when there is no such day.
std::optional<Date> make_date(std::int64_t year, std::int64_t month, std::int64_t day);

}  // namespace pmiflow::time
