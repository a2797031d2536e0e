// What timer and message events share (Zeebe's CatchEventBehavior): the events an element
// instance waits for are subscribed together when it is entered (its boundary events; a catch
// event's or a receive task's own) and unsubscribed together when it ends; when one of them
// triggers, the same thing happens whatever its kind.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/model/process_definition.h"
#include "engine/runtime/bpmn/element_processor.h"
#include "engine/runtime/bpmn/run.h"

namespace pmiflow::runtime::behavior {

// Arms the timers and opens the message subscriptions of the timer and message events among
// `events` for element instance `owner`, those it does not have yet. False when one failed (its
// incident is open; the others are subscribed).
bool subscribe(Run& run, const ElementRef& owner, const std::vector<model::NodeIndex>& events);

// Arms the timers and opens the message subscriptions of the boundary events attached to
// activity `host` that it does not have yet. False when one failed (its incident is open; the
// others are subscribed).
bool subscribe_boundary_events(Run& run, const ElementRef& host);

// Cancels the timers and closes the subscriptions element instance `owner_key` owns; with
// `only`, just those of these events.
void unsubscribe(Run& run, std::int64_t owner_key,
                 const std::vector<model::NodeIndex>* only = nullptr);

// Whether `element_id` is one of events `*only` (true when `only` is null: no filter).
bool is_one_of(const Run& run, const std::vector<model::NodeIndex>* only,
               const std::string& element_id);

// The element at which an incident of `owner`'s subscription to `event` is raised: the owner,
// or, for the start event of an event subprocess, the start event (the owner is its scope).
const std::string& incident_element(const Run& run, model::NodeIndex event,
                                    const ElementRef& owner);

// Event `event` (a catch event, a receive task, a boundary event or the start event of an
// event subprocess) of element instance `owner_key` (for an event subprocess start: its flow
// scope) was triggered, its TimerTriggered or MessageCorrelated written: a catch event or a
// receive task completes; a boundary event ends its activity when it interrupts (a
// non-interrupting message boundary event subscribes again, for the next message) and is
// activated in the activity's flow scope; an event after an event-based gateway (the owner)
// ends the gateway's other events and the gateway, and is activated already triggered; an
// event subprocess start starts its event subprocess (event_subprocess_behavior.h).
// `result`: local variables of the event's instance (what a message gave an event with output
// mappings).
Status trigger_event(Run& run, model::NodeIndex event, std::int64_t owner_key,
                     const Variables& result = {});

}  // namespace pmiflow::runtime::behavior
