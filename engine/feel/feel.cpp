// FEEL subset: the entry points. The lexer and parser are in parser.cpp, the evaluator in
// evaluator.cpp, values in value.cpp.
//
// Limits that keep every input bounded:
//   - texts longer than limits::kMaxFeelBytes are rejected before lexing;
//   - brackets ('(', '[', 'not(') nest at most limits::kMaxFeelNesting levels deep;
//   - chains of binary operators and of unary minus build flat n-ary nodes, so the AST depth (and
//     with it parser, evaluator and destructor recursion) is bounded by the bracket nesting;
//   - string concatenation results are capped at kMaxStringBytes;
//   - comparing JSON values recurses at most kMaxValueDepth levels into lists and contexts.
//
// Numbers are IEEE doubles, with exact 64-bit integer arithmetic when both operands are integers
// and the result fits (FEEL specifies decimal128; for conditions the difference only shows in
// cases like 0.1 + 0.2 = 0.3, which is false here).
#include "engine/feel/feel.h"

#include <exception>
#include <string>
#include <utility>

#include "engine/common/limits.h"
#include "engine/common/utf8.h"
#include "engine/feel/ast.h"
#include "engine/feel/evaluator.h"
#include "engine/feel/parser.h"
#include "engine/feel/temporal_value.h"
#include "engine/feel/text.h"

namespace pmiflow::feel {
namespace {

constexpr std::size_t kMaxTextBytes = limits::kMaxFeelBytes;

}  // namespace

// Builds Expressions; a friend of Expression.
class Compiler {
 public:
  static bool run(std::string_view text, Expression& out, CompileError& error) {
    if (text.size() > kMaxTextBytes) {
      error = {"expression too long: " + std::to_string(text.size()) + " bytes (the limit is " +
                   std::to_string(kMaxTextBytes) + ")",
               1};
      return false;
    }
    if (size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
      error = {"invalid UTF-8 byte 0x" + hex4(static_cast<unsigned char>(text[bad])).substr(2) +
                   " in expression",
               column_of(text, bad)};
      return false;
    }
    // A leading '=' (Camunda 8 style) is skipped.
    size_t start = 0;
    while (start < text.size() && is_space(static_cast<unsigned char>(text[start]))) ++start;
    if (start < text.size() && text[start] == '=') ++start;

    std::set<std::string> variables;
    std::size_t error_pos = 0;
    std::string message;
    std::unique_ptr<Node> root = parse_expression(text, start, variables, error_pos, message);
    if (!root) {
      error = {std::move(message), column_of(text, error_pos)};
      return false;
    }
    out.root_ = std::shared_ptr<const Node>(std::move(root));
    out.variables_ = std::move(variables);
    out.text_ = std::string(text);
    return true;
  }
};

bool compile(std::string_view text, Expression& out, CompileError& error) {
  try {
    return Compiler::run(text, out, error);
  } catch (const std::exception& e) {
    error = {std::string("internal error while compiling: ") + e.what(), 1};
  } catch (...) {
    error = {"internal error while compiling", 1};
  }
  return false;
}

bool Expression::evaluate(const Variables& vars, const Env& env, Json& out,
                          EvalError& error) const {
  if (!root_) {
    error.message = "expression is not compiled";
    return false;
  }
  try {
    Value result;
    if (!evaluate_tree(*root_, vars, env, result, error)) return false;
    out = to_output(result.take());
    return true;
  } catch (const std::exception& e) {
    error.message = std::string("internal error while evaluating: ") + e.what();
  } catch (...) {
    error.message = "internal error while evaluating";
  }
  return false;
}

}  // namespace pmiflow::feel
