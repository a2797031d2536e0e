// Timer boundary event: activated in its activity's flow scope when its timer fires
// (behavior::trigger_timer, which first ends the activity when the event interrupts); the token
// leaves by its outgoing flow at once.
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class BoundaryEventProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
