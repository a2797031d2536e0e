// The table of flow node kinds the parser reads (bpmn_parser_impl.h).
#include "engine/model/bpmn_parser_impl.h"

namespace pmiflow::model::detail {
namespace {

constexpr ElementEntry kElements[] = {
    {"startEvent",
     NodeKind::kNoneStartEvent,
     Family::kEvent,
     false,
     {{"messageEventDefinition", NodeKind::kMessageStartEvent},
      {"timerEventDefinition", NodeKind::kTimerStartEvent},
      {"errorEventDefinition", NodeKind::kErrorStartEvent}},
     "only none and message start events, and timer, message and error starts of event "
     "subprocesses, are supported"},
    {"endEvent",
     NodeKind::kNoneEndEvent,
     Family::kEvent,
     false,
     {{"terminateEventDefinition", NodeKind::kTerminateEndEvent},
      {"messageEventDefinition", NodeKind::kMessageEndEvent},
      {"errorEventDefinition", NodeKind::kErrorEndEvent}},
     "only none, terminate, message and error end events are supported"},
    {"intermediateCatchEvent",
     NodeKind::kIntermediateTimerCatchEvent,
     Family::kEvent,
     false,
     {{"timerEventDefinition", NodeKind::kIntermediateTimerCatchEvent},
      {"messageEventDefinition", NodeKind::kIntermediateMessageCatchEvent},
      {"linkEventDefinition", NodeKind::kLinkCatchEvent}},
     "only timer, message and link intermediate catch events are supported",
     true},
    {"intermediateThrowEvent",
     NodeKind::kIntermediateThrowEvent,
     Family::kEvent,
     false,
     {{"messageEventDefinition", NodeKind::kMessageThrowEvent},
      {"linkEventDefinition", NodeKind::kLinkThrowEvent}},
     "only none, message and link intermediate throw events are supported"},
    {"boundaryEvent",
     NodeKind::kTimerBoundaryEvent,
     Family::kEvent,
     false,
     {{"timerEventDefinition", NodeKind::kTimerBoundaryEvent},
      {"messageEventDefinition", NodeKind::kMessageBoundaryEvent},
      {"errorEventDefinition", NodeKind::kErrorBoundaryEvent}},
     "only timer, message and error boundary events are supported",
     true},
    {"userTask", NodeKind::kUserTask, Family::kTask, false, {}, ""},
    {"serviceTask", NodeKind::kServiceTask, Family::kTask, false, {}, ""},
    // A business rule task given a zeebe:taskDefinition is a job, as a service task (Camunda 8);
    // one calling a DMN decision (zeebe:calledDecision) is not supported.
    {"businessRuleTask", NodeKind::kServiceTask, Family::kTask, false, {}, ""},
    {"receiveTask", NodeKind::kReceiveTask, Family::kTask, false, {}, ""},
    {"sendTask", NodeKind::kSendTask, Family::kTask, false, {}, ""},
    {"scriptTask", NodeKind::kScriptTask, Family::kTask, false, {}, ""},
    {"manualTask", NodeKind::kManualTask, Family::kTask, false, {}, ""},
    {"task", NodeKind::kTask, Family::kTask, false, {}, ""},
    {"subProcess", NodeKind::kSubProcess, Family::kContainer, false, {}, ""},
    {"callActivity", NodeKind::kCallActivity, Family::kTask, false, {}, ""},
    {"exclusiveGateway", NodeKind::kExclusiveGateway, Family::kGateway, true, {}, ""},
    {"parallelGateway", NodeKind::kParallelGateway, Family::kGateway, false, {}, ""},
    {"inclusiveGateway", NodeKind::kInclusiveGateway, Family::kGateway, true, {}, ""},
    {"eventBasedGateway", NodeKind::kEventBasedGateway, Family::kGateway, false, {}, ""},
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
