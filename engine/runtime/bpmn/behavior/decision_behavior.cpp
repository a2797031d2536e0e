#include "engine/runtime/bpmn/behavior/decision_behavior.h"

#include <vector>

#include "engine/runtime/bpmn/behavior/flow_behavior.h"
#include "engine/runtime/bpmn/behavior/incident_behavior.h"
#include "engine/runtime/variable_scope.h"

namespace pmiflow::runtime::behavior {
namespace {

const char* json_type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::string:
      return "string";
    case Json::value_t::array:
      return "list";
    case Json::value_t::object:
      return "context";
    default:
      return v.is_number() ? "number" : "value";
  }
}

}  // namespace

void decide(Run& run, const ElementRef& element, bool every_true) {
  const model::ProcessDefinition& def = run.definition();
  const model::FlowNode& node = def.node(element.node);
  DecisionTaken decision;
  std::vector<model::FlowIndex> chosen;
  const feel::Env env = run.feel_env();
  for (model::FlowIndex f : node.outgoing) {
    if (f == node.default_flow) continue;
    const auto& flow = def.flow(f);
    if (!flow.condition) {  // an unconditioned flow always holds
      chosen.push_back(f);
      if (!every_true) break;
      continue;
    }
    const feel::Expression& cond = *flow.condition;
    const Variables variables = gather_variables(run.state(), element.key, cond.variables());
    for (const auto& name : cond.variables()) {
      auto it = variables.find(name);
      decision.inputs[name] = it == variables.end() ? Json() : it->second;
    }
    Json out;
    feel::EvalError error;
    if (!cond.evaluate(variables, env, out, error)) {
      raise_incident(
          run, element.key, node.id, "condition",
          "condition of flow " + flow.id + " `" + cond.text() + "` failed: " + error.message);
      return;
    }
    decision.evaluated.push_back(ConditionResult{cond.text(), flow.id, out});
    if (out.is_boolean()) {
      if (out.get<bool>()) {
        chosen.push_back(f);
        if (!every_true) break;
      }
    } else if (!out.is_null()) {
      raise_incident(run, element.key, node.id, "condition",
                     "condition of flow " + flow.id + " `" + cond.text() + "` gave a " +
                         json_type_name(out) + " (" + out.dump() + "), expected a boolean");
      return;
    }
  }
  if (chosen.empty() && node.default_flow != model::kNone) {
    chosen.push_back(node.default_flow);
    decision.is_default = true;
  }
  if (chosen.empty()) {
    raise_incident(run, element.key, node.id, "no-flow",
                   "no outgoing flow's condition is true and there is no default flow "
                   "(variables seen: " +
                       json_text(Json(decision.inputs)) + ")");
    return;
  }
  decision.element = node.id;
  decision.key = element.key;
  for (model::FlowIndex f : chosen) {  // one decision per flow taken, each with what was seen
    const auto& flow = def.flow(f);
    DecisionTaken taken = decision;
    taken.flow = flow.id;
    if (!decision.is_default && flow.condition) taken.condition = flow.condition->text();
    run.write(std::move(taken));
  }
  run.write(ElementCompleted{node.id, element.key});
  for (model::FlowIndex f : chosen) take(run, f, element.scope);
}

}  // namespace pmiflow::runtime::behavior
