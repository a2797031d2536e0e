#include "engine/runtime/bpmn/behavior/variable_behavior.h"

#include <map>
#include <utility>

#include "engine/runtime/variable_scope.h"

namespace pmiflow::runtime::behavior {
namespace {

// The variables of scope `scope` (the process's, or an element instance's local ones).
const Variables& variables_of(const Run& run, std::int64_t scope) {
  if (scope == kProcessScope) return run.state().variables;
  return run.state().elements.at(scope).variables;
}

// Writes a VariablesSet in `scope` with those of `variables` whose value changes there.
void write_changes(Run& run, const Variables& variables, const std::string& element,
                   std::int64_t scope) {
  VariablesSet set;
  const Variables& current = variables_of(run, scope);
  for (const auto& [name, value] : variables) {
    auto it = current.find(name);
    if (it != current.end() && it->second == value) continue;
    VariableChange change{name, value, {}};
    if (it != current.end()) change.old = it->second;
    set.changes.push_back(std::move(change));
  }
  if (set.changes.empty()) return;
  set.element = element;
  set.scope = scope;
  run.write(std::move(set));
}

}  // namespace

void set_variables(Run& run, const Variables& variables, const std::string& element,
                   std::int64_t from) {
  std::map<std::int64_t, Variables> by_scope;  // the process's first, then by key
  for (const auto& [name, value] : variables) {
    by_scope[scope_of(run.state(), from, name)].emplace(name, value);
  }
  for (const auto& [scope, set] : by_scope) write_changes(run, set, element, scope);
}

void set_local_variables(Run& run, const Variables& variables, std::int64_t scope,
                         const std::string& element) {
  write_changes(run, variables, element, scope);
}

}  // namespace pmiflow::runtime::behavior
