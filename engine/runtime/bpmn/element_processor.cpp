#include "engine/runtime/bpmn/element_processor.h"

#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/timer_behavior.h"

namespace pmiflow::runtime {

void ElementProcessor::on_terminate(Run& run, const ElementRef& element) const {
  behavior::terminate(run, element);
}

bool ElementProcessor::can_retry(const Incident& incident) const {
  return incident.kind == behavior::kTimerIncident;
}

void ElementProcessor::retry(Run& run, const ElementRef& element) const {
  behavior::arm_boundary_timers(run, element);
}

}  // namespace pmiflow::runtime
