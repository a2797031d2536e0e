// Time zones: a wall clock at a fixed offset or of a named zone of the system's IANA database
// (Debian's tzdata, read through Howard Hinnant's date/tz.h), and the conversions between wall
// clocks and instants (Unix epoch milliseconds).
//
// A wall-clock reading that a zone skips (the hour a daylight-saving change jumps over) is moved
// forward by the length of the gap; one that a zone goes through twice takes the earlier
// instant: java.time's rules, so that a process moved from Camunda fires at the same instants.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/common/result.h"
#include "engine/time/temporal.h"

namespace date {
class time_zone;
}

namespace pmiflow::time {

// The engine's zone when nothing else is configured: the SE's (docs/time.md).
inline constexpr std::string_view kDefaultZoneName = "America/Bogota";

class Zone {
 public:
  static Zone utc();
  static Zone fixed(int offset_seconds);
  // kNotFound naming the zone when the system's tzdata has no such zone; kInvalidArgument when
  // the text cannot be a zone name.
  static Result<Zone> named(std::string_view name);
  // The zone a value says it is in; a local value is in `local`.
  static Result<Zone> of(const ZoneRef& ref, const Zone& local);

  std::int64_t to_instant(std::int64_t local_ms) const;
  std::int64_t to_local(std::int64_t instant_ms) const;
  int offset_seconds_at(std::int64_t instant_ms) const;
  // "America/Bogota", "Z", "+05:30".
  const std::string& name() const { return name_; }
  // The ZoneRef that names this zone in a value.
  ZoneRef ref() const;

 private:
  Zone(const date::time_zone* tz, int offset_seconds, std::string name)
      : tz_(tz), offset_seconds_(offset_seconds), name_(std::move(name)) {}
  const date::time_zone* tz_ = nullptr;  // null: a fixed offset
  int offset_seconds_ = 0;
  std::string name_;
};

// The engine's zone unless configured: America/Bogota; on a system without tzdata, a fixed
// UTC-05:00 (Bogota's offset, without daylight saving, since 1993).
const Zone& default_zone();

// The instant of a date and time; a local one is read in `local`.
Result<std::int64_t> instant_of(const DateTime& dt, const Zone& local);
// The date and time of an instant in a zone (named or at its offset).
DateTime date_time_at(std::int64_t instant_ms, const Zone& zone);

// "+05:00", "-05:30", "Z" for 0.
std::string format_offset(int offset_seconds);

}  // namespace pmiflow::time
