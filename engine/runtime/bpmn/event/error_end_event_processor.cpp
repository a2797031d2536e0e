#include "engine/runtime/bpmn/event/error_end_event_processor.h"

#include "engine/runtime/bpmn/behavior/error_behavior.h"

namespace pmiflow::runtime {

void ErrorEndEventProcessor::on_activate(Run& run, const ElementRef& element) const {
  behavior::throw_error(run, element, run.definition().node(element.node).error->code, "");
}

bool ErrorEndEventProcessor::can_retry(const Incident& incident) const {
  return incident.kind == behavior::kErrorIncident;
}

void ErrorEndEventProcessor::retry(Run& run, const ElementRef& element) const {
  on_activate(run, element);
}

}  // namespace pmiflow::runtime
