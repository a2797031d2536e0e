// Appliers: the only code that changes an InstanceState. State = fold(apply, events).
// Every lifecycle change goes through lifecycle.h's check_transition().
#pragma once

#include <vector>

#include "engine/runtime/event.h"
#include "engine/runtime/instance_state.h"

namespace pmiflow::runtime {

// Applies one event. REQUIRES: event.seq == state.last_seq + 1.
// Throws std::logic_error on an impossible event (a bug, or a log that was tampered with).
void apply(InstanceState& state, const Event& event);

// Folds `events` from an empty state.
InstanceState fold(const std::vector<Event>& events);

}  // namespace pmiflow::runtime
