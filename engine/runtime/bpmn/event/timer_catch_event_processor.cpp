#include "engine/runtime/bpmn/event/timer_catch_event_processor.h"

#include "engine/runtime/bpmn/behavior/timer_behavior.h"

namespace pmiflow::runtime {

void TimerCatchEventProcessor::on_activate(Run& run, const ElementRef& element) const {
  behavior::arm_timer(run, element.node, element);
}

void TimerCatchEventProcessor::retry(Run& run, const ElementRef& element) const {
  behavior::arm_timer(run, element.node, element);
}

}  // namespace pmiflow::runtime
