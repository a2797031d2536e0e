// Text helpers of the BPMN parser (private to engine/model): ASCII spaces and case, and the
// encodings a BPMN file may come in. The parser works on UTF-8, so that pugixml's offsets are
// offsets into its own buffer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pmiflow::model::detail {

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The `encoding` of the XML declaration, lower-cased; empty when there is none.
std::string declared_encoding(std::string_view xml);
// ISO-8859-1 or windows-1252 (and their aliases), read as Latin-1.
bool is_latin1_name(const std::string& encoding);
bool has_utf16_or_utf32_bom(std::string_view xml);
// Decodes a UTF-16 or UTF-32 document (by its byte order mark, which is dropped) into UTF-8.
// False, with the byte offset of the first bad code unit in `bad`, when the text is not well
// formed: a lone surrogate, a code point above U+10FFFF, a truncated unit.
bool decode_utf16_or_utf32(std::string_view xml, std::string& out, std::size_t& bad);
std::string latin1_to_utf8(std::string_view in);

}  // namespace pmiflow::model::detail
