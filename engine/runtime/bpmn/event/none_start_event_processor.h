// None start event: the token passes through at once.
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class NoneStartEventProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
