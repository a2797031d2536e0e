// Interpreter properties: the same input gives the same events; the state is the fold of the
// events (replay); a loop taken many times keeps its activation counts.

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime_test_util.h"

namespace pmiflow::runtime {
namespace {

using testing::bpmn;
using testing::Driver;
using testing::kT0;
using testing::load;
using Trace = std::vector<std::string>;

// Start -> Task_Input -> Gw: x > 5 -> Fork -> (Task_A | Svc_B) -> Join -> End_Par;
//                         default -> Svc_Low -> End_Low.
const std::string kRichXml = bpmn("rich", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f_start" sourceRef="Start" targetRef="Task_Input" />
    <bpmn:userTask id="Task_Input">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="g" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f_gw" sourceRef="Task_Input" targetRef="Gw" />
    <bpmn:exclusiveGateway id="Gw" default="f_low" />
    <bpmn:sequenceFlow id="f_high" sourceRef="Gw" targetRef="Fork">
      <bpmn:conditionExpression>=x &gt; 5</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_low" sourceRef="Gw" targetRef="Svc_Low" />
    <bpmn:serviceTask id="Svc_Low">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="low" />
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f_low_done" sourceRef="Svc_Low" targetRef="End_Low" />
    <bpmn:endEvent id="End_Low" />
    <bpmn:parallelGateway id="Fork" />
    <bpmn:sequenceFlow id="f_a" sourceRef="Fork" targetRef="Task_A" />
    <bpmn:sequenceFlow id="f_b" sourceRef="Fork" targetRef="Svc_B" />
    <bpmn:userTask id="Task_A">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="g" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:serviceTask id="Svc_B">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="b" />
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f_a_done" sourceRef="Task_A" targetRef="Join" />
    <bpmn:sequenceFlow id="f_b_done" sourceRef="Svc_B" targetRef="Join" />
    <bpmn:parallelGateway id="Join" />
    <bpmn:sequenceFlow id="f_par_done" sourceRef="Join" targetRef="End_Par" />
    <bpmn:endEvent id="End_Par" />)");

// Start -> Merge -> Support -> Check: actividades_pendientes > 0 -> Merge; default -> End.
const std::string kLoopXml = bpmn("loop", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f_in" sourceRef="Start" targetRef="Merge" />
    <bpmn:exclusiveGateway id="Merge" />
    <bpmn:sequenceFlow id="f_merge" sourceRef="Merge" targetRef="Support" />
    <bpmn:userTask id="Support">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="profesional_mejoramiento" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f_check" sourceRef="Support" targetRef="Check" />
    <bpmn:exclusiveGateway id="Check" default="f_done" />
    <bpmn:sequenceFlow id="f_again" sourceRef="Check" targetRef="Merge">
      <bpmn:conditionExpression>=actividades_pendientes &gt; 0</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_done" sourceRef="Check" targetRef="End" />
    <bpmn:endEvent id="End" />)");

const Actor kUser = Actor::user("ana", "g");

// Drives the rich process through incidents, variables, a failed job, a fork and a join. After
// every command, checks the replay property: folding the whole log from scratch gives exactly
// the state the commands were applied to, one event at a time.
void drive_rich(Driver& d) {
  auto check_replay = [&](const char* step) {
    EXPECT_TRUE(fold(d.log()) == d.state()) << "replay differs after " << step;
  };
  ASSERT_TRUE(d.start({{"nombre", "IE Uno"}}, kT0).ok());
  check_replay("start");
  ASSERT_TRUE(
      d.run(CompleteUserTask{d.task_of("Task_Input"), kUser, {{"x", "nine"}}}, kT0 + 10).ok());
  check_replay("complete Task_Input");
  ASSERT_EQ(d.state().incidents.size(), 1U);
  ASSERT_TRUE(d.run(SetVariables{kUser, {{"x", 9}}}, kT0 + 20).ok());
  check_replay("set variables");
  ASSERT_TRUE(d.run(ResolveIncident{d.incident_of("Gw"), kUser}, kT0 + 30).ok());
  check_replay("resolve incident");
  ASSERT_TRUE(d.run(FailJob{d.job_of("Svc_B"), "timeout"}, kT0 + 40).ok());
  check_replay("fail job");
  ASSERT_TRUE(d.run(CompleteUserTask{d.task_of("Task_A"), kUser, {{"nota", "ok"}}}, kT0 + 50).ok());
  check_replay("complete Task_A");
  ASSERT_FALSE(d.state().join_arrivals.empty());
  ASSERT_TRUE(d.run(CompleteJob{d.job_of("Svc_B"), {{"b", true}}}, kT0 + 60).ok());
  check_replay("complete Svc_B");
  ASSERT_EQ(d.state().status, InstanceStatus::kCompleted);
}

TEST(Replay, FoldOfTheLogEqualsTheStateAfterEveryCommand) {
  auto def = load(kRichXml);
  Driver d(def);
  drive_rich(d);
  // Sanity of the comparison itself: a state that differs in one field is not equal.
  InstanceState changed = fold(d.log());
  changed.variables["x"] = 10;
  EXPECT_FALSE(changed == d.state());
}

TEST(Replay, TheStateTheInterpreterWorkedOnIsTheFoldOfTheLog) {
  auto def = load(kRichXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  ASSERT_TRUE(d.run(CompleteUserTask{d.task_of("Task_Input"), kUser, {{"x", 9}}}).ok());
  auto execution = execute_with_state(
      def, 1, d.state(), CompleteUserTask{d.task_of("Task_A"), kUser, {{"nota", "ok"}}}, kT0 + 5);
  ASSERT_TRUE(execution.ok()) << execution.error().message;
  ASSERT_FALSE(execution->events.empty());
  std::vector<Event> log = d.log();
  log.insert(log.end(), execution->events.begin(), execution->events.end());
  EXPECT_TRUE(fold(log) == execution->state);
  EXPECT_EQ(execution->state.last_seq, static_cast<std::int64_t>(log.size()));
}

TEST(Replay, FoldOfAPrefixIsTheStateAtThatPoint) {
  auto def = load(kRichXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  const InstanceState after_start = d.state();
  const std::size_t prefix = d.log().size();
  ASSERT_TRUE(d.run(CompleteUserTask{d.task_of("Task_Input"), kUser, {{"x", 1}}}).ok());
  std::vector<Event> head(d.log().begin(), d.log().begin() + static_cast<long>(prefix));
  EXPECT_TRUE(fold(head) == after_start);
  EXPECT_FALSE(fold(head) == d.state());
}

TEST(Replay, ExecutingOnAReplayedStateGivesTheSameEvents) {
  auto def = load(kRichXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  ASSERT_TRUE(d.run(CompleteUserTask{d.task_of("Task_Input"), kUser, {{"x", 9}}}).ok());
  const Command next = CompleteUserTask{d.task_of("Task_A"), kUser, {{"nota", "ok"}}};
  auto from_live = execute(def, 1, d.state(), next, kT0 + 99);
  auto from_replay = execute(def, 1, fold(d.log()), next, kT0 + 99);
  ASSERT_TRUE(from_live.ok());
  ASSERT_TRUE(from_replay.ok());
  EXPECT_EQ(testing::events_json(*from_live), testing::events_json(*from_replay));
}

TEST(Determinism, SameCommandsOnTheSameDefinitionGiveIdenticalEvents) {
  auto first_def = load(kRichXml);
  auto second_def = load(kRichXml);  // loaded separately: nothing shared but the text
  Driver first(first_def);
  Driver second(second_def);
  drive_rich(first);
  drive_rich(second);
  ASSERT_FALSE(first.log().empty());
  EXPECT_EQ(testing::events_json(first.log()), testing::events_json(second.log()));
  EXPECT_TRUE(first.state() == second.state());
}

TEST(Determinism, ExecuteIsPureAndDoesNotChangeItsInput) {
  auto def = load(kRichXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  const InstanceState before = d.state();
  const Command command = CompleteUserTask{d.task_of("Task_Input"), kUser, {{"x", 9}}};
  auto a = execute(def, 1, d.state(), command, kT0 + 7);
  auto b = execute(def, 1, d.state(), command, kT0 + 7);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(testing::events_json(*a), testing::events_json(*b));
  EXPECT_TRUE(d.state() == before);
  for (const auto& e : *a) EXPECT_EQ(e.time_ms, kT0 + 7);
}

TEST(Determinism, DefinitionVersionOfTheInstanceIsKept) {
  auto def = load(kRichXml);
  Driver d(def, 3);
  auto created = d.start();
  ASSERT_TRUE(created.ok());
  for (const auto& e : *created) EXPECT_EQ(e.definition_version, 3);
  EXPECT_EQ(d.state().definition_version, 3);
  // A later command passes another version; the instance's own version is recorded.
  auto events =
      execute(def, 9, d.state(), CompleteUserTask{d.task_of("Task_Input"), kUser, {{"x", 1}}}, kT0);
  ASSERT_TRUE(events.ok());
  for (const auto& e : *events) EXPECT_EQ(e.definition_version, 3);
}

TEST(Loop, UserTaskTakenFiftyTimesKeepsActivationCounts) {
  auto def = load(kLoopXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  const Actor professional = Actor::user("ana", "profesional_mejoramiento");
  for (int pendientes = 49; pendientes >= 0; --pendientes) {
    const int pass = 50 - pendientes;
    ASSERT_EQ(d.state().activation_counts.at("Support"), pass);
    auto events = d.run(
        CompleteUserTask{
            d.task_of("Support"), professional, {{"actividades_pendientes", pendientes}}},
        kT0 + pass);
    ASSERT_TRUE(events.ok()) << "pass " << pass << ": " << events.error().message;
    if (pendientes > 0) {
      EXPECT_EQ(testing::describe(*events),
                (Trace{"VariablesSet:Support", "UserTaskCompleted:Support",
                       "ElementCompleted:Support", "FlowTaken:f_check", "ElementActivated:Check",
                       "DecisionTaken:Check", "ElementCompleted:Check", "FlowTaken:f_again",
                       "ElementActivated:Merge", "DecisionTaken:Merge", "ElementCompleted:Merge",
                       "FlowTaken:f_merge", "ElementActivated:Support", "UserTaskCreated:Support"}))
          << "pass " << pass;
    }
  }
  const InstanceState& s = d.state();
  EXPECT_EQ(s.status, InstanceStatus::kCompleted);
  EXPECT_EQ(s.activation_counts.at("Start"), 1);
  EXPECT_EQ(s.activation_counts.at("Merge"), 50);
  EXPECT_EQ(s.activation_counts.at("Support"), 50);
  EXPECT_EQ(s.activation_counts.at("Check"), 50);
  EXPECT_EQ(s.activation_counts.at("End"), 1);

  int again = 0;
  int done = 0;
  for (const auto& e : testing::of_type(d.log(), EventType::kDecisionTaken)) {
    if (payload_json(e).at("element") != "Check") continue;
    if (payload_json(e).at("flow") == "f_again") ++again;
    if (payload_json(e).at("flow") == "f_done") ++done;
  }
  EXPECT_EQ(again, 49);
  EXPECT_EQ(done, 1);
  // Every activation got its own key.
  std::set<std::int64_t> keys;
  for (const auto& e : testing::of_type(d.log(), EventType::kElementActivated)) {
    EXPECT_TRUE(keys.insert(payload_json(e).at("key").get<std::int64_t>()).second);
  }
  EXPECT_EQ(keys.size(), 1U + 50U * 3U + 1U);
  EXPECT_TRUE(fold(d.log()) == s);
}

}  // namespace
}  // namespace pmiflow::runtime
