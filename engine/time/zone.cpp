#include "engine/time/zone.h"

#include <date/tz.h>

#include <chrono>
#include <cstdio>
#include <exception>

#include "engine/common/utf8.h"

namespace pmiflow::time {
namespace {

namespace chr = std::chrono;

// "America/Bogota", "Etc/GMT+5", "UTC": letters, digits and _ + - in parts separated by '/',
// no part empty, "." or "..", so that the name cannot leave the zoneinfo directory.
bool is_zone_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  std::size_t part = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '/') {
      if (i == part) return false;
      part = i + 1;
      continue;
    }
    char c = name[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '+' || c == '-';
    if (!ok) return false;
  }
  return true;
}

chr::sys_seconds sys_seconds_of(std::int64_t ms) {
  return chr::sys_seconds{chr::seconds{floor_div(ms, 1000)}};
}

}  // namespace

Zone Zone::utc() {
  return Zone(nullptr, 0, "Z");
}

Zone Zone::fixed(int offset_seconds) {
  return Zone(nullptr, offset_seconds, format_offset(offset_seconds));
}

Result<Zone> Zone::named(std::string_view name) {
  std::string shown(utf8_prefix(name, 64));
  if (!is_zone_name(name)) {
    return Error{ErrorCode::kInvalidArgument,
                 "'" + shown + "' is not a time zone name (expected an IANA name such as " +
                     std::string(kDefaultZoneName) + ")"};
  }
  try {
    const date::time_zone* tz = date::locate_zone(name);
    return Zone(tz, 0, std::string(name));
  } catch (const std::exception&) {
    return Error{ErrorCode::kNotFound, "the time zone '" + shown +
                                           "' is not in the system's time zone database "
                                           "(/usr/share/zoneinfo, Debian's tzdata)"};
  }
}

Result<Zone> Zone::of(const ZoneRef& ref, const Zone& local) {
  switch (ref.kind) {
    case ZoneRef::Kind::kLocal:
      return local;
    case ZoneRef::Kind::kOffset:
      return ref.offset_seconds == 0 ? utc() : fixed(ref.offset_seconds);
    case ZoneRef::Kind::kNamed:
      return named(ref.name);
  }
  return local;
}

std::int64_t Zone::to_instant(std::int64_t local_ms) const {
  if (tz_ == nullptr) return local_ms - std::int64_t{offset_seconds_} * 1000;
  chr::sys_seconds as_sys = sys_seconds_of(local_ms);
  date::local_seconds local{as_sys.time_since_epoch()};
  // Unique: first is the offset. Skipped: first is the offset before the gap, which moves the
  // reading forward by the gap. Repeated: first is the earlier of the two.
  date::local_info info = tz_->get_info(local);
  return local_ms - static_cast<std::int64_t>(info.first.offset.count()) * 1000;
}

int Zone::offset_seconds_at(std::int64_t instant_ms) const {
  if (tz_ == nullptr) return offset_seconds_;
  return static_cast<int>(tz_->get_info(sys_seconds_of(instant_ms)).offset.count());
}

std::int64_t Zone::to_local(std::int64_t instant_ms) const {
  return instant_ms + std::int64_t{offset_seconds_at(instant_ms)} * 1000;
}

ZoneRef Zone::ref() const {
  if (tz_ != nullptr) return ZoneRef{ZoneRef::Kind::kNamed, 0, name_};
  return ZoneRef{ZoneRef::Kind::kOffset, offset_seconds_, {}};
}

const Zone& default_zone() {
  static const Zone zone = [] {
    auto z = Zone::named(kDefaultZoneName);
    return z.ok() ? *z : Zone::fixed(-5 * 3600);
  }();
  return zone;
}

Result<std::int64_t> instant_of(const DateTime& dt, const Zone& local) {
  auto zone = Zone::of(dt.zone, local);
  if (!zone.ok()) return zone.error();
  return zone->to_instant(dt.local_ms);
}

DateTime date_time_at(std::int64_t instant_ms, const Zone& zone) {
  return DateTime{zone.to_local(instant_ms), zone.ref()};
}

std::string format_offset(int offset_seconds) {
  if (offset_seconds == 0) return "Z";
  int a = offset_seconds < 0 ? -offset_seconds : offset_seconds;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset_seconds < 0 ? '-' : '+', a / 3600,
                a / 60 % 60);
  return buf;
}

}  // namespace pmiflow::time
