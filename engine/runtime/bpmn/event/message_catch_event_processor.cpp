#include "engine/runtime/bpmn/event/message_catch_event_processor.h"

#include "engine/runtime/bpmn/behavior/catch_event_behavior.h"
#include "engine/runtime/bpmn/behavior/message_behavior.h"

namespace pmiflow::runtime {

void MessageCatchEventProcessor::on_activate(Run& run, const ElementRef& element) const {
  behavior::open_subscription(run, element.node, element);
}

void MessageCatchEventProcessor::retry(Run& run, const ElementRef& element) const {
  ElementProcessor::retry(run, element);  // a receive task's boundary events that failed
  behavior::subscribe(run, element, {element.node});  // its own, unless open
}

}  // namespace pmiflow::runtime
