// Error end event: throws its error's code (error_behavior.h). A catcher ends the scope the
// event is in (or a scope around it); with none, an incident of kind "error" holds the token
// at the event, and resolving it throws again (the definition may have been fixed by then, or
// the process migrated: today it throws into the same scopes).
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class ErrorEndEventProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
  bool can_retry(const Incident& incident) const override;
  void retry(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
