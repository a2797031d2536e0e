#include "engine/runtime/bpmn/task/script_task_processor.h"

#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/incident_behavior.h"
#include "engine/runtime/bpmn/behavior/io_mapping_behavior.h"
#include "engine/runtime/variable_scope.h"

namespace pmiflow::runtime {
namespace {

constexpr const char* kScriptIncident = "script";

}  // namespace

void ScriptTaskProcessor::on_activate(Run& run, const ElementRef& element) const {
  const model::FlowNode& node = run.definition().node(element.node);
  Json value;
  feel::EvalError error;
  if (!evaluate_in_scope(run.state(), element.key, *node.script, run.feel_env(), value, error)) {
    behavior::raise_incident(run, element.key, node.id, kScriptIncident,
                             "zeebe:script `" + node.script->text() + "` failed: " + error.message);
    return;
  }
  behavior::set_result_variables(run, Variables{{node.result_variable, std::move(value)}}, element);
  behavior::complete(run, element);
}

bool ScriptTaskProcessor::can_retry(const Incident& incident) const {
  return incident.kind == kScriptIncident || ElementProcessor::can_retry(incident);
}

void ScriptTaskProcessor::retry(Run& run, const ElementRef& element) const {
  ElementProcessor::retry(run, element);  // its boundary events, those that failed
  on_activate(run, element);
}

}  // namespace pmiflow::runtime
