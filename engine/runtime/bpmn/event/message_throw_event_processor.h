// Message intermediate throw event, message end event and send task: the message is queued in
// the outbox for the subprocess its name addresses (behavior::send_message), in the same
// transaction as the token's moves, then the element completes (an end event's token ends).
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class MessageThrowEventProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
