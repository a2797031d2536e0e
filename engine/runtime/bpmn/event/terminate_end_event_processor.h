// Terminate end event: ends every other token of its scope (tasks canceled, jobs canceled,
// incidents resolved), then the scope completes at once.
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class TerminateEndEventProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
