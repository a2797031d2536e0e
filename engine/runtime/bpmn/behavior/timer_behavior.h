// Timers: armed when a timer catch event is reached or an activity with timer boundary events
// is entered, canceled when their owner ends, fired by the TriggerTimer command. Each is a row
// with its due time (the read model's `timers`), written with the events that create or end it.
// Times are computed at the command's time in the engine's zone (time::default_zone()), so a
// replay computes the same.
#pragma once

#include <cstdint>

#include "engine/model/process_definition.h"
#include "engine/runtime/bpmn/element_processor.h"
#include "engine/runtime/bpmn/run.h"

namespace pmiflow::runtime::behavior {

// The incident kind of a timer whose expression fails or gives no date, duration or cycle.
inline constexpr const char* kTimerIncident = "timer";

// Arms the timer of timer event `event` for element instance `owner`: TimerCreated with its
// first due time. False, with an incident of kind kTimerIncident at `owner`, when the
// definition's expression fails or its value is not a date, duration or cycle.
bool arm_timer(Run& run, model::NodeIndex event, const ElementRef& owner);

// Arms the timers of the boundary events attached to activity `host` that it does not have
// yet. False when one could not be armed (its incident is open; the others are armed).
bool arm_boundary_timers(Run& run, const ElementRef& host);

// Cancels every timer element instance `owner_key` owns (TimerCanceled), in key order.
void cancel_timers(Run& run, std::int64_t owner_key);

// Fires `timer` (TimerTriggered): completes its catch event, or, for a boundary event, ends
// the activity it is attached to when it interrupts (else arms the cycle's next fire) and
// activates the boundary event in the activity's flow scope.
Status trigger_timer(Run& run, const Timer& timer);

}  // namespace pmiflow::runtime::behavior
