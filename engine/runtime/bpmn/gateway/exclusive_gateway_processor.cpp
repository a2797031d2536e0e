#include "engine/runtime/bpmn/gateway/exclusive_gateway_processor.h"

#include "engine/runtime/bpmn/behavior/flow_behavior.h"
#include "engine/runtime/bpmn/behavior/incident_behavior.h"

namespace pmiflow::runtime {
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

void decide(Run& run, const ElementRef& element) {
  const model::ProcessDefinition& def = run.definition();
  const model::FlowNode& node = def.node(element.node);
  const Variables& variables = run.state().variables;
  DecisionTaken decision;
  model::FlowIndex chosen = model::kNone;
  feel::Env env;
  env.now_ms = run.now_ms();  // now() and today(): the command's time, so a replay agrees
  for (model::FlowIndex f : node.outgoing) {
    if (f == node.default_flow) continue;
    const auto& flow = def.flow(f);
    if (!flow.condition) {  // an unconditioned flow always holds
      chosen = f;
      break;
    }
    const feel::Expression& cond = *flow.condition;
    for (const auto& name : cond.variables()) {
      auto it = variables.find(name);
      decision.inputs[name] = it == variables.end() ? Json() : it->second;
    }
    Json out;
    feel::EvalError error;
    if (!cond.evaluate(variables, env, out, error)) {
      behavior::raise_incident(
          run, element.key, node.id, "condition",
          "condition of flow " + flow.id + " `" + cond.text() + "` failed: " + error.message);
      return;
    }
    decision.evaluated.push_back(ConditionResult{cond.text(), flow.id, out});
    if (out.is_boolean()) {
      if (out.get<bool>()) {
        chosen = f;
        break;
      }
    } else if (!out.is_null()) {
      behavior::raise_incident(run, element.key, node.id, "condition",
                               "condition of flow " + flow.id + " `" + cond.text() + "` gave a " +
                                   json_type_name(out) + " (" + out.dump() +
                                   "), expected a boolean");
      return;
    }
  }
  if (chosen == model::kNone && node.default_flow != model::kNone) {
    chosen = node.default_flow;
    decision.is_default = true;
  }
  if (chosen == model::kNone) {
    behavior::raise_incident(run, element.key, node.id, "no-flow",
                             "no outgoing flow's condition is true and there is no default flow "
                             "(variables seen: " +
                                 json_text(Json(decision.inputs)) + ")");
    return;
  }
  const auto& flow = def.flow(chosen);
  decision.element = node.id;
  decision.key = element.key;
  decision.flow = flow.id;
  if (!decision.is_default && flow.condition) decision.condition = flow.condition->text();
  run.write(std::move(decision));
  run.write(ElementCompleted{node.id, element.key});
  behavior::take(run, chosen, element.scope);
}

}  // namespace

void ExclusiveGatewayProcessor::on_activate(Run& run, const ElementRef& element) const {
  decide(run, element);
}

bool ExclusiveGatewayProcessor::can_retry(const Incident& incident) const {
  return incident.kind == "condition" || incident.kind == "no-flow";
}

void ExclusiveGatewayProcessor::retry(Run& run, const ElementRef& element) const {
  decide(run, element);
}

}  // namespace pmiflow::runtime
