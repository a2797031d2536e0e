#include "engine/runtime/bpmn/container/call_activity_processor.h"

#include <optional>
#include <set>
#include <string>
#include <utility>

#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/incident_behavior.h"
#include "engine/runtime/bpmn/behavior/io_mapping_behavior.h"
#include "engine/runtime/bpmn/behavior/variable_behavior.h"
#include "engine/runtime/variable_scope.h"

namespace pmiflow::runtime {
namespace {

// `expression`'s value over `scope` as a non-empty string; else what is wrong (`what` names it).
std::optional<std::string> string_of(const Run& run, const feel::Expression& expression,
                                     const std::string& what, const Variables& scope,
                                     std::string& out) {
  Json value;
  feel::EvalError error;
  if (!expression.evaluate(scope, run.feel_env(), value, error)) {
    return what + " `" + expression.text() + "` failed: " + error.message;
  }
  if (!value.is_string() || value.get<std::string>().empty()) {
    return what + " `" + expression.text() + "` gave " + value.dump() + ", not a non-empty string";
  }
  out = value.get<std::string>();
  return std::nullopt;
}

}  // namespace

void CallActivityProcessor::on_activate(Run& run, const ElementRef& element) const {
  const model::FlowNode& node = run.definition().node(element.node);
  const InstanceState& s = run.state();
  auto fail = [&](const std::string& message) {
    behavior::raise_incident(run, element.key, node.id, kCallIncident, message);
  };
  ChildStart start;
  // What the child gets: the parent's variables and the inputs, evaluated over them (the scope
  // the process id and the business id are evaluated over too), or the inputs alone when
  // propagateAllParentVariables is false (then only what the expressions read is gathered). The
  // variables visible at the activity: a multi-instance's input element among them.
  Variables scope;
  if (node.propagate_all_parent_variables) {
    scope = VisibleVariables(s, element.key).get();
  } else {
    std::set<std::string> read;
    for (const model::VariableMapping& m : node.inputs) {
      read.insert(m.source.variables().begin(), m.source.variables().end());
    }
    for (const auto* e : {&node.called_process_expression, &node.child_business_id}) {
      if (*e) read.insert((*e)->variables().begin(), (*e)->variables().end());
    }
    scope = gather_variables(s, element.key, read);
  }
  Variables inputs;
  if (auto bad = behavior::evaluate_mappings(run, node.inputs, "input", scope, inputs))
    return fail(*bad);
  start.key.process = node.called_process;
  if (node.called_process_expression) {
    if (auto bad = string_of(run, *node.called_process_expression, "zeebe:calledElement processId",
                             scope, start.key.process)) {
      return fail(*bad);
    }
  }
  start.key.id = task_id_for(s.id, element.key);
  if (node.child_business_id) {
    if (auto bad =
            string_of(run, *node.child_business_id, "pmiflow.businessId", scope, start.key.id)) {
      return fail(*bad);
    }
  }
  start.variables = node.propagate_all_parent_variables ? std::move(scope) : std::move(inputs);
  start.tags = s.tags;  // the child is found by its parent's tags too (a period, a school)
  start.parent = ParentRef{s.id, element.key, node.id};
  if (Status prepared = run.prepare_child(start); !prepared.ok()) {
    return fail("cannot start " + start.key.process + " with business id " + start.key.id + ": " +
                prepared.error().message);
  }
  run.write(ChildInstanceCreated{start.key.id, start.id, node.id, element.key, start.key.process});
  run.emit(StartChild{std::move(start)});
}

void CallActivityProcessor::on_terminate(Run& run, const ElementRef& element) const {
  auto it = run.state().elements.find(element.key);
  if (it != run.state().elements.end() && it->second.child != 0) {
    run.emit(CancelChild{it->second.child});
  }
  behavior::terminate(run, element);
}

bool CallActivityProcessor::can_retry(const Incident& incident) const {
  return incident.kind == kCallIncident || ElementProcessor::can_retry(incident);
}

void CallActivityProcessor::retry(Run& run, const ElementRef& element) const {
  ElementProcessor::retry(run, element);  // its boundary events, those that failed
  auto it = run.state().elements.find(element.key);
  if (it == run.state().elements.end()) return;
  // No child yet: start it again. A child that completed but whose outputs failed: the person
  // resolving set what they should have (set-variables); the activity completes.
  if (it->second.child == 0) {
    on_activate(run, element);
  } else {
    behavior::complete(run, element);
  }
}

void CallActivityProcessor::complete_call(Run& run, const ElementRef& element,
                                          const Variables& variables) {
  const model::FlowNode& node = run.definition().node(element.node);
  Variables out;
  if (!node.outputs.empty()) {
    Variables scope = variables;
    if (auto bad = behavior::evaluate_mappings(run, node.outputs, "output", scope, out)) {
      behavior::raise_incident(run, element.key, node.id, kCallIncident, *bad);
      return;
    }
  } else if (node.propagate_all_child_variables) {
    out = variables;
  }
  behavior::set_variables(run, out, node.id, element.key);
  behavior::complete(run, element);
}

}  // namespace pmiflow::runtime
