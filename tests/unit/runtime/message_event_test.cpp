// Interpreter: message events (start, intermediate catch, boundary) and receive tasks: the
// subscriptions they open and close, and what a correlated message does.

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

// <message id="Msg" name="evaluacion_recibida"> keyed by `codigo_dane`.
const char* const kMessage = R"(
  <bpmn:message id="Msg" name="evaluacion_recibida">
    <bpmn:extensionElements>
      <zeebe:subscription correlationKey="=codigo_dane" />
    </bpmn:extensionElements>
  </bpmn:message>)";

const std::string kCatch = bpmn("espera", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Wait" />
    <bpmn:intermediateCatchEvent id="Wait" name="Evaluación recibida">
      <bpmn:messageEventDefinition messageRef="Msg" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="Wait" targetRef="End" />
    <bpmn:endEvent id="End" />)",
                                kMessage);

// The only open subscription's key (a test failure when there is not exactly one).
std::int64_t only_subscription(const Driver& d) {
  EXPECT_EQ(d.state().subscriptions.size(), 1u);
  return d.state().subscriptions.empty() ? 0 : d.state().subscriptions.begin()->first;
}

CorrelateMessage message(std::int64_t subscription, std::string key, Variables vars = {}) {
  return CorrelateMessage{subscription, "evaluacion_recibida", std::move(key), 7,
                          "m-1",        std::move(vars)};
}

