#include "engine/runtime/bpmn/behavior/element_behavior.h"

#include <stdexcept>

#include "engine/runtime/bpmn/behavior/incident_behavior.h"

#include "engine/runtime/bpmn/behavior/catch_event_behavior.h"
#include "engine/runtime/bpmn/behavior/flow_behavior.h"
#include "engine/runtime/bpmn/behavior/io_mapping_behavior.h"
#include "engine/runtime/bpmn/behavior/variable_behavior.h"
#include "engine/runtime/bpmn/container/multi_instance_body_processor.h"
#include "engine/runtime/bpmn/processor_registry.h"

namespace pmiflow::runtime::behavior {

namespace {

// Writes ElementActivated for the token: its new element instance.
ElementRef begin_activation(Run& run, const Activation& a) {
  const model::ProcessDefinition& def = run.definition();
  const model::FlowNode& node = def.node(a.node);
  const ElementRef element{a.node, run.next_key(), a.scope};
  ElementActivated activated;
  activated.element = node.id;
  activated.key = element.key;
  // A token entering a multi-instance activity enters its body; the body's activations into
  // its own scope are its inner instances.
  const bool body = node.loop && !MultiInstanceBodyProcessor::is_inner(run, element);
  activated.kind = body ? kMultiInstanceBodyKind : model::node_kind_name(node.kind);
  activated.scope = a.scope;
  if (a.via != model::kNone) activated.flow = def.flow(a.via).id;
  activated.joined = a.joined;
  run.write(std::move(activated));
  return element;
}

}  // namespace

void activate(Run& run, const Activation& a) {
  const ElementRef element = begin_activation(run, a);
  set_local_variables(run, a.locals, element.key, run.definition().node(a.node).id);
  if (a.triggered) {  // its event has happened already (event-based gateway)
    complete(run, element);
    return;
  }
  resume_activation(run, element);
}

void resume_activation(Run& run, const ElementRef& element) {
  const model::FlowNode& node = run.definition().node(element.node);
  if (node.loop && MultiInstanceBodyProcessor::is_inner(run, element)) {
    MultiInstanceBodyProcessor::begin_inner(run, element);
  }
  run_activation(run, element);
}

void run_activation(Run& run, const ElementRef& element) {
  if (!map_inputs(run, element)) return;
  const model::FlowNode& node = run.definition().node(element.node);
  // An inner instance's boundary events are its body's.
  if (!node.boundary_events.empty() &&
      !(node.loop && MultiInstanceBodyProcessor::is_inner(run, element))) {
    subscribe_boundary_events(run, element);
  }
  processor_of(run, element).on_activate(run, element);
}

void stop_runaway(Run& run, const Activation& a, int limit) {
  const ElementRef element = begin_activation(run, a);
  raise_incident(run, element.key, run.definition().node(a.node).id, kRunawayIncident,
                 "more than " + std::to_string(limit) +
                     " elements activated in one request without reaching a wait state: a cycle "
                     "with no wait state? (the limit is PMIFLOW_MAX_ACTIVATIONS)");
}

void complete(Run& run, const ElementRef& element) {
  const model::FlowNode& node = run.definition().node(element.node);
  const bool inner = node.loop && MultiInstanceBodyProcessor::is_inner(run, element);
  if (!map_outputs(run, element)) return;
  if (inner && !MultiInstanceBodyProcessor::collect_output(run, element)) return;
  unsubscribe(run, element.key);
  run.write(ElementCompleted{node.id, element.key});
  run.set_actor(Actor::engine());
  if (inner) {  // its body goes on
    auto body = element_of(run, element.scope, node.id);
    if (!body.ok()) throw std::logic_error(body.error().message);
    MultiInstanceBodyProcessor::after_inner(run, *body);
    return;
  }
  take_outgoing(run, element);
}

void terminate(Run& run, const ElementRef& element) {
  unsubscribe(run, element.key);
  run.write(ElementTerminated{run.definition().node(element.node).id, element.key});
}

Result<ElementRef> owner_of(const Run& run, std::int64_t key) {
  auto it = run.state().elements.find(key);
  if (it == run.state().elements.end()) {
    return make_error(ErrorCode::kInternal,
                      "element instance " + std::to_string(key) + " is not active");
  }
  return element_of(run, key, it->second.element_id);
}

Result<ElementRef> element_of(const Run& run, std::int64_t key, const std::string& element_id) {
  const model::NodeIndex node = run.definition().find_node(element_id);
  if (node == model::kNone) {
    return make_error(ErrorCode::kInternal,
                      "element " + element_id + " is not in definition " + run.definition().key);
  }
  auto it = run.state().elements.find(key);
  return ElementRef{node, key,
                    it == run.state().elements.end() ? kProcessScope : it->second.scope_key};
}

}  // namespace pmiflow::runtime::behavior
