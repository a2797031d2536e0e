// Variable scopes (Zeebe's): the process's variables, and the local variables of element
// instances (ElementInstance::variables: a multi-instance inner instance's input element and
// loopCounter, a body's). From an element instance, the variables visible are its own, then
// those of the element instance it runs in, and so on out to the process's; a name inside
// hides the same name outside. A variable set from an element instance goes to the nearest
// scope that has it, else to the process (Zeebe's propagation).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "engine/common/json.h"
#include "engine/feel/feel.h"
#include "engine/runtime/instance_state.h"

namespace pmiflow::runtime {

// The variables visible from element instance `key` (kProcessScope: the process's). No copy
// when no scope on the way out has a local variable.
class VisibleVariables {
 public:
  VisibleVariables(const InstanceState& state, std::int64_t key);
  const Variables& get() const { return merged_ ? *merged_ : *root_; }

 private:
  const Variables* root_;
  std::optional<Variables> merged_;
};

// The variables named `names` visible from element instance `key` (those that exist): what an
// expression reads, gathered without copying every variable of the instance.
Variables gather_variables(const InstanceState& state, std::int64_t key,
                           const std::set<std::string>& names);

// Evaluates `expression` over the variables visible from element instance `key`, and `extra`
// (which hide them: e.g. a completion condition's numberOfInstances).
bool evaluate_in_scope(const InstanceState& state, std::int64_t key,
                       const feel::Expression& expression, const feel::Env& env, Json& out,
                       feel::EvalError& error, const Variables& extra = {});

// The scope a variable `name` set from element instance `key` goes to: the nearest one, from
// `key` outwards, with a local variable of that name; else the process's (kProcessScope).
std::int64_t scope_of(const InstanceState& state, std::int64_t key, const std::string& name);

}  // namespace pmiflow::runtime
