#include "engine/runtime/bpmn/gateway/parallel_gateway_processor.h"

#include "engine/runtime/bpmn/behavior/element_behavior.h"

namespace pmiflow::runtime {

void ParallelGatewayProcessor::on_activate(Run& run, const ElementRef& element) const {
  behavior::complete(run, element);
}

}  // namespace pmiflow::runtime
