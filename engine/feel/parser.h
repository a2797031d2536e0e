// The FEEL lexer and recursive-descent parser (private to engine/feel).
#pragma once

#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "engine/common/limits.h"
#include "engine/feel/ast.h"

namespace pmiflow::feel {

// The deepest brackets may nest, counting the whole text's level.
inline constexpr int kMaxNesting = limits::kMaxFeelNesting + 1;

// Parses `text` from byte offset `start` (after a leading '='). Adds the top-level variable
// names read to `variables`. On a syntax error returns nullptr with the error's byte offset and
// message.
std::unique_ptr<Node> parse_expression(std::string_view text, std::size_t start,
                                       std::set<std::string>& variables, std::size_t& error_pos,
                                       std::string& error_message);

}  // namespace pmiflow::feel
