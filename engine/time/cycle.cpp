#include "engine/time/cycle.h"

#include <array>
#include <vector>

namespace pmiflow::time {
namespace {

constexpr std::int64_t kCronSearchDays = std::int64_t{366} * 28;

constexpr std::string_view kCycleForms =
    "a repeating interval such as R5/PT10S, R/P1M or R3/2026-01-01T08:00:00/P1D, or a cron "
    "expression of six fields such as '0 0 8 * * MON-FRI'";

Error bad_cycle(std::string_view text, const std::string& why) {
  return Error{ErrorCode::kInvalidArgument, quote_text(text) + " is not a timer cycle: " + why +
                                                " (expected " + std::string(kCycleForms) + ")"};
}

// --- cron ---------------------------------------------------------------------------------

struct FieldSpec {
  const char* name;
  int min;
  int max;
  std::array<const char*, 7> names;  // days of the week
};

constexpr FieldSpec kSecond{"second", 0, 59, {}};
constexpr FieldSpec kMinute{"minute", 0, 59, {}};
constexpr FieldSpec kHour{"hour", 0, 23, {}};
constexpr FieldSpec kDayOfMonth{"day of month", 1, 31, {}};
constexpr FieldSpec kMonth{"month", 1, 12, {}};
// 0 and 7 are Sunday; the names are ISO's numbers (MON = 1 .. SUN = 7), so MON-SUN and 0-6 work.
constexpr FieldSpec kDayOfWeek{
    "day of week", 0, 7, {"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"}};
constexpr std::array<const char*, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

bool upper_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != b[i]) return false;
  }
  return true;
}

bool read_value(std::string_view s, const FieldSpec& f, int& out) {
  if (s.empty()) return false;
  if (&f == &kMonth) {
    for (std::size_t i = 0; i < kMonthNames.size(); ++i) {
      if (upper_equals(s, kMonthNames[i])) {
        out = static_cast<int>(i) + 1;
        return true;
      }
    }
  }
  if (&f == &kDayOfWeek) {
    for (std::size_t i = 0; i < 7; ++i) {
      if (upper_equals(s, f.names[i])) {
        out = static_cast<int>(i) + 1;
        return true;
      }
    }
  }
  if (s.size() > 2) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v < f.min || v > f.max) return false;
  out = v;
  return true;
}

// One field: items separated by ',', each '*', '?', V, V-W, with an optional '/STEP'. Sets the
// bits of `bits` (value v -> bit v). `error` says what is wrong.
bool parse_field(std::string_view field, const FieldSpec& f, bool question_allowed,
                 std::uint64_t& bits, std::string& error) {
  bits = 0;
  std::size_t at = 0;
  while (true) {
    std::size_t comma = field.find(',', at);
    std::string_view item =
        field.substr(at, comma == std::string_view::npos ? field.npos : comma - at);
    int step = 1;
    bool stepped = false;
    if (std::size_t slash = item.find('/'); slash != std::string_view::npos) {
      std::string_view step_text = item.substr(slash + 1);
      int max_step = f.max - f.min + 1;
      step = 0;
      bool ok = !step_text.empty() && step_text.size() <= 2;
      for (char c : step_text) {
        ok = ok && c >= '0' && c <= '9';
        if (ok) step = step * 10 + (c - '0');
      }
      if (!ok || step < 1 || step > max_step) {
        error = "the " + std::string(f.name) + " step '" + std::string(step_text) +
                "' is not a number from 1 to " + std::to_string(max_step);
        return false;
      }
      item = item.substr(0, slash);
      stepped = true;
    }
    int lo = f.min, hi = f.max;
    if (item == "*" || (question_allowed && item == "?")) {
      // the whole range
    } else if (std::size_t dash = item.find('-'); dash != std::string_view::npos) {
      if (!read_value(item.substr(0, dash), f, lo) || !read_value(item.substr(dash + 1), f, hi) ||
          lo > hi) {
        error = "the " + std::string(f.name) + " range '" + std::string(item) +
                "' is not two values from " + std::to_string(f.min) + " to " +
                std::to_string(f.max) + ", the first not after the second";
        return false;
      }
    } else if (read_value(item, f, lo)) {
      hi = stepped ? f.max : lo;  // "5/15": from 5, every 15
    } else {
      error = "the " + std::string(f.name) + " '" + std::string(item) + "' is not a value from " +
              std::to_string(f.min) + " to " + std::to_string(f.max) +
              (&f == &kMonth       ? " or JAN..DEC"
               : &f == &kDayOfWeek ? " or MON..SUN"
                                   : "") +
              ", '*'" + (question_allowed ? ", '?'" : "") + ", a range or a list";
      return false;
    }
    for (int v = lo; v <= hi; v += step) bits |= std::uint64_t{1} << v;
    if (comma == std::string_view::npos) return true;
    at = comma + 1;
  }
}

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t at = 0;
  while (at < s.size()) {
    while (at < s.size() && (s[at] == ' ' || s[at] == '\t')) ++at;
    std::size_t end = at;
    while (end < s.size() && s[end] != ' ' && s[end] != '\t') ++end;
    if (end > at) parts.push_back(s.substr(at, end - at));
    at = end;
  }
  return parts;
}

