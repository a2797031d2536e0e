// Variables JSON (tools/cli/variables_input.h): the input as a `--vars` document, and each of
// its lines as a `--var name=value` argument. What is accepted is within the limits of a
// variable's value and can be written as JSON; what is refused is kInvalidArgument.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/common/json_input.h"
#include "engine/common/limits.h"
#include "tests/fuzz/fuzz_check.h"
#include "tools/cli/variables_input.h"

namespace pmiflow::fuzz {
namespace {

void check_accepted(const Variables& vars) {
  for (const auto& [name, value] : vars) {
    check_utf8(name, "variable name is UTF-8");
    check(check_json_value(value, name, limits::kValueJson).ok(), "value within the limits");
    (void)json_text(value, Json::error_handler_t::strict);  // what the store writes
  }
}

}  // namespace
}  // namespace pmiflow::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pmiflow;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Variables document;
  Status s = cli::add_variables_document(input, "fuzz.json", document);
  fuzz::check(s.ok() || s.error().code == ErrorCode::kInvalidArgument, "--vars error code");
  if (s.ok()) fuzz::check_accepted(document);

  Variables args;
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    Status arg = cli::add_variable_argument(std::string(input.substr(start, end - start)), args);
    fuzz::check(arg.ok() || arg.error().code == ErrorCode::kInvalidArgument, "--var error code");
    start = end + 1;
  }
  fuzz::check_accepted(args);
  return 0;
}
