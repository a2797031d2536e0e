// Intermediate message catch event and receive task (an activity that waits as the event
// does, and may carry boundary events): the token waits until a message with its name and the
// key its correlation key gives reaches it (CorrelateMessage), then moves on with the
// message's variables set. A key that cannot be computed is an incident at the element;
// resolving it opens the subscription again, with the variables of then.
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class MessageCatchEventProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
  void retry(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
