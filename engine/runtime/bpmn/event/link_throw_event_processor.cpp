#include "engine/runtime/bpmn/event/link_throw_event_processor.h"

#include "engine/runtime/bpmn/behavior/element_behavior.h"

namespace pmiflow::runtime {

void LinkThrowEventProcessor::on_activate(Run& run, const ElementRef& element) const {
  behavior::complete(run, element);  // no outgoing flow
  run.queue(Activation{
      run.definition().node(element.node).link_target, model::kNone, element.scope, {}, false, {}});
}

}  // namespace pmiflow::runtime
