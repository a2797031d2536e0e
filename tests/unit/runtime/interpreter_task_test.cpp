// Interpreter: user tasks, service tasks (jobs), cancellation and rejected commands. Each test
// asserts the exact sequence of (event type, element) the command writes.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime_test_util.h"

namespace pmiflow::runtime {
namespace {

using testing::bpmn;
using testing::Driver;
using testing::kInstanceId;
using testing::kT0;
using testing::load;
using Trace = std::vector<std::string>;

const std::string kUserTaskXml = bpmn("user_task", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Task_A" />
    <bpmn:userTask id="Task_A" name="Review the plan">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="reviewer, lider" />
        <zeebe:formDefinition formId="form-a" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Task_A" targetRef="End" />
    <bpmn:endEvent id="End" />)");

const std::string kServiceTaskXml = bpmn("service_task", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Svc" />
    <bpmn:serviceTask id="Svc" name="Compute">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="t" retries="2" />
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Svc" targetRef="End" />
    <bpmn:endEvent id="End" />)");

// ---------------------------------------------------------------------------------------------
// User tasks

TEST(InterpreterUserTask, StartRunsToTheUserTaskAndWaits) {
  auto def = load(kUserTaskXml);
  Driver d(def);
  auto events = d.start({{"nombre", "IE La Esperanza"}});
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                   "FlowTaken:f1", "ElementActivated:Task_A", "UserTaskCreated:Task_A"}));

  // Seq dense from 1, time and definition version from the command.
  for (std::size_t i = 0; i < events->size(); ++i) {
    EXPECT_EQ((*events)[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ((*events)[i].time_ms, kT0);
    EXPECT_EQ((*events)[i].definition_version, 1);
  }
  // The creator is the actor of InstanceCreated; the engine moves the token.
  EXPECT_EQ((*events)[0].actor, Actor::user("ana", "profesional"));
  EXPECT_EQ((*events)[1].actor, Actor::engine());
  const Json& created = payload_json((*events)[0]);
  EXPECT_EQ(created.at("process"), "user_task");
  EXPECT_EQ(created.at("business_id"), "111001000123/2026");
  EXPECT_EQ(created.at("tags"), Json::parse(R"({"period": "2026", "school": "111001000123"})"));
  EXPECT_EQ(created.at("variables").at("nombre"), "IE La Esperanza");
  EXPECT_FALSE(payload_json((*events)[1]).contains("flow")) << "a start event has no incoming flow";
  EXPECT_EQ(payload_json((*events)[4]).at("flow"), "f1");
  EXPECT_EQ(payload_json((*events)[4]).at("kind"), "userTask");

  const Json& task = payload_json((*events)[5]);
  EXPECT_EQ(task.at("name"), "Review the plan");
  EXPECT_EQ(task.at("candidate_groups"), Json::array({"reviewer", "lider"}));
  EXPECT_EQ(task.at("form"), "form-a");

  const InstanceState& s = d.state();
  EXPECT_EQ(s.status, InstanceStatus::kActive);
  ASSERT_EQ(s.tasks.size(), 1U);
  const UserTask& open = s.tasks.begin()->second;
  EXPECT_EQ(open.id, task_id_for(kInstanceId, open.element_key));
  EXPECT_EQ(open.element_id, "Task_A");
  EXPECT_EQ(open.created_ms, kT0);
  ASSERT_EQ(s.elements.size(), 1U);
  EXPECT_EQ(s.elements.begin()->second.element_id, "Task_A");
  EXPECT_EQ(s.variables.at("nombre"), "IE La Esperanza");
}

TEST(InterpreterUserTask, CompletingTheTaskRunsToTheEndAndCompletesTheInstance) {
  auto def = load(kUserTaskXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  const std::string task = d.task_of("Task_A");
  auto events =
      d.run(CompleteUserTask{task, Actor::user("luis", "lider"), {{"ok", true}}}, kT0 + 1000);
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(
      testing::describe(*events),
      (Trace{"VariablesSet:Task_A", "UserTaskCompleted:Task_A", "ElementCompleted:Task_A",
             "FlowTaken:f2", "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
  // The person acts until the task is done; the engine moves the token on.
  EXPECT_EQ((*events)[0].actor, Actor::user("luis", "lider"));
  EXPECT_EQ((*events)[1].actor, Actor::user("luis", "lider"));
  EXPECT_EQ((*events)[3].actor, Actor::engine());
  EXPECT_EQ(payload_json((*events)[0]).at("changes"),
            Json::parse(R"([{"name": "ok", "new": true}])"));
  EXPECT_EQ((*events)[0].seq, 7);
  EXPECT_EQ(events->back().time_ms, kT0 + 1000);

  const InstanceState& s = d.state();
  EXPECT_EQ(s.status, InstanceStatus::kCompleted);
  EXPECT_EQ(s.ended_ms, kT0 + 1000);
  EXPECT_TRUE(s.tasks.empty());
  EXPECT_TRUE(s.elements.empty());
  EXPECT_EQ(s.variables.at("ok"), true);
}

TEST(InterpreterUserTask, CompletingWithoutVariablesWritesNoVariablesSet) {
  auto def = load(kUserTaskXml);
  Driver d(def);
  ASSERT_TRUE(d.start({{"ok", true}}).ok());
  // Setting a variable to the value it already has is no change.
  EXPECT_EQ(d.trace(CompleteUserTask{
                d.task_of("Task_A"), Actor::user("luis", "reviewer"), {{"ok", true}}}),
            (Trace{"UserTaskCompleted:Task_A", "ElementCompleted:Task_A", "FlowTaken:f2",
                   "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
}

// ---------------------------------------------------------------------------------------------
// Service tasks and jobs

TEST(InterpreterServiceTask, ActivatingAServiceTaskCreatesAJob) {
  auto def = load(kServiceTaskXml);
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(testing::describe(*events),
            (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                   "FlowTaken:f1", "ElementActivated:Svc", "JobCreated:Svc"}));
  const Json& job = payload_json(events->back());
  EXPECT_EQ(job.at("type"), "t");
  EXPECT_EQ(job.at("retries"), 2);

  ASSERT_EQ(d.state().jobs.size(), 1U);
  const Job& open = d.state().jobs.begin()->second;
  EXPECT_EQ(open.element_id, "Svc");
  EXPECT_EQ(open.type, "t");
  EXPECT_EQ(open.retries_left, 2);
  EXPECT_EQ(open.state, JobState::kActivatable);
  EXPECT_EQ(open.id, task_id_for(kInstanceId, job.at("key").get<std::int64_t>()));
  EXPECT_TRUE(d.state().tasks.empty());
}

TEST(InterpreterServiceTask, CompleteJobSetsVariablesWithOldAndNewValuesThenCompletes) {
  auto def = load(kServiceTaskXml);
  Driver d(def);
  ASSERT_TRUE(d.start({{"score", 1}, {"same", "x"}}).ok());
  auto events = d.run(CompleteJob{d.job_of("Svc"), {{"score", 5}, {"same", "x"}, {"added", "y"}}});
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            (Trace{"VariablesSet:Svc", "JobCompleted:Svc", "ElementCompleted:Svc", "FlowTaken:f2",
                   "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
  // Only the variables that change, in name order; a new one has no "old".
  EXPECT_EQ(payload_json((*events)[0]).at("changes"), Json::parse(R"([{"name": "added", "new": "y"},
                            {"name": "score", "old": 1, "new": 5}])"));
  EXPECT_EQ((*events)[0].actor, Actor::handler("t"));
  EXPECT_EQ((*events)[1].actor, Actor::handler("t"));
  EXPECT_EQ(d.state().variables.at("score"), 5);
  EXPECT_EQ(d.state().variables.at("added"), "y");
  EXPECT_TRUE(d.state().jobs.empty());
  EXPECT_EQ(d.state().status, InstanceStatus::kCompleted);
}

TEST(InterpreterServiceTask, FailJobDecrementsRetriesAndAtZeroRaisesAJobIncident) {
  auto def = load(kServiceTaskXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  const std::string job = d.job_of("Svc");

  auto first = d.run(FailJob{job, "service unavailable"});
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(testing::describe(*first), (Trace{"JobFailed:Svc"}));
  EXPECT_EQ(payload_json((*first)[0]).at("retries_left"), 1);
  EXPECT_EQ(payload_json((*first)[0]).at("message"), "service unavailable");
  EXPECT_EQ(d.state().jobs.at(job).retries_left, 1);
  EXPECT_EQ(d.state().jobs.at(job).state, JobState::kActivatable);
  EXPECT_EQ(d.state().jobs.at(job).last_error, "service unavailable");
  EXPECT_TRUE(d.state().incidents.empty());

  auto second = d.run(FailJob{job, "still unavailable"});
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(testing::describe(*second), (Trace{"JobFailed:Svc", "IncidentRaised:Svc"}));
  EXPECT_EQ(payload_json((*second)[0]).at("retries_left"), 0);
  const Json& incident = payload_json((*second)[1]);
  EXPECT_EQ(incident.at("kind"), "job");
  EXPECT_EQ(incident.at("message"), "still unavailable");
  EXPECT_EQ(incident.at("element_key"), payload_json((*second)[0]).at("key"));
  EXPECT_EQ((*second)[1].actor, Actor::engine());

  const InstanceState& s = d.state();
  EXPECT_EQ(s.jobs.at(job).state, JobState::kFailed);
  EXPECT_EQ(s.jobs.at(job).retries_left, 0);
  ASSERT_EQ(s.incidents.size(), 1U);
  const Incident& open = s.incidents.begin()->second;
  EXPECT_EQ(open.kind, "job");
  EXPECT_EQ(open.element_id, "Svc");
  EXPECT_EQ(open.id, task_id_for(kInstanceId, incident.at("key").get<std::int64_t>()));
  EXPECT_EQ(s.status, InstanceStatus::kActive);

  // A failed job takes no more results until its incident gives it retries (default 1).
  auto complete = d.run(CompleteJob{job, {}});
  ASSERT_FALSE(complete.ok());
  EXPECT_EQ(complete.error().code, ErrorCode::kInvalidState);
  auto fail = d.run(FailJob{job, "again"});
  ASSERT_FALSE(fail.ok());
  EXPECT_EQ(fail.error().code, ErrorCode::kInvalidState);
  EXPECT_EQ(d.trace(ResolveIncident{open.id, Actor::user("ops", "admin")}),
            (Trace{"JobRetriesUpdated:Svc", "IncidentResolved"}));
  EXPECT_EQ(d.state().jobs.at(job).retries_left, 1);
  EXPECT_EQ(d.state().jobs.at(job).state, JobState::kActivatable);
  EXPECT_EQ(d.trace(CompleteJob{job, {}}).back(), "InstanceCompleted");
}

// ---------------------------------------------------------------------------------------------
// Cancellation

TEST(InterpreterCancel, CancelInstanceCancelsTheOpenTaskAndTerminatesTheInstance) {
  auto def = load(kUserTaskXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  auto events = d.run(CancelInstance{Actor::user("admin", "lider")}, kT0 + 5);
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            (Trace{"UserTaskCanceled:Task_A", "ElementTerminated:Task_A", "InstanceTerminated"}));
  for (const auto& e : *events) EXPECT_EQ(e.actor, Actor::user("admin", "lider"));
  const InstanceState& s = d.state();
  EXPECT_EQ(s.status, InstanceStatus::kTerminated);
  EXPECT_EQ(s.ended_ms, kT0 + 5);
  EXPECT_TRUE(s.tasks.empty());
  EXPECT_TRUE(s.elements.empty());
}

TEST(InterpreterCancel, CancelInstanceCancelsAnOpenJob) {
  auto def = load(kServiceTaskXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  EXPECT_EQ(d.trace(CancelInstance{Actor::user("admin", "lider")}),
            (Trace{"JobCanceled:Svc", "ElementTerminated:Svc", "InstanceTerminated"}));
  EXPECT_TRUE(d.state().jobs.empty());
}

TEST(InterpreterCancel, CancelInstanceResolvesAnOpenIncidentFirst) {
  auto def = load(kServiceTaskXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  const std::string job = d.job_of("Svc");
  ASSERT_TRUE(d.run(FailJob{job, "a"}).ok());
  ASSERT_TRUE(d.run(FailJob{job, "b"}).ok());
  ASSERT_EQ(d.state().incidents.size(), 1U);
  EXPECT_EQ(d.trace(CancelInstance{Actor::user("admin", "lider")}),
            (Trace{"IncidentResolved", "JobCanceled:Svc", "ElementTerminated:Svc",
                   "InstanceTerminated"}));
  EXPECT_TRUE(d.state().incidents.empty());
  EXPECT_TRUE(d.state().jobs.empty());
}

// ---------------------------------------------------------------------------------------------
// Rejections: an Error, and nothing written

// Runs `command`, expects it rejected with `code`, and checks that the state did not change.
void expect_rejected(Driver& d, const Command& command, ErrorCode code,
                     const std::string& message_part = {}) {
  const InstanceState before = d.state();
  const std::size_t log_size = d.log().size();
  auto events = d.run(command);
  ASSERT_FALSE(events.ok()) << command_name(command) << " was accepted";
  EXPECT_EQ(events.error().code, code)
      << command_name(command) << ": " << error_code_name(events.error().code) << " "
      << events.error().message;
  if (!message_part.empty()) {
    EXPECT_NE(events.error().message.find(message_part), std::string::npos)
        << events.error().message;
  }
  EXPECT_EQ(d.log().size(), log_size);
  EXPECT_TRUE(d.state() == before);
}

TEST(InterpreterRejections, UnknownTaskIsNotFound) {
  auto def = load(kUserTaskXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  expect_rejected(d, CompleteUserTask{"1-99", Actor::user("luis", "lider"), {}},
                  ErrorCode::kNotFound, "1-99");
  expect_rejected(d, CompleteUserTask{"not-a-task", Actor::user("luis", "lider"), {}},
                  ErrorCode::kNotFound);
  expect_rejected(d, CompleteJob{"1-99", {}}, ErrorCode::kNotFound);
  expect_rejected(d, FailJob{"1-99", "x"}, ErrorCode::kNotFound);
  expect_rejected(d, ResolveIncident{"1-99", Actor::user("luis", "lider")}, ErrorCode::kNotFound);
}

TEST(InterpreterRejections, CompletingAUserTaskAsAJobIsNotFound) {
  auto def = load(kUserTaskXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  expect_rejected(d, CompleteJob{d.task_of("Task_A"), {}}, ErrorCode::kNotFound);
}

TEST(InterpreterRejections, WrongRoleIsForbiddenAndNamesTheCandidateGroups) {
  auto def = load(kUserTaskXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  const std::string task = d.task_of("Task_A");
  expect_rejected(d, CompleteUserTask{task, Actor::user("eva", "establecimiento"), {{"x", 1}}},
                  ErrorCode::kForbidden, "reviewer, lider");
  auto events = d.run(CompleteUserTask{task, Actor::user("eva", "establecimiento"), {}});
  ASSERT_FALSE(events.ok());
  EXPECT_NE(events.error().message.find("establecimiento"), std::string::npos);
  EXPECT_NE(events.error().message.find("Task_A"), std::string::npos);
  // An empty role is no candidate group either.
  expect_rejected(d, CompleteUserTask{task, Actor::user("eva", ""), {}}, ErrorCode::kForbidden);
  // The task is still open and the right role may complete it.
  EXPECT_EQ(d.state().tasks.count(task), 1U);
  EXPECT_TRUE(d.run(CompleteUserTask{task, Actor::user("luis", "lider"), {}}).ok());
}

TEST(InterpreterRejections, CommandsOnACompletedInstanceAreInvalidState) {
  auto def = load(kUserTaskXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  const std::string task = d.task_of("Task_A");
  ASSERT_TRUE(d.run(CompleteUserTask{task, Actor::user("luis", "lider"), {}}).ok());
  ASSERT_EQ(d.state().status, InstanceStatus::kCompleted);

  expect_rejected(d, CompleteUserTask{task, Actor::user("luis", "lider"), {}},
                  ErrorCode::kInvalidState, "completed");
  expect_rejected(d, CompleteJob{"1-2", {}}, ErrorCode::kInvalidState);
  expect_rejected(d, FailJob{"1-2", "x"}, ErrorCode::kInvalidState);
  expect_rejected(d, SetVariables{Actor::user("luis", "lider"), {{"a", 1}}},
                  ErrorCode::kInvalidState);
  expect_rejected(d, ResolveIncident{"1-9", Actor::user("luis", "lider")},
                  ErrorCode::kInvalidState);
  expect_rejected(d, CancelInstance{Actor::user("luis", "lider")}, ErrorCode::kInvalidState);
  expect_rejected(d,
                  CreateInstance{BusinessKey{"user_task", "111001000123/2026"},
                                 {},
                                 {},
                                 Actor::user("ana", "profesional"),
                                 {}},
                  ErrorCode::kInvalidState);
}

TEST(InterpreterRejections, CommandsOnATerminatedInstanceAreInvalidState) {
  auto def = load(kUserTaskXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  const std::string task = d.task_of("Task_A");
  ASSERT_TRUE(d.run(CancelInstance{Actor::user("admin", "lider")}).ok());
  expect_rejected(d, CompleteUserTask{task, Actor::user("luis", "lider"), {}},
                  ErrorCode::kInvalidState, "terminated");
  expect_rejected(d, CancelInstance{Actor::user("admin", "lider")}, ErrorCode::kInvalidState);
}

TEST(InterpreterRejections, CommandsOnAnInstanceThatDoesNotExistAreInvalidState) {
  auto def = load(kUserTaskXml);
  Driver d(def);
  expect_rejected(d, CompleteUserTask{"1-2", Actor::user("luis", "lider"), {}},
                  ErrorCode::kInvalidState);
  expect_rejected(d, CancelInstance{Actor::user("luis", "lider")}, ErrorCode::kInvalidState);
}

// ---------------------------------------------------------------------------------------------
// Script tasks

const std::string kScriptXml = bpmn("guion", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Calcular" />
    <bpmn:scriptTask id="Calcular">
      <bpmn:extensionElements>
        <zeebe:script expression="=horas * tarifa" resultVariable="costo" />
      </bpmn:extensionElements>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Calcular" targetRef="End" />
    <bpmn:endEvent id="End" />)");

TEST(InterpreterScriptTask, SetsTheResultVariableAndMovesOn) {
  auto def = load(kScriptXml);
  Driver d(def);
  auto events = d.start({{"horas", 12}, {"tarifa", 50000}});
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(
      testing::describe(*events),
      (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start", "FlowTaken:f1",
             "ElementActivated:Calcular", "VariablesSet:Calcular", "ElementCompleted:Calcular",
             "FlowTaken:f2", "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
  EXPECT_EQ(d.state().variables.at("costo"), 600000);
}

// A failing expression is an incident at the task; with the data fixed, resolving it evaluates
// again.
TEST(InterpreterScriptTask, AFailingExpressionIsAnIncidentResolvedOnTheFixedVariables) {
  auto def = load(kScriptXml);
  Driver d(def);
  auto events = d.start({{"horas", "doce"}, {"tarifa", 50000}});
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(events->back()), "IncidentRaised:Calcular");
  const Json& incident = payload_json(events->back());
  EXPECT_EQ(incident.at("kind"), "script");
  EXPECT_NE(incident.at("message").get<std::string>().find("horas * tarifa"), std::string::npos);
  const Actor luis = Actor::user("luis", "lider");
  ASSERT_TRUE(d.run(SetVariables{luis, {{"horas", 12}}}).ok());
  EXPECT_EQ(
      d.trace(ResolveIncident{d.incident_of("Calcular"), luis}),
      (Trace{"IncidentResolved", "VariablesSet:Calcular", "ElementCompleted:Calcular",
             "FlowTaken:f2", "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
  EXPECT_EQ(d.state().variables.at("costo"), 600000);
}

// ---------------------------------------------------------------------------------------------
// Link events

// Start -> Ir (link throw "a-revisar") ... A_Revisar (link catch) -> Revisar -> End: a
// diagram's "go to" across the page.
const std::string kLinkXml = bpmn("enlace", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Ir" />
    <bpmn:intermediateThrowEvent id="Ir">
      <bpmn:linkEventDefinition name="a-revisar" />
    </bpmn:intermediateThrowEvent>
    <bpmn:intermediateCatchEvent id="A_Revisar">
      <bpmn:linkEventDefinition name="a-revisar" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="A_Revisar" targetRef="Revisar" />
    <bpmn:userTask id="Revisar">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="lider" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="Revisar" targetRef="End" />
    <bpmn:endEvent id="End" />)");

TEST(InterpreterLinkEvent, TheTokenJumpsFromTheThrowToTheCatchOfItsName) {
  auto def = load(kLinkXml);
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                   "FlowTaken:f1", "ElementActivated:Ir", "ElementCompleted:Ir",
                   "ElementActivated:A_Revisar", "ElementCompleted:A_Revisar", "FlowTaken:f2",
                   "ElementActivated:Revisar", "UserTaskCreated:Revisar"}));
}

// ---------------------------------------------------------------------------------------------
// The runaway guard

const std::string kChainXml = bpmn("cadena", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Uno" />
    <bpmn:task id="Uno" />
    <bpmn:sequenceFlow id="f2" sourceRef="Uno" targetRef="Dos" />
    <bpmn:task id="Dos" />
    <bpmn:sequenceFlow id="f3" sourceRef="Dos" targetRef="Tres" />
    <bpmn:task id="Tres" />
    <bpmn:sequenceFlow id="f4" sourceRef="Tres" targetRef="Revisar" />
    <bpmn:userTask id="Revisar">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="lider" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f5" sourceRef="Revisar" targetRef="End" />
    <bpmn:endEvent id="End" />)");

// Past the limit, the token stops at its element with an incident instead of running on; the
// incident's resolution lets it go on (with the next command's budget).
TEST(InterpreterRunawayGuard, ATokenPastTheLimitStopsAtItsElementUntilResolved) {
  auto def = load(kChainXml);
  Driver d(def);
  d.options.max_activations = 3;
  auto started = d.start();
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_EQ(testing::describe(*started),
            (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                   "FlowTaken:f1", "ElementActivated:Uno", "ElementCompleted:Uno", "FlowTaken:f2",
                   "ElementActivated:Dos", "ElementCompleted:Dos", "FlowTaken:f3",
                   "ElementActivated:Tres", "IncidentRaised:Tres"}));
  const Json& incident = payload_json(started->back());
  EXPECT_EQ(incident.at("kind"), "runaway");
  EXPECT_EQ(incident.at("element_key"), payload_json((*started)[started->size() - 2]).at("key"));
  EXPECT_NE(incident.at("message").get<std::string>().find("more than 3 elements"),
            std::string::npos);
  EXPECT_EQ(d.state().status, InstanceStatus::kActive);

  // Retries are for jobs: refused, nothing written.
  auto with_retries =
      d.run(ResolveIncident{d.incident_of("Tres"), Actor::user("luis", "lider"), 2});
  ASSERT_FALSE(with_retries.ok());
  EXPECT_EQ(with_retries.error().code, ErrorCode::kInvalidArgument);

  EXPECT_EQ(d.trace(ResolveIncident{d.incident_of("Tres"), Actor::user("luis", "lider")}),
            (Trace{"IncidentResolved", "ElementCompleted:Tres", "FlowTaken:f4",
                   "ElementActivated:Revisar", "UserTaskCreated:Revisar"}));
  EXPECT_TRUE(d.state().incidents.empty());
}

}  // namespace
}  // namespace pmiflow::runtime
