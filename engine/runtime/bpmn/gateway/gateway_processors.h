// The gateways that decide (behavior/decision_behavior.h). Exclusive: the first flow whose
// condition is true, else the default. Inclusive: every flow whose condition is true, else the
// default; as a join (several incoming flows) it waits, in its flow scope, until no token that
// could still arrive is left (behavior/inclusive_join_behavior.h), then takes the tokens waiting
// on its flows.
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

template <bool kEveryTrue>
class DecidingGatewayProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
  bool can_retry(const Incident& incident) const override;
  void retry(Run& run, const ElementRef& element) const override;
};

using ExclusiveGatewayProcessor = DecidingGatewayProcessor<false>;
using InclusiveGatewayProcessor = DecidingGatewayProcessor<true>;

}  // namespace pmiflow::runtime