std::string_view expand_macro(std::string_view text) {
  struct Macro {
    const char* name;
    const char* fields;
  };
  static constexpr Macro kMacros[] = {{"@yearly", "0 0 0 1 1 *"},  {"@annually", "0 0 0 1 1 *"},
                                      {"@monthly", "0 0 0 1 * *"}, {"@weekly", "0 0 0 * * 0"},
                                      {"@daily", "0 0 0 * * *"},   {"@midnight", "0 0 0 * * *"},
                                      {"@hourly", "0 0 * * * *"}};
  for (const Macro& m : kMacros) {
    if (text == m.name) return m.fields;
  }
  return {};
}

Result<CronFields> parse_cron(std::string_view text) {
  std::string_view fields_text = text;
  if (!text.empty() && text.front() == '@') {
    fields_text = expand_macro(text);
    if (fields_text.empty()) {
      return bad_cycle(text,
                       "the only macros are @yearly, @annually, @monthly, @weekly, "
                       "@daily, @midnight and @hourly");
    }
  }
  std::vector<std::string_view> parts = split_spaces(fields_text);
  if (parts.size() != 6) {
    return bad_cycle(text,
                     "a cron expression has six fields (second minute hour day-of-month "
                     "month day-of-week), this one has " +
                         std::to_string(parts.size()));
  }
  CronFields cron;
  std::string error;
  std::uint64_t bits = 0;
  if (!parse_field(parts[0], kSecond, false, bits, error)) return bad_cycle(text, error);
  cron.seconds = bits;
  if (!parse_field(parts[1], kMinute, false, bits, error)) return bad_cycle(text, error);
  cron.minutes = bits;
  if (!parse_field(parts[2], kHour, false, bits, error)) return bad_cycle(text, error);
  cron.hours = static_cast<std::uint32_t>(bits);
  if (upper_equals(parts[3], "L")) {
    cron.last_day_of_month = true;
  } else {
    if (!parse_field(parts[3], kDayOfMonth, true, bits, error)) return bad_cycle(text, error);
    cron.days_of_month = static_cast<std::uint32_t>(bits);
  }
  if (!parse_field(parts[4], kMonth, false, bits, error)) return bad_cycle(text, error);
  cron.months = static_cast<std::uint16_t>(bits);
  if (!parse_field(parts[5], kDayOfWeek, true, bits, error)) return bad_cycle(text, error);
  // 0 and 7 are Sunday; ISO numbers it 7.
  if (bits & 1) bits |= std::uint64_t{1} << 7;
  cron.days_of_week = static_cast<std::uint8_t>(bits & 0xFE);
  if (!next_cron_match(cron, 0, Zone::utc())) {
    return bad_cycle(text, "no day matches it (e.g. 30 February)");
  }
  return cron;
}

bool bit(std::uint64_t bits, int v) {
  return (bits >> v) & 1;
}

// The first second of the day at or after `start` (seconds since midnight) that the fields
// allow, or -1.
std::int64_t first_time_of_day(const CronFields& c, std::int64_t start) {
  int sh = static_cast<int>(start / 3600), sm = static_cast<int>(start / 60 % 60),
      ss = static_cast<int>(start % 60);
  for (int h = sh; h < 24; ++h) {
    if (!bit(c.hours, h)) continue;
    for (int m = h == sh ? sm : 0; m < 60; ++m) {
      if (!bit(c.minutes, m)) continue;
      for (int s = (h == sh && m == sm) ? ss : 0; s < 60; ++s) {
        if (bit(c.seconds, s)) return h * 3600 + m * 60 + s;
      }
    }
  }
  return -1;
}

bool day_matches(const CronFields& c, const Date& d) {
  if (!bit(c.months, d.month()) || !bit(c.days_of_week, d.weekday())) return false;
  if (c.last_day_of_month) {
    auto next = add_days(d, 1);
    return next && next->day() == 1;
  }
  return bit(c.days_of_month, d.day());
}

// --- intervals ----------------------------------------------------------------------------

Duration times(const Duration& d, std::int64_t k, bool& overflow) {
  Duration out = d;
  std::int64_t total = 0;
  overflow = __builtin_mul_overflow(d.months, k, &out.months) ||
             __builtin_mul_overflow(d.days, k, &out.days) ||
             __builtin_mul_overflow(d.ms, k, &out.ms) ||
             __builtin_mul_overflow(out.days, kMsPerDay, &total) ||
             __builtin_add_overflow(total, out.ms, &total);
  return out;
}

}  // namespace

Result<Duration> parse_timer_duration(std::string_view text) {
  auto d = parse_duration(text);
  if (!d.ok()) return d.error();
  if (d->months < 0 || d->total_ms() < 0) {
    return Error{
        ErrorCode::kInvalidArgument,
        quote_text(text) + " is a negative duration: a timer waits a duration more than zero"};
  }
  if (d->months == 0 && d->total_ms() == 0) {
    return Error{
        ErrorCode::kInvalidArgument,
        quote_text(text) + " is a duration of zero: a timer waits a duration more than zero"};
  }
  return d;
}

