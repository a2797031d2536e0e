// Start events with an event definition: a message start event of the process, and the timer,
// message and error start events of event subprocesses. By the time one is activated its event
// has happened: the token passes through at once. An event subprocess's timer or message start
// waits in its scope (event_subprocess_behavior.h); when its timer or subscription could not
// be set up, the incident is raised at the start event, and resolving it tries again.
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class StartEventProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
  // `element`: the start event, with the key of the scope whose incident it is.
  void retry(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
