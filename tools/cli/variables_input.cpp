#include "tools/cli/variables_input.h"

#include <cctype>

#include "engine/common/json_input.h"
#include "engine/common/limits.h"
#include "engine/common/utf8.h"
#include "tools/cli/read_file.h"

namespace pmiflow::cli {
namespace {

bool valid_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) != 0) return false;
  for (unsigned char c : name) {
    if (std::isalnum(c) == 0 && c != '_' && c < 0x80) return false;
  }
  return find_invalid_utf8(name) == std::string_view::npos;
}

}  // namespace

Status add_variables_document(std::string_view text, const std::string& file, Variables& vars) {
  const std::string where = "--vars " + file;
  auto doc = parse_json_checked(text, where, limits::kVariablesJson);
  if (!doc.ok()) return doc.error();
  if (!doc->is_object()) {
    return make_error(
        ErrorCode::kInvalidArgument,
        where + ": expected a JSON object of variables, found " + std::string(doc->type_name()));
  }
  for (const auto& [name, value] : doc->items()) {
    if (!valid_name(name)) {
      return make_error(ErrorCode::kInvalidArgument,
                        where + ": '" + name + "' is not a variable name");
    }
    PMIFLOW_TRY(check_json_value(value, where + ": variable " + name, limits::kValueJson));
    vars[name] = value;
  }
  return {};
}

Status add_variable_argument(const std::string& arg, Variables& vars) {
  auto eq = arg.find('=');
  if (eq == std::string::npos) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--var '" + escape_invalid_utf8(arg) + "': expected name=value");
  }
  std::string name = arg.substr(0, eq);
  std::string_view text = std::string_view(arg).substr(eq + 1);
  if (!valid_name(name)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--var '" + escape_invalid_utf8(arg) + "': '" + escape_invalid_utf8(name) +
                          "' is not a variable name (letters, digits, _; not starting with a "
                          "digit)");
  }
  const std::string where = "--var " + name;
  if (text.size() > limits::kMaxValueBytes) {
    return make_error(ErrorCode::kInvalidArgument,
                      where + ": " + std::to_string(text.size()) +
                          " bytes, more than the limit for " + limits::kValueJson.what + " (" +
                          limits::bytes_text(limits::kMaxValueBytes) + ")");
  }
  if (is_json_text(text)) {
    auto value = parse_json_checked(text, where, limits::kValueJson);
    if (!value.ok()) return value.error();
    vars[name] = std::move(*value);
    return {};
  }
  if (const std::size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
    return make_error(ErrorCode::kInvalidArgument,
                      where + ": the value is not valid UTF-8 (byte offset " + std::to_string(bad) +
                          " of the value is " + escape_invalid_utf8(text.substr(bad, 1)) + ")");
  }
  vars[name] = Json(std::string(text));
  return {};
}

Result<Variables> parse_variables(const std::vector<std::string>& var_args,
                                  const std::vector<std::string>& var_files) {
  Variables vars;
  for (const auto& file : var_files) {
    auto text = read_file(file, limits::kMaxVariablesBytes, limits::kVariablesJson.what);
    if (!text.ok() && text.error().code == ErrorCode::kInvalidArgument) {
      return make_error(ErrorCode::kInvalidArgument, "--vars " + text.error().message);
    }
    if (!text.ok()) return text.error();
    PMIFLOW_TRY(add_variables_document(*text, file, vars));
  }
  for (const auto& arg : var_args) PMIFLOW_TRY(add_variable_argument(arg, vars));
  return vars;
}

}  // namespace pmiflow::cli
