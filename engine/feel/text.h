// Text helpers of the FEEL lexer, parser and messages (private to engine/feel).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pmiflow::feel {

// Strings quoted in messages are cut to this many bytes.
inline constexpr std::size_t kMaxQuotedBytes = 40;

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view s, std::size_t max);
// The whole UTF-8 character that starts at byte `pos` of `s` (which is valid UTF-8).
std::string_view utf8_char_at(std::string_view s, std::size_t pos);
// JSON-quoted, possibly truncated rendering of a string for messages.
std::string quote(std::string_view s);
// 1-based column of byte offset `pos`, counting UTF-8 characters (equal to bytes for ASCII).
int column_of(std::string_view s, std::size_t pos);
std::string hex4(unsigned v);

inline bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
inline bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}
inline bool is_name_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
inline bool is_name_char(unsigned char c) {
  return is_name_start(c) || is_digit(c);
}

}  // namespace pmiflow::feel
