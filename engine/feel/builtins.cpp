#include "engine/feel/builtins.h"

#include <cmath>
#include <compare>
#include <cstdint>

#include "engine/common/utf8.h"
#include "engine/feel/temporal_value.h"
#include "engine/feel/value.h"

namespace pmiflow::feel {
namespace {

using Args = std::vector<Json>;

bool fail(std::string& error, std::string message) {
  error = std::move(message);
  return false;
}

bool set(Json& out, Json value) {
  out = std::move(value);
  return true;
}

bool any_null(const Args& args) {
  for (const Json& a : args) {
    if (a.is_null()) return true;
  }
  return false;
}

bool expect_string(const Json& v, const char* what, std::string& error) {
  if (v.is_string()) return true;
  return fail(error, std::string(what) + " must be a string, found " + describe(v));
}

// An integer argument (3 or 3.0).
bool expect_integer(const Json& v, const char* what, std::int64_t& out, std::string& error) {
  Number n;
  if (to_number(v, n)) {
    if (n.exact) {
      out = n.i;
      return true;
    }
    if (std::trunc(n.d) == n.d && std::fabs(n.d) < 9.0e15) {
      out = static_cast<std::int64_t>(n.d);
      return true;
    }
  }
  return fail(error, std::string(what) + " must be a whole number, found " + describe(v));
}

const std::string& str(const Json& v) {
  return v.get_ref<const std::string&>();
}

// ---- temporals

bool f_date(const CallContext&, Args& args, Json& out, std::string& error) {
  if (any_null(args)) return set(out, Json());
  if (args.size() == 3) {
    std::int64_t y = 0, m = 0, d = 0;
    if (!expect_integer(args[0], "the year", y, error) ||
        !expect_integer(args[1], "the month", m, error) ||
        !expect_integer(args[2], "the day", d, error)) {
      return false;
    }
    auto date = time::make_date(y, m, d);
    if (!date) {
      return fail(error, "there is no day " + std::to_string(d) + " in month " + std::to_string(m) +
                             " of year " + std::to_string(y));
    }
    out = date_json(*date);
    return true;
  }
  Temporal t;
  if (read_temporal(args[0], t)) {
    if (t.kind == TemporalKind::kDate) return set(out, args[0]);
    if (t.kind == TemporalKind::kDateTime) return set(out, date_json(t.date_time.date()));
  }
  if (!args[0].is_string()) {
    return fail(error, "expects a string, a date and time, or year, month and day; found " +
                           describe(args[0]));
  }
  auto date = time::parse_date(str(args[0]));
  if (!date.ok()) return fail(error, date.error().message);
  out = date_json(*date);
  return true;
}

bool f_time(const CallContext&, Args& args, Json& out, std::string& error) {
  if (any_null(args)) return set(out, Json());
  Temporal t;
  t.kind = TemporalKind::kTime;
  if (args.size() >= 3) {
    std::int64_t h = 0, m = 0;
    Number s;
    if (!expect_integer(args[0], "the hour", h, error) ||
        !expect_integer(args[1], "the minute", m, error)) {
      return false;
    }
    if (!to_number(args[2], s)) return fail(error, "the second must be a number");
    if (h < 0 || h > 23 || m < 0 || m > 59 || !(s.d >= 0 && s.d < 60)) {
      return fail(error, "hour 0-23, minute 0-59 and second 0-59 expected");
    }
    t.time.ms = h * time::kMsPerHour + m * time::kMsPerMinute +
                static_cast<std::int64_t>(std::floor(s.d * 1000));
    if (args.size() == 4) {
      Temporal offset;
      if (!read_temporal(args[3], offset) || offset.kind != TemporalKind::kDaysTime ||
          offset.amount % 1000 != 0 || offset.amount > 18 * time::kMsPerHour ||
          offset.amount < -18 * time::kMsPerHour) {
        return fail(error,
                    "the offset must be a days and time duration of at most 18 hours, "
                    "found " +
                        describe(args[3]));
      }
      t.time.zone =
          time::ZoneRef{time::ZoneRef::Kind::kOffset, static_cast<int>(offset.amount / 1000), {}};
    }
    out = temporal_json(t);
    return true;
  }
  Temporal from;
  if (read_temporal(args[0], from)) {
    if (from.kind == TemporalKind::kTime) return set(out, args[0]);
    if (from.kind == TemporalKind::kDateTime) {
      t.time = time::TimeOfDay{from.date_time.time_ms(), from.date_time.zone};
      out = temporal_json(t);
      return true;
    }
    if (from.kind == TemporalKind::kDate) {  // midnight
      out = temporal_json(t);
      return true;
    }
  }
  if (!args[0].is_string()) {
    return fail(error, "expects a string, a date and time, or hour, minute, second; found " +
                           describe(args[0]));
  }
  auto parsed = time::parse_time_of_day(str(args[0]));
  if (!parsed.ok()) return fail(error, parsed.error().message);
  t.time = *parsed;
  out = temporal_json(t);
  return true;
}

bool f_date_and_time(const CallContext&, Args& args, Json& out, std::string& error) {
  if (any_null(args)) return set(out, Json());
  if (args.size() == 2) {
    Temporal d, t;
    if (!read_temporal(args[0], d) ||
        (d.kind != TemporalKind::kDate && d.kind != TemporalKind::kDateTime) ||
        !read_temporal(args[1], t) || t.kind != TemporalKind::kTime) {
      return fail(error, "expects a date and a time, found " + describe(args[0]) + " and " +
                             describe(args[1]));
    }
    time::Date date = d.kind == TemporalKind::kDate ? d.date : d.date_time.date();
    out = date_time_json(time::DateTime{date.days * time::kMsPerDay + t.time.ms, t.time.zone});
    return true;
  }
  Temporal from;
  if (read_temporal(args[0], from)) {
    if (from.kind == TemporalKind::kDateTime) return set(out, args[0]);
    if (from.kind == TemporalKind::kDate) {
      return set(out, date_time_json(time::DateTime{from.date.days * time::kMsPerDay, {}}));
    }
  }
  if (!args[0].is_string()) {
    return fail(error, "expects a string, or a date and a time; found " + describe(args[0]));
  }
  auto parsed = time::parse_date_time(str(args[0]));
  if (!parsed.ok()) {
    // A date alone is its midnight, as FEEL-Scala reads it.
    if (auto date = time::parse_date(str(args[0])); date.ok()) {
      return set(out, date_time_json(time::DateTime{date->days * time::kMsPerDay, {}}));
    }
    return fail(error, parsed.error().message);
  }
  out = date_time_json(*parsed);
  return true;
}

bool f_duration(const CallContext&, Args& args, Json& out, std::string& error) {
  if (any_null(args)) return set(out, Json());
  Temporal t;
  if (read_temporal(args[0], t) &&
      (t.kind == TemporalKind::kYearsMonths || t.kind == TemporalKind::kDaysTime)) {
    return set(out, args[0]);
  }
  if (!expect_string(args[0], "the argument", error)) return false;
  auto d = time::parse_duration(str(args[0]));
  if (!d.ok()) return fail(error, d.error().message);
  if (d->has_months && d->has_time) {
    return fail(error, "'" + str(args[0]) +
                           "' mixes years or months with days or time: FEEL has a years and "
                           "months duration (P1Y2M) and a days and time duration (P1DT2H)");
  }
  out = d->has_months ? years_months_json(d->months) : days_time_json(d->total_ms());
  return true;
}

bool f_years_and_months_duration(const CallContext&, Args& args, Json& out, std::string& error) {
  if (any_null(args)) return set(out, Json());
  time::Date dates[2];
  for (int i = 0; i < 2; ++i) {
    Temporal t;
    if (!read_temporal(args[static_cast<std::size_t>(i)], t) ||
        (t.kind != TemporalKind::kDate && t.kind != TemporalKind::kDateTime)) {
      return fail(error, std::string(i == 0 ? "from" : "to") +
                             " must be a date or a date and time, found " +
                             describe(args[static_cast<std::size_t>(i)]));
    }
    dates[i] = t.kind == TemporalKind::kDate ? t.date : t.date_time.date();
  }
  out = years_months_json(time::months_between(dates[0], dates[1]));
  return true;
}

bool f_now(const CallContext& ctx, Args&, Json& out, std::string& error) {
  if (!ctx.env.now_ms) {
    return fail(error,
                "the time of the command is not known here (now() and today() are for "
                "conditions and expressions the engine evaluates)");
  }
  out = date_time_json(time::date_time_at(*ctx.env.now_ms, ctx.env.zone));
  return true;
}

bool f_today(const CallContext& ctx, Args& args, Json& out, std::string& error) {
  if (!f_now(ctx, args, out, error)) return false;
  Temporal t;
  read_temporal(out, t);
  out = date_json(t.date_time.date());
  return true;
}

// ---- strings

// The code point at byte `i` of valid UTF-8 `s`; advances `i`.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  std::uint32_t c = byte(i);
  int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
  if (extra > 0) c &= (0x3Fu >> extra);
  ++i;
  for (int k = 0; k < extra && i < s.size(); ++k, ++i) c = (c << 6) | (byte(i) & 0x3Fu);
  return c;
}

std::vector<std::size_t> code_point_offsets(std::string_view s) {
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < s.size();) {
    offsets.push_back(i);
    next_code_point(s, i);
  }
  return offsets;
}

