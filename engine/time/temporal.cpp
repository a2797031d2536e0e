#include "engine/time/temporal.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "engine/common/utf8.h"
#include "engine/time/zone.h"

namespace pmiflow::time {
namespace {

namespace chr = std::chrono;

constexpr int kMinYear = -9999;
constexpr int kMaxYear = 9999;

chr::year_month_day civil(const Date& d) {
  return chr::year_month_day{chr::sys_days{chr::days{d.days}}};
}

const std::int64_t kMinDays =
    chr::sys_days{chr::year{kMinYear} / chr::January / 1}.time_since_epoch().count();
const std::int64_t kMaxDays =
    chr::sys_days{chr::year{kMaxYear} / chr::December / 31}.time_since_epoch().count();

bool in_range(std::int64_t days) {
  return days >= kMinDays && days <= kMaxDays;
}

// Reads the text left to right; every reader leaves `at` unchanged when it fails.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return at_ == s_.size(); }
  char peek() const { return done() ? '\0' : s_[at_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++at_;
    return true;
  }
  bool eat_any(std::string_view cs) {
    if (done() || cs.find(s_[at_]) == std::string_view::npos) return false;
    ++at_;
    return true;
  }
  // Exactly n digits.
  bool digits(std::size_t n, int& out) {
    if (at_ + n > s_.size()) return false;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      char c = s_[at_ + i];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    at_ += n;
    out = v;
    return true;
  }
  // One or more digits, at most 18 (so that the value fits); false when there are none or more.
  bool number(std::int64_t& out) {
    std::size_t n = 0;
    std::int64_t v = 0;
    while (at_ + n < s_.size() && s_[at_ + n] >= '0' && s_[at_ + n] <= '9') {
      if (n == 18) return false;
      v = v * 10 + (s_[at_ + n] - '0');
      ++n;
    }
    if (n == 0) return false;
    at_ += n;
    out = v;
    return true;
  }
  // After '.' or ',': 1 to 9 digits, as milliseconds (cut to three digits).
  bool fraction_ms(std::int64_t& out) {
    std::size_t n = 0;
    std::int64_t v = 0;
    while (at_ + n < s_.size() && s_[at_ + n] >= '0' && s_[at_ + n] <= '9') {
      if (n == 9) return false;
      if (n < 3) v = v * 10 + (s_[at_ + n] - '0');
      ++n;
    }
    if (n == 0) return false;
    for (std::size_t k = n; k < 3; ++k) v *= 10;
    at_ += n;
    out = v;
    return true;
  }
  std::string_view rest() const { return s_.substr(at_); }
  void skip_to_end() { at_ = s_.size(); }
  std::size_t pos() const { return at_; }
  void set_pos(std::size_t p) { at_ = p; }

 private:
  std::string_view s_;
  std::size_t at_ = 0;
};

Error bad(std::string_view text, std::string_view what, std::string_view expected) {
  return Error{ErrorCode::kInvalidArgument, quote_text(text) + " is not " + std::string(what) +
                                                " (expected " + std::string(expected) + ")"};
}

constexpr std::string_view kDateForm = "YYYY-MM-DD, e.g. 2026-03-01";
constexpr std::string_view kTimeForm =
    "hh:mm:ss with an optional fraction and zone, e.g. 10:30:00, 10:30:00-05:00, "
    "10:30:00@America/Bogota";
constexpr std::string_view kDateTimeForm =
    "YYYY-MM-DDThh:mm:ss with an optional fraction and zone, e.g. 2026-03-01T10:30:00, "
    "2026-03-01T10:30:00Z, 2026-03-01T10:30:00-05:00, 2026-03-01T10:30:00@America/Bogota";
constexpr std::string_view kDurationForm =
    "an ISO 8601 duration, e.g. P1M, P1Y2M, P3D, PT12H, P1DT2H30M, PT0.5S, -P1D";

bool read_date(Cursor& c, Date& out) {
  std::size_t start = c.pos();
  bool negative = c.eat('-');
  int y = 0, m = 0, d = 0;
  if (c.digits(4, y) && c.eat('-') && c.digits(2, m) && c.eat('-') && c.digits(2, d)) {
    if (auto date = make_date(negative ? -y : y, m, d)) {
      out = *date;
      return true;
    }
  }
  c.set_pos(start);
  return false;
}

bool read_clock(Cursor& c, std::int64_t& ms) {
  std::size_t start = c.pos();
  int h = 0, m = 0, s = 0;
  std::int64_t frac = 0;
  bool ok = c.digits(2, h) && c.eat(':') && c.digits(2, m);
  if (ok && c.eat(':')) {
    ok = c.digits(2, s);
    if (ok && c.eat_any(".,")) ok = c.fraction_ms(frac);
  }
  if (!ok || h > 23 || m > 59 || s > 59) {
    c.set_pos(start);
    return false;
  }
  ms = h * kMsPerHour + m * kMsPerMinute + s * kMsPerSecond + frac;
  return true;
}

// "Z", "+05:00", "+0500", "+05"; at most 18 hours either way.
bool read_offset(Cursor& c, int& seconds) {
  std::size_t start = c.pos();
  if (c.eat_any("Zz")) {
    seconds = 0;
    return true;
  }
  char sign = c.peek();
  if (!c.eat_any("+-")) return false;
  int h = 0, m = 0;
  bool ok = c.digits(2, h);
  if (ok && (c.eat(':') || (c.peek() >= '0' && c.peek() <= '9'))) ok = c.digits(2, m);
  if (!ok || m > 59 || h * 60 + m > 18 * 60) {
    c.set_pos(start);
    return false;
  }
  seconds = (sign == '-' ? -1 : 1) * (h * 3600 + m * 60);
  return true;
}

// What follows a clock reading: nothing, an offset, "@Zone", or an offset then "[Zone]".
bool read_zone(Cursor& c, ZoneRef& zone, std::string& error) {
  if (c.done()) return true;
  if (c.eat('@')) {
    std::string_view name = c.rest();
    c.skip_to_end();
    auto z = Zone::named(name);
    if (!z.ok()) {
      error = z.error().message;
      return false;
    }
    zone = z->ref();
    return true;
  }
  int offset = 0;
  if (!read_offset(c, offset)) return false;
  zone = ZoneRef{ZoneRef::Kind::kOffset, offset, {}};
  if (c.eat('[')) {
    std::string_view rest = c.rest();
    if (rest.empty() || rest.back() != ']') return false;
    auto z = Zone::named(rest.substr(0, rest.size() - 1));
    c.skip_to_end();
    if (!z.ok()) {
      error = z.error().message;
      return false;
    }
    zone = z->ref();
  }
  return c.done();
}

bool add_overflows(std::int64_t a, std::int64_t b, std::int64_t& out) {
  return __builtin_add_overflow(a, b, &out);
}

bool mul_add_overflows(std::int64_t n, std::int64_t unit, std::int64_t& acc) {
  std::int64_t product = 0;
  return __builtin_mul_overflow(n, unit, &product) || add_overflows(acc, product, acc);
}

void append_2(std::string& out, std::int64_t v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

void append_clock(std::string& out, std::int64_t ms) {
  append_2(out, ms / kMsPerHour);
  out += ':';
  append_2(out, ms / kMsPerMinute % 60);
  out += ':';
  append_2(out, ms / kMsPerSecond % 60);
  if (std::int64_t frac = ms % kMsPerSecond) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(frac));
    out += buf;
  }
}

void append_zone(std::string& out, const ZoneRef& zone) {
  switch (zone.kind) {
    case ZoneRef::Kind::kLocal:
      return;
    case ZoneRef::Kind::kOffset:
      out += format_offset(zone.offset_seconds);
      return;
    case ZoneRef::Kind::kNamed:
      out += '@';
      out += zone.name;
      return;
  }
}

}  // namespace

