// A duration flag of the CLI (--ttl, --dedup-window, --timeout): an ISO 8601 duration (PT30S,
// P1D, P1M), read as milliseconds from a time.
#pragma once

#include <cstdint>
#include <string>

#include "engine/common/result.h"

namespace pmiflow::cli {

// `text` as milliseconds from `now_ms` (months and days on the calendar of the engine's zone).
// kInvalidArgument naming `flag` when it does not parse or is out of range; a negative or zero
// one is the caller's to refuse.
Result<std::int64_t> parse_duration_flag(const std::string& text, const std::string& flag,
                                         std::int64_t now_ms);

}  // namespace pmiflow::cli
