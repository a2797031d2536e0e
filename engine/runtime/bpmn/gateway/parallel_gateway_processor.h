// Parallel gateway: forks a token onto every outgoing flow; as a join (several incoming flows) it
// is activated once a token waits on each of them (flow_behavior.h).
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class ParallelGatewayProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
