#include "engine/feel/temporal_value.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "engine/feel/value.h"

namespace pmiflow::feel {
namespace {

using time::kMsPerDay;
using time::kMsPerSecond;

// Layout of the binary payload: the amount (days, ms of day, local ms, months or ms) as 8 bytes,
// then for times and date-times the zone: its kind (1 byte), its offset in seconds (4 bytes)
// and its name.
void put_i64(std::vector<std::uint8_t>& out, std::int64_t v) {
  std::uint8_t bytes[8];
  std::memcpy(bytes, &v, 8);
  out.insert(out.end(), bytes, bytes + 8);
}

std::int64_t get_i64(const std::vector<std::uint8_t>& in, std::size_t at) {
  std::int64_t v = 0;
  std::memcpy(&v, in.data() + at, 8);
  return v;
}

void put_zone(std::vector<std::uint8_t>& out, const time::ZoneRef& zone) {
  out.push_back(static_cast<std::uint8_t>(zone.kind));
  std::int32_t offset = zone.offset_seconds;
  std::uint8_t bytes[4];
  std::memcpy(bytes, &offset, 4);
  out.insert(out.end(), bytes, bytes + 4);
  out.insert(out.end(), zone.name.begin(), zone.name.end());
}

bool get_zone(const std::vector<std::uint8_t>& in, std::size_t at, time::ZoneRef& zone) {
  if (in.size() < at + 5) return false;
  zone.kind = static_cast<time::ZoneRef::Kind>(in[at]);
  std::int32_t offset = 0;
  std::memcpy(&offset, in.data() + at + 1, 4);
  zone.offset_seconds = offset;
  zone.name.assign(in.begin() + static_cast<std::ptrdiff_t>(at + 5), in.end());
  return true;
}

const char* kind_name(TemporalKind kind) {
  switch (kind) {
    case TemporalKind::kDate:
      return "date";
    case TemporalKind::kTime:
      return "time";
    case TemporalKind::kDateTime:
      return "date and time";
    case TemporalKind::kYearsMonths:
      return "years and months duration";
    case TemporalKind::kDaysTime:
      return "days and time duration";
  }
  return "temporal";
}

bool is_duration(const Temporal& t) {
  return t.kind == TemporalKind::kYearsMonths || t.kind == TemporalKind::kDaysTime;
}

// The instant of a date and time; a local one is read in `zone`.
std::int64_t instant(const time::DateTime& dt, const time::Zone& zone) {
  auto at = time::instant_of(dt, zone);
  return at.ok() ? *at : zone.to_instant(dt.local_ms);
}

bool time_of_day_key(const time::TimeOfDay& t, std::int64_t& key) {
  switch (t.zone.kind) {
    case time::ZoneRef::Kind::kLocal:
      key = t.ms;
      return true;
    case time::ZoneRef::Kind::kOffset:
      key = t.ms - std::int64_t{t.zone.offset_seconds} * kMsPerSecond;
      return true;
    case time::ZoneRef::Kind::kNamed:
      return false;  // its offset depends on a date it does not have
  }
  return false;
}

bool fail(std::string& error, std::string message) {
  error = std::move(message);
  return false;
}

std::string describe_operand(const Json& v) {
  Temporal t;
  return read_temporal(v, t) ? describe_temporal(t) : describe(v);
}

// Date and date-time plus a duration (sign already applied).
bool shift(const Temporal& base, const Temporal& d, const time::Zone& zone, Json& out) {
  const bool months = d.kind == TemporalKind::kYearsMonths;
  switch (base.kind) {
    case TemporalKind::kDate: {
      if (months) {
        auto r = time::add_months(base.date, d.amount);
        if (!r) return false;
        out = date_json(*r);
        return true;
      }
      std::int64_t day_ms = 0;
      if (__builtin_mul_overflow(base.date.days, kMsPerDay, &day_ms)) return false;
      auto r = time::add_local(time::DateTime{day_ms, {}}, 0, d.amount);
      if (!r) return false;
      out = date_json(r->date());
      return true;
    }
    case TemporalKind::kDateTime: {
      const time::DateTime& dt = base.date_time;
      if (months || dt.zone.kind != time::ZoneRef::Kind::kNamed) {
        auto r = time::add_local(dt, months ? d.amount : 0, months ? 0 : d.amount);
        if (!r) return false;
        out = date_time_json(*r);
        return true;
      }
      // In a named zone, time moves the instant (over a daylight-saving change too).
      auto z = time::Zone::of(dt.zone, zone);
      if (!z.ok()) return false;
      std::int64_t at = 0;
      if (__builtin_add_overflow(z->to_instant(dt.local_ms), d.amount, &at)) return false;
      time::DateTime r = time::date_time_at(at, *z);
      if (!time::add_local(r, 0, 0)) return false;  // the year is in range
      out = date_time_json(r);
      return true;
    }
    case TemporalKind::kTime: {
      if (months) return false;
      Temporal t = base;
      std::int64_t ms = (base.time.ms + d.amount % kMsPerDay) % kMsPerDay;
      t.time.ms = ms < 0 ? ms + kMsPerDay : ms;
      out = temporal_json(t);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

Json temporal_json(const Temporal& t) {
  std::vector<std::uint8_t> bytes;
  switch (t.kind) {
    case TemporalKind::kDate:
      put_i64(bytes, t.date.days);
      break;
    case TemporalKind::kTime:
      put_i64(bytes, t.time.ms);
      put_zone(bytes, t.time.zone);
      break;
    case TemporalKind::kDateTime:
      put_i64(bytes, t.date_time.local_ms);
      put_zone(bytes, t.date_time.zone);
      break;
    case TemporalKind::kYearsMonths:
    case TemporalKind::kDaysTime:
      put_i64(bytes, t.amount);
      break;
  }
  return Json::binary(std::move(bytes), static_cast<std::uint8_t>(t.kind));
}

Json date_json(const time::Date& d) {
  Temporal t;
  t.kind = TemporalKind::kDate;
  t.date = d;
  return temporal_json(t);
}

Json date_time_json(const time::DateTime& dt) {
  Temporal t;
  t.kind = TemporalKind::kDateTime;
  t.date_time = dt;
  return temporal_json(t);
}

Json years_months_json(std::int64_t months) {
  Temporal t;
  t.kind = TemporalKind::kYearsMonths;
  t.amount = months;
  return temporal_json(t);
}

Json days_time_json(std::int64_t ms) {
  Temporal t;
  t.kind = TemporalKind::kDaysTime;
  t.amount = ms;
  return temporal_json(t);
}

bool is_temporal(const Json& v) {
  return v.is_binary() && v.get_binary().has_subtype() && v.get_binary().subtype() >= 1 &&
         v.get_binary().subtype() <= 5 && v.get_binary().size() >= 8;
}

bool read_temporal(const Json& v, Temporal& out) {
  if (!is_temporal(v)) return false;
  const auto& bytes = v.get_binary();
  out = Temporal{};
  out.kind = static_cast<TemporalKind>(bytes.subtype());
  std::int64_t amount = get_i64(bytes, 0);
  switch (out.kind) {
    case TemporalKind::kDate:
      out.date.days = amount;
      return true;
    case TemporalKind::kTime:
      out.time.ms = amount;
      return get_zone(bytes, 8, out.time.zone);
    case TemporalKind::kDateTime:
      out.date_time.local_ms = amount;
      return get_zone(bytes, 8, out.date_time.zone);
    case TemporalKind::kYearsMonths:
    case TemporalKind::kDaysTime:
      out.amount = amount;
      return true;
  }
  return false;
}

std::string temporal_text(const Temporal& t) {
  switch (t.kind) {
    case TemporalKind::kDate:
      return time::format_date(t.date);
    case TemporalKind::kTime:
      return time::format_time_of_day(t.time);
    case TemporalKind::kDateTime:
      return time::format_date_time(t.date_time);
    case TemporalKind::kYearsMonths: {
      time::Duration d;
      d.months = t.amount;
      d.has_months = true;
      return time::format_duration(d);
    }
    case TemporalKind::kDaysTime: {
      time::Duration d;
      d.ms = t.amount;
      d.has_time = true;
      return time::format_duration(d);
    }
  }
  return {};
}

std::string describe_temporal(const Temporal& t) {
  return std::string(kind_name(t.kind)) + " " + temporal_text(t);
}

Json to_output(Json v) {
  Temporal t;
  if (read_temporal(v, t)) return Json(temporal_text(t));
  if (v.is_array() || v.is_object()) {
    for (auto& item : v) item = to_output(std::move(item));
  }
  return v;
}

std::optional<Json> temporal_property(const Temporal& t, const std::string& name) {
  auto zone_of = [](const time::ZoneRef& z) -> Json {
    return z.kind == time::ZoneRef::Kind::kNamed ? Json(z.name) : Json();
  };
  auto clock = [&](std::int64_t ms, const time::ZoneRef& z) -> std::optional<Json> {
    if (name == "hour") return Json(ms / time::kMsPerHour);
    if (name == "minute") return Json(ms / time::kMsPerMinute % 60);
    if (name == "second") return Json(ms / kMsPerSecond % 60);
    if (name == "timezone") return zone_of(z);
    return std::nullopt;
  };
  auto calendar = [&](const time::Date& d) -> std::optional<Json> {
    if (name == "year") return Json(d.year());
    if (name == "month") return Json(d.month());
    if (name == "day") return Json(d.day());
    if (name == "weekday") return Json(d.weekday());
    return std::nullopt;
  };
  switch (t.kind) {
    case TemporalKind::kDate:
      return calendar(t.date);
    case TemporalKind::kTime:
      return clock(t.time.ms, t.time.zone);
    case TemporalKind::kDateTime: {
      if (auto v = calendar(t.date_time.date())) return v;
      return clock(t.date_time.time_ms(), t.date_time.zone);
    }
    case TemporalKind::kYearsMonths:
      if (name == "years") return Json(t.amount / 12);
      if (name == "months") return Json(t.amount % 12);
      return std::nullopt;
    case TemporalKind::kDaysTime:
      if (name == "days") return Json(t.amount / kMsPerDay);
      if (name == "hours") return Json(t.amount % kMsPerDay / time::kMsPerHour);
      if (name == "minutes") return Json(t.amount % time::kMsPerHour / time::kMsPerMinute);
      if (name == "seconds") return Json(t.amount % time::kMsPerMinute / kMsPerSecond);
      return std::nullopt;
  }
  return std::nullopt;
}

bool compare_temporals(const Temporal& a, const Temporal& b, const time::Zone& zone,
                       std::partial_ordering& order, std::string& error) {
  if (a.kind != b.kind) {
    return fail(error, "cannot compare " + describe_temporal(a) + " with " + describe_temporal(b));
  }
  switch (a.kind) {
    case TemporalKind::kDate:
      order = a.date.days <=> b.date.days;
      return true;
    case TemporalKind::kDateTime: {
      const auto& x = a.date_time;
      const auto& y = b.date_time;
      if (x.zone.kind == time::ZoneRef::Kind::kLocal &&
          y.zone.kind == time::ZoneRef::Kind::kLocal) {
        order = x.local_ms <=> y.local_ms;
      } else {
        order = instant(x, zone) <=> instant(y, zone);
      }
      return true;
    }
    case TemporalKind::kTime: {
      std::int64_t x = 0, y = 0;
      bool local_a = a.time.zone.kind == time::ZoneRef::Kind::kLocal;
      bool local_b = b.time.zone.kind == time::ZoneRef::Kind::kLocal;
      if (local_a != local_b || !time_of_day_key(a.time, x) || !time_of_day_key(b.time, y)) {
        return fail(error, "cannot compare " + describe_temporal(a) + " with " +
                               describe_temporal(b) +
                               " (compare times that are both local or both at an offset)");
      }
      order = x <=> y;
      return true;
    }
    case TemporalKind::kYearsMonths:
    case TemporalKind::kDaysTime:
      order = a.amount <=> b.amount;
      return true;
  }
  return fail(error, "cannot compare " + describe_temporal(a));
}

bool negate_temporal(const Temporal& t, Json& out, std::string& error) {
  if (!is_duration(t) || t.amount == INT64_MIN) {
    return fail(error, "cannot apply unary '-' to " + describe_temporal(t));
  }
  Temporal r = t;
  r.amount = -t.amount;
  out = temporal_json(r);
  return true;
}

bool temporal_arithmetic(char op, const Json& a, const Json& b, const time::Zone& zone, Json& out,
                         std::string& error) {
  Temporal x, y;
  const bool tx = read_temporal(a, x);
  const bool ty = read_temporal(b, y);
  Number n;
  auto undefined = [&] {
    return fail(error, std::string("cannot apply '") + op + "' to " + describe_operand(a) +
                           " and " + describe_operand(b));
  };
  auto out_of_range = [&] {
    return fail(error, std::string("the result of ") + describe_operand(a) + " " + op + " " +
                           describe_operand(b) + " is out of range");
  };
  if (op == '+' || op == '-') {
    if (!tx || !ty) return undefined();
    if (is_duration(x) && is_duration(y)) {
      if (x.kind != y.kind) return undefined();
      Temporal r = x;
      bool overflow = op == '+' ? __builtin_add_overflow(x.amount, y.amount, &r.amount)
                                : __builtin_sub_overflow(x.amount, y.amount, &r.amount);
      if (overflow) return out_of_range();
      out = temporal_json(r);
      return true;
    }
    if (is_duration(y) || (op == '+' && is_duration(x))) {
      const Temporal& base = is_duration(y) ? x : y;
      Temporal d = is_duration(y) ? y : x;
      if (op == '-') {
        if (d.amount == INT64_MIN) return out_of_range();
        d.amount = -d.amount;
      }
      if (!shift(base, d, zone, out)) {
        return base.kind == TemporalKind::kTime && d.kind == TemporalKind::kYearsMonths
                   ? undefined()
                   : out_of_range();
      }
      return true;
    }
    if (op == '-' && x.kind == y.kind) {
      std::int64_t diff = 0;
      bool overflow = false;
      switch (x.kind) {
        case TemporalKind::kDate:
          overflow = __builtin_mul_overflow(x.date.days - y.date.days, kMsPerDay, &diff);
          break;
        case TemporalKind::kDateTime: {
          bool both_local = x.date_time.zone.kind == time::ZoneRef::Kind::kLocal &&
                            y.date_time.zone.kind == time::ZoneRef::Kind::kLocal;
          overflow = both_local
                         ? __builtin_sub_overflow(x.date_time.local_ms, y.date_time.local_ms, &diff)
                         : __builtin_sub_overflow(instant(x.date_time, zone),
                                                  instant(y.date_time, zone), &diff);
          break;
        }
        case TemporalKind::kTime: {
          std::partial_ordering ignored = std::partial_ordering::equivalent;
          if (!compare_temporals(x, y, zone, ignored, error)) return false;
          std::int64_t kx = 0, ky = 0;
          time_of_day_key(x.time, kx);
          time_of_day_key(y.time, ky);
          diff = kx - ky;
          break;
        }
        default:
          return undefined();
      }
      if (overflow) return out_of_range();
      out = days_time_json(diff);
      return true;
    }
    return undefined();
  }
  // '*' and '/': a duration and a number; '/' also a duration by one of its kind.
  if (op == '/' && tx && ty && is_duration(x) && x.kind == y.kind) {
    out = y.amount == 0
              ? Json()
              : number_json(static_cast<double>(x.amount) / static_cast<double>(y.amount));
    return true;
  }
  const Temporal* d = nullptr;
  if (tx && is_duration(x) && !ty && to_number(b, n)) {
    d = &x;
  } else if (op == '*' && ty && is_duration(y) && !tx && to_number(a, n)) {
    d = &y;
  } else {
    return undefined();
  }
  double r = 0;
  if (op == '*') {
    r = static_cast<double>(d->amount) * n.d;
  } else {
    if (n.d == 0) {  // as for numbers: null
      out = Json();
      return true;
    }
    r = static_cast<double>(d->amount) / n.d;
  }
  r = d->kind == TemporalKind::kYearsMonths ? std::trunc(r) : std::round(r);
  if (!std::isfinite(r) || std::fabs(r) >= 9.2e18) return out_of_range();
  Temporal result = *d;
  result.amount = static_cast<std::int64_t>(r);
  out = temporal_json(result);
  return true;
}

}  // namespace pmiflow::feel
