// Timers: armed when a timer catch event is reached or an activity with timer boundary events
// is entered, canceled when their owner ends, fired by the TriggerTimer command. Each is a row
// with its due time (the read model's `timers`), written with the events that create or end it.
// Times are computed at the command's time in the engine's zone (time::default_zone()), so a
// replay computes the same.
#pragma once

#include <cstdint>
#include <vector>

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

// Cancels every timer element instance `owner_key` owns (TimerCanceled), in key order; with
// `only`, just the timers of those events.
void cancel_timers(Run& run, std::int64_t owner_key,
                   const std::vector<model::NodeIndex>* only = nullptr);

// Fires `timer` (TimerTriggered), arms a non-interrupting boundary cycle's next fire, and
// triggers its event (catch_event_behavior.h).
Status trigger_timer(Run& run, const Timer& timer);

}  // namespace pmiflow::runtime::behavior
