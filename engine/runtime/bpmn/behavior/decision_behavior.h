// A gateway's decision: which outgoing flows its conditions choose. An exclusive gateway takes
// the first flow, in document order, whose condition is true (an unconditioned flow always is);
// an inclusive gateway every such flow; either, when none is, its default flow. Each flow taken
// is written as a DecisionTaken with the values the conditions saw. A condition that yields
// null is not true; one that yields a non-boolean or fails to evaluate, or no flow to take, is
// an incident: the token waits at the gateway until it is resolved, and the gateway decides
// again.
#pragma once

#include "engine/runtime/bpmn/element_processor.h"
#include "engine/runtime/bpmn/run.h"

namespace pmiflow::runtime::behavior {

// Decides, completes the gateway and takes the chosen flows (`every_true`: an inclusive
// gateway's every true condition, else the first).
void decide(Run& run, const ElementRef& element, bool every_true);

// Whether `incident` is one a gateway's decision raised (deciding again may resolve it).
inline bool is_decision_incident(const Incident& incident) {
  return incident.kind == "condition" || incident.kind == "no-flow";
}

}  // namespace pmiflow::runtime::behavior
