#include "engine/common/json.h"

#include <charconv>
#include <cstdio>

namespace pmiflow {
namespace {

// The length of the well-formed UTF-8 sequence at s[i] (a byte >= 0x80), or 0 when there is
// none. Well-formed as RFC 3629 and nlohmann's decoder have it: no overlong forms, no
// surrogates, nothing above U+10FFFF.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k, unsigned lo, unsigned hi) {
    if (k >= s.size()) return false;
    const auto b = static_cast<unsigned char>(s[k]);
    return b >= lo && b <= hi;
  };
  const auto c = static_cast<unsigned char>(s[i]);
  if (c >= 0xC2 && c <= 0xDF) return at(i + 1, 0x80, 0xBF) ? 2 : 0;
  if (c == 0xE0) return at(i + 1, 0xA0, 0xBF) && at(i + 2, 0x80, 0xBF) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    return at(i + 1, 0x80, 0xBF) && at(i + 2, 0x80, 0xBF) ? 3 : 0;
  }
  if (c == 0xED) return at(i + 1, 0x80, 0x9F) && at(i + 2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xF0) {
    return at(i + 1, 0x90, 0xBF) && at(i + 2, 0x80, 0xBF) && at(i + 3, 0x80, 0xBF) ? 4 : 0;
  }
  if (c >= 0xF1 && c <= 0xF3) {
    return at(i + 1, 0x80, 0xBF) && at(i + 2, 0x80, 0xBF) && at(i + 3, 0x80, 0xBF) ? 4 : 0;
  }
  if (c == 0xF4) {
    return at(i + 1, 0x80, 0x8F) && at(i + 2, 0x80, 0xBF) && at(i + 3, 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

// Appends `s` escaped as nlohmann's serializer does with ensure_ascii off: `"` and `\`, the
// short escapes of \b \t \n \f \r, \u00xx (lower-case hex) for the other control characters,
// every other byte as it is. Returns false, having appended nothing, when `s` is not UTF-8.
bool append_escaped(std::string& out, std::string_view s) {
  const std::size_t mark = out.size();
  std::size_t plain = 0;  // start of the run of bytes copied as they are
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence(s, i);
      if (n == 0) {
        out.resize(mark);
        return false;
      }
      i += n;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(s.data() + plain, i - plain);
    switch (c) {
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default: {
        char code[8];
        std::snprintf(code, sizeof code, "\\u%04x", static_cast<unsigned>(c));
        out += code;
      }
    }
    plain = ++i;
  }
  out.append(s.data() + plain, s.size() - plain);
  return true;
}

void append_string(std::string& out, const std::string& s, Json::error_handler_t handler) {
  out += '"';
  if (append_escaped(out, s)) {
    out += '"';
    return;
  }
  // Not UTF-8: nlohmann's own handling (replacement characters, or its exception).
  out.pop_back();
  out += Json(s).dump(-1, ' ', false, handler);
}

template <typename Int>
void append_integer(std::string& out, Int v) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
  out.append(digits, end);
}

}  // namespace

void append_json_text(std::string& out, const Json& j, Json::error_handler_t handler) {
  switch (j.type()) {
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : j.get_ref<const Json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        append_string(out, key, handler);
        out += ':';
        append_json_text(out, value, handler);
      }
      out += '}';
      return;
    }
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const Json& value : j.get_ref<const Json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        append_json_text(out, value, handler);
      }
      out += ']';
      return;
    }
    case Json::value_t::string:
      append_string(out, j.get_ref<const std::string&>(), handler);
      return;
    case Json::value_t::boolean:
      out += j.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::number_integer:
      append_integer(out, j.get<std::int64_t>());
      return;
    case Json::value_t::number_unsigned:
      append_integer(out, j.get<std::uint64_t>());
      return;
    case Json::value_t::null:
      out += "null";
      return;
    default:  // floats, binary, discarded: nlohmann's own text
      out += j.dump(-1, ' ', false, handler);
      return;
  }
}

std::string json_text(const Json& j, Json::error_handler_t handler) {
  std::string out;
  append_json_text(out, j, handler);
  return out;
}

}  // namespace pmiflow
