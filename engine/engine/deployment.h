// What deploying a definition checks: the BPMN, and the form of every user task that links one
// with zeebe:formDefinition formId (Camunda 8). The forms are deployed with the definition and
// the definition version is bound to them (store.h). No I/O: the caller says where a form id's
// file is (FormResolver), e.g. the CLI's `<dir of the BPMN>/forms/<formId>.form`.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/definition_store.h"
#include "engine/model/bpmn_parser.h"

namespace pmiflow {

// A form file offered for deployment.
struct FormFile {
  std::string json;  // the file's bytes
  std::string path;  // where they were read from (messages; its file name is stored)
};

// The file of the form with this id; an Error whose message names what was looked for when
// there is none (e.g. "form file 'd/forms/x.form' does not exist").
using FormResolver = std::function<Result<FormFile>(const std::string& form_id)>;

struct CheckedDeployment {
  std::optional<model::ProcessDefinition> definition;  // set when there is no error
  std::vector<FormSource> forms;                       // one per form id, in document order
  std::vector<model::Diagnostic> diagnostics;          // BPMN's, then the forms'
};

// load_bpmn, then for each distinct formId of a user task (in document order): resolve it,
// parse the JSON (within limits::kFormJson) and the form (Form::parse), and require its "id" to
// be the formId. A form problem is an error at the first user task naming the form
// (file:line:col, element id). Without a resolver, any formId is an error.
CheckedDeployment check_deployment(std::string_view xml, const std::string& file,
                                   const model::ValidationOptions& options,
                                   const FormResolver& resolve_form);

// The diagnostics one per line (FILE:LINE:COL: error: ID: message), for an Error message.
std::string diagnostics_text(const std::vector<model::Diagnostic>& diagnostics);

}  // namespace pmiflow
