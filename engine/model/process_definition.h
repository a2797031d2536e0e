// The immutable executable model of one BPMN process, produced by BpmnParser and checked by
// Validator. The runtime sees only this, never XML.
//
// Nodes and flows are addressed by index (NodeIndex / FlowIndex) for speed, and by id.
// Vectors keep document order: the exclusive gateway tries outgoing flows in that order.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/feel/feel.h"
#include "engine/model/error_definition.h"
#include "engine/model/message_definition.h"
#include "engine/model/timer_definition.h"

namespace pmiflow::model {

using NodeIndex = std::uint32_t;
using FlowIndex = std::uint32_t;
inline constexpr std::uint32_t kNone = UINT32_MAX;

struct SourceLocation {
  int line = 0;
  int column = 0;
};

// Stable numbers: they appear in the event log; never reuse one.
enum class NodeKind : std::uint8_t {
  kNoneStartEvent = 1,
  kNoneEndEvent = 2,
  kTerminateEndEvent = 3,
  kUserTask = 4,
  kServiceTask = 5,
  kExclusiveGateway = 6,
  kParallelGateway = 7,
  kSubProcess = 8,
  kIntermediateTimerCatchEvent = 9,
  kTimerBoundaryEvent = 10,
  kManualTask = 11,
  kTask = 12,
  kIntermediateThrowEvent = 13,
  kMessageStartEvent = 14,
  kIntermediateMessageCatchEvent = 15,
  kMessageBoundaryEvent = 16,
  kReceiveTask = 17,
  kEventBasedGateway = 18,
  kMessageThrowEvent = 19,
  kMessageEndEvent = 20,
  kSendTask = 21,
  kErrorEndEvent = 22,
  kErrorBoundaryEvent = 23,
  kEventSubProcess = 24,  // a subProcess with triggeredByEvent="true"
  kTimerStartEvent = 25,  // of an event subprocess
  kErrorStartEvent = 26,  // of an event subprocess
  kScriptTask = 27,       // a FEEL zeebe:script (with a zeebe:taskDefinition: a service task)
  kLinkThrowEvent = 28,   // an intermediate throw event with a linkEventDefinition
  kLinkCatchEvent = 29,   // an intermediate catch event with a linkEventDefinition
  kCallActivity = 30,     // starts an instance of another process and waits for it
  kInclusiveGateway = 31,
};

const char* node_kind_name(NodeKind kind);  // BPMN local name, e.g. "userTask"

// True for nodes where a token waits for an outside command or for time (a cycle needs one of
// these).
bool is_wait_state(NodeKind kind);

// True for the activities boundary events may be attached to.
bool is_activity(NodeKind kind);

// True for boundary events (timer, message, error).
bool is_boundary_event(NodeKind kind);

// True for the start events of event subprocesses (timer, error; a message start event is one
// when its parent is an event subprocess).
class ProcessDefinition;
bool is_event_subprocess_start(const ProcessDefinition& def, NodeIndex node);

// One zeebe:input or zeebe:output of a zeebe:ioMapping: `target` gets the value of the FEEL
// expression `source`.
struct VariableMapping {
  std::string target;
  feel::Expression source;
};

// An activity's multiInstanceLoopCharacteristics with its zeebe:loopCharacteristics
// (docs/bpmn-support.md, "Multi-instance"): the activity runs once per element of
// `input_collection`, one after the other (`sequential`) or all at once; each run is an inner
// instance with the element as its local variable `input_element` and its position (from 1) as
// `loopCounter`. The value of `output_element` at each run's end goes at that run's position in the
// list `output_collection`, set where the activity runs when the last run ends.
// `completion_condition`, read after each run, ends the activity early when true.
struct MultiInstance {
  bool sequential = false;
  feel::Expression input_collection;
  std::string input_element;  // empty: the element is not a variable
  std::string output_collection;
  std::optional<feel::Expression> output_element;
  // The output element when it is a variable's name (`= result`): a local variable of each
  // inner instance, null at its start, so that what the run sets under that name stays its own.
  std::string output_variable;
  std::optional<feel::Expression> completion_condition;
};

struct FlowNode {
  std::string id;
  std::string name;
  NodeKind kind = NodeKind::kUserTask;
  SourceLocation location;
  std::vector<FlowIndex> incoming;  // document order
  std::vector<FlowIndex> outgoing;  // document order
  // The subProcess the node is in; kNone: the process itself.
  NodeIndex parent = kNone;

  // subProcess: its none start event; event subprocess: its timer, message or error start
  // event (kNone when it has none; validation names it).
  NodeIndex start_event = kNone;
  // subProcess: the event subprocesses in it, document order (the process's are
  // ProcessDefinition::event_subprocesses).
  std::vector<NodeIndex> event_subprocesses;
  // Activities: the boundary events attached to them, document order.
  std::vector<NodeIndex> boundary_events;
  // Boundary events: the activity they are attached to, and whether they interrupt it. Start
  // events of event subprocesses: whether they interrupt their scope (isInterrupting).
  NodeIndex attached_to = kNone;
  bool cancel_activity = true;
  // Timer events (intermediate catch, boundary).
  std::optional<TimerDefinition> timer;
  // Message events (start, intermediate catch, boundary) and receive tasks.
  std::optional<MessageDefinition> message;
  // Error events (end, boundary, event subprocess start).
  std::optional<ErrorDefinition> error;
  // Link events: the link's name; a throw's target, the catch of that name in its scope.
  std::string link_name;
  NodeIndex link_target = kNone;

