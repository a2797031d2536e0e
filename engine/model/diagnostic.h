// A problem found in a definition file, printed compiler-style:
//   FILE:LINE:COL: error: ELEMENT_ID: message
#pragma once

#include <string>
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

}  // namespace pmiflow::model
