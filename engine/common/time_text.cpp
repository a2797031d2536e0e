#include "engine/common/time_text.h"

#include <cstdio>
#include <ctime>

namespace pmiflow {
namespace {

bool read_digits(const std::string& s, std::size_t& at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[at + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  at += n;
  return true;
}

}  // namespace

Result<std::int64_t> parse_time(const std::string& text, const std::string& what) {
  auto bad = [&] {
    return make_error(
        ErrorCode::kInvalidArgument,
        what + " '" + text +
            "' is not an ISO-8601 time (e.g. 2026-11-25T10:00:00Z, "
            "2026-11-25T10:00-05:00, or a date 2026-11-25 = the end of that day UTC)");
  };
  std::size_t at = 0;
  int year = 0, month = 0, day = 0, hour = 23, minute = 59, second = 59, millis = 999;
  if (!read_digits(text, at, 4, year) || at >= text.size() || text[at++] != '-' ||
      !read_digits(text, at, 2, month) || at >= text.size() || text[at++] != '-' ||
      !read_digits(text, at, 2, day)) {
    return bad();
  }
  int offset_minutes = 0;
  if (at < text.size()) {
    if (text[at] != 'T' && text[at] != 't' && text[at] != ' ') return bad();
    ++at;
    second = 0;
    millis = 0;
    if (!read_digits(text, at, 2, hour) || at >= text.size() || text[at++] != ':' ||
        !read_digits(text, at, 2, minute)) {
      return bad();
    }
    if (at < text.size() && text[at] == ':') {
      ++at;
      if (!read_digits(text, at, 2, second)) return bad();
      if (at < text.size() && (text[at] == '.' || text[at] == ',')) {
        ++at;
        int digits = 0;
        millis = 0;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
          if (digits < 3) millis = millis * 10 + (text[at] - '0');
          ++digits;
          ++at;
        }
        if (digits == 0) return bad();
        for (; digits < 3; ++digits) millis *= 10;
      }
    }
    if (at < text.size()) {
      char z = text[at++];
      if (z == 'Z' || z == 'z') {
        if (at != text.size()) return bad();
      } else if (z == '+' || z == '-') {
        int oh = 0, om = 0;
        if (!read_digits(text, at, 2, oh)) return bad();
        if (at < text.size() && text[at] == ':') ++at;
        if (at < text.size() && !read_digits(text, at, 2, om)) return bad();
        if (at != text.size() || oh > 23 || om > 59) return bad();
        offset_minutes = (z == '+' ? 1 : -1) * (oh * 60 + om);
      } else {
        return bad();
      }
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return bad();
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t secs = timegm(&tm);
  if (tm.tm_mday != day) return bad();  // 2026-02-30 and the like
  return (static_cast<std::int64_t>(secs) - std::int64_t{offset_minutes} * 60) * 1000 + millis;
}

std::string format_time(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

}  // namespace pmiflow