std::optional<std::int64_t> add_duration(std::int64_t from, const Duration& d, const Zone& zone) {
  std::int64_t at = from;
  if (d.months != 0 || d.days != 0) {
    std::int64_t day_ms = 0;
    if (__builtin_mul_overflow(d.days, kMsPerDay, &day_ms)) return std::nullopt;
    auto local = add_local(DateTime{zone.to_local(from), {}}, d.months, day_ms);
    if (!local) return std::nullopt;
    at = zone.to_instant(local->local_ms);
  }
  if (__builtin_add_overflow(at, d.ms, &at)) return std::nullopt;
  return at;
}

std::optional<std::int64_t> next_cron_match(const CronFields& cron, std::int64_t after,
                                            const Zone& zone) {
  std::int64_t local_seconds = floor_div(zone.to_local(after), 1000) + 1;
  std::int64_t first_day = floor_div(local_seconds, 86400);
  std::int64_t start = local_seconds - first_day * 86400;
  for (std::int64_t i = 0; i < kCronSearchDays; ++i) {
    auto day = add_days(Date{first_day}, i);
    if (!day) return std::nullopt;
    if (!day_matches(cron, *day)) continue;
    for (std::int64_t from = i == 0 ? start : 0; from < 86400;) {
      std::int64_t t = first_time_of_day(cron, from);
      if (t < 0) break;
      std::int64_t instant = zone.to_instant((day->days * 86400 + t) * 1000);
      if (instant > after) return instant;
      from = t + 1;  // a wall-clock reading the zone went through twice: the next one
    }
  }
  return std::nullopt;
}

Result<Cycle> Cycle::parse(std::string_view text) {
  Cycle c;
  if (text.empty() || text.front() != 'R') {
    auto cron = parse_cron(text);
    if (!cron.ok()) return cron.error();
    c.kind_ = Kind::kCron;
    c.cron_ = *cron;
    return c;
  }
  std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return bad_cycle(text, "there is no '/' after R");
  std::string_view count = text.substr(1, slash - 1);
  if (!count.empty()) {
    std::int64_t n = 0;
    bool ok = count.size() <= 9;
    for (char ch : count) {
      ok = ok && ch >= '0' && ch <= '9';
      if (ok) n = n * 10 + (ch - '0');
    }
    if (!ok) return bad_cycle(text, "'R" + std::string(count) + "' is not R and a count");
    if (n == 0) return bad_cycle(text, "R0 would never fire");
    c.repetitions_ = n;
  }
  std::string_view rest = text.substr(slash + 1);
  std::size_t second = rest.find('/');
  if (second != std::string_view::npos) {
    auto start = parse_date_time(rest.substr(0, second));
    if (!start.ok()) return bad_cycle(text, "the start: " + start.error().message);
    c.start_ = *start;
    rest = rest.substr(second + 1);
  }
  auto period = parse_timer_duration(rest);
  if (!period.ok()) return bad_cycle(text, "the period: " + period.error().message);
  c.period_ = *period;
  return c;
}

std::optional<std::int64_t> Cycle::interval_fire(std::int64_t armed_at, std::int64_t index,
                                                 const Zone& zone) const {
  bool overflow = false;
  if (!start_) {
    if (repetitions_ && index >= *repetitions_) return std::nullopt;
    Duration step = times(period_, index + 1, overflow);
    return overflow ? std::nullopt : add_duration(armed_at, step, zone);
  }
  auto base = instant_of(*start_, zone);
  if (!base.ok()) return std::nullopt;
  auto due = [&](std::int64_t k) -> std::optional<std::int64_t> {
    Duration step = times(period_, k, overflow);
    return overflow ? std::nullopt : add_duration(*base, step, zone);
  };
  // The first period k whose instant is not before armed_at: estimated, then stepped.
  std::int64_t k = 0;
  if (*base < armed_at) {
    if (period_.months == 0) {
      k = (armed_at - *base) / period_.total_ms();
    } else {
      Date from = DateTime{zone.to_local(*base), {}}.date();
      Date to = DateTime{zone.to_local(armed_at), {}}.date();
      k = months_between(from, to) / period_.months;
    }
    for (int guard = 0; guard < 64 && k > 0; ++guard) {
      auto before = due(k - 1);
      if (!before || *before < armed_at) break;
      --k;
    }
    for (int guard = 0; guard < 64; ++guard) {
      auto at = due(k);
      if (!at) return std::nullopt;
      if (*at >= armed_at) break;
      ++k;
    }
  }
  k += index;
  if (repetitions_ && k >= *repetitions_) return std::nullopt;
  return due(k);
}

std::optional<std::int64_t> Cycle::fire(std::int64_t armed_at, std::int64_t index,
                                        std::int64_t previous, const Zone& zone) const {
  if (kind_ == Kind::kCron) return next_cron_match(cron_, previous, zone);
  return interval_fire(armed_at, index, zone);
}

}  // namespace pmiflow::time
