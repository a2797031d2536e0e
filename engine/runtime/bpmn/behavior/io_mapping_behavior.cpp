#include "engine/runtime/bpmn/behavior/io_mapping_behavior.h"

#include <set>
#include <utility>

#include "engine/runtime/bpmn/behavior/incident_behavior.h"
#include "engine/runtime/bpmn/behavior/variable_behavior.h"
#include "engine/runtime/bpmn/container/multi_instance_body_processor.h"
#include "engine/runtime/variable_scope.h"

namespace pmiflow::runtime::behavior {
namespace {

// Whether the element instance applies its element's own mappings: not a call activity's (it
// maps its child's variables), not a multi-instance body's (its inner instances do).
bool maps_own_variables(const Run& run, const ElementRef& element) {
  const model::FlowNode& node = run.definition().node(element.node);
  if (node.kind == model::NodeKind::kCallActivity) return false;
  return !node.loop || MultiInstanceBodyProcessor::is_inner(run, element);
}

// The variables `mappings` read, as seen from element instance `key`.
Variables read_by(const Run& run, std::int64_t key,
                  const std::vector<model::VariableMapping>& mappings) {
  std::set<std::string> names;
  for (const model::VariableMapping& m : mappings) {
    names.insert(m.source.variables().begin(), m.source.variables().end());
  }
  return gather_variables(run.state(), key, names);
}

// Evaluates the element instance's own `mappings` (none when it does not map its own: `out`
// stays empty) over what it sees; false after raising an incident of `incident` when one fails.
bool map_own(Run& run, const ElementRef& element,
             const std::vector<model::VariableMapping>& mappings, const char* what,
             const char* incident, Variables& out) {
  if (mappings.empty() || !maps_own_variables(run, element)) return true;
  Variables scope = read_by(run, element.key, mappings);
  if (auto bad = evaluate_mappings(run, mappings, what, scope, out)) {
    raise_incident(run, element.key, run.definition().node(element.node).id, incident, *bad);
    return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> evaluate_mappings(const Run& run,
                                             const std::vector<model::VariableMapping>& mappings,
                                             const char* what, Variables& scope, Variables& out) {
  const feel::Env env = run.feel_env();
  for (const model::VariableMapping& m : mappings) {
    Json value;
    feel::EvalError error;
    if (!m.source.evaluate(scope, env, value, error)) {
      return std::string("zeebe:") + what + " of '" + m.target + "' (`" + m.source.text() +
             "`) failed: " + error.message;
    }
    scope[m.target] = value;
    out[m.target] = std::move(value);
  }
  return std::nullopt;
}

bool map_inputs(Run& run, const ElementRef& element) {
  const model::FlowNode& node = run.definition().node(element.node);
  Variables locals;
  if (!map_own(run, element, node.inputs, "input", kInputMappingIncident, locals)) return false;
  set_local_variables(run, locals, element.key, node.id);
  return true;
}

bool map_outputs(Run& run, const ElementRef& element) {
  const model::FlowNode& node = run.definition().node(element.node);
  Variables out;
  if (!map_own(run, element, node.outputs, "output", kOutputMappingIncident, out)) return false;
  // An inner instance of a multi-instance sets them from itself, as Zeebe does: its output
  // element is one of its local variables.
  const bool inner = node.loop.has_value();
  set_variables(run, out, node.id, inner ? element.key : element.scope);
  return true;
}

void set_result_variables(Run& run, const Variables& variables, const ElementRef& element) {
  const model::FlowNode& node = run.definition().node(element.node);
  if (!node.outputs.empty() && maps_own_variables(run, element)) {
    set_local_variables(run, variables, element.key, node.id);
  } else {
    set_variables(run, variables, node.id, element.key);
  }
}

}  // namespace pmiflow::runtime::behavior
