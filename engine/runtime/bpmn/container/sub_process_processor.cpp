#include "engine/runtime/bpmn/container/sub_process_processor.h"

#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/scope_behavior.h"

namespace pmiflow::runtime {

void SubProcessProcessor::on_activate(Run& run, const ElementRef& element) const {
  run.queue(Activation{
      run.definition().node(element.node).start_event, model::kNone, element.key, {}, false});
}

void SubProcessProcessor::on_terminate(Run& run, const ElementRef& element) const {
  behavior::terminate_scope(run, element.key, 0);
  behavior::terminate(run, element);
}

}  // namespace pmiflow::runtime
