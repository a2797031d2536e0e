// Setting process variables: one VariablesSet with the variables whose value changes (none:
// no event).
#pragma once

#include <string>

#include "engine/common/json.h"
#include "engine/runtime/bpmn/run.h"

namespace pmiflow::runtime::behavior {

// `element`: where they were set (a task's completion), or empty.
void set_variables(Run& run, const Variables& variables, const std::string& element);

}  // namespace pmiflow::runtime::behavior
