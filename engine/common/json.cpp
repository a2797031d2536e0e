#include "engine/common/json.h"

#include <charconv>
#include <cstdio>

#include "engine/common/utf8.h"

namespace pmiflow {
namespace {

// Appends `s` escaped as nlohmann's serializer does with ensure_ascii off: `"` and `\`, the
// short escapes of \b \t \n \f \r, \u00xx (lower-case hex) for the other control characters,
// every other byte as it is. REQUIRES: `s` is well-formed UTF-8.
void append_escaped(std::string& out, std::string_view s) {
  std::size_t plain = 0;  // start of the run of bytes copied as they are
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
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
    plain = i + 1;
  }
  out.append(s.data() + plain, s.size() - plain);
}

template <typename Int>
void append_integer(std::string& out, Int v) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
  out.append(digits, end);
}

}  // namespace

void append_json_string(std::string& out, const std::string& s, Json::error_handler_t handler) {
  if (find_invalid_utf8(s) != std::string_view::npos) {
    // Not UTF-8: nlohmann's own handling (replacement characters, or its exception).
    out += Json(s).dump(-1, ' ', false, handler);
    return;
  }
  out += '"';
  append_escaped(out, s);
  out += '"';
}

void append_json_text(std::string& out, const Json& j, Json::error_handler_t handler) {
  switch (j.type()) {
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : j.get_ref<const Json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, key, handler);
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
      append_json_string(out, j.get_ref<const std::string&>(), handler);
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
