#include "engine/runtime/bpmn/behavior/variable_behavior.h"

namespace pmiflow::runtime::behavior {

void set_variables(Run& run, const Variables& variables, const std::string& element) {
  VariablesSet set;
  const Variables& current = run.state().variables;
  for (const auto& [name, value] : variables) {
    auto it = current.find(name);
    if (it != current.end() && it->second == value) continue;
    VariableChange change{name, value, {}};
    if (it != current.end()) change.old = it->second;
    set.changes.push_back(std::move(change));
  }
  if (set.changes.empty()) return;
  set.element = element;
  run.write(std::move(set));
}

}  // namespace pmiflow::runtime::behavior
