#include "engine/runtime/variable_scope.h"

#include <vector>

namespace pmiflow::runtime {
namespace {

// Calls `f` with each active element instance from `key` outwards.
template <typename F>
void for_each_scope(const InstanceState& state, std::int64_t key, F&& f) {
  while (key != kProcessScope) {
    auto it = state.elements.find(key);
    if (it == state.elements.end()) return;
    if (f(it->second)) return;
    key = it->second.scope_key;
  }
}

}  // namespace

VisibleVariables::VisibleVariables(const InstanceState& state, std::int64_t key)
    : root_(&state.variables) {
  std::vector<const Variables*> locals;  // innermost first
  for_each_scope(state, key, [&](const ElementInstance& e) {
    if (!e.variables.empty()) locals.push_back(&e.variables);
    return false;
  });
  if (locals.empty()) return;
  merged_.emplace(state.variables);
  for (auto it = locals.rbegin(); it != locals.rend(); ++it) {  // inner ones last: they win
    for (const auto& [name, value] : **it) (*merged_)[name] = value;
  }
}

Variables gather_variables(const InstanceState& state, std::int64_t key,
                           const std::set<std::string>& names) {
  Variables out;
  for (const std::string& name : names) {
    const std::int64_t scope = scope_of(state, key, name);
    const Variables& in =
        scope == kProcessScope ? state.variables : state.elements.at(scope).variables;
    if (auto it = in.find(name); it != in.end()) out.emplace(name, it->second);
  }
  return out;
}

bool evaluate_in_scope(const InstanceState& state, std::int64_t key,
                       const feel::Expression& expression, const feel::Env& env, Json& out,
                       feel::EvalError& error, const Variables& extra) {
  Variables variables = gather_variables(state, key, expression.variables());
  for (const auto& [name, value] : extra) variables[name] = value;
  return expression.evaluate(variables, env, out, error);
}

std::int64_t scope_of(const InstanceState& state, std::int64_t key, const std::string& name) {
  std::int64_t scope = kProcessScope;
  for_each_scope(state, key, [&](const ElementInstance& e) {
    if (e.variables.count(name) == 0) return false;
    scope = e.key;
    return true;
  });
  return scope;
}

}  // namespace pmiflow::runtime
