// Trouble in a process is an incident, not an error: the token waits where it is until a
// person resolves it.
#pragma once

#include <cstdint>
#include <string>

#include "engine/runtime/bpmn/run.h"

namespace pmiflow::runtime::behavior {

// Raises an incident of `kind` at element instance `element_key` (0: none) of `element`; the
// incident gets the next key.
void raise_incident(Run& run, std::int64_t element_key, const std::string& element,
                    const std::string& kind, const std::string& message);

}  // namespace pmiflow::runtime::behavior
