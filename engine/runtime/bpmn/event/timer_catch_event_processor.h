// Intermediate timer catch event: the token waits until its timer fires (TriggerTimer), then
// moves on. A timer that cannot be armed is an incident at the event; resolving it arms the
// timer again, with the variables of then.
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class TimerCatchEventProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
  void retry(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
