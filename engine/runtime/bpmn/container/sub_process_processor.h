// Embedded subProcess and event subprocess: a container whose instance is a flow scope of its
// own (scope key: its element key). Entering it subscribes its own event subprocesses' starts
// and starts its none start event inside (an event subprocess: its start event, whose event has
// happened); it completes when no token is left in it (behavior::complete_done_subprocesses)
// or a terminate end event in it ends its scope; terminating it terminates everything in it
// first.
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class SubProcessProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
  void on_terminate(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
