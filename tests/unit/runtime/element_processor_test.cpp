// The element processors: every node kind the model knows has one; element instances carry
// their flow scope; a parallel join waits per scope; terminating a scope ends each of its
// element instances through its processor (a task's task, a job's job, an incident resolved).
#include "engine/runtime/bpmn/processor_registry.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime_test_util.h"

namespace pmiflow::runtime {
namespace {

using testing::Driver;
using Trace = std::vector<std::string>;

TEST(ProcessorRegistry, EveryNodeKindHasAProcessor) {
  for (model::NodeKind kind : {model::NodeKind::kNoneStartEvent, model::NodeKind::kNoneEndEvent,
                               model::NodeKind::kTerminateEndEvent, model::NodeKind::kUserTask,
                               model::NodeKind::kServiceTask, model::NodeKind::kExclusiveGateway,
                               model::NodeKind::kParallelGateway}) {
    EXPECT_NO_THROW(processor_for(kind)) << model::node_kind_name(kind);
  }
  EXPECT_THROW(processor_for(static_cast<model::NodeKind>(200)), std::logic_error);
}

// Start -> fork -> (Task_A | Svc_B | Gw_C) ; Gw_C's condition fails -> an incident; Task_A ->
// terminate end.
const std::string kScopeXml = testing::bpmn("scopes", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f0" sourceRef="Start" targetRef="Fork" />
    <bpmn:parallelGateway id="Fork" />
    <bpmn:sequenceFlow id="fa" sourceRef="Fork" targetRef="Task_A" />
    <bpmn:sequenceFlow id="fb" sourceRef="Fork" targetRef="Svc_B" />
    <bpmn:sequenceFlow id="fc" sourceRef="Fork" targetRef="Gw_C" />
    <bpmn:userTask id="Task_A">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="g" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:serviceTask id="Svc_B">
      <bpmn:extensionElements><zeebe:taskDefinition type="t" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:exclusiveGateway id="Gw_C" />
    <bpmn:sequenceFlow id="fc1" sourceRef="Gw_C" targetRef="End_C">
      <bpmn:conditionExpression>=x &gt; 1</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="End_C" />
    <bpmn:sequenceFlow id="fa1" sourceRef="Task_A" targetRef="Kill" />
    <bpmn:endEvent id="Kill"><bpmn:terminateEventDefinition /></bpmn:endEvent>
    <bpmn:sequenceFlow id="fb1" sourceRef="Svc_B" targetRef="End_B" />
    <bpmn:endEvent id="End_B" />)");

TEST(ElementProcessors, ElementInstancesRunInTheProcessScope) {
  auto def = testing::load(kScopeXml);
  Driver d(def);
  ASSERT_TRUE(d.start({{"x", "texto"}}).ok());
  for (const auto& [key, element] : d.state().elements) {
    EXPECT_EQ(element.scope_key, kProcessScope) << element.element_id;
  }
  for (const Event& e : testing::of_type(d.log(), EventType::kElementActivated)) {
    EXPECT_EQ(e.as<ElementActivated>().scope, kProcessScope);
  }
}

TEST(ElementProcessors, TerminatingAScopeEndsEachElementThroughItsProcessor) {
  auto def = testing::load(kScopeXml);
  Driver d(def);
  ASSERT_TRUE(d.start({{"x", "texto"}}).ok());
  ASSERT_EQ(d.state().incidents.size(), 1U) << "Gw_C cannot compare a string with 1";
  auto events = d.run(CompleteUserTask{d.task_of("Task_A"), Actor::user("ana", "g"), {}});
  ASSERT_TRUE(events.ok()) << events.error().message;
  // The incident is resolved first, then each element instance in key order through its
  // processor: the job's job canceled, the gateway just terminated; then the scope completes.
  EXPECT_EQ(testing::describe(*events),
            (Trace{"UserTaskCompleted:Task_A", "ElementCompleted:Task_A", "FlowTaken:fa1",
                   "ElementActivated:Kill", "ElementCompleted:Kill", "IncidentResolved",
                   "JobCanceled:Svc_B", "ElementTerminated:Svc_B", "ElementTerminated:Gw_C",
                   "InstanceCompleted:Kill"}));
  EXPECT_EQ(d.state().status, InstanceStatus::kCompleted);
  EXPECT_TRUE(d.state().elements.empty());
  EXPECT_TRUE(d.state().jobs.empty());
  EXPECT_TRUE(d.state().incidents.empty());
}

// A job's incident is repaired by giving it retries, not by re-evaluating its element.
TEST(ElementProcessors, AJobIncidentIsResolvedByGivingTheJobRetries) {
  auto def = testing::load(kScopeXml);
  Driver d(def);
  ASSERT_TRUE(d.start({{"x", "texto"}}).ok());
  const std::string job = d.job_of("Svc_B");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(d.run(FailJob{job, "down"}).ok());
  std::string job_incident;
  for (const auto& [id, incident] : d.state().incidents) {
    if (incident.kind == "job") job_incident = id;
  }
  ASSERT_FALSE(job_incident.empty());
  EXPECT_EQ(d.trace(ResolveIncident{job_incident, Actor::user("luis", "g"), 2}),
            (Trace{"JobRetriesUpdated:Svc_B", "IncidentResolved"}));
  EXPECT_EQ(d.state().jobs.at(job).state, JobState::kActivatable);
  EXPECT_EQ(d.state().jobs.at(job).retries_left, 2);
  EXPECT_EQ(d.state().incidents.count(job_incident), 0U);
}

}  // namespace
}  // namespace pmiflow::runtime
