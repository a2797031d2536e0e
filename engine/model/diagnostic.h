// A problem found in a definition file, printed compiler-style:
//   FILE:LINE:COL: error: ELEMENT_ID: message
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pmiflow::model {

enum class Severity { kError, kWarning };

struct Diagnostic {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  int column = 0;
  Severity severity = Severity::kError;
  std::string element_id;  // may be empty (e.g. XML not well-formed)
  std::string message;

  std::string to_string() const;
};

bool has_errors(const std::vector<Diagnostic>& diagnostics);

// The first `max_items` of `items` joined by `separator`, then "... (N in all)" when there are
// more: a list inside a message.
std::string join_for_message(const std::vector<std::string>& items, std::string_view separator,
                             std::size_t max_items);
// Sorts by line, then column, keeping the order of equal places.
void sort_diagnostics(std::vector<Diagnostic>& diagnostics);
// "internal error: WHAT" for FILE: what a parser or validator returns for an exception.
Diagnostic internal_error(const std::string& file, const std::string& what);

}  // namespace pmiflow::model
