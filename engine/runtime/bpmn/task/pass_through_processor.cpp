#include "engine/runtime/bpmn/task/pass_through_processor.h"

#include "engine/runtime/bpmn/behavior/element_behavior.h"

namespace pmiflow::runtime {

void PassThroughProcessor::on_activate(Run& run, const ElementRef& element) const {
  behavior::complete(run, element);
}

}  // namespace pmiflow::runtime
