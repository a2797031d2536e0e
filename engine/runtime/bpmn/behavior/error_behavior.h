// Throwing a BPMN error (Zeebe's BpmnEventPublicationBehavior for errors): from the element
// that throws it (an error end event, or a service task whose handler threw one) outwards, the
// first catcher with the error's code (or with no code: it catches every error) wins: the
// element's own error boundary events, then the error starts of the event subprocesses of its
// flow scope, then the boundary events of the subProcess that is that scope, and so on up to
// the process. Nothing catches it: an incident at the thrower.
#pragma once

#include <string>

#include "engine/runtime/bpmn/element_processor.h"
#include "engine/runtime/bpmn/run.h"

namespace pmiflow::runtime::behavior {

inline constexpr const char* kErrorIncident = "error";

// Element instance `thrower` throws error `code` (`message`: what a handler said, may be empty):
// writes ErrorThrown naming the catcher, then the catcher ends its activity or scope and is
// activated; with no catcher, ErrorThrown names none and an incident of kind kErrorIncident is
// raised at the thrower (which stays active: resolving the incident throws again).
void throw_error(Run& run, const ElementRef& thrower, const std::string& code,
                 const std::string& message);

}  // namespace pmiflow::runtime::behavior