// Upper or lower case of Latin letters: ASCII, Latin-1 (á, ñ, ü...) and Latin Extended-A.
std::uint32_t map_case(std::uint32_t c, bool upper) {
  if (upper) {
    if (c >= 'a' && c <= 'z') return c - 32;
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
    if (c == 0xFF) return 0x178;
  } else {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
    if (c == 0x178) return 0xFF;
  }
  // Latin Extended-A: pairs (upper, lower) at even/odd code points, but 0x139-0x148 and
  // 0x179-0x17E, where the upper case is odd; 0x130, 0x131, 0x138 and 0x149 have no pair.
  bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
  bool paired = (c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || odd_upper ||
                (c >= 0x14A && c <= 0x177);
  if (!paired) return c;
  bool is_upper = odd_upper ? (c % 2 == 1) : (c % 2 == 0);
  if (upper && !is_upper) return c - 1;
  if (!upper && is_upper) return c + 1;
  return c;
}

bool change_case(Args& args, Json& out, std::string& error, bool upper) {
  if (any_null(args)) return set(out, Json());
  if (!expect_string(args[0], "the argument", error)) return false;
  std::string_view s = str(args[0]);
  std::string result;
  result.reserve(s.size());
  for (std::size_t i = 0; i < s.size();)
    append_utf8(result, map_case(next_code_point(s, i), upper));
  out = std::move(result);
  return true;
}

bool f_upper_case(const CallContext&, Args& args, Json& out, std::string& error) {
  return change_case(args, out, error, true);
}

bool f_lower_case(const CallContext&, Args& args, Json& out, std::string& error) {
  return change_case(args, out, error, false);
}

bool f_string_length(const CallContext&, Args& args, Json& out, std::string& error) {
  if (any_null(args)) return set(out, Json());
  if (!expect_string(args[0], "the argument", error)) return false;
  out = Json(static_cast<std::int64_t>(code_point_offsets(str(args[0])).size()));
  return true;
}

bool f_contains(const CallContext&, Args& args, Json& out, std::string& error) {
  if (any_null(args)) return set(out, Json());
  if (!expect_string(args[0], "the string", error) || !expect_string(args[1], "the match", error)) {
    return false;
  }
  out = Json(str(args[0]).find(str(args[1])) != std::string::npos);
  return true;
}

// substring(string, start position[, length]): positions count characters from 1; a negative
// start counts from the end (-1 is the last character).
bool f_substring(const CallContext&, Args& args, Json& out, std::string& error) {
  if (any_null(args)) return set(out, Json());
  std::int64_t start = 0, length = -1;
  if (!expect_string(args[0], "the string", error) ||
      !expect_integer(args[1], "the start position", start, error) ||
      (args.size() == 3 && !expect_integer(args[2], "the length", length, error))) {
    return false;
  }
  if (start == 0) return fail(error, "the start position is 1 for the first character, not 0");
  if (args.size() == 3 && length < 0) return fail(error, "the length must not be negative");
  const std::string& s = str(args[0]);
  std::vector<std::size_t> offsets = code_point_offsets(s);
  const auto n = static_cast<std::int64_t>(offsets.size());
  std::int64_t first = start > 0 ? start - 1 : n + start;
  if (first < 0) first = 0;
  if (first >= n) return set(out, Json(std::string()));
  std::int64_t last = args.size() == 3 ? std::min(n, first + std::min(length, n)) : n;
  std::size_t from = offsets[static_cast<std::size_t>(first)];
  std::size_t to = last >= n ? s.size() : offsets[static_cast<std::size_t>(last)];
  out = Json(s.substr(from, to - from));
  return true;
}

bool f_string(const CallContext&, Args& args, Json& out, std::string&) {
  const Json& v = args[0];
  Temporal t;
  if (v.is_null()) {
    out = Json();
  } else if (v.is_string()) {
    out = v;
  } else if (read_temporal(v, t)) {
    out = Json(temporal_text(t));
  } else {
    out = Json(json_text(to_output(v), Json::error_handler_t::replace));
  }
  return true;
}

// ---- lists

// The list a function works on: its single list argument, or its arguments (`max(1, 2)`).
const Args& items_of(Args& args, Args& holder) {
  if (args.size() == 1 && args[0].is_array()) {
    holder = args[0].get<Args>();
    return holder;
  }
  return args;
}

// string join(list[, delimiter]): the list's strings, null items skipped, joined.
bool f_string_join(const CallContext&, Args& args, Json& out, std::string& error) {
  if (args[0].is_null()) return set(out, Json());
  if (!args[0].is_array()) return fail(error, "expects a list, found " + describe(args[0]));
  std::string delimiter;
  if (args.size() > 1 && !args[1].is_null()) {
    if (!expect_string(args[1], "the delimiter", error)) return false;
    delimiter = str(args[1]);
  }
  std::string joined;
  bool first = true;
  for (const Json& item : args[0]) {
    if (item.is_null()) continue;
    if (!item.is_string()) {
      return fail(error, "expects a list of strings, found " + describe(item) + " in it");
    }
    if (!first) joined += delimiter;
    joined += item.get_ref<const std::string&>();
    first = false;
    if (joined.size() > kMaxStringBytes) {
      return fail(error, "the result exceeds " + std::to_string(kMaxStringBytes) + " bytes");
    }
  }
  out = Json(std::move(joined));
  return true;
}

bool f_count(const CallContext&, Args& args, Json& out, std::string& error) {
  if (any_null(args)) return set(out, Json());
  if (!args[0].is_array()) return fail(error, "expects a list, found " + describe(args[0]));
  out = Json(static_cast<std::int64_t>(args[0].size()));
  return true;
}

bool extreme(const CallContext& ctx, Args& args, Json& out, std::string& error, bool want_max) {
  Args holder;
  const Args& items = items_of(args, holder);
  if (items.empty()) return set(out, Json());
  const Json* best = nullptr;
  for (const Json& item : items) {
    if (item.is_null()) return set(out, Json());
    if (best == nullptr) {
      best = &item;
      continue;
    }
    std::partial_ordering order = std::partial_ordering::unordered;
    if (!order_values(item, *best, ctx.env.zone, order, error)) return false;
    if (want_max ? order > 0 : order < 0) best = &item;
  }
  out = *best;
  return true;
}

bool f_min(const CallContext& ctx, Args& args, Json& out, std::string& error) {
  return extreme(ctx, args, out, error, false);
}

bool f_max(const CallContext& ctx, Args& args, Json& out, std::string& error) {
  return extreme(ctx, args, out, error, true);
}

bool f_sum(const CallContext&, Args& args, Json& out, std::string& error) {
  Args holder;
  const Args& items = items_of(args, holder);
  if (items.empty()) return set(out, Json());
  bool exact = true;
  std::int64_t total = 0;
  double total_d = 0;
  for (const Json& item : items) {
    if (item.is_null()) return set(out, Json());
    Number n;
    if (!to_number(item, n)) return fail(error, "expects numbers, found " + describe(item));
    exact = exact && n.exact && !__builtin_add_overflow(total, n.i, &total);
    total_d += n.d;
  }
  if (!std::isfinite(total_d)) return fail(error, "the sum is out of range");
  out = exact ? Json(total) : number_json(total_d);
  return true;
}

bool f_list_contains(const CallContext& ctx, Args& args, Json& out, std::string& error) {
  if (args[0].is_null()) return set(out, Json());
  if (!args[0].is_array()) return fail(error, "expects a list, found " + describe(args[0]));
  bool found = false;
  for (const Json& item : args[0]) {
    if (!values_equal(item, args[1], ctx.env.zone, found, error)) return false;
    if (found) break;
  }
  out = Json(found);
  return true;
}

std::vector<Builtin> make_builtins() {
  return {
      {"date", 1, 3, "date(from) or date(year, month, day)", false, f_date},
      {"time", 1, 4, "time(from) or time(hour, minute, second[, offset])", false, f_time},
      {"date and time", 1, 2, "date and time(from) or date and time(date, time)", false,
       f_date_and_time},
      {"duration", 1, 1, "duration(from)", false, f_duration},
      {"years and months duration", 2, 2, "years and months duration(from, to)", false,
       f_years_and_months_duration},
      {"now", 0, 0, "now()", false, f_now},
      {"today", 0, 0, "today()", false, f_today},
      {"string length", 1, 1, "string length(string)", false, f_string_length},
      {"contains", 2, 2, "contains(string, match)", false, f_contains},
      {"upper case", 1, 1, "upper case(string)", false, f_upper_case},
      {"lower case", 1, 1, "lower case(string)", false, f_lower_case},
      {"substring", 2, 3, "substring(string, start position[, length])", false, f_substring},
      {"string", 1, 1, "string(from)", false, f_string},
      {"string join", 1, 2, "string join(list[, delimiter])", false, f_string_join},
      {"count", 1, 1, "count(list)", false, f_count},
      {"sum", 1, -1, "sum(list) or sum(n1, n2, ...)", false, f_sum},
      {"min", 1, -1, "min(list) or min(v1, v2, ...)", false, f_min},
      {"max", 1, -1, "max(list) or max(v1, v2, ...)", false, f_max},
      {"list contains", 2, 2, "list contains(list, element)", false, f_list_contains},
      {"is defined", 1, 1, "is defined(value)", true, nullptr},
  };
}

}  // namespace

const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> table = make_builtins();
  return table;
}

const Builtin* find_builtin(std::string_view name) {
  for (const Builtin& b : builtins()) {
    if (name == b.name) return &b;
  }
  return nullptr;
}

std::string builtin_names() {
  std::string names = "not";
  for (const Builtin& b : builtins()) names += std::string(", ") + b.name;
  return names;
}

}  // namespace pmiflow::feel
