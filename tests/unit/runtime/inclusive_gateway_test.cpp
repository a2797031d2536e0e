// Interpreter: the inclusive gateway forks on every flow whose condition is true (else its
// default), and its join waits for every token that can still arrive, and for no other.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime_test_util.h"

namespace pmiflow::runtime {
namespace {

using testing::bpmn;
using testing::Driver;
using testing::load;
using Trace = std::vector<std::string>;

std::string user_task(const std::string& id) {
  return "<bpmn:userTask id=\"" + id +
         "\"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups=\"g\" />"
         "</bpmn:extensionElements></bpmn:userTask>";
}

// Start -> Fork: a -> Task_A, b -> Task_B, else Task_C; each -> Join -> End. Task_B may also
// leave by Check (salir = true) to End_B, where its token never reaches the join.
const std::string kXml = bpmn("inclusive", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f_start" sourceRef="Start" targetRef="Fork" />
    <bpmn:inclusiveGateway id="Fork" default="f_c" />
    <bpmn:sequenceFlow id="f_a" sourceRef="Fork" targetRef="Task_A">
      <bpmn:conditionExpression>=a</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_b" sourceRef="Fork" targetRef="Task_B">
      <bpmn:conditionExpression>=b</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_c" sourceRef="Fork" targetRef="Task_C" />
)" + user_task("Task_A") + user_task("Task_B") +
                                               user_task("Task_C") + R"(
    <bpmn:sequenceFlow id="f_a_done" sourceRef="Task_A" targetRef="Join" />
    <bpmn:sequenceFlow id="f_b_done" sourceRef="Task_B" targetRef="Check" />
    <bpmn:exclusiveGateway id="Check" default="f_b_join" />
    <bpmn:sequenceFlow id="f_b_join" sourceRef="Check" targetRef="Join" />
    <bpmn:sequenceFlow id="f_b_out" sourceRef="Check" targetRef="End_B">
      <bpmn:conditionExpression>=salir = true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_c_done" sourceRef="Task_C" targetRef="Join" />
    <bpmn:inclusiveGateway id="Join" />
    <bpmn:sequenceFlow id="f_end" sourceRef="Join" targetRef="End" />
    <bpmn:endEvent id="End" />
    <bpmn:endEvent id="End_B" />)");

const Actor kUser = Actor::user("ana", "g");

TEST(InclusiveGateway, ForksOnEveryTrueConditionAndTheJoinWaitsForBoth) {
  auto def = load(kXml);
  Driver d(def);
  auto started = d.start(Variables{{"a", true}, {"b", true}});
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_EQ(testing::describe(*started),
            (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                   "FlowTaken:f_start", "ElementActivated:Fork", "DecisionTaken:Fork",
                   "DecisionTaken:Fork", "ElementCompleted:Fork", "FlowTaken:f_a", "FlowTaken:f_b",
                   "ElementActivated:Task_A", "UserTaskCreated:Task_A", "ElementActivated:Task_B",
                   "UserTaskCreated:Task_B"}));
  const auto decisions = testing::of_type(*started, EventType::kDecisionTaken);
  EXPECT_EQ(payload_json(decisions[0]).at("flow"), "f_a");
  EXPECT_EQ(payload_json(decisions[1]).at("flow"), "f_b");

  // Task_A's token waits: Task_B's can still arrive.
  EXPECT_EQ(d.trace(CompleteUserTask{d.task_of("Task_A"), kUser, {}}),
            (Trace{"UserTaskCompleted:Task_A", "ElementCompleted:Task_A", "FlowTaken:f_a_done"}));
  EXPECT_EQ(d.state().activation_counts.count("Join"), 0U);
  auto second = d.run(CompleteUserTask{d.task_of("Task_B"), kUser, {}});
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(testing::describe(*second),
            (Trace{"UserTaskCompleted:Task_B", "ElementCompleted:Task_B", "FlowTaken:f_b_done",
                   "ElementActivated:Check", "DecisionTaken:Check", "ElementCompleted:Check",
                   "FlowTaken:f_b_join", "ElementActivated:Join", "DecisionTaken:Join",
                   "ElementCompleted:Join", "FlowTaken:f_end", "ElementActivated:End",
                   "ElementCompleted:End", "InstanceCompleted"}));
  const Json join = payload_json(testing::of_type(*second, EventType::kElementActivated)[1]);
  EXPECT_EQ(join.at("joined"), Json::array({"f_a_done", "f_b_join"}));
  EXPECT_EQ(join.at("kind"), "inclusiveGateway");
  EXPECT_TRUE(d.state().join_arrivals.empty());
}

TEST(InclusiveGateway, ABranchNotTakenIsNotWaitedFor) {
  auto def = load(kXml);
  Driver d(def);
  ASSERT_TRUE(d.start(Variables{{"a", true}, {"b", false}}).ok());
  EXPECT_EQ(d.state().tasks.size(), 1U);
  EXPECT_EQ(d.trace(CompleteUserTask{d.task_of("Task_A"), kUser, {}}),
            (Trace{"UserTaskCompleted:Task_A", "ElementCompleted:Task_A", "FlowTaken:f_a_done",
                   "ElementActivated:Join", "DecisionTaken:Join", "ElementCompleted:Join",
                   "FlowTaken:f_end", "ElementActivated:End", "ElementCompleted:End",
                   "InstanceCompleted"}));
}

TEST(InclusiveGateway, NoTrueConditionTakesTheDefault) {
  auto def = load(kXml);
  Driver d(def);
  auto started = d.start(Variables{{"a", false}, {"b", nullptr}});
  ASSERT_TRUE(started.ok()) << started.error().message;
  const auto decisions = testing::of_type(*started, EventType::kDecisionTaken);
  ASSERT_EQ(decisions.size(), 1U);
  EXPECT_EQ(payload_json(decisions[0]).at("flow"), "f_c");
  EXPECT_EQ(payload_json(decisions[0]).at("default"), true);
  EXPECT_EQ(d.task_of("Task_C").empty(), false);
}

TEST(InclusiveGateway, ATokenThatLeavesElsewhereReleasesTheWaitingJoin) {
  auto def = load(kXml);
  Driver d(def);
  ASSERT_TRUE(d.start(Variables{{"a", true}, {"b", true}}).ok());
  d.trace(CompleteUserTask{d.task_of("Task_A"), kUser, {}});  // waits at the join
  // Task_B's token leaves by End_B: nothing can arrive any more, so the join fires in the same
  // command, with the one token waiting.
  auto out = d.run(CompleteUserTask{d.task_of("Task_B"), kUser, Variables{{"salir", true}}});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(testing::describe(*out),
            (Trace{"VariablesSet:Task_B", "UserTaskCompleted:Task_B", "ElementCompleted:Task_B",
                   "FlowTaken:f_b_done", "ElementActivated:Check", "DecisionTaken:Check",
                   "ElementCompleted:Check", "FlowTaken:f_b_out", "ElementActivated:End_B",
                   "ElementCompleted:End_B", "ElementActivated:Join", "DecisionTaken:Join",
                   "ElementCompleted:Join", "FlowTaken:f_end", "ElementActivated:End",
                   "ElementCompleted:End", "InstanceCompleted"}));
  const Json join = payload_json(testing::of_type(*out, EventType::kElementActivated)[2]);
  EXPECT_EQ(join.at("joined"), Json::array({"f_a_done"}));
}

}  // namespace
}  // namespace pmiflow::runtime
