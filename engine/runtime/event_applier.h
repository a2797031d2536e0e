// The one applier: the only code that changes an InstanceState. State = fold(apply, events).
// One function per event type (event_applier.cpp); every lifecycle change goes through
// lifecycle.h's check_transition().
#pragma once

#include <vector>

#include "engine/runtime/event.h"
#include "engine/runtime/instance_state.h"
#include "engine/runtime/projection_changes.h"

namespace pmiflow::runtime {

// Applies one event; when `changes` is given, also records there what it changed in the
// instance's projections (projection_changes.h). REQUIRES: event.seq == state.last_seq + 1.
// Throws std::logic_error on an impossible event (a bug, or a log that was tampered with).
void apply(InstanceState& state, const Event& event, ProjectionChanges* changes = nullptr);

// Folds `events` from an empty state.
InstanceState fold(const std::vector<Event>& events);

}  // namespace pmiflow::runtime
