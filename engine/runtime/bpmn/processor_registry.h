// The processor of each element kind. Adding an element kind: its processor (one file pair in
// event/, task/, gateway/ or container/), one line in processor_registry.cpp, its entry in the
// parser (engine/model/bpmn_parser.cpp) and its tests.
#pragma once

#include "engine/model/process_definition.h"
#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

const ElementProcessor& processor_for(model::NodeKind kind);

// The processor of active element instance `element`: a multi-instance body's
// (multi_instance_body_processor.h), else its kind's.
const ElementProcessor& processor_of(const Run& run, const ElementRef& element);

}  // namespace pmiflow::runtime
