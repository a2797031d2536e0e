// FEEL's built-in functions that pmiflow supports (private to engine/feel; docs/feel.md lists
// them): conversions to and from temporals, now() and today(), strings, lists.
//
// A name may have several words ("date and time", "string length"); the parser matches the
// longest. Arguments are positional. As in FEEL, a null argument gives null (but for `is
// defined` and `list contains`); a value of the wrong type or text that does not parse is an
// error naming the function, so that the engine raises an incident instead of taking a branch on
// a silent null.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/common/json.h"
#include "engine/feel/feel.h"

namespace pmiflow::feel {

struct CallContext {
  const Env& env;
};

struct Builtin {
  const char* name;
  int min_args;
  int max_args;             // -1: any number
  const char* signature;    // for messages: "substring(string, start position[, length])"
  bool reads_path = false;  // `is defined`: the evaluator answers from the argument's path
  bool (*call)(const CallContext& ctx, std::vector<Json>& args, Json& out,
               std::string& error) = nullptr;
};

const std::vector<Builtin>& builtins();
const Builtin* find_builtin(std::string_view name);
// "date, time, date and time, ...", for the message of an unknown function.
std::string builtin_names();

}  // namespace pmiflow::feel
