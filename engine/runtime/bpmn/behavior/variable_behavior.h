// Setting variables: one VariablesSet per variable scope with the variables whose value
// changes there (none: no event). Scopes: variable_scope.h.
#pragma once

#include <cstdint>
#include <string>

#include "engine/common/json.h"
#include "engine/runtime/bpmn/run.h"

namespace pmiflow::runtime::behavior {

// Sets `variables` from element instance `from` (kProcessScope: the process): each goes to the
// nearest scope that has it, else to the process. `element`: where they were set (a task's
// completion), or empty.
void set_variables(Run& run, const Variables& variables, const std::string& element,
                   std::int64_t from);

// Sets `variables` as local variables of element instance `scope` (which hide the same names
// outside it until it ends). `element`: where they were set, or empty.
void set_local_variables(Run& run, const Variables& variables, std::int64_t scope,
                         const std::string& element = {});

}  // namespace pmiflow::runtime::behavior
