// Embedded subProcess: a container whose instance is a flow scope of its own (scope key: its
// element key). Entering it starts its none start event inside; it completes when no token is
// left in it (behavior::complete_done_subprocesses) or a terminate end event in it ends its
// scope; terminating it terminates everything in it first.
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class SubProcessProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
  void on_terminate(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
