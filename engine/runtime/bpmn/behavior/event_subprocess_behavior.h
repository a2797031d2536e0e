// Event subprocesses (Zeebe's EventSubProcess handling): a scope (the process, or a subProcess
// instance) waits for the timer and message starts of its event subprocesses as long as it is
// active; when one triggers, an interrupting one ends everything else in the scope first, a
// non-interrupting one runs beside it (a timer cycle re-arms, a message subscription opens
// again). Error starts wait for nothing: error_behavior.h triggers them.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/model/process_definition.h"
#include "engine/runtime/bpmn/element_processor.h"
#include "engine/runtime/bpmn/run.h"

namespace pmiflow::runtime::behavior {

// The event subprocesses of flow scope `scope` (kProcessScope, or a subProcess instance's key).
const std::vector<model::NodeIndex>& event_subprocesses_of(const Run& run, std::int64_t scope);

// The element the timers and subscriptions of `scope`'s event subprocess starts belong to:
// the subProcess instance, or, for the process, key kProcessScope and no node.
ElementRef scope_owner(const Run& run, std::int64_t scope);

// Arms the timers and opens the subscriptions of the timer and message starts of `scope`'s
// event subprocesses (those it does not have yet). False when one failed (its incident is
// open, at the start event; the others are subscribed).
bool subscribe_event_subprocesses(Run& run, std::int64_t scope);

// The start event `start` of an event subprocess of `scope` was triggered (its TimerTriggered,
// MessageCorrelated or ErrorThrown is written): an interrupting one ends the scope's other
// event subprocess starts and everything in the scope; then the event subprocess is activated
// in the scope, its start event already triggered.
void trigger_event_subprocess(Run& run, model::NodeIndex start, std::int64_t scope);

}  // namespace pmiflow::runtime::behavior
