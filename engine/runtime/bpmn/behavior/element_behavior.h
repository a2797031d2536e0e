// The element instance lifecycle steps every processor shares: activate a node where a token
// arrives, complete an element instance and move its token on, end it early. The lifecycle
// itself (which transition is allowed) is checked by the applier (lifecycle.h).
#pragma once

#include <string>

#include "engine/runtime/bpmn/element_processor.h"
#include "engine/runtime/bpmn/run.h"

namespace pmiflow::runtime::behavior {

// Writes ElementActivated for the token, subscribes the boundary events attached to the node
// (catch_event_behavior.h), and hands the new element instance to its processor.
void activate(Run& run, const Activation& activation);

// The runaway guard: the token's element is activated (ElementActivated) but not run; an
// incident of kind kRunawayIncident stops it there (`limit`: the activations allowed in one
// request). Resolving the incident resumes it (resume_activation).
inline constexpr const char* kRunawayIncident = "runaway";
void stop_runaway(Run& run, const Activation& activation, int limit);

// What activate() does after ElementActivated: an inner instance of a multi-instance gets its
// input element and loop counter, then run_activation.
void resume_activation(Run& run, const ElementRef& element);

// Sets the element's input mappings (io_mapping_behavior.h; an incident stops it there),
// subscribes its boundary events and hands it to its processor.
void run_activation(Run& run, const ElementRef& element);

// Sets the element's output mappings (io_mapping_behavior.h; an incident stops it there),
// unsubscribes the events the element instance owns (its timers and message subscriptions),
// writes ElementCompleted (with the run's actor),
// then, as the engine, takes every outgoing flow of the element (flow_behavior.h).
void complete(Run& run, const ElementRef& element);

// Unsubscribes the events the element instance owns and writes ElementTerminated.
void terminate(Run& run, const ElementRef& element);

// The active element instance of `key` as a reference; kInternal when it is not active or its
// element is not in the definition (the log and the definition disagree).
Result<ElementRef> owner_of(const Run& run, std::int64_t key);

// The element instance of `key` as a reference (node found by its element id). kInternal when
// the definition has no such element: the log and the definition disagree.
Result<ElementRef> element_of(const Run& run, std::int64_t key, const std::string& element_id);

}  // namespace pmiflow::runtime::behavior
