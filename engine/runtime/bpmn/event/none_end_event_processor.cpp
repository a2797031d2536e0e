#include "engine/runtime/bpmn/event/none_end_event_processor.h"

#include "engine/runtime/bpmn/behavior/element_behavior.h"

namespace pmiflow::runtime {

void NoneEndEventProcessor::on_activate(Run& run, const ElementRef& element) const {
  behavior::complete(run, element);  // no outgoing flow: the token ends
}

}  // namespace pmiflow::runtime
