#include "engine/runtime/bpmn/element_processor.h"

#include "engine/runtime/bpmn/behavior/catch_event_behavior.h"
#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/message_behavior.h"
#include "engine/runtime/bpmn/behavior/timer_behavior.h"

namespace pmiflow::runtime {

void ElementProcessor::on_terminate(Run& run, const ElementRef& element) const {
  behavior::terminate(run, element);
}

bool ElementProcessor::can_retry(const Incident& incident) const {
  return incident.kind == behavior::kTimerIncident || incident.kind == behavior::kMessageIncident;
}

void ElementProcessor::retry(Run& run, const ElementRef& element) const {
  behavior::subscribe_boundary_events(run, element);
}

}  // namespace pmiflow::runtime
