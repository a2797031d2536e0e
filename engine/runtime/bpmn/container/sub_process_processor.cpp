#include "engine/runtime/bpmn/container/sub_process_processor.h"

#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/event_subprocess_behavior.h"
#include "engine/runtime/bpmn/behavior/scope_behavior.h"

namespace pmiflow::runtime {

void SubProcessProcessor::on_activate(Run& run, const ElementRef& element) const {
  const model::FlowNode& node = run.definition().node(element.node);
  behavior::subscribe_event_subprocesses(run, element.key);
  // An event subprocess runs because its start event's event happened.
  const bool triggered = node.kind == model::NodeKind::kEventSubProcess;
  run.queue(Activation{node.start_event, model::kNone, element.key, {}, triggered, {}});
}

void SubProcessProcessor::on_terminate(Run& run, const ElementRef& element) const {
  behavior::terminate_scope(run, element.key, 0);
  behavior::terminate(run, element);
}

}  // namespace pmiflow::runtime
