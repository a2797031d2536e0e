// Times as people and files write them: UTC instants in milliseconds since the Unix epoch, read
// from and written as ISO-8601 text.
#pragma once

#include <cstdint>
#include <string>

#include "engine/common/result.h"

namespace pmiflow {

// "2026-11-25T03:17:01.123Z"
std::string format_time(std::int64_t ms);

// ISO-8601: "2026-11-25T10:00:00Z", with optional seconds, fraction and offset ("+05:00",
// "-0500"; none = UTC), 'T' or a space between date and time. A date alone ("2026-11-25") is
// the end of that day, UTC (23:59:59.999), so that a bound given as a day includes all of it.
// kInvalidArgument naming `what` (e.g. "--at") and the accepted forms otherwise.
Result<std::int64_t> parse_time(const std::string& text, const std::string& what);

}  // namespace pmiflow
