#include "engine/runtime/bpmn/gateway/gateway_processors.h"

#include "engine/runtime/bpmn/behavior/decision_behavior.h"

namespace pmiflow::runtime {

template <bool kEveryTrue>
void DecidingGatewayProcessor<kEveryTrue>::on_activate(Run& run, const ElementRef& element) const {
  behavior::decide(run, element, kEveryTrue);
}

template <bool kEveryTrue>
bool DecidingGatewayProcessor<kEveryTrue>::can_retry(const Incident& incident) const {
  return behavior::is_decision_incident(incident);
}

template <bool kEveryTrue>
void DecidingGatewayProcessor<kEveryTrue>::retry(Run& run, const ElementRef& element) const {
  behavior::decide(run, element, kEveryTrue);
}

template class DecidingGatewayProcessor<false>;
template class DecidingGatewayProcessor<true>;

}  // namespace pmiflow::runtime
