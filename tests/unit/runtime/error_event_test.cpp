// Interpreter: BPMN errors: thrown by an error end event or by a service task's handler, caught
// by error boundary events and error event subprocesses from the thrower outwards, and the
// incident when nothing catches one.

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

const Actor kUser = Actor::user("ana", "g");

const char* const kErrors = R"(
  <bpmn:error id="ErrSin" name="Sin evaluación" errorCode="SIN_EVALUACION" />
  <bpmn:error id="ErrOtro" name="Otro" errorCode="OTRO" />)";

// A subprocess whose token either waits at a user task or throws `code` (a parallel split:
// both at once), with the boundary events `boundaries` attached to it.
std::string throwing_subprocess(const std::string& error_ref, const std::string& boundaries) {
  return bpmn("errores",
              R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Sub" />
    <bpmn:subProcess id="Sub" name="Acompañamiento">
      <bpmn:startEvent id="SubStart" />
      <bpmn:sequenceFlow id="s1" sourceRef="SubStart" targetRef="Split" />
      <bpmn:parallelGateway id="Split" />
      <bpmn:sequenceFlow id="s2" sourceRef="Split" targetRef="Visit" />
      <bpmn:sequenceFlow id="s3" sourceRef="Split" targetRef="Fail" />
      <bpmn:userTask id="Visit">
        <bpmn:extensionElements>
          <zeebe:assignmentDefinition candidateGroups="g" />
        </bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="s4" sourceRef="Visit" targetRef="SubEnd" />
      <bpmn:endEvent id="SubEnd" />
      <bpmn:endEvent id="Fail">
        <bpmn:errorEventDefinition errorRef=")" +
                  error_ref + R"(" />
      </bpmn:endEvent>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="Sub" targetRef="End" />
    <bpmn:endEvent id="End" />)" +
                  boundaries,
              kErrors);
}

const char* const kCatchSin = R"(
    <bpmn:boundaryEvent id="CatchSin" attachedToRef="Sub">
      <bpmn:errorEventDefinition errorRef="ErrSin" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="c1" sourceRef="CatchSin" targetRef="Handled" />
    <bpmn:endEvent id="Handled" />)";
const char* const kCatchAll = R"(
    <bpmn:boundaryEvent id="CatchAll" attachedToRef="Sub">
      <bpmn:errorEventDefinition />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="c2" sourceRef="CatchAll" targetRef="HandledAll" />
    <bpmn:endEvent id="HandledAll" />)";

TEST(ErrorEndEvent, ABoundaryEventWithItsCodeEndsTheSubprocessAndTakesItsFlow) {
  auto def = load(throwing_subprocess("ErrSin", std::string(kCatchAll) + kCatchSin));
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                   "FlowTaken:f1", "ElementActivated:Sub", "ElementActivated:SubStart",
                   "ElementCompleted:SubStart", "FlowTaken:s1", "ElementActivated:Split",
                   "ElementCompleted:Split", "FlowTaken:s2", "FlowTaken:s3",
                   "ElementActivated:Visit", "UserTaskCreated:Visit", "ElementActivated:Fail",
                   // The code's own catcher wins over the catch-all, whatever their order.
                   "ErrorThrown:Fail", "UserTaskCanceled:Visit", "ElementTerminated:Visit",
                   "ElementTerminated:Fail", "ElementTerminated:Sub", "ElementActivated:CatchSin",
                   "ElementCompleted:CatchSin", "FlowTaken:c1", "ElementActivated:Handled",
                   "ElementCompleted:Handled", "InstanceCompleted"}));
  const ErrorThrown thrown =
      testing::of_type(*events, EventType::kErrorThrown).front().as<ErrorThrown>();
  EXPECT_EQ(thrown.code, "SIN_EVALUACION");
  EXPECT_EQ(thrown.caught_by, "CatchSin");
  EXPECT_EQ(d.state().status, InstanceStatus::kCompleted);
}

TEST(ErrorEndEvent, ACatchAllBoundaryCatchesACodeNoOneElseNames) {
  auto def = load(throwing_subprocess("ErrOtro", std::string(kCatchSin) + kCatchAll));
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok()) << events.error().message;
  const ErrorThrown thrown =
      testing::of_type(*events, EventType::kErrorThrown).front().as<ErrorThrown>();
  EXPECT_EQ(thrown.code, "OTRO");
  EXPECT_EQ(thrown.caught_by, "CatchAll");
  EXPECT_EQ(testing::describe(*events).back(), "InstanceCompleted");
}

