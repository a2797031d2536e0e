// Variables given on the command line: --var name=value (value is JSON when it parses as JSON,
// a string otherwise) and --vars FILE.json (a JSON object).
#pragma once

#include <string>
#include <vector>

#include "engine/common/json.h"
#include "engine/common/result.h"

namespace pmiflow::cli {

// Files first, then --var in order (a later one wins). kInvalidArgument naming the bad
// argument or file position; kIo when a file cannot be read.
Result<Variables> parse_variables(const std::vector<std::string>& var_args,
                                  const std::vector<std::string>& var_files);

}  // namespace pmiflow::cli
