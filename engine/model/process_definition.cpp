#include "engine/model/process_definition.h"

#include <algorithm>
#include <sstream>

#include "engine/model/diagnostic.h"

namespace pmiflow::model {

const char* node_kind_name(NodeKind kind) {
  switch (kind) {
    case NodeKind::kNoneStartEvent:
      return "startEvent";
    case NodeKind::kNoneEndEvent:
      return "endEvent";
    case NodeKind::kTerminateEndEvent:
      return "endEvent";
    case NodeKind::kUserTask:
      return "userTask";
    case NodeKind::kServiceTask:
      return "serviceTask";
    case NodeKind::kExclusiveGateway:
      return "exclusiveGateway";
    case NodeKind::kParallelGateway:
      return "parallelGateway";
    case NodeKind::kSubProcess:
      return "subProcess";
    case NodeKind::kIntermediateTimerCatchEvent:
    case NodeKind::kLinkCatchEvent:
      return "intermediateCatchEvent";
    case NodeKind::kTimerBoundaryEvent:
      return "boundaryEvent";
    case NodeKind::kManualTask:
      return "manualTask";
    case NodeKind::kTask:
      return "task";
    case NodeKind::kIntermediateThrowEvent:
    case NodeKind::kLinkThrowEvent:
      return "intermediateThrowEvent";
    case NodeKind::kMessageStartEvent:
      return "startEvent";
    case NodeKind::kIntermediateMessageCatchEvent:
      return "intermediateCatchEvent";
    case NodeKind::kMessageBoundaryEvent:
      return "boundaryEvent";
    case NodeKind::kReceiveTask:
      return "receiveTask";
    case NodeKind::kEventBasedGateway:
      return "eventBasedGateway";
    case NodeKind::kMessageThrowEvent:
      return "intermediateThrowEvent";
    case NodeKind::kMessageEndEvent:
      return "endEvent";
    case NodeKind::kSendTask:
      return "sendTask";
    case NodeKind::kScriptTask:
      return "scriptTask";
    case NodeKind::kCallActivity:
      return "callActivity";
    case NodeKind::kInclusiveGateway:
      return "inclusiveGateway";
    case NodeKind::kErrorEndEvent:
      return "endEvent";
    case NodeKind::kErrorBoundaryEvent:
      return "boundaryEvent";
    case NodeKind::kEventSubProcess:
      return "subProcess";
    case NodeKind::kTimerStartEvent:
    case NodeKind::kErrorStartEvent:
      return "startEvent";
  }
  return "unknown";
}

const char* timer_kind_name(TimerDefinition::Kind kind) {
  switch (kind) {
    case TimerDefinition::Kind::kDate:
      return "timeDate";
    case TimerDefinition::Kind::kDuration:
      return "timeDuration";
    case TimerDefinition::Kind::kCycle:
      return "timeCycle";
  }
  return "unknown";
}

bool is_wait_state(NodeKind kind) {
  return kind == NodeKind::kUserTask || kind == NodeKind::kServiceTask ||
         kind == NodeKind::kIntermediateTimerCatchEvent ||
         kind == NodeKind::kIntermediateMessageCatchEvent || kind == NodeKind::kReceiveTask ||
         kind == NodeKind::kEventBasedGateway || kind == NodeKind::kCallActivity;
}

bool is_activity(NodeKind kind) {
  return kind == NodeKind::kUserTask || kind == NodeKind::kServiceTask ||
         kind == NodeKind::kSubProcess || kind == NodeKind::kManualTask ||
         kind == NodeKind::kTask || kind == NodeKind::kReceiveTask || kind == NodeKind::kSendTask ||
         kind == NodeKind::kScriptTask || kind == NodeKind::kCallActivity;
}

bool is_boundary_event(NodeKind kind) {
  return kind == NodeKind::kTimerBoundaryEvent || kind == NodeKind::kMessageBoundaryEvent ||
         kind == NodeKind::kErrorBoundaryEvent;
}

bool is_event_subprocess_start(const ProcessDefinition& def, NodeIndex node) {
  const FlowNode& n = def.node(node);
  return n.kind == NodeKind::kTimerStartEvent || n.kind == NodeKind::kErrorStartEvent ||
         (n.kind == NodeKind::kMessageStartEvent && n.parent != kNone &&
          def.node(n.parent).kind == NodeKind::kEventSubProcess);
}

NodeIndex ProcessDefinition::find_node(const std::string& id) const {
  auto it = node_by_id_.find(id);
  return it == node_by_id_.end() ? kNone : it->second;
}

FlowIndex ProcessDefinition::find_flow(const std::string& id) const {
  auto it = flow_by_id_.find(id);
  return it == flow_by_id_.end() ? kNone : it->second;
}

void ProcessDefinition::index() {
  node_by_id_.clear();
  flow_by_id_.clear();
  for (NodeIndex i = 0; i < nodes.size(); ++i) node_by_id_.emplace(nodes[i].id, i);
  for (FlowIndex i = 0; i < flows.size(); ++i) flow_by_id_.emplace(flows[i].id, i);
}

std::string Diagnostic::to_string() const {
  std::ostringstream out;
  out << file << ':' << line << ':' << column << ": "
      << (severity == Severity::kError ? "error" : "warning") << ": ";
  if (!element_id.empty()) out << element_id << ": ";
  out << message;
  return out.str();
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) {
    if (d.severity == Severity::kError) return true;
  }
  return false;
}

void sort_diagnostics(std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     if (a.line != b.line) return a.line < b.line;
                     return a.column < b.column;
                   });
}

Diagnostic internal_error(const std::string& file, const std::string& what) {
  Diagnostic d;
  d.file = file;
  d.message = "internal error: " + what;
  return d;
}

std::string crossing_flow_message(const ProcessDefinition& def, const SequenceFlow& flow) {
  return "sequence flow from '" + def.node(flow.source).id + "' to '" + def.node(flow.target).id +
         "' crosses the border of a subProcess (a flow stays inside its (sub)process)";
}

std::string join_for_message(const std::vector<std::string>& items, std::string_view separator,
                             std::size_t max_items) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max_items; ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  if (items.size() > max_items) {
    out += separator;
    out += "... (" + std::to_string(items.size()) + " in all)";
  }
  return out;
}

}  // namespace pmiflow::model
