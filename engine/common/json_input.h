// JSON from outside (a file, a command-line value, an archive line), checked against its limits
// (limits.h) before nlohmann builds a value that recursive code (copy, comparison, dump,
// json_text) would walk.
#pragma once

#include <string>
#include <string_view>

#include "engine/common/json.h"
#include "engine/common/limits.h"
#include "engine/common/result.h"

namespace pmiflow {

// Parses `text` as one JSON value. `where` names the input in messages ("--vars big.json",
// "--var x", "form file 'forms/a.form'", "a.jsonl:3"). Checked in this order, before anything
// is built; errors are kInvalidArgument:
//   "<where>: 5000000 bytes, more than the limit for a variables document (4 MiB (4194304 bytes))"
//   "<where>: invalid UTF-8 at byte offset 7 (0xff)"
//   "<where>: nested deeper than 65 levels at byte offset 65 (the limit for a variables
//    document: 65 levels of arrays and objects)"
//   "<where> is not JSON: <nlohmann's message, with the line and column>"
// Never throws.
Result<Json> parse_json_checked(std::string_view text, const std::string& where,
                                const limits::JsonLimits& limits);

// Whether `text` is one JSON value (nlohmann's grammar), without building it; iterative, so any
// depth is safe. For inputs that are JSON when they parse and something else otherwise (--var).
bool is_json_text(std::string_view text);

// The same checks on a value built elsewhere: its depth (walked without recursion), every
// string and key being UTF-8 (the message names its path, e.g. "at items[2].name"), then the
// size of its json_text. kInvalidArgument naming `where` and the limit.
Status check_json_value(const Json& value, const std::string& where,
                        const limits::JsonLimits& limits);

}  // namespace pmiflow
