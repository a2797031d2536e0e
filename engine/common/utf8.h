// UTF-8 well-formedness, shared by the FEEL parser, the JSON writer and the checks of input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pmiflow {

// The byte offset of the first malformed UTF-8 sequence in `s` (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF; nlohmann's decoder agrees), or npos.
std::size_t find_invalid_utf8(std::string_view s);

// `s` with each byte that starts a malformed sequence written as the text \xFF, so that a message
// quoting outside input is itself UTF-8.
std::string escape_invalid_utf8(std::string_view s);

// The longest prefix of `s` of at most `max_bytes` bytes that does not cut a UTF-8 sequence in
// two (for messages that show the start of a long text).
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

// Appends code point `cp` (at most U+10FFFF, not a surrogate) to `out` as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);

}  // namespace pmiflow