std::string quote_text(std::string_view text) {
  std::string q(utf8_prefix(text, 80));
  if (text.size() > 80) q += "...";
  return "'" + q + "'";
}

int Date::year() const {
  return static_cast<int>(civil(*this).year());
}
int Date::month() const {
  return static_cast<int>(static_cast<unsigned>(civil(*this).month()));
}
int Date::day() const {
  return static_cast<int>(static_cast<unsigned>(civil(*this).day()));
}
int Date::weekday() const {
  return static_cast<int>(chr::weekday{chr::sys_days{chr::days{days}}}.iso_encoding());
}

Date DateTime::date() const {
  return Date{floor_div(local_ms, kMsPerDay)};
}
std::int64_t DateTime::time_ms() const {
  return local_ms - date().days * kMsPerDay;
}

std::optional<Date> make_date(std::int64_t year, std::int64_t month, std::int64_t day) {
  if (year < kMinYear || year > kMaxYear || month < 1 || month > 12 || day < 1 || day > 31) {
    return std::nullopt;
  }
  chr::year_month_day ymd{chr::year{static_cast<int>(year)},
                          chr::month{static_cast<unsigned>(month)},
                          chr::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return Date{chr::sys_days{ymd}.time_since_epoch().count()};
}

Result<Date> parse_date(std::string_view text) {
  Cursor c(text);
  Date d;
  if (!read_date(c, d) || !c.done()) return bad(text, "a date", kDateForm);
  return d;
}

Result<TimeOfDay> parse_time_of_day(std::string_view text) {
  Cursor c(text);
  TimeOfDay t;
  std::string zone_error;
  if (!read_clock(c, t.ms) || !read_zone(c, t.zone, zone_error)) {
    if (!zone_error.empty()) return Error{ErrorCode::kInvalidArgument, zone_error};
    return bad(text, "a time", kTimeForm);
  }
  return t;
}

Result<DateTime> parse_date_time(std::string_view text) {
  Cursor c(text);
  Date d;
  std::int64_t clock = 0;
  DateTime dt;
  std::string zone_error;
  if (!read_date(c, d) || !c.eat_any("Tt") || !read_clock(c, clock) ||
      !read_zone(c, dt.zone, zone_error)) {
    if (!zone_error.empty()) return Error{ErrorCode::kInvalidArgument, zone_error};
    return bad(text, "a date and time", kDateTimeForm);
  }
  dt.local_ms = d.days * kMsPerDay + clock;
  return dt;
}

Result<Duration> parse_duration(std::string_view text) {
  Cursor c(text);
  Duration d;
  bool negative = c.eat('-');
  if (!c.eat('P')) return bad(text, "a duration", kDurationForm);
  // Units in order; each at most once. Date part: Y M W D; time part (after T): H M S.
  constexpr std::string_view kDateUnits = "YMWD";
  constexpr std::string_view kTimeUnits = "HMS";
  bool in_time = false;
  bool time_has_unit = false;
  std::size_t next_unit = 0;  // index into the current part's units
  bool any = false;
  while (!c.done()) {
    if (!in_time && c.eat('T')) {
      in_time = true;
      next_unit = 0;
      continue;
    }
    std::int64_t n = 0;
    if (!c.number(n)) return bad(text, "a duration", kDurationForm);
    std::int64_t frac_ms = 0;
    bool has_fraction = false;
    if (in_time && c.eat_any(".,")) {
      if (!c.fraction_ms(frac_ms)) return bad(text, "a duration", kDurationForm);
      has_fraction = true;
    }
    std::string_view units = in_time ? kTimeUnits : kDateUnits;
    std::size_t u = units.find(c.peek());
    if (c.done() || u == std::string_view::npos || u < next_unit ||
        (has_fraction && units[u] != 'S')) {
      return bad(text, "a duration", kDurationForm);
    }
    c.eat(units[u]);
    next_unit = u + 1;
    any = true;
    bool overflow = false;
    if (!in_time) {
      switch (units[u]) {
        case 'Y':
          overflow = mul_add_overflows(n, 12, d.months);
          d.has_months = true;
          break;
        case 'M':
          overflow = mul_add_overflows(n, 1, d.months);
          d.has_months = true;
          break;
        case 'W':
          overflow = mul_add_overflows(n, 7, d.days);
          d.has_time = true;
          break;
        default:  // 'D'
          overflow = mul_add_overflows(n, 1, d.days);
          d.has_time = true;
          break;
      }
    } else {
      time_has_unit = true;
      d.has_time = true;
      std::int64_t unit = units[u] == 'H'   ? kMsPerHour
                          : units[u] == 'M' ? kMsPerMinute
                                            : kMsPerSecond;
      overflow = mul_add_overflows(n, unit, d.ms) || add_overflows(d.ms, frac_ms, d.ms);
    }
    std::int64_t total = 0;
    overflow = overflow || __builtin_mul_overflow(d.days, kMsPerDay, &total) ||
               add_overflows(total, d.ms, total);
    if (overflow) {
      return Error{ErrorCode::kInvalidArgument,
                   bad(text, "a duration", kDurationForm).message + ": it is too long"};
    }
  }
  if (!any || (in_time && !time_has_unit)) return bad(text, "a duration", kDurationForm);
  if (negative) {
    d.months = -d.months;
    d.days = -d.days;
    d.ms = -d.ms;
  }
  return d;
}

std::string format_date(const Date& d) {
  char buf[48];
  int y = d.year();
  std::snprintf(buf, sizeof buf, "%s%04d-%02d-%02d", y < 0 ? "-" : "", y < 0 ? -y : y, d.month(),
                d.day());
  return buf;
}

std::string format_time_of_day(const TimeOfDay& t) {
  std::string out;
  append_clock(out, t.ms);
  append_zone(out, t.zone);
  return out;
}

std::string format_date_time(const DateTime& dt) {
  std::string out = format_date(dt.date());
  out += 'T';
  append_clock(out, dt.time_ms());
  append_zone(out, dt.zone);
  return out;
}

std::string format_duration(const Duration& d) {
  const std::int64_t total = d.total_ms();
  bool negative = d.months < 0 || total < 0;
  // A duration with both parts of opposite signs has no ISO text; it cannot be parsed or built
  // by the arithmetic here, which keeps the two kinds apart.
  std::uint64_t months =
      d.months < 0 ? -static_cast<std::uint64_t>(d.months) : static_cast<std::uint64_t>(d.months);
  std::uint64_t ms =
      total < 0 ? -static_cast<std::uint64_t>(total) : static_cast<std::uint64_t>(total);
  std::string out = negative ? "-P" : "P";
  bool years_months = d.has_months || (!d.has_time && months != 0);
  if (months / 12) out += std::to_string(months / 12) + "Y";
  if (months % 12 || (years_months && months == 0 && ms == 0)) {
    out += std::to_string(months % 12) + "M";
  }
  if (ms == 0) {
    if (out.size() == (negative ? 2u : 1u)) out += "T0S";  // zero days and time: PT0S
    return out;
  }
  std::uint64_t days = ms / kMsPerDay;
  if (days) out += std::to_string(days) + "D";
  std::uint64_t rest = ms % kMsPerDay;
  if (rest == 0) return out;
  out += 'T';
  if (rest / kMsPerHour) out += std::to_string(rest / kMsPerHour) + "H";
  if (rest / kMsPerMinute % 60) out += std::to_string(rest / kMsPerMinute % 60) + "M";
  std::uint64_t sec_ms = rest % kMsPerMinute;
  if (sec_ms) {
    out += std::to_string(sec_ms / 1000);
    if (sec_ms % 1000) {
      char buf[8];
      std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(sec_ms % 1000));
      std::string frac(buf);
      while (frac.back() == '0') frac.pop_back();
      out += frac;
    }
    out += 'S';
  }
  return out;
}

