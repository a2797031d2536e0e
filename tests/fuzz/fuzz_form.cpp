// Form JSON (engine/model/form.h), as deploy reads a form file: parse_json_checked within the
// form limits, then Form::parse. The input is the form, optionally followed by a NUL byte and a
// JSON object of submitted variables, which Form::check then checks (with those variables as
// the instance's too). Nothing throws; every message is UTF-8; a form that parses has the id it
// was given.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/common/json_input.h"
#include "engine/common/limits.h"
#include "engine/model/form.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pmiflow;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  auto json = parse_json_checked(input.substr(0, nul), "form file 'f.form'", limits::kFormJson);
  if (!json.ok()) {
    fuzz::check(json.error().code == ErrorCode::kInvalidArgument, "a form's JSON error code");
    return 0;
  }
  auto form = Form::parse(*json, "f.form");
  if (!form.ok()) {
    fuzz::check(form.error().code == ErrorCode::kValidation, "a form's error code");
    fuzz::check_utf8(form.error().message, "form error is UTF-8");
    return 0;
  }
  fuzz::check(form->id() == json->at("id").get<std::string>(), "the form keeps its id");
  Variables submitted;
  if (nul != std::string_view::npos) {
    auto doc = parse_json_checked(input.substr(nul + 1), "submitted", limits::kVariablesJson);
    if (doc.ok() && doc->is_object()) {
      for (const auto& [name, value] : doc->items()) submitted[name] = value;
    }
  }
  const Variables none;
  for (const Variables* instance : {static_cast<const Variables*>(&submitted), &none}) {
    for (const FieldError& e : form->check(submitted, *instance)) {
      fuzz::check_utf8(e.message, "field error is UTF-8");
      fuzz::check(e.message.rfind(e.field, 0) == 0, "a field error starts with its field");
    }
  }
  for (const std::string& name : form->variables()) fuzz::check_utf8(name, "variable is UTF-8");
  return 0;
}
