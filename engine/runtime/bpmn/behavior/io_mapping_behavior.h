// zeebe:ioMapping (docs/bpmn-support.md, "Variable mappings"), as Zeebe applies it: an
// element's inputs become local variables of its instance when it is activated; with outputs,
// what the element produces stays local, and the outputs are set from its flow scope when it
// completes. A call activity maps what its child gets and gives back instead
// (call_activity_processor.h); a multi-instance activity's mappings apply to each inner
// instance, not to its body.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/model/process_definition.h"
#include "engine/runtime/bpmn/element_processor.h"
#include "engine/runtime/bpmn/run.h"

namespace pmiflow::runtime::behavior {

// The incidents of a mapping that failed; resolving one evaluates the mappings again (the
// person resolving it sets what was missing first).
inline constexpr const char* kInputMappingIncident = "input-mapping";
inline constexpr const char* kOutputMappingIncident = "output-mapping";

// Evaluates `mappings` in order over `scope`, setting each target in `scope` (the next ones see
// it) and in `out`; else what failed, naming the mapping (`what`: "input" or "output").
std::optional<std::string> evaluate_mappings(const Run& run,
                                             const std::vector<model::VariableMapping>& mappings,
                                             const char* what, Variables& scope, Variables& out);

// Sets the element's inputs as local variables of its instance. False when one failed: an
// incident of kind kInputMappingIncident is open at the element.
bool map_inputs(Run& run, const ElementRef& element);

// Sets the element's outputs, evaluated over what its instance sees, from its flow scope (an
// inner instance of a multi-instance: from itself, where its output element is). False
// when one failed: an incident of kind kOutputMappingIncident is open at the element.
bool map_outputs(Run& run, const ElementRef& element);

// Sets what element instance `element` produced (a task's or job's completion variables, a
// script's result, a message's variables): local to it when its element has output mappings
// (they decide what goes out), else from it, as set_variables does.
void set_result_variables(Run& run, const Variables& variables, const ElementRef& element);

}  // namespace pmiflow::runtime::behavior
