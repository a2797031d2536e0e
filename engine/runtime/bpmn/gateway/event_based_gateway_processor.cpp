#include "engine/runtime/bpmn/gateway/event_based_gateway_processor.h"

#include <vector>

#include "engine/runtime/bpmn/behavior/catch_event_behavior.h"

namespace pmiflow::runtime {
namespace {

std::vector<model::NodeIndex> events_after(const Run& run, const ElementRef& gateway) {
  const model::ProcessDefinition& def = run.definition();
  std::vector<model::NodeIndex> events;
  for (model::FlowIndex f : def.node(gateway.node).outgoing) events.push_back(def.flow(f).target);
  return events;
}

}  // namespace

void EventBasedGatewayProcessor::on_activate(Run& run, const ElementRef& element) const {
  behavior::subscribe(run, element, events_after(run, element));
}

void EventBasedGatewayProcessor::retry(Run& run, const ElementRef& element) const {
  behavior::subscribe(run, element, events_after(run, element));
}

}  // namespace pmiflow::runtime
