// Moving a token along sequence flows: FlowTaken, then the target's activation is queued; a
// parallel join (a parallel gateway with several incoming flows) keeps the token waiting in
// its flow scope until every incoming flow has one, then takes one from each; an inclusive join
// keeps it waiting until no other token can arrive (inclusive_join_behavior.h).
#pragma once

#include "engine/runtime/bpmn/element_processor.h"
#include "engine/runtime/bpmn/run.h"

namespace pmiflow::runtime::behavior {

// Takes every outgoing flow of `element`, in document order, in the element's scope.
void take_outgoing(Run& run, const ElementRef& element);

// Takes flow `flow` from an element of flow scope `scope`.
void take(Run& run, model::FlowIndex flow, std::int64_t scope);

}  // namespace pmiflow::runtime::behavior