TEST(MessageCatchEvent, OpensItsSubscriptionWithTheKeyThenMovesOnWithTheMessagesVariables) {
  auto def = load(kCatch);
  Driver d(def);
  auto events = d.start(Variables{{"codigo_dane", "111001000123"}});
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                   "FlowTaken:f1", "ElementActivated:Wait", "MessageSubscriptionOpened:Wait"}));
  const std::int64_t key = only_subscription(d);
  const MessageSubscription& sub = d.state().subscriptions.at(key);
  EXPECT_EQ(sub.name, "evaluacion_recibida");
  EXPECT_EQ(sub.correlation_key, "111001000123");
  EXPECT_EQ(sub.element_key, events->back().as<MessageSubscriptionOpened>().element_key);

  auto correlated = d.run(message(key, "111001000123", Variables{{"puntaje", 87}}));
  ASSERT_TRUE(correlated.ok()) << correlated.error().message;
  EXPECT_EQ(
      testing::describe(*correlated),
      (Trace{"MessageCorrelated:Wait", "VariablesSet:Wait", "ElementCompleted:Wait", "FlowTaken:f2",
             "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
  const auto& c = correlated->front().as<MessageCorrelated>();
  EXPECT_EQ(c.message_key, 7);
  EXPECT_EQ(c.message_id, "m-1");
  EXPECT_EQ(c.key, key);
  EXPECT_EQ(correlated->front().actor, Actor::message("evaluacion_recibida"));
  EXPECT_EQ(d.state().variables.at("puntaje"), 87);
  EXPECT_TRUE(d.state().subscriptions.empty());
}

TEST(MessageCatchEvent, RefusesAnotherKeyAnotherNameOrAClosedSubscriptionWritingNothing) {
  auto def = load(kCatch);
  Driver d(def);
  ASSERT_TRUE(d.start(Variables{{"codigo_dane", "111001000123"}}).ok());
  const std::int64_t key = only_subscription(d);
  const std::int64_t seq = d.state().last_seq;

  auto other_key = d.run(message(key, "999"));
  ASSERT_FALSE(other_key.ok());
  EXPECT_EQ(other_key.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(other_key.error().message.find("waits for message 'evaluacion_recibida' with key "
                                           "'111001000123', not 'evaluacion_recibida' with key "
                                           "'999'"),
            std::string::npos)
      << other_key.error().message;
  CorrelateMessage other_name = message(key, "111001000123");
  other_name.name = "otro";
  EXPECT_EQ(d.run(other_name).error().code, ErrorCode::kInvalidArgument);
  auto closed = d.run(message(key + 100, "111001000123"));
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(d.state().last_seq, seq);
}

TEST(MessageCatchEvent, ANullKeyIsAnIncidentThatResolvingRetries) {
  auto def = load(kCatch);
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(testing::describe(*events).back(), "IncidentRaised:Wait");
  const Incident incident = d.state().incidents.begin()->second;
  EXPECT_EQ(incident.kind, "message");
  EXPECT_NE(incident.message.find("Wait: correlation key `codigo_dane` of message "
                                  "'evaluacion_recibida' gave null; expected a string or a "
                                  "number"),
            std::string::npos)
      << incident.message;
  EXPECT_TRUE(d.state().subscriptions.empty());

  ASSERT_TRUE(d.run(SetVariables{kUser, Variables{{"codigo_dane", 111001000123}}}).ok());
  EXPECT_EQ(d.trace(ResolveIncident{incident.id, kUser}),
            (Trace{"IncidentResolved", "MessageSubscriptionOpened:Wait"}));
  // A number is its decimal text.
  EXPECT_EQ(d.state().subscriptions.at(only_subscription(d)).correlation_key, "111001000123");
}

const std::string kBoundary = bpmn("plazo", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Task" />
    <bpmn:userTask id="Task" name="Evaluar">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="g" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Task" targetRef="End" />
    <bpmn:endEvent id="End" />
    <bpmn:boundaryEvent id="Received" attachedToRef="Task" cancelActivity="CANCEL">
      <bpmn:messageEventDefinition messageRef="Msg" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="Received" targetRef="EndReceived" />
    <bpmn:endEvent id="EndReceived" />)",
                                   kMessage);

std::string boundary(bool interrupting) {
  std::string xml = kBoundary;
  xml.replace(xml.find("CANCEL"), 6, interrupting ? "true" : "false");
  return xml;
}

// (A message without variables writes no VariablesSet.)
TEST(MessageBoundaryEvent, InterruptingCancelsTheTaskAndTakesItsOwnPath) {
  auto def = load(boundary(true));
  Driver d(def);
  auto events = d.start(Variables{{"codigo_dane", "1"}});
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(testing::describe(*events),
            (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                   "FlowTaken:f1", "ElementActivated:Task", "MessageSubscriptionOpened:Received",
                   "UserTaskCreated:Task"}));
  EXPECT_EQ(
      d.trace(message(only_subscription(d), "1")),
      (Trace{"MessageCorrelated:Received", "UserTaskCanceled:Task", "ElementTerminated:Task",
             "ElementActivated:Received", "ElementCompleted:Received", "FlowTaken:f3",
             "ElementActivated:EndReceived", "ElementCompleted:EndReceived", "InstanceCompleted"}));
}

TEST(MessageBoundaryEvent, NonInterruptingLeavesTheTaskOpenAndWaitsForTheNextMessage) {
  auto def = load(boundary(false));
  Driver d(def);
  ASSERT_TRUE(d.start(Variables{{"codigo_dane", "1"}}).ok());
  const std::int64_t first = only_subscription(d);
  for (int n = 0; n < 2; ++n) {  // as in Zeebe: each message while the task is open
    EXPECT_EQ(d.trace(message(only_subscription(d), "1")),
              (Trace{"MessageCorrelated:Received", "MessageSubscriptionOpened:Received",
                     "ElementActivated:Received", "ElementCompleted:Received", "FlowTaken:f3",
                     "ElementActivated:EndReceived", "ElementCompleted:EndReceived"}));
  }
  EXPECT_NE(only_subscription(d), first);
  EXPECT_EQ(d.trace(CompleteUserTask{d.task_of("Task"), kUser, {}}),
            (Trace{"UserTaskCompleted:Task", "MessageSubscriptionClosed:Received",
                   "ElementCompleted:Task", "FlowTaken:f2", "ElementActivated:End",
                   "ElementCompleted:End", "InstanceCompleted"}));
}

TEST(MessageBoundaryEvent, CompletingTheTaskClosesTheSubscription) {
  auto def = load(boundary(true));
  Driver d(def);
  ASSERT_TRUE(d.start(Variables{{"codigo_dane", "1"}}).ok());
  EXPECT_EQ(d.trace(CompleteUserTask{d.task_of("Task"), kUser, {}}),
            (Trace{"UserTaskCompleted:Task", "MessageSubscriptionClosed:Received",
                   "ElementCompleted:Task", "FlowTaken:f2", "ElementActivated:End",
                   "ElementCompleted:End", "InstanceCompleted"}));
  EXPECT_TRUE(d.state().subscriptions.empty());
}

TEST(ReceiveTask, WaitsForItsMessageAndCancelingTheInstanceClosesIt) {
  auto def = load(bpmn("recibir", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Receive" />
    <bpmn:receiveTask id="Receive" name="Recibir evaluación" messageRef="Msg" />
    <bpmn:sequenceFlow id="f2" sourceRef="Receive" targetRef="End" />
    <bpmn:endEvent id="End" />)",
                       kMessage));
  Driver d(def);
  auto events = d.start(Variables{{"codigo_dane", "5"}});
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(testing::describe(*events).back(), "MessageSubscriptionOpened:Receive");
  EXPECT_EQ(d.trace(CancelInstance{kUser}),
            (Trace{"MessageSubscriptionClosed:Receive", "ElementTerminated:Receive",
                   "InstanceTerminated"}));

  Driver again(def);
  ASSERT_TRUE(again.start(Variables{{"codigo_dane", "5"}}).ok());
  EXPECT_EQ(again.trace(message(only_subscription(again), "5")),
            (Trace{"MessageCorrelated:Receive", "ElementCompleted:Receive", "FlowTaken:f2",
                   "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
}

TEST(MessageStartEvent, AStartByMessageEntersAtItsStartEvent) {
  auto def = load(bpmn("por_mensaje", R"(
    <bpmn:startEvent id="StartPlain" />
    <bpmn:sequenceFlow id="f0" sourceRef="StartPlain" targetRef="End" />
    <bpmn:startEvent id="StartMsg">
      <bpmn:messageEventDefinition messageRef="Pam" />
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="StartMsg" targetRef="End" />
    <bpmn:endEvent id="End" />)",
                       R"(<bpmn:message id="Pam" name="pam_aprobado" />)"));
  ASSERT_EQ(def.message_start_events.size(), 1u);
  Driver d(def);
  CreateInstance create{BusinessKey{"por_mensaje", "111001000123/2026"},
                        {},
                        Variables{{"plan", "PAM-1"}},
                        Actor::message("pam_aprobado"),
                        StartMessage{"pam_aprobado", 3, ""}};
  auto events = d.run(create);
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            (Trace{"InstanceCreated", "MessageCorrelated:StartMsg", "ElementActivated:StartMsg",
                   "ElementCompleted:StartMsg", "FlowTaken:f1", "ElementActivated:End",
                   "ElementCompleted:End", "InstanceCompleted"}));
  EXPECT_EQ(events->at(1).as<MessageCorrelated>().message_key, 3);
  EXPECT_EQ(d.state().variables.at("plan"), "PAM-1");

  Driver wrong(def);
  create.message->name = "otro";
  auto refused = wrong.run(create);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidState);
}

