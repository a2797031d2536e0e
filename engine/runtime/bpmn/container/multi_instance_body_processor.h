// Multi-instance body (Zeebe's MultiInstanceBodyProcessor; model::MultiInstance): an activity
// with multiInstanceLoopCharacteristics is entered as its body, an element instance of kind
// kMultiInstanceBodyKind that reads the input collection (MultiInstanceStarted) and runs the
// activity once per element as its inner instances: element instances of the activity's own
// kind in the body's scope, each with its local variables (the input element, loopCounter from
// 1, and the output variable null). Sequential: one after the other. Parallel: all at once,
// started in batches of kMultiInstanceBatch, each batch after the first in a request of its own
// (the ContinueLoop effect). An inner instance's end writes its output element
// (MultiInstanceOutput); the completion condition, read after each, ends the body early (the
// inner instances still running are terminated). The body completes when no inner instance is
// left to run: the output collection, in input order, is set where the activity runs, and the
// token moves on. Boundary events belong to the body. An input collection that is not a list,
// or an output element or a completion condition that fails, is an incident of kind
// "multi-instance"; resolving it evaluates again.
#pragma once

#include <cstdint>

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

inline constexpr const char* kMultiInstanceIncident = "multi-instance";
// Inner instances a parallel body starts per request.
inline constexpr std::int64_t kMultiInstanceBatch = 100;

class MultiInstanceBodyProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& body) const override;
  void on_terminate(Run& run, const ElementRef& body) const override;
  bool can_retry(const Incident& incident) const override;
  // At the body: reads the input collection again (it had failed), or reads the completion
  // condition again. At an inner instance (its output element failed): completes it again.
  void retry(Run& run, const ElementRef& element) const override;

  // Whether `element` is an inner instance (it runs in a body of its own element).
  static bool is_inner(const Run& run, const ElementRef& element);
  // The inner instance was activated (ElementActivated written): sets its local variables.
  static void begin_inner(Run& run, const ElementRef& inner);
  // The inner instance is about to complete: writes its output element. False when that
  // failed (an incident at the inner instance, which stays active).
  static bool collect_output(Run& run, const ElementRef& inner);
  // An inner instance of `body` completed: reads the completion condition, starts the next
  // inner instance (sequential), or completes the body when none is left to run.
  static void after_inner(Run& run, const ElementRef& body);
  // ContinueMultiInstance: starts the next batch of the parallel body `body_key`.
  static Status continue_loop(Run& run, std::int64_t body_key);
};

}  // namespace pmiflow::runtime