  // userTask
  std::vector<std::string> candidate_groups;  // zeebe:assignmentDefinition candidateGroups
  std::string form_id;                        // zeebe:formDefinition formId (may be empty)
  // serviceTask
  std::string task_type;  // zeebe:taskDefinition type
  int retries = 3;        // zeebe:taskDefinition retries
  // zeebe:taskHeaders, in document order (keys unique): handed to the worker with each job.
  std::vector<std::pair<std::string, std::string>> task_headers;
  // The header retryBackoff (an ISO 8601 duration of days and time): how long a failed job
  // waits before it is activatable again when its worker names no backoff (docs/jobs.md).
  std::optional<std::int64_t> retry_backoff_ms;
  // zeebe:property pmiflow.async = true: the job of an in-process handler is not run in the
  // request that reaches the task but by the runner's workers (asynchronous continuation).
  bool async = false;
  // scriptTask: zeebe:script expression, compiled once at load, and its resultVariable
  std::optional<feel::Expression> script;
  std::string result_variable;
  // exclusiveGateway, inclusiveGateway
  FlowIndex default_flow = kNone;
  // callActivity: zeebe:calledElement processId, a literal or a FEEL expression (a string) read
  // when the activity starts; what the child gets and gives back (docs/call-activities.md):
  // every variable of the parent unless propagateAllParentVariables="false" (then the inputs
  // only), plus the zeebe:input mappings; every variable of the child unless
  // propagateAllChildVariables="false" or zeebe:output mappings are given (then those only).
  // zeebe:property pmiflow.businessId: a FEEL expression for the child's business id (default
  // "<parent instance>-<element instance key>").
  std::string called_process;
  std::optional<feel::Expression> called_process_expression;
  bool propagate_all_parent_variables = true;
  bool propagate_all_child_variables = true;
  // zeebe:ioMapping (docs/bpmn-support.md, "Variable mappings"). On a call activity, see above.
  // Elsewhere: each input sets a local variable of the element instance when it is activated
  // (a multi-instance's: of each inner instance); with outputs, what the element produces (a
  // task's completion variables, a message's) stays local, and each output is set from the
  // element's flow scope when it completes.
  std::vector<VariableMapping> inputs;
  std::vector<VariableMapping> outputs;
  std::optional<feel::Expression> child_business_id;
  // Activities: multi-instance (none: the activity runs once).
  std::optional<MultiInstance> loop;

  // zeebe:properties that pmiflow reads (user and service tasks):
  //   pmiflow.record = KIND      completing the task writes a record of that kind with the
  //                              variables its completion set (RecordWritten)
  //   pmiflow.recordResponsible = ROLE
  //                              the role (a candidate group) that keeps those records, named
  //                              by each of them (the seed's "responsable" of a record)
  //   pmiflow.notify = A, B      completing the task queues a message to each subprocess in
  //                              the outbox, in the same transaction (MessageQueued)
  std::string record;
  std::string record_responsible;
  std::vector<std::string> notify;
};

struct SequenceFlow {
  std::string id;
  std::string name;
  SourceLocation location;
  NodeIndex source = kNone;
  NodeIndex target = kNone;
  std::optional<feel::Expression> condition;  // compiled once at load
};

class ProcessDefinition {
 public:
  std::string key;   // the BPMN process id, e.g. "D02_03_ApoyarGestionPMI"
  std::string name;  // the BPMN process name
  std::string file;  // where it was read from (for diagnostics)
  std::vector<FlowNode> nodes;
  std::vector<SequenceFlow> flows;
  std::vector<NodeIndex> start_events;  // the process's none start events, document order
  // The process's message start events, document order: a message with their name starts an
  // instance.
  std::vector<NodeIndex> message_start_events;
  // The event subprocesses of the process itself, document order.
  std::vector<NodeIndex> event_subprocesses;
  bool has_subprocesses = false;  // some node is a subProcess or an event subprocess
  bool has_inclusive_gateways = false;
  bool has_multi_instance = false;  // some activity has multiInstanceLoopCharacteristics

  NodeIndex find_node(const std::string& id) const;  // kNone when absent
  FlowIndex find_flow(const std::string& id) const;  // kNone when absent
  const FlowNode& node(NodeIndex i) const { return nodes[i]; }
  const SequenceFlow& flow(FlowIndex i) const { return flows[i]; }

  // Builds the id indexes; the parser calls it once after filling nodes and flows.
  void index();

 private:
  std::map<std::string, NodeIndex> node_by_id_;
  std::map<std::string, FlowIndex> flow_by_id_;
};

using ProcessDefinitionPtr = std::shared_ptr<const ProcessDefinition>;

// "sequence flow from 'a' to 'b' crosses the border of a subProcess ...": the diagnostic of a
// flow whose ends are in different (sub)processes (the parser's, and validate's for a
// definition built by hand).
std::string crossing_flow_message(const ProcessDefinition& def, const SequenceFlow& flow);

}  // namespace pmiflow::model
