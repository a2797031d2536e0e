// None end event: the token ends here; its scope completes when no other token is left in it.
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class NoneEndEventProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
