// FEEL (engine/feel/feel.h): conditions of sequence flows and forms' conditional.hide. The
// input is an expression, optionally followed by a NUL byte and a JSON object of variables to
// evaluate it over (else a fixed set). Compiling and evaluating never throw (they would report
// an "internal error"), a compile error's column lies within the text, error messages are UTF-8
// (validate --json and incidents write them), and a result can be written as JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/common/json.h"
#include "engine/common/json_input.h"
#include "engine/common/limits.h"
#include "engine/feel/feel.h"
#include "tests/fuzz/fuzz_check.h"

namespace pmiflow::fuzz {
namespace {

const Variables& fixed_variables() {
  static const Variables vars = {
      {"alineada", true},
      {"puntaje", 3},
      {"promedio", 2.5},
      {"sector", "OFICIAL"},
      {"categoria_saber", "D"},
      {"nada", nullptr},
      {"lista", Json::array({1, "dos", Json::array({3})})},
      {"ctx", Json{{"a", Json{{"b", 1}}}, {"s", "ñ"}}},
      {"grande", 9007199254740993LL},
  };
  return vars;
}

}  // namespace
}  // namespace pmiflow::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pmiflow;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string_view text = input.substr(0, nul);
  Variables own;
  const Variables* vars = &fuzz::fixed_variables();
  if (nul != std::string_view::npos) {
    auto doc = parse_json_checked(input.substr(nul + 1), "variables", limits::kVariablesJson);
    if (doc.ok() && doc->is_object()) {
      for (const auto& [name, value] : doc->items()) own[name] = value;
      vars = &own;
    }
  }
  feel::Expression expression;
  feel::CompileError error;
  if (!feel::compile(text, expression, error)) {
    fuzz::check(error.message.rfind("internal error", 0) != 0, "no internal error compiling");
    fuzz::check_utf8(error.message, "compile error is UTF-8");  // validate --json writes it
    fuzz::check(error.column >= 1 && static_cast<std::size_t>(error.column) <= text.size() + 1,
                "error column within the text");
    return 0;
  }
  for (const std::string& name : expression.variables()) {
    fuzz::check_utf8(name, "variable name is UTF-8");
  }
  Json result;
  feel::EvalError eval_error;
  feel::Env env;
  env.now_ms = 1772811000000;  // 2026-03-06T15:30:00Z: now() and today() are evaluated too
  if (!expression.evaluate(*vars, env, result, eval_error)) {
    fuzz::check(eval_error.message.rfind("internal error", 0) != 0, "no internal error evaluating");
    fuzz::check_utf8(eval_error.message, "evaluation error is UTF-8");  // an incident's message
    return 0;
  }
  // What the engine records of a decision: the result as JSON text.
  (void)json_text(result, Json::error_handler_t::strict);
  return 0;
}
