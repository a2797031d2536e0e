#include "engine/runtime/bpmn/event/boundary_event_processor.h"

#include "engine/runtime/bpmn/behavior/element_behavior.h"

namespace pmiflow::runtime {

void BoundaryEventProcessor::on_activate(Run& run, const ElementRef& element) const {
  behavior::complete(run, element);
}

}  // namespace pmiflow::runtime
