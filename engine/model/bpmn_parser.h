// Parses BPMN 2.0 XML into a ProcessDefinition. pugixml is used here and nowhere else.
//
// Reads the Camunda 8 (zeebe) extension elements that Camunda Modeler writes:
//   zeebe:taskDefinition type="..." retries="..."   (service task handler)
//   zeebe:assignmentDefinition candidateGroups="a, b" (user task roles)
//   zeebe:formDefinition formId="..."                 (user task form)
// and conditions as FEEL with Camunda's leading '='.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/diagnostic.h"
#include "engine/model/process_definition.h"

namespace pmiflow::model {

struct ParseOutput {
  // Set when the document could be turned into a model (it may still have diagnostics,
  // e.g. unsupported elements); empty when the XML is not well-formed or not BPMN.
  std::optional<ProcessDefinition> definition;
  std::vector<Diagnostic> diagnostics;
};

// Parses `xml` (the whole file content); `file` is used in diagnostics only.
// Never throws; any input gives a result in time linear in its size.
ParseOutput parse_bpmn(std::string_view xml, const std::string& file);

// Options for semantic validation.
struct ValidationOptions {
  // Service task types for which a handler is registered. When empty, the check that a type
  // has a handler is skipped.
  std::set<std::string> known_task_types;
};

// Semantic checks on a parsed definition: all problems, each with location and element id.
std::vector<Diagnostic> validate(const ProcessDefinition& definition,
                                 const ValidationOptions& options);

// parse_bpmn + validate. `definition` is set only when there is no error.
struct LoadOutput {
  std::optional<ProcessDefinition> definition;
  std::vector<Diagnostic> diagnostics;
};
LoadOutput load_bpmn(std::string_view xml, const std::string& file,
                     const ValidationOptions& options);

namespace detail {
// validate's checks, unsorted (bpmn_validator.cpp): each element, then, with `whole_graph`, the
// graph; load_bpmn skips the graph when parsing already failed. May throw.
std::vector<Diagnostic> check_definition(const ProcessDefinition& definition,
                                         const ValidationOptions& options, bool whole_graph);
}  // namespace detail

}  // namespace pmiflow::model
