// Interpreter: parallel fork and join, and the terminate end event.

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

// Start -> Fork -> (Task_A | Svc_B) -> Join -> End.
const std::string kForkJoinXml = bpmn("fork_join", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f_start" sourceRef="Start" targetRef="Fork" />
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
        <zeebe:taskDefinition type="t" />
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f_a_done" sourceRef="Task_A" targetRef="Join" />
    <bpmn:sequenceFlow id="f_b_done" sourceRef="Svc_B" targetRef="Join" />
    <bpmn:parallelGateway id="Join" />
    <bpmn:sequenceFlow id="f_end" sourceRef="Join" targetRef="End" />
    <bpmn:endEvent id="End" />)");

// Start -> Fork -> (Task_A -> Terminate | Task_B -> End_B | Svc_C -> End_C).
const std::string kTerminateXml = bpmn("terminate", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f_start" sourceRef="Start" targetRef="Fork" />
    <bpmn:parallelGateway id="Fork" />
    <bpmn:sequenceFlow id="f_a" sourceRef="Fork" targetRef="Task_A" />
    <bpmn:sequenceFlow id="f_b" sourceRef="Fork" targetRef="Task_B" />
    <bpmn:sequenceFlow id="f_c" sourceRef="Fork" targetRef="Svc_C" />
    <bpmn:userTask id="Task_A">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="g" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="Task_B">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="g" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:serviceTask id="Svc_C">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="t" retries="1" />
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f_a_done" sourceRef="Task_A" targetRef="Terminate" />
    <bpmn:sequenceFlow id="f_b_done" sourceRef="Task_B" targetRef="End_B" />
    <bpmn:sequenceFlow id="f_c_done" sourceRef="Svc_C" targetRef="End_C" />
    <bpmn:endEvent id="Terminate">
      <bpmn:terminateEventDefinition />
    </bpmn:endEvent>
    <bpmn:endEvent id="End_B" />
    <bpmn:endEvent id="End_C" />)");

const Actor kUser = Actor::user("ana", "g");

TEST(ParallelGateway, ForkStartsEveryOutgoingBranch) {
  auto def = load(kForkJoinXml);
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                   "FlowTaken:f_start", "ElementActivated:Fork", "ElementCompleted:Fork",
                   "FlowTaken:f_a", "FlowTaken:f_b", "ElementActivated:Task_A",
                   "UserTaskCreated:Task_A", "ElementActivated:Svc_B", "JobCreated:Svc_B"}));
  for (const auto& e : testing::of_type(*events, EventType::kFlowTaken)) {
    EXPECT_FALSE(payload_json(e).contains("join")) << payload_json(e).dump();
  }
  EXPECT_EQ(d.state().elements.size(), 2U);
  EXPECT_EQ(d.state().tasks.size(), 1U);
  EXPECT_EQ(d.state().jobs.size(), 1U);
}

