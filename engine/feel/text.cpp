#include "engine/feel/text.h"

#include "engine/common/json.h"

namespace pmiflow::feel {

std::string_view utf8_prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

// The whole UTF-8 character that starts at byte `pos` of `s` (which is valid UTF-8).
std::string_view utf8_char_at(std::string_view s, size_t pos) {
  size_t end = pos + 1;
  while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
  return s.substr(pos, end - pos);
}

// JSON-quoted, possibly truncated rendering of a string for messages.
std::string quote(std::string_view s) {
  std::string_view head = utf8_prefix(s, kMaxQuotedBytes);
  std::string text = Json(std::string(head)).dump(-1, ' ', false, Json::error_handler_t::replace);
  if (head.size() < s.size()) text += "...";
  return text;
}

std::string hex4(unsigned v) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string s(4, '0');
  for (int i = 3; i >= 0; --i) {
    s[static_cast<size_t>(i)] = kDigits[v & 0xF];
    v >>= 4;
  }
  return s;
}

int column_of(std::string_view s, size_t pos) {
  int col = 1;
  for (size_t i = 0; i < pos && i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++col;
  }
  return col;
}

}  // namespace pmiflow::feel
