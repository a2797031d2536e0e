// A subset of FEEL (DMN 1.3 "Friendly Enough Expression Language") for sequence-flow conditions.
//
// Supported: number, string, boolean and null literals; variable paths `a.b.c`; comparisons
// (=, !=, <, <=, >, >=); `and`, `or`, `not(...)`; arithmetic (+ - * / and unary minus);
// parentheses; `x in [v1, v2, ...]`. Camunda 8 writes conditions with a leading `=`; it is
// accepted and ignored.
//
// Semantics follow FEEL: a missing variable or path is null; `=` / `!=` compare any two values
// (null = null is true); ordering comparisons and arithmetic with a null operand give null;
// `and` / `or` are three-valued. A comparison or an arithmetic operation between values of
// incompatible non-null types (e.g. "a" < 3) is a type error, reported as an EvalError so that
// the engine raises an incident; it never throws.
//
// Thread-safety: a compiled Expression is immutable and may be evaluated concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "engine/common/json.h"
#include "engine/time/zone.h"

namespace pmiflow::feel {

struct CompileError {
  std::string message;
  int column = 1;  // 1-based column inside the expression text (as given, including any '=')
};

struct EvalError {
  std::string message;
};

// What an evaluation reads besides the variables. `now()` and `today()` read `now_ms`, the time
// of the command that evaluates (so that a replay gives the same answer); without it they are an
// error. `zone` is the engine's: today()'s date, now()'s zone, and the zone of a local date and
// time compared with or subtracted from a zoned one.
struct Env {
  std::optional<std::int64_t> now_ms;
  time::Zone zone = time::default_zone();
};

class Node;  // private AST node

class Expression {
 public:
  // Evaluates over the instance's variables (a JSON object, or a Variables map).
  // Returns the FEEL value as JSON (null, boolean, number, string, array or object); a date,
  // time, date and time or duration is its ISO text ("2026-03-01", "P1M").
  bool evaluate(const Variables& vars, const Env& env, Json& out, EvalError& error) const;
  // Without the command's time: now() and today() are errors.
  bool evaluate(const Variables& vars, Json& out, EvalError& error) const {
    return evaluate(vars, Env{}, out, error);
  }

  // The top-level variable names the expression reads (for audit: "the values it saw").
  const std::set<std::string>& variables() const { return variables_; }
  const std::string& text() const { return text_; }

 private:
  friend class Compiler;
  std::shared_ptr<const Node> root_;
  std::set<std::string> variables_;
  std::string text_;
};

// Compiles `text`. On failure returns false and fills `error` (message and column).
// Never throws; input of any length or nesting depth gives a result or a CompileError.
bool compile(std::string_view text, Expression& out, CompileError& error);

}  // namespace pmiflow::feel