// Waits for the school's evaluation or the deadline, whichever comes first.
const std::string kEventGateway = bpmn("evaluacion_o_plazo", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Gw" />
    <bpmn:eventBasedGateway id="Gw" />
    <bpmn:sequenceFlow id="f2" sourceRef="Gw" targetRef="Evaluation" />
    <bpmn:sequenceFlow id="f3" sourceRef="Gw" targetRef="Deadline" />
    <bpmn:intermediateCatchEvent id="Evaluation">
      <bpmn:messageEventDefinition messageRef="Msg" />
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="Deadline">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P30D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="Evaluation" targetRef="Evaluated" />
    <bpmn:sequenceFlow id="f5" sourceRef="Deadline" targetRef="Late" />
    <bpmn:endEvent id="Evaluated" />
    <bpmn:endEvent id="Late" />)",
                                       kMessage);

TEST(EventBasedGateway, WaitsForBothEventsAndTheMessageWins) {
  auto def = load(kEventGateway);
  Driver d(def);
  auto events = d.start(Variables{{"codigo_dane", "1"}});
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                   "FlowTaken:f1", "ElementActivated:Gw", "MessageSubscriptionOpened:Evaluation",
                   "TimerCreated:Deadline"}));
  const std::int64_t gateway_key = events->at(4).as<ElementActivated>().key;
  EXPECT_EQ(d.state().subscriptions.begin()->second.element_key, gateway_key);
  EXPECT_EQ(d.state().timers.begin()->second.element_key, gateway_key);
  EXPECT_EQ(d.trace(message(only_subscription(d), "1")),
            (Trace{"MessageCorrelated:Evaluation", "TimerCanceled:Deadline", "ElementCompleted:Gw",
                   "FlowTaken:f2", "ElementActivated:Evaluation", "ElementCompleted:Evaluation",
                   "FlowTaken:f4", "ElementActivated:Evaluated", "ElementCompleted:Evaluated",
                   "InstanceCompleted"}));
  EXPECT_TRUE(d.state().timers.empty());
}

