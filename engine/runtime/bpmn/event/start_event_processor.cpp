#include "engine/runtime/bpmn/event/start_event_processor.h"

#include "engine/runtime/bpmn/behavior/catch_event_behavior.h"
#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/event_subprocess_behavior.h"

namespace pmiflow::runtime {

void StartEventProcessor::on_activate(Run& run, const ElementRef& element) const {
  behavior::complete(run, element);
}

void StartEventProcessor::retry(Run& run, const ElementRef& element) const {
  if (!model::is_event_subprocess_start(run.definition(), element.node)) return;
  behavior::subscribe(run, behavior::scope_owner(run, element.key), {element.node});
}

}  // namespace pmiflow::runtime
