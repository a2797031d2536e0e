// Interpreter: event subprocesses: the timers and subscriptions their starts hold while their
// scope is active, what an interrupting one ends, what a non-interrupting one leaves running,
// and how they end with their scope.

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

constexpr std::int64_t kHour = 60 * 60 * 1000;
constexpr std::int64_t kDay = 24 * kHour;

const Actor kUser = Actor::user("ana", "g");

const char* const kMessage = R"(
  <bpmn:message id="Msg" name="novedad">
    <bpmn:extensionElements>
      <zeebe:subscription correlationKey="=codigo_dane" />
    </bpmn:extensionElements>
  </bpmn:message>)";

// A process waiting at user task Work, with event subprocess `event_subprocess`.
std::string waiting_process(const std::string& event_subprocess) {
  return bpmn("eventos",
              R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Work" />
    <bpmn:userTask id="Work">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="g" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Work" targetRef="End" />
    <bpmn:endEvent id="End" />)" +
                  event_subprocess,
              kMessage);
}

std::string timer_subprocess(const std::string& interrupting, const std::string& timer) {
  return R"(
    <bpmn:subProcess id="OnTime" triggeredByEvent="true">
      <bpmn:startEvent id="TimeStart" isInterrupting=")" +
         interrupting + R"(">
        <bpmn:timerEventDefinition>)" +
         timer + R"(</bpmn:timerEventDefinition>
      </bpmn:startEvent>
      <bpmn:sequenceFlow id="t1" sourceRef="TimeStart" targetRef="Remind" />
      <bpmn:userTask id="Remind">
        <bpmn:extensionElements>
          <zeebe:assignmentDefinition candidateGroups="g" />
        </bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="t2" sourceRef="Remind" targetRef="TimeEnd" />
      <bpmn:endEvent id="TimeEnd" />
    </bpmn:subProcess>)";
}

std::int64_t only_timer(const Driver& d) {
  EXPECT_EQ(d.state().timers.size(), 1u);
  return d.state().timers.empty() ? 0 : d.state().timers.begin()->first;
}

TEST(EventSubprocess, AnInterruptingTimerEndsTheProcessScopeAndRunsInItsPlace) {
  auto def = load(
      waiting_process(timer_subprocess("true", "<bpmn:timeDuration>P30D</bpmn:timeDuration>")));
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            (Trace{"InstanceCreated", "TimerCreated:TimeStart", "ElementActivated:Start",
                   "ElementCompleted:Start", "FlowTaken:f1", "ElementActivated:Work",
                   "UserTaskCreated:Work"}));
  // The process scope owns the timer: no element instance does.
  EXPECT_EQ(events->at(1).as<TimerCreated>().element_key, kProcessScope);
  const std::int64_t timer = only_timer(d);
  EXPECT_EQ(d.state().timers.at(timer).due_ms, kT0 + 30 * kDay);

  EXPECT_EQ(
      d.trace(TriggerTimer{timer}, kT0 + 30 * kDay),
      (Trace{"TimerTriggered:TimeStart", "UserTaskCanceled:Work", "ElementTerminated:Work",
             "ElementActivated:OnTime", "ElementActivated:TimeStart", "ElementCompleted:TimeStart",
             "FlowTaken:t1", "ElementActivated:Remind", "UserTaskCreated:Remind"}));
  EXPECT_EQ(d.trace(CompleteUserTask{d.task_of("Remind"), kUser, {}}, kT0 + 31 * kDay),
            (Trace{"UserTaskCompleted:Remind", "ElementCompleted:Remind", "FlowTaken:t2",
                   "ElementActivated:TimeEnd", "ElementCompleted:TimeEnd",
                   "ElementCompleted:OnTime", "InstanceCompleted"}));
}

TEST(EventSubprocess, ItsTimerIsCanceledWhenTheScopeCompletesFirst) {
  auto def = load(
      waiting_process(timer_subprocess("true", "<bpmn:timeDuration>P30D</bpmn:timeDuration>")));
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  EXPECT_EQ(d.trace(CompleteUserTask{d.task_of("Work"), kUser, {}}),
            (Trace{"UserTaskCompleted:Work", "ElementCompleted:Work", "FlowTaken:f2",
                   "ElementActivated:End", "ElementCompleted:End", "TimerCanceled:TimeStart",
                   "InstanceCompleted"}));
  EXPECT_TRUE(d.state().timers.empty());
}

TEST(EventSubprocess, ANonInterruptingCycleRunsBesideTheWorkOncePerPeriod) {
  auto def =
      load(waiting_process(timer_subprocess("false", "<bpmn:timeCycle>R2/P7D</bpmn:timeCycle>")));
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  EXPECT_EQ(d.trace(TriggerTimer{only_timer(d)}, kT0 + 7 * kDay),
            (Trace{"TimerTriggered:TimeStart", "TimerCreated:TimeStart", "ElementActivated:OnTime",
                   "ElementActivated:TimeStart", "ElementCompleted:TimeStart", "FlowTaken:t1",
                   "ElementActivated:Remind", "UserTaskCreated:Remind"}));
  EXPECT_FALSE(d.task_of("Work").empty());  // not interrupted
  EXPECT_EQ(d.state().timers.begin()->second.due_ms, kT0 + 14 * kDay);
  // The second and last repetition: no timer after it.
  const Trace second = d.trace(TriggerTimer{only_timer(d)}, kT0 + 14 * kDay);
  EXPECT_EQ(second.front(), "TimerTriggered:TimeStart");
  EXPECT_EQ(second.at(1), "ElementActivated:OnTime");
  EXPECT_TRUE(d.state().timers.empty());
  EXPECT_EQ(d.state().tasks.size(), 3u);  // Work and two reminders
  // The process completes when the work and both reminders are done.
  ASSERT_FALSE(d.trace(CompleteUserTask{d.task_of("Work"), kUser, {}}).empty());
  while (!d.state().tasks.empty()) {
    ASSERT_FALSE(d.trace(CompleteUserTask{d.state().tasks.begin()->first, kUser, {}}).empty());
  }
  EXPECT_EQ(d.state().status, InstanceStatus::kCompleted);
}

