// The inclusive join (an inclusive gateway with several incoming flows): a token arriving on one
// of its flows waits there, in its flow scope (as at a parallel join), and the join fires when
// no token that could still arrive is left in that scope: no element instance, and no token
// waiting at another join, from which the join can be reached (along flows, a boundary event of
// an activity, a link) without passing through it. It then takes one waiting token from each
// flow that has one. Checked whenever the run's tokens have settled, so a branch that ends
// elsewhere, in this command or a later one, releases the join.
#pragma once

#include "engine/runtime/bpmn/run.h"

namespace pmiflow::runtime::behavior {

// Queues the activation of one inclusive join that may fire, when no activation is queued; true
// when it did (run the queue, then ask again).
bool fire_inclusive_joins(Run& run);

}  // namespace pmiflow::runtime::behavior