TEST(ErrorEndEvent, UncaughtItRaisesAnIncidentThatResolvingThrowsAgain) {
  auto def = load(throwing_subprocess("ErrOtro", kCatchSin));
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok()) << events.error().message;
  const Trace trace = testing::describe(*events);
  EXPECT_EQ(Trace(trace.end() - 3, trace.end()),
            (Trace{"ElementActivated:Fail", "ErrorThrown:Fail", "IncidentRaised:Fail"}));
  const Incident incident = d.state().incidents.begin()->second;
  EXPECT_EQ(incident.kind, "error");
  EXPECT_NE(incident.message.find("error 'OTRO' thrown by Fail is not caught"), std::string::npos)
      << incident.message;
  EXPECT_TRUE(testing::of_type(*events, EventType::kErrorThrown)
                  .front()
                  .as<ErrorThrown>()
                  .caught_by.empty());
  // The other token goes on: the visit is still open, and the instance waits for the incident.
  ASSERT_FALSE(d.task_of("Visit").empty());
  EXPECT_EQ(d.trace(CompleteUserTask{d.task_of("Visit"), kUser, {}}),
            (Trace{"UserTaskCompleted:Visit", "ElementCompleted:Visit", "FlowTaken:s4",
                   "ElementActivated:SubEnd", "ElementCompleted:SubEnd"}));
  EXPECT_EQ(d.trace(ResolveIncident{incident.id, kUser}),
            (Trace{"IncidentResolved", "ErrorThrown:Fail", "IncidentRaised:Fail"}));
  EXPECT_EQ(d.state().status, InstanceStatus::kActive);
}

TEST(ErrorEndEvent, AnErrorEventSubprocessOfTheProcessCatchesWhatNoBoundaryCatches) {
  const std::string event_subprocess = R"(
    <bpmn:subProcess id="OnError" triggeredByEvent="true">
      <bpmn:startEvent id="ErrorStart">
        <bpmn:errorEventDefinition errorRef="ErrOtro" />
      </bpmn:startEvent>
      <bpmn:sequenceFlow id="e1" sourceRef="ErrorStart" targetRef="ErrorEnd" />
      <bpmn:endEvent id="ErrorEnd" />
    </bpmn:subProcess>)";
  auto def = load(throwing_subprocess("ErrOtro", std::string(kCatchSin) + event_subprocess));
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok()) << events.error().message;
  const Trace trace = testing::describe(*events);
  auto from = std::find(trace.begin(), trace.end(), "ErrorThrown:Fail");
  ASSERT_NE(from, trace.end());
  EXPECT_EQ(Trace(from, trace.end()),
            (Trace{"ErrorThrown:Fail", "UserTaskCanceled:Visit", "ElementTerminated:Visit",
                   "ElementTerminated:Fail", "ElementTerminated:Sub", "ElementActivated:OnError",
                   "ElementActivated:ErrorStart", "ElementCompleted:ErrorStart", "FlowTaken:e1",
                   "ElementActivated:ErrorEnd", "ElementCompleted:ErrorEnd",
                   "ElementCompleted:OnError", "InstanceCompleted"}));
}

// A service task whose handler throws a BPMN error, with an error boundary event.
const std::string kServiceTask = bpmn("servicio", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Check" />
    <bpmn:serviceTask id="Check">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="verificar" />
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Check" targetRef="End" />
    <bpmn:endEvent id="End" />
    <bpmn:boundaryEvent id="NoData" attachedToRef="Check">
      <bpmn:errorEventDefinition errorRef="ErrSin" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="NoData" targetRef="Late" />
    <bpmn:endEvent id="Late" />)",
                                      kErrors);

TEST(ServiceTaskError, TheHandlersCodeEndsTheJobAndTheBoundaryEventTakesOver) {
  auto def = load(kServiceTask);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  const std::string job = d.job_of("Check");
  auto events = d.run(ThrowJobError{job, "SIN_EVALUACION", "the school sent nothing"});
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            (Trace{"ErrorThrown:Check", "ElementTerminated:Check", "ElementActivated:NoData",
                   "ElementCompleted:NoData", "FlowTaken:f3", "ElementActivated:Late",
                   "ElementCompleted:Late", "InstanceCompleted"}));
  const auto& thrown = events->front().as<ErrorThrown>();
  EXPECT_EQ(thrown.message, "the school sent nothing");
  EXPECT_EQ(events->front().actor, Actor::handler("verificar"));
  EXPECT_TRUE(d.state().jobs.empty());
  // The job is gone: a second answer for it is refused.
  EXPECT_EQ(d.run(CompleteJob{job, {}}).error().code, ErrorCode::kInvalidState);
}

TEST(ServiceTaskError, UncaughtTheTaskWaitsWithAnIncidentAndResolvingRunsANewJob) {
  auto def = load(kServiceTask);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  EXPECT_EQ(d.trace(ThrowJobError{d.job_of("Check"), "OTRO", ""}),
            (Trace{"ErrorThrown:Check", "IncidentRaised:Check"}));
  EXPECT_TRUE(d.state().jobs.empty());
  EXPECT_EQ(d.trace(ResolveIncident{d.incident_of("Check"), kUser}),
            (Trace{"IncidentResolved", "JobCreated:Check"}));
  EXPECT_EQ(d.trace(CompleteJob{d.job_of("Check"), {}}),
            (Trace{"JobCompleted:Check", "ElementCompleted:Check", "FlowTaken:f2",
                   "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
}

}  // namespace
}  // namespace pmiflow::runtime
