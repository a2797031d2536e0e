// Reading an input file whole, within the limit of its kind (engine/common/limits.h).
#pragma once

#include <cstddef>
#include <string>

#include "engine/common/result.h"

namespace pmiflow::cli {

// The bytes of the file at `path`. kIo when it cannot be read (missing, a directory, a read
// error). kInvalidArgument when it holds more than `max_bytes`, naming the path and the limit of
// `what` (e.g. "a BPMN file"); it is not read past the limit.
Result<std::string> read_file(const std::string& path, std::size_t max_bytes, const char* what);

}  // namespace pmiflow::cli
