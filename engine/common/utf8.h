// UTF-8 well-formedness, shared by the FEEL parser and the JSON writer.
#pragma once

#include <cstddef>
#include <string_view>

namespace pmiflow {

// The byte offset of the first malformed UTF-8 sequence in `s` (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF; nlohmann's decoder agrees), or npos.
std::size_t find_invalid_utf8(std::string_view s);

}  // namespace pmiflow
