// One small file per problem under tests/data/bad/: each must fail to load, and its first
// error must point at the exact FILE:LINE:COL and element, with the expected message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/model/bpmn_parser.h"

namespace pmiflow::model {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct BadFile {
  std::string name;  // under tests/data/bad/, without ".bpmn"
  int line;
  int column;
  std::string element_id;
  std::string message;  // a substring of the first error's message
  std::set<std::string> known_task_types = {};
};

void PrintTo(const BadFile& f, std::ostream* os) {
  *os << f.name;
}

class BadFileTest : public ::testing::TestWithParam<BadFile> {};

TEST_P(BadFileTest, FailsWithTheExpectedFirstError) {
  const BadFile& expected = GetParam();
  const std::string path = std::string(PMIFLOW_TEST_DATA) + "/bad/" + expected.name + ".bpmn";
  const std::string xml = read_file(path);
  ASSERT_FALSE(xml.empty()) << path;
  ValidationOptions options;
  options.known_task_types = expected.known_task_types;
  LoadOutput out = load_bpmn(xml, path, options);
  EXPECT_FALSE(out.definition.has_value());
  const Diagnostic* first = nullptr;
  for (const Diagnostic& d : out.diagnostics) {
    if (d.severity == Severity::kError) {
      first = &d;
      break;
    }
  }
  ASSERT_NE(first, nullptr) << "no error for " << path;
  const std::string prefix =
      path + ":" + std::to_string(expected.line) + ":" + std::to_string(expected.column) +
      ": error: " + (expected.element_id.empty() ? "" : expected.element_id + ": ");
  EXPECT_THAT(first->to_string(), StartsWith(prefix));
  EXPECT_EQ(first->element_id, expected.element_id);
  EXPECT_THAT(first->message, HasSubstr(expected.message));
}

const std::vector<BadFile> kBadFiles = {
    {"not-well-formed", 6, 5, "", "XML is not well-formed: Start-end tags mismatch"},
    {"not-bpmn", 2, 1, "d",
     "not a BPMN 2.0 document: root element is <definitions> in namespace "
     "http://www.omg.org/spec/DMN/20151101/dmn.xsd, expected <definitions> in namespace "
     "http://www.omg.org/spec/BPMN/20100524/MODEL"},
    {"no-process", 2, 1, "d", "no <process> element in <definitions>"},
    {"no-executable-process", 3, 3, "p", "no executable process (isExecutable=\"true\")"},
    {"two-executable-processes", 8, 3, "q",
     "only one executable process per file is supported; found p, q"},
    {"unsupported-element", 5, 5, "wait",
     "unsupported element <complexGateway> (supported: startEvent, endEvent, "
     "intermediateCatchEvent, intermediateThrowEvent, boundaryEvent, userTask, serviceTask, "
     "businessRuleTask, receiveTask, sendTask, scriptTask, manualTask, task, subProcess, "
     "callActivity, exclusiveGateway, parallelGateway, inclusiveGateway, eventBasedGateway, "
     "sequenceFlow)"},
    {"timer-duration-does-not-parse", 7, 9, "wait",
     "<timeDuration>: 'P1X' is not a duration (expected an ISO 8601 duration"},
    {"timer-zero-duration", 7, 9, "wait",
     "<timeDuration>: 'PT0S' is a duration of zero: a timer waits a duration more than zero"},
    {"timer-cycle-does-not-parse", 7, 9, "wait", "<timeCycle>: 'every month' is not a timer cycle"},
    {"timer-date-does-not-parse", 7, 9, "wait",
     "<timeDate>: '30/11/2027' is not a date and time (e.g. 2027-11-30T23:59:00"},
    {"timer-expression-does-not-parse", 7, 9, "wait",
     "<timeDate> expression does not parse: unexpected end of expression"},
    {"catch-event-without-definition", 5, 5, "wait",
     "<intermediateCatchEvent> has no event definition (only timer, message and link "
     "intermediate catch events are supported)"},
    {"message-ref-unknown", 6, 7, "wait", "messageRef 'm' names no <message> of the definitions"},
    {"message-without-name", 12, 3, "m", "<message> has no name"},
    {"message-without-correlation-key", 12, 3, "wait",
     "message 'pam_aprobado' (m) has no zeebe:subscription correlationKey: the "
     "<intermediateCatchEvent> waits for the message with the key it gives"},
    {"message-correlation-key-does-not-parse", 14, 7, "m",
     "zeebe:subscription correlationKey `escuela +` does not parse"},
    {"message-start-in-subprocess", 7, 7, "msg_start",
     "a message start event inside subProcess 'sub'"},
    {"event-gateway-followed-by-task", 5, 5, "gw",
     "event-based gateway is followed by a <task> ('work'): only intermediate timer and message "
     "catch events may follow it"},
    {"event-gateway-parallel", 5, 5, "gw",
     "eventGatewayType=\"Parallel\" is not supported (only Exclusive: the first event wins)"},
    {"send-task-without-message-ref", 5, 5, "notify",
     "<sendTask> has no messageRef (the <message> it sends)"},
    {"receive-task-without-message-ref", 5, 5, "wait",
     "<receiveTask> has no messageRef (the <message> it waits for)"},
    {"boundary-without-outgoing", 10, 5, "late", "boundary event has no outgoing flow"},
    {"boundary-on-gateway", 6, 5, "late",
     "attachedToRef 'gw' is a <exclusiveGateway>: boundary events attach to tasks and "
     "subprocesses"},
    {"flow-crosses-subprocess", 11, 5, "f1",
     "sequence flow from 'start' to 'sub_end' crosses the border of a subProcess"},
    {"subprocess-without-start", 5, 5, "sub", "subProcess has no none start event"},
    {"event-subprocess-none-start", 8, 7, "late_start",
     "event subprocess 'on_late' has a none start event: it needs a timer, message or error "
     "start event"},
    {"event-subprocess-with-flow", 6, 5, "on_error",
     "event subprocess has sequence flow 'f1': it starts by its event and ends in its scope, "
     "without flows"},
    {"error-start-non-interrupting", 8, 7, "error_start",
     "an error start event always interrupts its scope (isInterrupting=\"false\" is not "
     "allowed)"},
    {"timer-start-on-process", 4, 5, "start",
     "a timer start event is supported only in an event subprocess (a subProcess with "
     "triggeredByEvent=\"true\")"},
    {"error-end-without-code", 10, 3, "fail",
     "<error> 'e' has no errorCode: the error end event 'fail' throws no code a boundary event "
     "or an event subprocess could catch"},
    {"error-end-without-error-ref", 6, 7, "fail",
     "error end event has no errorRef (the <error> whose code it throws)"},
    {"error-ref-unknown", 6, 7, "fail", "errorRef 'missing' names no <error> of the definitions"},
    {"unsupported-multi-instance", 6, 7, "task",
     "<multiInstanceLoopCharacteristics> needs a zeebe:loopCharacteristics with an "
     "inputCollection"},
    {"record-responsible-without-record", 8, 9, "task",
     "zeebe:property pmiflow.recordResponsible names who keeps the records of pmiflow.record, "
     "which this task does not have"},
    {"io-mapping-on-gateway", 7, 9, "gw",
     "zeebe:ioMapping on <exclusiveGateway>: a gateway has no variable mappings"},
    {"io-input-on-start-event", 6, 9, "start",
     "zeebe:input on <startEvent>: an event that starts a flow has no input mappings (use "
     "zeebe:output)"},
    {"condition-language-javascript", 9, 7, "f2",
     "condition language 'JavaScript' is not supported (conditions are FEEL)"},
    {"duplicate-id", 10, 5, "task", "duplicate id 'task' (first defined at line 5)"},
    {"unknown-flow-target", 6, 5, "f1", "targetRef 'nowhere' names no flow node of this process"},
    {"missing-source-ref", 6, 5, "f1", "sequence flow has no sourceRef"},
    {"no-start", 3, 3, "p", "process has no none or message start event"},
    {"unreachable-node", 5, 5, "orphan", "not reachable from a start event"},
    {"no-end-reachable", 5, 5, "task", "no end event can be reached from here"},
    {"gateway-flow-without-condition", 5, 5, "gw",
     "outgoing flow 'f3' has no condition and is not the default flow"},
    {"default-not-outgoing", 5, 5, "gw",
     "default flow 'f1' is not an outgoing flow of this gateway"},
    {"default-unknown-flow", 5, 5, "gw",
     "default flow 'nope' is not an outgoing flow of this gateway"},
    {"default-with-condition", 5, 5, "gw",
     "default flow 'f3' has a condition (a default flow must not have one)"},
    {"condition-on-task-flow", 12, 5, "f2",
     "condition on a flow leaving a <userTask>: conditions are supported only on flows leaving "
     "an exclusive or inclusive gateway"},
    {"condition-on-parallel-flow", 8, 5, "f2",
     "condition on a flow leaving a parallel gateway (it takes every outgoing flow)"},
    // `= monto &gt; )`: the `)` is column 46 of the file, past the decoded entity.
    {"condition-does-not-parse", 14, 46, "f2", "condition does not parse: unexpected ')'"},
    // A CDATA condition spanning two lines fails at its end, on the second line.
    {"condition-does-not-parse-cdata", 16, 6, "f2",
     "condition does not parse: unexpected end of expression"},
    {"empty-condition", 9, 7, "f2", "condition is empty"},
    {"cycle-without-wait-state", 5, 5, "g1",
     "cycle with no wait state (it would loop forever): g1 -> g2 -> g1"},
    {"service-task-without-type", 5, 5, "task", "service task has no zeebe:taskDefinition type"},
    {"bad-retries", 7, 9, "task",
     "zeebe:taskDefinition retries 'tres' is not a non-negative integer"},
    {"bad-candidate-groups", 7, 9, "task",
     "zeebe:assignmentDefinition candidateGroups '=grupos' is neither a comma-separated list nor "
     "a FEEL list of string literals"},
    {"start-with-incoming", 5, 5, "start", "start event has incoming flow 'f1'"},
    {"end-with-outgoing", 10, 5, "end", "end event has outgoing flow 'f2'"},
    {"task-two-outgoing", 5, 5, "a",
     "more than one outgoing flow: use a parallel or exclusive gateway"},
};

std::string test_name(const ::testing::TestParamInfo<BadFile>& info) {
  std::string name;
  for (char c : info.param.name) name += (c == '-') ? '_' : c;
  return name;
}

INSTANTIATE_TEST_SUITE_P(Bad, BadFileTest, ::testing::ValuesIn(kBadFiles), test_name);

TEST(BadFiles, EveryFileInTheFolderHasAnExpectation) {
  // Keeps the table and the folder in step: a new bad file needs a row.
  std::set<std::string> names;
  for (const BadFile& f : kBadFiles) names.insert(f.name);
  EXPECT_EQ(names.size(), kBadFiles.size());
  for (const std::string& name : names) {
    std::ifstream in(std::string(PMIFLOW_TEST_DATA) + "/bad/" + name + ".bpmn");
    EXPECT_TRUE(in.good()) << name;
  }
}

TEST(Validate, ATaskTypeIsNotCheckedWithoutRegisteredTypes) {
  const std::string path = std::string(PMIFLOW_TEST_DATA) + "/good/service-task-for-a-worker.bpmn";
  LoadOutput out = load_bpmn(read_file(path), path, {});
  EXPECT_TRUE(out.definition.has_value());
  EXPECT_TRUE(out.diagnostics.empty());
}

TEST(BadFiles, NoEndReachableAlsoReportsTheUnreachableEnd) {
  const std::string path = std::string(PMIFLOW_TEST_DATA) + "/bad/no-end-reachable.bpmn";
  LoadOutput out = load_bpmn(read_file(path), path, {});
  ASSERT_EQ(out.diagnostics.size(), 2u);
  EXPECT_EQ(out.diagnostics[1].element_id, "end");
  EXPECT_EQ(out.diagnostics[1].message, "not reachable from a start event");
}

// validate() on definitions built by hand (not through the parser).

FlowNode make_node(const std::string& id, NodeKind kind, int line) {
  FlowNode n;
  n.id = id;
  n.kind = kind;
  n.location = {line, 1};
  if (kind == NodeKind::kUserTask) n.candidate_groups = {"g"};
  if (kind == NodeKind::kServiceTask) n.task_type = "t";
  return n;
}

void connect(ProcessDefinition& def, const std::string& id, NodeIndex from, NodeIndex to) {
  SequenceFlow f;
  f.id = id;
  f.source = from;
  f.target = to;
  f.location = {100 + static_cast<int>(def.flows.size()), 1};
  FlowIndex index = static_cast<FlowIndex>(def.flows.size());
  def.flows.push_back(f);
  if (from < def.nodes.size()) def.nodes[from].outgoing.push_back(index);
  if (to < def.nodes.size()) def.nodes[to].incoming.push_back(index);
}

TEST(Validate, HandBuiltDefinitionWithADanglingFlow) {
  ProcessDefinition def;
  def.key = "p";
  def.file = "mem";
  def.nodes = {make_node("s", NodeKind::kNoneStartEvent, 1),
               make_node("e", NodeKind::kNoneEndEvent, 2)};
  connect(def, "f1", 0, 1);
  connect(def, "f2", 0, kNone);
  def.index();
  std::vector<Diagnostic> diagnostics = validate(def, {});
  std::vector<std::string> messages;
  for (const Diagnostic& d : diagnostics) messages.push_back(d.element_id + ": " + d.message);
  EXPECT_THAT(messages, ::testing::Contains("f2: sequence flow has no target node"));
  EXPECT_THAT(messages, ::testing::Contains(
                            "s: more than one outgoing flow: use a parallel or exclusive gateway"));
}

TEST(Validate, ReportsAllProblemsNotOnlyTheFirst) {
  ProcessDefinition def;
  def.key = "p";
  def.file = "mem";
  def.nodes = {make_node("s", NodeKind::kNoneStartEvent, 1), make_node("u", NodeKind::kUserTask, 2),
               make_node("v", NodeKind::kServiceTask, 3),
               make_node("e", NodeKind::kNoneEndEvent, 4)};
  def.nodes[1].candidate_groups.clear();
  def.nodes[2].task_type.clear();
  connect(def, "f1", 0, 1);
  connect(def, "f2", 1, 2);
  connect(def, "f3", 2, 3);
  def.index();
  std::vector<Diagnostic> diagnostics = validate(def, {});
  ASSERT_EQ(diagnostics.size(), 2u);
  EXPECT_EQ(diagnostics[0].element_id, "u");
  EXPECT_EQ(diagnostics[1].element_id, "v");
  // A user task offered to no group deploys, as in Camunda 8: a warning, not an error.
  EXPECT_EQ(diagnostics[0].to_string(),
            "mem:2:1: warning: u: user task has no candidate groups "
            "(zeebe:assignmentDefinition candidateGroups): any role may complete it");
  EXPECT_EQ(diagnostics[1].severity, Severity::kError);
}

TEST(Validate, ClosedLoopWithoutExitIsOneDiagnosticNotOnePerNode) {
  ProcessDefinition def;
  def.key = "p";
  def.file = "mem";
  def.nodes = {make_node("s", NodeKind::kNoneStartEvent, 1), make_node("a", NodeKind::kUserTask, 2),
               make_node("b", NodeKind::kUserTask, 3),
               make_node("gw", NodeKind::kExclusiveGateway, 4)};
  connect(def, "f1", 0, 1);
  connect(def, "f2", 1, 2);
  connect(def, "f3", 2, 3);
  connect(def, "f4", 3, 1);
  def.index();
  std::vector<Diagnostic> diagnostics = validate(def, {});
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].element_id, "a");
  EXPECT_EQ(diagnostics[0].message,
            "no end event can be reached from here (the cycle a -> b -> gw -> a has no way out)");
}

// A service task whose type no in-process handler runs is valid: its jobs wait for a worker.
// The validator says so, as a warning that names the command a worker runs.
TEST(Validate, ATaskTypeWithoutAnInProcessHandlerIsAWarning) {
  const std::string path = std::string(PMIFLOW_TEST_DATA) + "/good/service-task-for-a-worker.bpmn";
  ValidationOptions options;
  options.known_task_types = {"notify", "classify"};
  LoadOutput out = load_bpmn(read_file(path), path, options);
  ASSERT_TRUE(out.definition.has_value());
  ASSERT_EQ(out.diagnostics.size(), 1u);
  EXPECT_EQ(out.diagnostics[0].to_string(),
            path +
                ":5:5: warning: task: no in-process handler is registered for task type "
                "'enviar-correo' (registered: classify, notify): its jobs wait for a worker "
                "(pmiflow jobs activate --type enviar-correo)");
}

}  // namespace
}  // namespace pmiflow::model
