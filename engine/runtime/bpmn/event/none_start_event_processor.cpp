#include "engine/runtime/bpmn/event/none_start_event_processor.h"

#include "engine/runtime/bpmn/behavior/element_behavior.h"

namespace pmiflow::runtime {

void NoneStartEventProcessor::on_activate(Run& run, const ElementRef& element) const {
  behavior::complete(run, element);
}

}  // namespace pmiflow::runtime
