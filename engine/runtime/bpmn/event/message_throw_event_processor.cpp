#include "engine/runtime/bpmn/event/message_throw_event_processor.h"

#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/message_behavior.h"

namespace pmiflow::runtime {

void MessageThrowEventProcessor::on_activate(Run& run, const ElementRef& element) const {
  behavior::send_message(run, element);
  behavior::complete(run, element);
}

}  // namespace pmiflow::runtime
