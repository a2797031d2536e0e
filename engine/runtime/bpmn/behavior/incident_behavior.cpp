#include "engine/runtime/bpmn/behavior/incident_behavior.h"

namespace pmiflow::runtime::behavior {

void raise_incident(Run& run, std::int64_t element_key, const std::string& element,
                    const std::string& kind, const std::string& message) {
  run.write(IncidentRaised{element, element_key, run.next_key(), kind, message});
}

}  // namespace pmiflow::runtime::behavior
