#include "engine/engine/deployment.h"

#include <set>

#include "engine/common/json_input.h"
#include "engine/engine/audit.h"
#include "engine/model/form.h"

namespace pmiflow {
namespace {

std::string file_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Reads and checks the form `form_id`; an Error saying why when it is not usable.
Result<FormSource> load_form(const std::string& form_id, const FormResolver& resolve_form) {
  if (!resolve_form) {
    return make_error(ErrorCode::kValidation, "no forms were given with the definition");
  }
  auto file = resolve_form(form_id);
  if (!file.ok()) return file.error();
  auto json = parse_json_checked(file->json, "form file '" + file->path + "'", limits::kFormJson);
  if (!json.ok()) return make_error(ErrorCode::kValidation, json.error().message);
  auto form = Form::parse(*json, file->path);
  if (!form.ok()) {
    std::string message = form.error().message;  // one problem per line: keep one line
    for (auto at = message.find('\n'); at != std::string::npos; at = message.find('\n', at)) {
      message.replace(at, 1, "; ");
    }
    return make_error(ErrorCode::kValidation, message);
  }
  if (form->id() != form_id) {
    return make_error(ErrorCode::kValidation, "form file '" + file->path + "' has id '" +
                                                  form->id() + "', not '" + form_id + "'");
  }
  return FormSource{form_id, file->json, audit::sha256_hex(file->json), file_name(file->path)};
}

}  // namespace

CheckedDeployment check_deployment(std::string_view xml, const std::string& file,
                                   const model::ValidationOptions& options,
                                   const FormResolver& resolve_form) {
  CheckedDeployment out;
  auto loaded = model::load_bpmn(xml, file, options);
  out.diagnostics = std::move(loaded.diagnostics);
  if (!loaded.definition) return out;
  bool form_errors = false;
  std::set<std::string> seen;
  for (const auto& node : loaded.definition->nodes) {
    if (node.form_id.empty() || !seen.insert(node.form_id).second) continue;
    auto form = load_form(node.form_id, resolve_form);
    if (form.ok()) {
      out.forms.push_back(std::move(*form));
      continue;
    }
    form_errors = true;
    out.diagnostics.push_back(model::Diagnostic{
        file, node.location.line, node.location.column, model::Severity::kError, node.id,
        "form '" + node.form_id + "' (zeebe:formDefinition formId): " + form.error().message});
  }
  if (!form_errors) out.definition = std::move(loaded.definition);
  return out;
}

std::string diagnostics_text(const std::vector<model::Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) {
    if (!out.empty()) out += '\n';
    out += d.to_string();
  }
  return out;
}

}  // namespace pmiflow
