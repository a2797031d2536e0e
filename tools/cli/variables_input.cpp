#include "tools/cli/variables_input.h"

#include <cctype>

#include "tools/cli/session.h"

namespace pmiflow::cli {
namespace {

bool valid_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) != 0) return false;
  for (unsigned char c : name) {
    if (std::isalnum(c) == 0 && c != '_' && c < 0x80) return false;
  }
  return true;
}

}  // namespace

Result<Variables> parse_variables(const std::vector<std::string>& var_args,
                                  const std::vector<std::string>& var_files) {
  Variables vars;
  for (const auto& file : var_files) {
    auto text = read_file(file);
    if (!text.ok()) return text.error();
    Json doc;
    try {
      doc = Json::parse(*text);
    } catch (const Json::exception& e) {
      return make_error(ErrorCode::kInvalidArgument,
                        "--vars " + file + ": not valid JSON: " + e.what());
    }
    if (!doc.is_object()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "--vars " + file + ": expected a JSON object of variables, found " +
                            std::string(doc.type_name()));
    }
    for (const auto& [name, value] : doc.items()) {
      if (!valid_name(name)) {
        return make_error(ErrorCode::kInvalidArgument,
                          "--vars " + file + ": '" + name + "' is not a variable name");
      }
      vars[name] = value;
    }
  }
  for (const auto& arg : var_args) {
    auto eq = arg.find('=');
    if (eq == std::string::npos) {
      return make_error(ErrorCode::kInvalidArgument, "--var '" + arg + "': expected name=value");
    }
    std::string name = arg.substr(0, eq);
    std::string text = arg.substr(eq + 1);
    if (!valid_name(name)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "--var '" + arg + "': '" + name +
                            "' is not a variable name (letters, digits, _; not starting with a "
                            "digit)");
    }
    Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    vars[name] = value.is_discarded() ? Json(text) : value;
  }
  return vars;
}

}  // namespace pmiflow::cli
