// Call activity: starts an instance of another process, its child, and waits for it (Zeebe's
// CallActivityProcessor). The child is an instance of its own (its own log and hash chain, its
// own business key), created in the same request and naming its parent; when it completes, the
// call activity takes the child's variables its outputs say and completes. Terminating the call
// activity terminates the child (an effect: effect.h). What cannot start the child (a process
// not deployed, a business id taken, a mapping that fails) is an incident of kind "call";
// resolving it tries again. An output that fails once the child completed is one too: resolving
// it (after setting what the output should have) completes the activity.
#pragma once

#include "engine/common/json.h"
#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class CallActivityProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
  void on_terminate(Run& run, const ElementRef& element) const override;
  bool can_retry(const Incident& incident) const override;
  void retry(Run& run, const ElementRef& element) const override;

  // The child completed with `variables`: sets what the activity's outputs say (every child
  // variable without outputs, unless propagateAllChildVariables is false) and completes it.
  static void complete_call(Run& run, const ElementRef& element, const Variables& variables);
};

inline constexpr const char* kCallIncident = "call";

}  // namespace pmiflow::runtime
