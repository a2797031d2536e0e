// The table of flow node kinds the parser reads (bpmn_parser_impl.h).
#include "engine/model/bpmn_parser_impl.h"

namespace pmiflow::model::detail {
namespace {

constexpr ElementEntry kElements[] = {
    {"startEvent", NodeKind::kNoneStartEvent, Family::kEvent, false, "", NodeKind::kNoneStartEvent,
     "only none start events are supported"},
    {"endEvent", NodeKind::kNoneEndEvent, Family::kEvent, false, "terminateEventDefinition",
     NodeKind::kTerminateEndEvent, "only none and terminate end events are supported"},
    {"intermediateCatchEvent", NodeKind::kIntermediateTimerCatchEvent, Family::kEvent, false,
     "timerEventDefinition", NodeKind::kIntermediateTimerCatchEvent,
     "only timer intermediate catch events are supported", true},
    {"intermediateThrowEvent", NodeKind::kIntermediateThrowEvent, Family::kEvent, false, "",
     NodeKind::kIntermediateThrowEvent, "only none intermediate throw events are supported"},
    {"boundaryEvent", NodeKind::kTimerBoundaryEvent, Family::kEvent, false, "timerEventDefinition",
     NodeKind::kTimerBoundaryEvent, "only timer boundary events are supported", true},
    {"userTask", NodeKind::kUserTask, Family::kTask, false, "", NodeKind::kUserTask, ""},
    {"serviceTask", NodeKind::kServiceTask, Family::kTask, false, "", NodeKind::kServiceTask, ""},
    {"manualTask", NodeKind::kManualTask, Family::kTask, false, "", NodeKind::kManualTask, ""},
    {"task", NodeKind::kTask, Family::kTask, false, "", NodeKind::kTask, ""},
    {"subProcess", NodeKind::kSubProcess, Family::kContainer, false, "", NodeKind::kSubProcess, ""},
    {"exclusiveGateway", NodeKind::kExclusiveGateway, Family::kGateway, true, "",
     NodeKind::kExclusiveGateway, ""},
    {"parallelGateway", NodeKind::kParallelGateway, Family::kGateway, false, "",
     NodeKind::kParallelGateway, ""},
};

}  // namespace

const ElementEntry* element_entry(std::string_view bpmn_name) {
  for (const ElementEntry& e : kElements) {
    if (e.bpmn_name == bpmn_name) return &e;
  }
  return nullptr;
}

const std::string& supported_elements() {
  static const std::string text = [] {
    std::string out;
    for (const ElementEntry& e : kElements) out.append(e.bpmn_name).append(", ");
    return out + "sequenceFlow";
  }();
  return text;
}

}  // namespace pmiflow::model::detail
