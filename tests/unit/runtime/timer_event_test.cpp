// Interpreter: timers (intermediate catch and boundary events), the events they write, and
// when they fire.

#include <fstream>
#include <sstream>
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

constexpr std::int64_t kMinute = 60 * 1000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

const Actor kUser = Actor::user("ana", "g");

std::string catch_process(const std::string& timer) {
  return bpmn("wait", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Wait" />
    <bpmn:intermediateCatchEvent id="Wait" name="Esperar">
      <bpmn:timerEventDefinition>)" +
                          timer + R"(</bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="Wait" targetRef="End" />
    <bpmn:endEvent id="End" />)");
}

// The only waiting timer's key (a test failure when there is not exactly one).
std::int64_t only_timer(const Driver& d) {
  EXPECT_EQ(d.state().timers.size(), 1u);
  return d.state().timers.empty() ? 0 : d.state().timers.begin()->first;
}

TEST(TimerCatchEvent, WaitsForItsDurationThenMovesOn) {
  auto def = load(catch_process("<bpmn:timeDuration>PT1H</bpmn:timeDuration>"));
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                   "FlowTaken:f1", "ElementActivated:Wait", "TimerCreated:Wait"}));
  const std::int64_t key = only_timer(d);
  EXPECT_EQ(d.state().timers.at(key).due_ms, kT0 + kHour);
  EXPECT_EQ(events->back().as<TimerCreated>().element_key, d.state().timers.at(key).element_key);

  // Never early: refused, nothing written.
  auto early = d.run(TriggerTimer{key}, kT0 + kHour - 1);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, ErrorCode::kInvalidState);
  EXPECT_NE(early.error().message.find("not due until 2026-01-01"), std::string::npos)
      << early.error().message;
  EXPECT_EQ(d.state().timers.size(), 1u);

  EXPECT_EQ(d.trace(TriggerTimer{key}, kT0 + kHour),
            (Trace{"TimerTriggered:Wait", "ElementCompleted:Wait", "FlowTaken:f2",
                   "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
  EXPECT_TRUE(d.state().timers.empty());
}

TEST(TimerCatchEvent, ADateWithoutZoneIsInTheEnginesZone) {
  // Bogotá is UTC-05:00: 08:00 there is 13:00Z.
  auto def = load(catch_process("<bpmn:timeDate>2026-01-02T08:00:00</bpmn:timeDate>"));
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  EXPECT_EQ(d.state().timers.at(only_timer(d)).due_ms, kT0 + kDay + 13 * kHour);
}

TEST(TimerCatchEvent, ADateInThePastFiresAtOnce) {
  auto def = load(catch_process("<bpmn:timeDate>2025-06-01T00:00:00Z</bpmn:timeDate>"));
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  const std::int64_t key = only_timer(d);
  EXPECT_LT(d.state().timers.at(key).due_ms, kT0);
  EXPECT_EQ(d.trace(TriggerTimer{key}, kT0).back(), "InstanceCompleted");
}

TEST(TimerCatchEvent, AFeelExpressionIsEvaluatedWhenArmed) {
  auto def = load(catch_process("<bpmn:timeDate>=fecha_limite</bpmn:timeDate>"));
  Driver d(def);
  ASSERT_TRUE(d.start(Variables{{"fecha_limite", "2026-03-01"}}).ok());
  // A date alone: its midnight in Bogotá (05:00Z).
  EXPECT_EQ(d.state().timers.at(only_timer(d)).due_ms, kT0 + 59 * kDay + 5 * kHour);

  auto def2 =
      load(catch_process("<bpmn:timeDuration>=date(\"2026-01-01\") + duration(\"P2D\") - "
                         "date(\"2026-01-01\")</bpmn:timeDuration>"));
  Driver d2(def2);
  ASSERT_TRUE(d2.start().ok());
  EXPECT_EQ(d2.state().timers.at(only_timer(d2)).due_ms, kT0 + 2 * kDay);
}

TEST(TimerCatchEvent, AnExpressionWithoutAValueIsAnIncidentThatResolvingRetries) {
  auto def = load(catch_process("<bpmn:timeDuration>=plazo</bpmn:timeDuration>"));
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(testing::describe(*events).back(), "IncidentRaised:Wait");
  const Incident incident = d.state().incidents.begin()->second;
  EXPECT_EQ(incident.kind, "timer");
  EXPECT_NE(incident.message.find("<timeDuration> of Wait: expression `plazo` gave null"),
            std::string::npos)
      << incident.message;
  EXPECT_TRUE(d.state().timers.empty());

  ASSERT_TRUE(d.run(SetVariables{kUser, Variables{{"plazo", "PT0S"}}}).ok());
  auto zero = d.trace(ResolveIncident{incident.id, kUser});
  EXPECT_EQ(zero, (Trace{"IncidentResolved", "IncidentRaised:Wait"}));  // zero: refused again

  ASSERT_TRUE(d.run(SetVariables{kUser, Variables{{"plazo", "P1D"}}}).ok());
  EXPECT_EQ(d.trace(ResolveIncident{d.incident_of("Wait"), kUser}),
            (Trace{"IncidentResolved", "TimerCreated:Wait"}));
  EXPECT_EQ(d.state().timers.at(only_timer(d)).due_ms, kT0 + kDay);
}

TEST(TimerCatchEvent, FiringTwiceOrAfterCancelIsRefused) {
  auto def = load(catch_process("<bpmn:timeDuration>PT1M</bpmn:timeDuration>"));
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  const std::int64_t key = only_timer(d);
  EXPECT_EQ(d.trace(CancelInstance{kUser}),
            (Trace{"TimerCanceled:Wait", "ElementTerminated:Wait", "InstanceTerminated"}));
  auto late = d.run(TriggerTimer{key}, kT0 + kHour);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kInvalidState);

  Driver d2(def);
  ASSERT_TRUE(d2.start().ok());
  auto unknown = d2.run(TriggerTimer{999}, kT0 + kHour);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

const std::string kReminderXml = bpmn("reminder", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Task" />
    <bpmn:userTask id="Task">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="g" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="Monthly" cancelActivity="false" attachedToRef="Task">
      <bpmn:timerEventDefinition><bpmn:timeCycle>R/P1M</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_remind" sourceRef="Monthly" targetRef="Remind" />
    <bpmn:intermediateThrowEvent id="Remind" />
    <bpmn:sequenceFlow id="f_remind_end" sourceRef="Remind" targetRef="Reminded" />
    <bpmn:endEvent id="Reminded" />
    <bpmn:sequenceFlow id="f2" sourceRef="Task" targetRef="End" />
    <bpmn:endEvent id="End" />)");

TEST(TimerBoundaryEvent, ANonInterruptingCycleFiresOncePerPeriodWhileTheTaskIsOpen) {
  auto def = load(kReminderXml);
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(
      testing::describe(*events),
      (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start", "FlowTaken:f1",
             "ElementActivated:Task", "TimerCreated:Monthly", "UserTaskCreated:Task"}));
  const std::int64_t task_key = d.state().tasks.begin()->second.element_key;
  std::int64_t key = only_timer(d);
  EXPECT_EQ(d.state().timers.at(key).element_key, task_key);
  EXPECT_EQ(d.state().timers.at(key).due_ms, kT0 + 31 * kDay);  // 2026-02-01

  const std::int64_t feb = kT0 + 31 * kDay;
  EXPECT_EQ(d.trace(TriggerTimer{key}, feb),
            (Trace{"TimerTriggered:Monthly", "TimerCreated:Monthly", "ElementActivated:Monthly",
                   "ElementCompleted:Monthly", "FlowTaken:f_remind", "ElementActivated:Remind",
                   "ElementCompleted:Remind", "FlowTaken:f_remind_end", "ElementActivated:Reminded",
                   "ElementCompleted:Reminded"}));
  EXPECT_EQ(d.state().tasks.size(), 1u);  // the task is still open
  key = only_timer(d);
  EXPECT_EQ(d.state().timers.at(key).due_ms, feb + 28 * kDay);  // 2026-03-01
  EXPECT_EQ(d.state().timers.at(key).fire, 1);

  // Completing the task closes the cycle.
  EXPECT_EQ(
      d.trace(CompleteUserTask{d.task_of("Task"), kUser, {}}, feb + kDay),
      (Trace{"UserTaskCompleted:Task", "TimerCanceled:Monthly", "ElementCompleted:Task",
             "FlowTaken:f2", "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
}

TEST(TimerBoundaryEvent, ACycleWithRepetitionsStopsAfterTheLast) {
  std::string xml = kReminderXml;
  xml.replace(xml.find("R/P1M"), 5, "R2/PT10S");
  auto def = load(xml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  std::int64_t key = only_timer(d);
  EXPECT_EQ(d.state().timers.at(key).due_ms, kT0 + 10000);
  ASSERT_TRUE(d.run(TriggerTimer{key}, kT0 + 10000).ok());
  key = only_timer(d);
  EXPECT_EQ(d.state().timers.at(key).due_ms, kT0 + 20000);
  auto last = d.trace(TriggerTimer{key}, kT0 + 25000);
  EXPECT_EQ(last.front(), "TimerTriggered:Monthly");
  EXPECT_EQ(last.at(1), "ElementActivated:Monthly");  // no TimerCreated: R2 is done
  EXPECT_TRUE(d.state().timers.empty());
}

const std::string kDeadlineXml = bpmn("deadline", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Work" />
    <bpmn:subProcess id="Work" name="Acompañamiento">
      <bpmn:startEvent id="Work_Start" />
      <bpmn:sequenceFlow id="w1" sourceRef="Work_Start" targetRef="Fork" />
      <bpmn:parallelGateway id="Fork" />
      <bpmn:sequenceFlow id="w2" sourceRef="Fork" targetRef="A" />
      <bpmn:sequenceFlow id="w3" sourceRef="Fork" targetRef="B" />
      <bpmn:userTask id="A">
        <bpmn:extensionElements>
          <zeebe:assignmentDefinition candidateGroups="g" />
        </bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:userTask id="B">
        <bpmn:extensionElements>
          <zeebe:assignmentDefinition candidateGroups="g" />
        </bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:boundaryEvent id="B_Reminder" cancelActivity="false" attachedToRef="B">
        <bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>
      </bpmn:boundaryEvent>
      <bpmn:sequenceFlow id="w_rem" sourceRef="B_Reminder" targetRef="Rem_End" />
      <bpmn:endEvent id="Rem_End" />
      <bpmn:sequenceFlow id="w4" sourceRef="A" targetRef="Join" />
      <bpmn:sequenceFlow id="w5" sourceRef="B" targetRef="Join" />
      <bpmn:parallelGateway id="Join" />
      <bpmn:sequenceFlow id="w6" sourceRef="Join" targetRef="Work_End" />
      <bpmn:endEvent id="Work_End" />
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="Deadline" attachedToRef="Work">
      <bpmn:timerEventDefinition><bpmn:timeDate>2026-06-30T23:59:59</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_late" sourceRef="Deadline" targetRef="Late" />
    <bpmn:manualTask id="Late" name="Registrar vencimiento" />
    <bpmn:sequenceFlow id="f_late_end" sourceRef="Late" targetRef="After" />
    <bpmn:sequenceFlow id="f2" sourceRef="Work" targetRef="After" />
    <bpmn:userTask id="After">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="g" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="After" targetRef="End" />
    <bpmn:endEvent id="End" />)");

std::int64_t timer_of(const Driver& d, const std::string& element) {
  for (const auto& [key, timer] : d.state().timers) {
    if (timer.element_id == element) return key;
  }
  ADD_FAILURE() << "no timer of " << element;
  return 0;
}

TEST(SubProcess, RunsInItsOwnScopeAndCompletesWhenNoTokenIsLeft) {
  auto def = load(kDeadlineXml);
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                   "FlowTaken:f1", "ElementActivated:Work", "TimerCreated:Deadline",
                   "ElementActivated:Work_Start", "ElementCompleted:Work_Start", "FlowTaken:w1",
                   "ElementActivated:Fork", "ElementCompleted:Fork", "FlowTaken:w2", "FlowTaken:w3",
                   "ElementActivated:A", "UserTaskCreated:A", "ElementActivated:B",
                   "TimerCreated:B_Reminder", "UserTaskCreated:B"}));
  const std::int64_t work = events->at(4).as<ElementActivated>().key;
  EXPECT_EQ(events->at(6).as<ElementActivated>().scope, work);  // Work_Start runs in Work
  EXPECT_EQ(events->at(13).as<ElementActivated>().scope, work);

  ASSERT_TRUE(d.run(CompleteUserTask{d.task_of("A"), kUser, {}}).ok());
  EXPECT_EQ(d.trace(CompleteUserTask{d.task_of("B"), kUser, {}}),
            (Trace{"UserTaskCompleted:B", "TimerCanceled:B_Reminder", "ElementCompleted:B",
                   "FlowTaken:w5", "ElementActivated:Join", "ElementCompleted:Join", "FlowTaken:w6",
                   "ElementActivated:Work_End", "ElementCompleted:Work_End",
                   "TimerCanceled:Deadline", "ElementCompleted:Work", "FlowTaken:f2",
                   "ElementActivated:After", "UserTaskCreated:After"}));
  EXPECT_TRUE(d.state().timers.empty());
}

TEST(SubProcess, AnInterruptingTimerEndsEverythingInItWithAnEventForEach) {
  auto def = load(kDeadlineXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  ASSERT_TRUE(d.run(CompleteUserTask{d.task_of("A"), kUser, {}}).ok());  // A waits at Join
  const std::int64_t deadline = timer_of(d, "Deadline");
  EXPECT_EQ(d.state().timers.at(deadline).due_ms, 1782881999000);  // 2026-07-01T04:59:59Z
  EXPECT_EQ(d.trace(TriggerTimer{deadline}, 1782881999000),
            (Trace{"TimerTriggered:Deadline", "UserTaskCanceled:B", "TimerCanceled:B_Reminder",
                   "ElementTerminated:B", "ElementTerminated:Work", "ElementActivated:Deadline",
                   "ElementCompleted:Deadline", "FlowTaken:f_late", "ElementActivated:Late",
                   "ElementCompleted:Late", "FlowTaken:f_late_end", "ElementActivated:After",
                   "UserTaskCreated:After"}));
  EXPECT_TRUE(d.state().join_arrivals.empty());  // the token waiting at Join ended too
  EXPECT_TRUE(d.state().timers.empty());
  EXPECT_EQ(d.state().tasks.size(), 1u);
}

TEST(SubProcess, ATerminateEndEventEndsOnlyItsOwnScope) {
  auto def = load(bpmn("sub_terminate", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Sub" />
    <bpmn:subProcess id="Sub">
      <bpmn:startEvent id="S_Start" />
      <bpmn:sequenceFlow id="s1" sourceRef="S_Start" targetRef="Fork" />
      <bpmn:parallelGateway id="Fork" />
      <bpmn:sequenceFlow id="s2" sourceRef="Fork" targetRef="A" />
      <bpmn:sequenceFlow id="s3" sourceRef="Fork" targetRef="Quit" />
      <bpmn:userTask id="A">
        <bpmn:extensionElements>
          <zeebe:assignmentDefinition candidateGroups="g" />
        </bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="s4" sourceRef="A" targetRef="S_End" />
      <bpmn:endEvent id="S_End" />
      <bpmn:userTask id="Quit">
        <bpmn:extensionElements>
          <zeebe:assignmentDefinition candidateGroups="g" />
        </bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="s5" sourceRef="Quit" targetRef="S_Terminate" />
      <bpmn:endEvent id="S_Terminate"><bpmn:terminateEventDefinition /></bpmn:endEvent>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="Sub" targetRef="After" />
    <bpmn:task id="After" />
    <bpmn:sequenceFlow id="f3" sourceRef="After" targetRef="End" />
    <bpmn:endEvent id="End" />)"));
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  EXPECT_EQ(
      d.trace(CompleteUserTask{d.task_of("Quit"), kUser, {}}),
      (Trace{"UserTaskCompleted:Quit", "ElementCompleted:Quit", "FlowTaken:s5",
             "ElementActivated:S_Terminate", "ElementCompleted:S_Terminate", "UserTaskCanceled:A",
             "ElementTerminated:A", "ElementCompleted:Sub", "FlowTaken:f2",
             "ElementActivated:After", "ElementCompleted:After", "FlowTaken:f3",
             "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
}

TEST(SubProcess, CancelingTheInstanceEndsNestedScopesInnermostFirst) {
  auto def = load(kDeadlineXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  EXPECT_EQ(d.trace(CancelInstance{kUser}),
            (Trace{"UserTaskCanceled:A", "ElementTerminated:A", "UserTaskCanceled:B",
                   "TimerCanceled:B_Reminder", "ElementTerminated:B", "TimerCanceled:Deadline",
                   "ElementTerminated:Work", "InstanceTerminated"}));
  EXPECT_TRUE(d.state().timers.empty());
}

TEST(TimerCatchEvent, BpmnEnginesTimerFixtureRunsAsWritten) {
  // bpmn-engine's timer-event.bpmn (Camunda Modeler 1.2.2): task -> PT0.05S -> task.
  std::ifstream in(std::string(PMIFLOW_CONFORMANCE_DIR) + "/engine-fixtures/timer-event.bpmn");
  std::stringstream xml;
  xml << in.rdbuf();
  auto def = load(xml.str());
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events).back(), "TimerCreated:duration");
  const std::int64_t key = only_timer(d);
  EXPECT_EQ(d.state().timers.at(key).due_ms, kT0 + 50);
  EXPECT_EQ(d.trace(TriggerTimer{key}, kT0 + 50),
            (Trace{"TimerTriggered:duration", "ElementCompleted:duration",
                   "FlowTaken:SequenceFlow_02raz3t", "ElementActivated:task2",
                   "ElementCompleted:task2", "FlowTaken:SequenceFlow_1au7566",
                   "ElementActivated:end", "ElementCompleted:end", "InstanceCompleted"}));
}

}  // namespace
}  // namespace pmiflow::runtime
