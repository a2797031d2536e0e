// Variables given on the command line: --var name=value (value is JSON when it parses as JSON,
// a string otherwise) and --vars FILE.json (a JSON object). Both within the limits of
// engine/common/limits.h (a value's depth and size, a document's size) and UTF-8.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/common/json.h"
#include "engine/common/result.h"

namespace pmiflow::cli {

// Files first, then --var in order (a later one wins). kInvalidArgument naming the bad
// argument (`--var NAME: ...`) or file (`--vars FILE: ...`) and, for a limit, the limit; kIo
// when a file cannot be read.
Result<Variables> parse_variables(const std::vector<std::string>& var_args,
                                  const std::vector<std::string>& var_files);

// The variables of a --vars document `text` (read from `file`, which messages name), added to
// `vars`. On error `vars` may hold some of them.
Status add_variables_document(std::string_view text, const std::string& file, Variables& vars);

// One --var argument, "name=value", added to `vars`.
Status add_variable_argument(const std::string& arg, Variables& vars);

}  // namespace pmiflow::cli
