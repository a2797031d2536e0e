// A script task with a FEEL zeebe:script: evaluates the expression on the instance's variables
// (now() is the command's time) and sets its value as the task's result variable, then
// completes. An expression that fails (a type error, a missing function) is an incident of kind
// "script" at the task, and the token waits; resolving it evaluates again, on the variables as
// they are then (`set-variables` may have fixed them).
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class ScriptTaskProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
  bool can_retry(const Incident& incident) const override;
  void retry(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
