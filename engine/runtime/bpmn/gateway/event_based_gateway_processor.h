// Event-based gateway (exclusive): the token waits at the gateway for the first of the events
// that follow it (intermediate timer and message catch events); the gateway owns their timers
// and subscriptions. The first to trigger ends the others and the gateway, and the token goes
// on through that event (catch_event_behavior.h, trigger_event).
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class EventBasedGatewayProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
  // Subscribes again the events whose timer or correlation key failed (an incident).
  void retry(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
