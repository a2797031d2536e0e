#include "engine/runtime/bpmn/event/terminate_end_event_processor.h"

#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/scope_behavior.h"

namespace pmiflow::runtime {

void TerminateEndEventProcessor::on_activate(Run& run, const ElementRef& element) const {
  behavior::complete(run, element);
  behavior::terminate_scope(run, element.scope, element.key);
  behavior::complete_scope(run, element.scope, run.definition().node(element.node).id);
}

}  // namespace pmiflow::runtime