TEST(EventBasedGateway, TheTimerWinsAndClosesTheSubscription) {
  auto def = load(kEventGateway);
  Driver d(def);
  ASSERT_TRUE(d.start(Variables{{"codigo_dane", "1"}}).ok());
  const std::int64_t timer = d.state().timers.begin()->first;
  constexpr std::int64_t kDay = 24LL * 60 * 60 * 1000;
  EXPECT_EQ(d.trace(TriggerTimer{timer}, testing::kT0 + 30 * kDay),
            (Trace{"TimerTriggered:Deadline", "MessageSubscriptionClosed:Evaluation",
                   "ElementCompleted:Gw", "FlowTaken:f3", "ElementActivated:Deadline",
                   "ElementCompleted:Deadline", "FlowTaken:f5", "ElementActivated:Late",
                   "ElementCompleted:Late", "InstanceCompleted"}));
  EXPECT_TRUE(d.state().subscriptions.empty());
}

TEST(MessageThrow, ThrowEventSendTaskAndEndEventQueueTheMessageInTheOutbox) {
  auto def = load(bpmn("avisar", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Throw" />
    <bpmn:intermediateThrowEvent id="Throw">
      <bpmn:messageEventDefinition messageRef="Aviso" />
    </bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="Throw" targetRef="Send" />
    <bpmn:sendTask id="Send" messageRef="Aviso" />
    <bpmn:sequenceFlow id="f3" sourceRef="Send" targetRef="End" />
    <bpmn:endEvent id="End">
      <bpmn:messageEventDefinition messageRef="Fin" />
    </bpmn:endEvent>)",
                       R"(<bpmn:message id="Aviso" name="F01.03" />
  <bpmn:message id="Fin" name="E02.01" />)"));
  Driver d(def);
  auto events = d.start(Variables{{"codigo_dane", "1"}});
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(
      testing::describe(*events),
      (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start", "FlowTaken:f1",
             "ElementActivated:Throw", "MessageQueued:Throw", "ElementCompleted:Throw",
             "FlowTaken:f2", "ElementActivated:Send", "MessageQueued:Send", "ElementCompleted:Send",
             "FlowTaken:f3", "ElementActivated:End", "MessageQueued:End", "ElementCompleted:End",
             "InstanceCompleted"}));
  const auto& queued = events->at(5).as<MessageQueued>();
  EXPECT_EQ(queued.subprocess, "F01.03");
  EXPECT_EQ(queued.data.at("codigo_dane"), "1");
  EXPECT_EQ(events->at(13).as<MessageQueued>().subprocess, "E02.01");
}

TEST(MessageThrow, ASendTaskWithATaskDefinitionRunsAsAServiceTaskAsInCamunda8) {
  auto def = load(bpmn("avisar_por_trabajador", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Send" />
    <bpmn:sendTask id="Send">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="enviar_correo" />
      </bpmn:extensionElements>
    </bpmn:sendTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Send" targetRef="End" />
    <bpmn:endEvent id="End" />)"));
  EXPECT_EQ(def.node(def.find_node("Send")).kind, model::NodeKind::kServiceTask);
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events).back(), "JobCreated:Send");
  EXPECT_EQ(d.state().jobs.begin()->second.type, "enviar_correo");
}

}  // namespace
}  // namespace pmiflow::runtime
