// The tree-walking evaluator of FEEL (private to engine/feel).
#pragma once

#include "engine/common/json.h"
#include "engine/feel/ast.h"
#include "engine/feel/feel.h"
#include "engine/feel/value.h"

namespace pmiflow::feel {

// Evaluates `root` over `vars` into `out` (temporals still encoded: temporal_value.h); false with
// `error` filled on a type error. Never throws on any tree the parser builds (the caller still
// catches, for bugs).
bool evaluate_tree(const Node& root, const Variables& vars, const Env& env, Value& out,
                   EvalError& error);

}  // namespace pmiflow::feel