// A subprocess with a non-interrupting message event subprocess: each message runs a note
// beside the work; the subscription stays open until the subprocess ends.
const std::string kMessageInSubprocess = bpmn("novedades", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Sub" />
    <bpmn:subProcess id="Sub">
      <bpmn:startEvent id="SubStart" />
      <bpmn:sequenceFlow id="s1" sourceRef="SubStart" targetRef="Work" />
      <bpmn:userTask id="Work">
        <bpmn:extensionElements>
          <zeebe:assignmentDefinition candidateGroups="g" />
        </bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="s2" sourceRef="Work" targetRef="SubEnd" />
      <bpmn:endEvent id="SubEnd" />
      <bpmn:subProcess id="OnNews" triggeredByEvent="true">
        <bpmn:startEvent id="NewsStart" isInterrupting="false">
          <bpmn:messageEventDefinition messageRef="Msg" />
        </bpmn:startEvent>
        <bpmn:sequenceFlow id="n1" sourceRef="NewsStart" targetRef="Note" />
        <bpmn:task id="Note" />
        <bpmn:sequenceFlow id="n2" sourceRef="Note" targetRef="NewsEnd" />
        <bpmn:endEvent id="NewsEnd" />
      </bpmn:subProcess>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="Sub" targetRef="End" />
    <bpmn:endEvent id="End" />)",
                                              kMessage);

CorrelateMessage news(std::int64_t subscription, Variables vars = {}) {
  return CorrelateMessage{subscription, "novedad", "111", 9, "", std::move(vars)};
}

TEST(EventSubprocess, ANonInterruptingMessageStartRunsBesideTheWorkAndWaitsForTheNextOne) {
  auto def = load(kMessageInSubprocess);
  Driver d(def);
  auto events = d.start(Variables{{"codigo_dane", "111"}});
  ASSERT_TRUE(events.ok()) << events.error().message;
  const Trace trace = testing::describe(*events);
  EXPECT_EQ(Trace(trace.begin() + 4, trace.begin() + 7),
            (Trace{"ElementActivated:Sub", "MessageSubscriptionOpened:NewsStart",
                   "ElementActivated:SubStart"}));
  ASSERT_EQ(d.state().subscriptions.size(), 1u);
  const MessageSubscription first = d.state().subscriptions.begin()->second;
  EXPECT_EQ(first.element_key, events->at(4).as<ElementActivated>().key);  // Sub owns it

  EXPECT_EQ(
      d.trace(news(first.key, Variables{{"nota", "visita"}})),
      (Trace{"MessageCorrelated:NewsStart", "VariablesSet:NewsStart",
             "MessageSubscriptionOpened:NewsStart", "ElementActivated:OnNews",
             "ElementActivated:NewsStart", "ElementCompleted:NewsStart", "FlowTaken:n1",
             "ElementActivated:Note", "ElementCompleted:Note", "FlowTaken:n2",
             "ElementActivated:NewsEnd", "ElementCompleted:NewsEnd", "ElementCompleted:OnNews"}));
  EXPECT_EQ(d.state().variables.at("nota"), "visita");
  ASSERT_EQ(d.state().subscriptions.size(), 1u);
  EXPECT_NE(d.state().subscriptions.begin()->first, first.key);

  EXPECT_EQ(d.trace(CompleteUserTask{d.task_of("Work"), kUser, {}}),
            (Trace{"UserTaskCompleted:Work", "ElementCompleted:Work", "FlowTaken:s2",
                   "ElementActivated:SubEnd", "ElementCompleted:SubEnd",
                   "MessageSubscriptionClosed:NewsStart", "ElementCompleted:Sub", "FlowTaken:f2",
                   "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
}

TEST(EventSubprocess, AStartThatCannotSubscribeIsAnIncidentAtTheStartEventThatResolvingRetries) {
  auto def = load(kMessageInSubprocess);
  Driver d(def);
  auto events = d.start();  // no codigo_dane: the correlation key is null
  ASSERT_TRUE(events.ok()) << events.error().message;
  ASSERT_EQ(d.state().incidents.size(), 1u);
  const Incident incident = d.state().incidents.begin()->second;
  EXPECT_EQ(incident.element_id, "NewsStart");
  EXPECT_EQ(incident.kind, "message");
  ASSERT_TRUE(d.run(SetVariables{kUser, Variables{{"codigo_dane", "111"}}}).ok());
  EXPECT_EQ(d.trace(ResolveIncident{incident.id, kUser}),
            (Trace{"IncidentResolved", "MessageSubscriptionOpened:NewsStart"}));
}

}  // namespace
}  // namespace pmiflow::runtime
