// Exclusive gateway: takes the first outgoing flow, in document order, whose condition is true
// (an unconditioned flow always is), else the default flow, and writes the decision with the
// values its conditions saw. A condition that yields null is not true; one that yields a
// non-boolean or fails to evaluate, or no flow to take, is an incident: the token waits at the
// gateway until the incident is resolved, and the gateway decides again.
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class ExclusiveGatewayProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
  bool can_retry(const Incident& incident) const override;
  void retry(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
