// Limits on input from outside: files, command-line values, archive lines. Every parser of
// outside input refuses more than this before it builds anything whose size or depth the input
// controls, with an error naming the place (file, --var name, line) and the limit. The table of
// docs/cli.md ("Limits") lists them; change both together.
//
// Why: nlohmann's copy, comparison and dump recurse once per level of a JSON value, and so does
// json_text; a value nested a hundred thousand levels deep overflows the stack. Sizes keep one
// command's memory (and the event log's growth) bounded.
#pragma once

#include <cstddef>
#include <string>

namespace pmiflow::limits {

inline constexpr std::size_t kKiB = 1024;
inline constexpr std::size_t kMiB = 1024 * kKiB;

// A variable's value: arrays and objects inside one another at most this deep (a scalar is 0
// levels, [1] is 1, {"a": [1]} is 2), and its JSON text at most this long.
inline constexpr int kMaxValueDepth = 64;
inline constexpr std::size_t kMaxValueBytes = 1 * kMiB;

// A variables document (`--vars FILE`): an object of variables, so one level more than a value.
inline constexpr int kMaxVariablesDepth = kMaxValueDepth + 1;
inline constexpr std::size_t kMaxVariablesBytes = 4 * kMiB;

// A form file (form-js JSON; D02.03's largest is 8 KiB and 9 levels deep).
inline constexpr int kMaxFormDepth = 64;
inline constexpr std::size_t kMaxFormBytes = 1 * kMiB;

// A BPMN file (D02.03's is 60 KiB; XML nesting is not limited: the parser does not recurse; the
// subProcesses it reads are, so that what it visits stays near the process element).
inline constexpr std::size_t kMaxBpmnBytes = 16 * kMiB;
// How deep subProcesses may nest in a BPMN file (modelers' processes nest a few levels).
inline constexpr int kMaxSubProcessDepth = 32;

// A FEEL expression (a condition, a form's conditional.hide): its text, and brackets ('(', '[',
// 'not(') inside one another.
inline constexpr std::size_t kMaxFeelBytes = 64 * kKiB;
inline constexpr int kMaxFeelNesting = 127;

// One line of an archive (docs/audit.md): an event holds variables' values a few levels down
// (line, payload, changes, change), a definition line its BPMN escaped as JSON.
inline constexpr int kMaxArchiveLineDepth = kMaxValueDepth + 16;
inline constexpr std::size_t kMaxArchiveLineBytes = 64 * kMiB;

// A schools CSV (`start --from-csv`): 100,000 schools (the most sample-jurisdiction writes) take
// about 12 MiB.
inline constexpr std::size_t kMaxSchoolsCsvBytes = 64 * kMiB;

// The limits of one kind of JSON text, for parse_json_checked and check_json_value
// (engine/common/json_input.h).
struct JsonLimits {
  std::size_t max_bytes;  // the text's size
  int max_depth;          // arrays and objects inside one another
  const char* what;       // what they are the limits of, in messages: "a variable's value"
};
inline constexpr JsonLimits kValueJson{kMaxValueBytes, kMaxValueDepth, "a variable's value"};
inline constexpr JsonLimits kVariablesJson{kMaxVariablesBytes, kMaxVariablesDepth,
                                           "a variables document"};
inline constexpr JsonLimits kFormJson{kMaxFormBytes, kMaxFormDepth, "a form file"};
inline constexpr JsonLimits kArchiveLineJson{kMaxArchiveLineBytes, kMaxArchiveLineDepth,
                                             "an archive line"};

// "1 MiB (1048576 bytes)", "64 KiB (65536 bytes)", "1000 bytes": a limit in messages.
std::string bytes_text(std::size_t bytes);

}  // namespace pmiflow::limits