TEST(ParallelGateway, JoinWaitsForEveryIncomingFlow) {
  auto def = load(kForkJoinXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());

  // The first branch arrives: its token waits at the join.
  auto first = d.run(CompleteUserTask{d.task_of("Task_A"), kUser, {}});
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(testing::describe(*first),
            (Trace{"UserTaskCompleted:Task_A", "ElementCompleted:Task_A", "FlowTaken:f_a_done"}));
  const Json& arrived = payload_json(first->back());
  EXPECT_EQ(arrived.at("join"), true);
  EXPECT_EQ(arrived.at("from"), "Task_A");
  EXPECT_EQ(arrived.at("to"), "Join");
  EXPECT_EQ(d.state().status, InstanceStatus::kActive);
  EXPECT_EQ(d.state().join_arrivals.at(JoinKey{kProcessScope, "Join"}).at("f_a_done"), 1);
  EXPECT_EQ(d.state().activation_counts.count("Join"), 0U) << "the join is not activated yet";

  // The second arrives: the join activates, consuming both tokens, and the instance ends.
  auto second = d.run(CompleteJob{d.job_of("Svc_B"), {}});
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(testing::describe(*second),
            (Trace{"JobCompleted:Svc_B", "ElementCompleted:Svc_B", "FlowTaken:f_b_done",
                   "ElementActivated:Join", "ElementCompleted:Join", "FlowTaken:f_end",
                   "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
  EXPECT_EQ(payload_json((*second)[2]).at("join"), true);
  const Json& join = payload_json((*second)[3]);
  EXPECT_EQ(join.at("joined"), Json::array({"f_a_done", "f_b_done"}));
  EXPECT_EQ(join.at("flow"), "f_b_done");
  EXPECT_EQ(join.at("kind"), "parallelGateway");
  EXPECT_FALSE(payload_json((*second)[5]).contains("join")) << "f_end does not lead to a join";
  EXPECT_TRUE(d.state().join_arrivals.empty());
  EXPECT_EQ(d.state().status, InstanceStatus::kCompleted);
}

TEST(ParallelGateway, JoinWaitsWhicheverBranchArrivesFirst) {
  auto def = load(kForkJoinXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  EXPECT_EQ(d.trace(CompleteJob{d.job_of("Svc_B"), {}}),
            (Trace{"JobCompleted:Svc_B", "ElementCompleted:Svc_B", "FlowTaken:f_b_done"}));
  auto second = d.run(CompleteUserTask{d.task_of("Task_A"), kUser, {}});
  ASSERT_TRUE(second.ok());
  const auto activated = testing::of_type(*second, EventType::kElementActivated);
  ASSERT_FALSE(activated.empty());
  EXPECT_EQ(payload_json(activated.front()).at("element"), "Join");
  // joined[] lists the incoming flows in document order, not in arrival order.
  EXPECT_EQ(payload_json(activated.front()).at("joined"), Json::array({"f_a_done", "f_b_done"}));
  EXPECT_EQ(d.state().status, InstanceStatus::kCompleted);
}

TEST(ParallelGateway, CancelWhileATokenWaitsAtTheJoinDropsTheWaitingToken) {
  auto def = load(kForkJoinXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  ASSERT_TRUE(d.run(CompleteUserTask{d.task_of("Task_A"), kUser, {}}).ok());
  ASSERT_FALSE(d.state().join_arrivals.empty());
  EXPECT_EQ(d.trace(CancelInstance{kUser}),
            (Trace{"JobCanceled:Svc_B", "ElementTerminated:Svc_B", "InstanceTerminated"}));
  EXPECT_EQ(d.state().status, InstanceStatus::kTerminated);
  EXPECT_TRUE(d.state().join_arrivals.empty());
  EXPECT_TRUE(fold(d.log()) == d.state());
}

TEST(TerminateEndEvent, CancelsOpenTasksAndJobsTerminatesTheRestAndCompletes) {
  auto def = load(kTerminateXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  ASSERT_EQ(d.state().elements.size(), 3U);

  auto events = d.run(CompleteUserTask{d.task_of("Task_A"), kUser, {}});
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            (Trace{"UserTaskCompleted:Task_A", "ElementCompleted:Task_A", "FlowTaken:f_a_done",
                   "ElementActivated:Terminate", "ElementCompleted:Terminate",
                   "UserTaskCanceled:Task_B", "ElementTerminated:Task_B", "JobCanceled:Svc_C",
                   "ElementTerminated:Svc_C", "InstanceCompleted:Terminate"}));
  EXPECT_EQ(payload_json((*events)[3]).at("kind"), "endEvent");

  const InstanceState& s = d.state();
  EXPECT_EQ(s.status, InstanceStatus::kCompleted) << "a terminate end event completes";
  EXPECT_TRUE(s.elements.empty());
  EXPECT_TRUE(s.tasks.empty());
  EXPECT_TRUE(s.jobs.empty());
  EXPECT_EQ(s.activation_counts.count("End_B"), 0U);
}

TEST(TerminateEndEvent, ResolvesOpenIncidentsAndCancelsAFailedJob) {
  auto def = load(kTerminateXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  // Svc_C has one retry: one failure leaves it failed with a job incident.
  auto failed = d.run(FailJob{d.job_of("Svc_C"), "down"});
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(testing::describe(*failed), (Trace{"JobFailed:Svc_C", "IncidentRaised:Svc_C"}));
  ASSERT_EQ(d.state().jobs.begin()->second.state, JobState::kFailed);

  EXPECT_EQ(d.trace(CompleteUserTask{d.task_of("Task_A"), kUser, {}}),
            (Trace{"UserTaskCompleted:Task_A", "ElementCompleted:Task_A", "FlowTaken:f_a_done",
                   "ElementActivated:Terminate", "ElementCompleted:Terminate", "IncidentResolved",
                   "UserTaskCanceled:Task_B", "ElementTerminated:Task_B", "JobCanceled:Svc_C",
                   "ElementTerminated:Svc_C", "InstanceCompleted:Terminate"}));
  EXPECT_TRUE(d.state().incidents.empty());
  EXPECT_EQ(d.state().status, InstanceStatus::kCompleted);
}

// Start -> Fork -> (Gw with no flow that can be taken | Terminate), all within CreateInstance.
const std::string kIncidentThenTerminateXml = bpmn("incident_then_terminate", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f_start" sourceRef="Start" targetRef="Fork" />
    <bpmn:parallelGateway id="Fork" />
    <bpmn:sequenceFlow id="f_gw" sourceRef="Fork" targetRef="Gw" />
    <bpmn:sequenceFlow id="f_term" sourceRef="Fork" targetRef="Terminate" />
    <bpmn:exclusiveGateway id="Gw" />
    <bpmn:sequenceFlow id="f_yes" sourceRef="Gw" targetRef="End_Yes">
      <bpmn:conditionExpression>=ok = true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="Gw" targetRef="End_No">
      <bpmn:conditionExpression>=ok = false</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="End_Yes" />
    <bpmn:endEvent id="End_No" />
    <bpmn:endEvent id="Terminate">
      <bpmn:terminateEventDefinition />
    </bpmn:endEvent>)");

TEST(TerminateEndEvent, ResolvesAnIncidentRaisedEarlierInTheSameCreateInstance) {
  auto def = load(kIncidentThenTerminateXml);
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(d.state().status, InstanceStatus::kCompleted);
  const Trace expected = {
      "InstanceCreated",   "ElementActivated:Start",     "ElementCompleted:Start",
      "FlowTaken:f_start", "ElementActivated:Fork",      "ElementCompleted:Fork",
      "FlowTaken:f_gw",    "FlowTaken:f_term",           "ElementActivated:Gw",
      "IncidentRaised:Gw", "ElementActivated:Terminate", "ElementCompleted:Terminate",
      "IncidentResolved",  "ElementTerminated:Gw",       "InstanceCompleted:Terminate"};
  EXPECT_TRUE(d.state().incidents.empty());
  EXPECT_EQ(testing::describe(*events), expected);
}

TEST(TerminateEndEvent, ANoneEndEventOnOneBranchLeavesTheOthersRunning) {
  auto def = load(kTerminateXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  EXPECT_EQ(d.trace(CompleteUserTask{d.task_of("Task_B"), kUser, {}}),
            (Trace{"UserTaskCompleted:Task_B", "ElementCompleted:Task_B", "FlowTaken:f_b_done",
                   "ElementActivated:End_B", "ElementCompleted:End_B"}));
  EXPECT_EQ(d.state().status, InstanceStatus::kActive);
  EXPECT_EQ(d.state().elements.size(), 2U);
}

}  // namespace
}  // namespace pmiflow::runtime