std::optional<Date> add_months(const Date& d, std::int64_t months) {
  constexpr std::int64_t kMaxMonths = std::int64_t{12} * 40000;
  if (months > kMaxMonths || months < -kMaxMonths) return std::nullopt;
  chr::year_month_day ymd = civil(d);
  std::int64_t total = static_cast<int>(ymd.year()) * std::int64_t{12} +
                       static_cast<unsigned>(ymd.month()) - 1 + months;
  std::int64_t year = floor_div(total, 12);
  std::int64_t month = total - year * 12 + 1;
  if (year < kMinYear || year > kMaxYear) return std::nullopt;
  chr::year_month_day_last last{chr::year{static_cast<int>(year)},
                                chr::month_day_last{chr::month{static_cast<unsigned>(month)}}};
  unsigned day = std::min(static_cast<unsigned>(ymd.day()), static_cast<unsigned>(last.day()));
  return make_date(year, month, day);
}

std::optional<Date> add_days(const Date& d, std::int64_t days) {
  std::int64_t out = 0;
  if (add_overflows(d.days, days, out) || !in_range(out)) return std::nullopt;
  return Date{out};
}

std::optional<DateTime> add_local(const DateTime& dt, std::int64_t months, std::int64_t ms) {
  std::int64_t local = dt.local_ms;
  if (months != 0) {
    auto date = add_months(dt.date(), months);
    if (!date) return std::nullopt;
    local = date->days * kMsPerDay + dt.time_ms();
  }
  if (add_overflows(local, ms, local) || !in_range(floor_div(local, kMsPerDay))) {
    return std::nullopt;
  }
  return DateTime{local, dt.zone};
}

std::int64_t months_between(const Date& from, const Date& to) {
  chr::year_month_day a = civil(from), b = civil(to);
  std::int64_t months =
      (static_cast<int>(b.year()) - static_cast<int>(a.year())) * std::int64_t{12} +
      static_cast<int>(static_cast<unsigned>(b.month())) -
      static_cast<int>(static_cast<unsigned>(a.month()));
  int day_diff = static_cast<int>(static_cast<unsigned>(b.day())) -
                 static_cast<int>(static_cast<unsigned>(a.day()));
  if (months > 0 && day_diff < 0) --months;
  if (months < 0 && day_diff > 0) ++months;
  return months;
}

}  // namespace pmiflow::time
