#include "engine/runtime/bpmn/processor_registry.h"

#include <stdexcept>
#include <string>

#include "engine/runtime/bpmn/container/call_activity_processor.h"
#include "engine/runtime/bpmn/container/multi_instance_body_processor.h"
#include "engine/runtime/bpmn/container/sub_process_processor.h"
#include "engine/runtime/bpmn/event/boundary_event_processor.h"
#include "engine/runtime/bpmn/event/error_end_event_processor.h"
#include "engine/runtime/bpmn/event/link_throw_event_processor.h"
#include "engine/runtime/bpmn/event/message_catch_event_processor.h"
#include "engine/runtime/bpmn/event/message_throw_event_processor.h"
#include "engine/runtime/bpmn/event/none_end_event_processor.h"
#include "engine/runtime/bpmn/event/none_start_event_processor.h"
#include "engine/runtime/bpmn/event/start_event_processor.h"
#include "engine/runtime/bpmn/event/terminate_end_event_processor.h"
#include "engine/runtime/bpmn/event/timer_catch_event_processor.h"
#include "engine/runtime/bpmn/gateway/event_based_gateway_processor.h"
#include "engine/runtime/bpmn/gateway/gateway_processors.h"
#include "engine/runtime/bpmn/gateway/parallel_gateway_processor.h"
#include "engine/runtime/bpmn/task/pass_through_processor.h"
#include "engine/runtime/bpmn/task/script_task_processor.h"
#include "engine/runtime/bpmn/task/service_task_processor.h"
#include "engine/runtime/bpmn/task/user_task_processor.h"

namespace pmiflow::runtime {

const ElementProcessor& processor_for(model::NodeKind kind) {
  static const NoneStartEventProcessor kNoneStartEvent;
  static const StartEventProcessor kStartEvent;
  static const ErrorEndEventProcessor kErrorEndEvent;
  static const NoneEndEventProcessor kNoneEndEvent;
  static const TerminateEndEventProcessor kTerminateEndEvent;
  static const UserTaskProcessor kUserTask;
  static const ServiceTaskProcessor kServiceTask;
  static const ExclusiveGatewayProcessor kExclusiveGateway;
  static const InclusiveGatewayProcessor kInclusiveGateway;
  static const ParallelGatewayProcessor kParallelGateway;
  static const EventBasedGatewayProcessor kEventBasedGateway;
  static const SubProcessProcessor kSubProcess;
  static const TimerCatchEventProcessor kTimerCatchEvent;
  static const BoundaryEventProcessor kBoundaryEvent;
  static const MessageCatchEventProcessor kMessageCatchEvent;
  static const MessageThrowEventProcessor kMessageThrowEvent;
  static const PassThroughProcessor kPassThrough;
  static const ScriptTaskProcessor kScriptTask;
  static const LinkThrowEventProcessor kLinkThrowEvent;
  static const CallActivityProcessor kCallActivity;
  switch (kind) {
    case model::NodeKind::kNoneStartEvent:
      return kNoneStartEvent;
    case model::NodeKind::kMessageStartEvent:
    case model::NodeKind::kTimerStartEvent:
    case model::NodeKind::kErrorStartEvent:
      return kStartEvent;
    case model::NodeKind::kErrorEndEvent:
      return kErrorEndEvent;
    case model::NodeKind::kNoneEndEvent:
      return kNoneEndEvent;
    case model::NodeKind::kTerminateEndEvent:
      return kTerminateEndEvent;
    case model::NodeKind::kUserTask:
      return kUserTask;
    case model::NodeKind::kServiceTask:
      return kServiceTask;
    case model::NodeKind::kScriptTask:
      return kScriptTask;
    case model::NodeKind::kLinkThrowEvent:
      return kLinkThrowEvent;
    case model::NodeKind::kCallActivity:
      return kCallActivity;
    case model::NodeKind::kExclusiveGateway:
      return kExclusiveGateway;
    case model::NodeKind::kInclusiveGateway:
      return kInclusiveGateway;
    case model::NodeKind::kParallelGateway:
      return kParallelGateway;
    case model::NodeKind::kEventBasedGateway:
      return kEventBasedGateway;
    case model::NodeKind::kSubProcess:
    case model::NodeKind::kEventSubProcess:
      return kSubProcess;
    case model::NodeKind::kIntermediateTimerCatchEvent:
      return kTimerCatchEvent;
    case model::NodeKind::kTimerBoundaryEvent:
    case model::NodeKind::kMessageBoundaryEvent:
    case model::NodeKind::kErrorBoundaryEvent:
      return kBoundaryEvent;
    case model::NodeKind::kIntermediateMessageCatchEvent:
    case model::NodeKind::kReceiveTask:
      return kMessageCatchEvent;
    case model::NodeKind::kMessageThrowEvent:
    case model::NodeKind::kMessageEndEvent:
    case model::NodeKind::kSendTask:
      return kMessageThrowEvent;
    case model::NodeKind::kManualTask:
    case model::NodeKind::kTask:
    case model::NodeKind::kLinkCatchEvent:
    case model::NodeKind::kIntermediateThrowEvent:
      return kPassThrough;
  }
  throw std::logic_error("no processor for node kind " + std::to_string(static_cast<int>(kind)));
}

const ElementProcessor& processor_of(const Run& run, const ElementRef& element) {
  static const MultiInstanceBodyProcessor kMultiInstanceBody;
  auto it = run.state().elements.find(element.key);
  if (it != run.state().elements.end() && it->second.loop) return kMultiInstanceBody;
  return processor_for(run.definition().node(element.node).kind);
}

}  // namespace pmiflow::runtime
