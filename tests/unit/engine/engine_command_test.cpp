// Engine: start, complete_task with the jobs that follow, handler failures, roles, time.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine_test_util.h"

namespace pmiflow::testing {
namespace {

using runtime::Actor;
using runtime::BusinessKey;
using runtime::EventType;
using runtime::InstanceStatus;
using Trace = std::vector<std::string>;

const Actor kStarter = Actor::user("ana", "profesional_mejoramiento");
const Actor kLider = Actor::user("luis", kRole);

const Trace kStartTrace = {
    "InstanceCreated", "ElementActivated:Start",       "ElementCompleted:Start",
    "FlowTaken:f1",    "ElementActivated:Task_Review", "UserTaskCreated:Task_Review"};

// The instance's log, checked to be the start's events followed by `added` more, seq dense.
std::vector<runtime::Event> start_then(Harness& h, std::int64_t id, std::size_t added) {
  auto log = h.events(id);
  EXPECT_EQ(log.size(), kStartTrace.size() + added);
  for (std::size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].seq, static_cast<std::int64_t>(i + 1));
  }
  return log;
}

// ---------------------------------------------------------------------------------------------
// start

TEST(EngineStart, CreatesTheInstanceAndRunsToTheFirstUserTask) {
  Harness h;
  h.deploy();
  auto started =
      h.engine.start(start_of(key_of(dane(1), "2026", kProcess), {{"nombre", "IE Uno"}}, kStarter));
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_TRUE(started->created);
  EXPECT_GT(started->instance_id, 0);
  const auto events = h.events(started->instance_id);
  EXPECT_EQ(describe(events), kStartTrace);
  for (const auto& e : events) EXPECT_EQ(e.instance_id, started->instance_id);

  auto row = h.store.instance(started->instance_id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->status, "active");
  EXPECT_EQ(row->business_key, (key_of(dane(1), "2026", kProcess)));
  EXPECT_EQ(row->active_elements, std::vector<std::string>{"Task_Review"});
  // The task id carries the store's instance id.
  const std::string task = h.open_task(started->instance_id);
  std::int64_t instance = 0;
  std::int64_t key = 0;
  ASSERT_TRUE(runtime::parse_task_id(task, instance, key)) << task;
  EXPECT_EQ(instance, started->instance_id);
}

TEST(EngineStart, IsIdempotentByBusinessKey) {
  Harness h;
  h.deploy();
  const BusinessKey key = key_of(dane(1));
  auto first = h.engine.start(start_of(key, {{"nombre", "IE Uno"}}, kStarter));
  ASSERT_TRUE(first.ok());
  const auto events_before = h.events(first->instance_id);
  const EngineStats stats_before = h.engine.stats();

  h.clock.advance(5000);
  auto second = h.engine.start(start_of(key, {{"nombre", "otro nombre"}}, kStarter));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->instance_id, first->instance_id);

  EXPECT_EQ(h.events(first->instance_id).size(), events_before.size()) << "no new events";
  EXPECT_EQ(h.engine.stats().events, stats_before.events);
  EXPECT_EQ(h.store.instances({})->size(), 1U);
  EXPECT_EQ(h.store.variables(first->instance_id)->at("nombre"), "IE Uno");

  // Another period of the same school is another instance.
  auto other = h.engine.start(start_of(key_of(dane(1), "2026-2", kProcess), {}, kStarter));
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->created);
  EXPECT_NE(other->instance_id, first->instance_id);
}

TEST(EngineStart, ABadBusinessKeyIsInvalidArgumentNamingItAndNothingIsWritten) {
  Harness h;
  h.deploy();
  struct Case {
    StartRequest request;
    const char* named;
  };
  const Case cases[] = {
      {start_of(BusinessKey{kProcess, ""}, {}, kStarter), "business id"},
      {start_of(BusinessKey{kProcess, std::string(kMaxBusinessIdBytes + 1, 'x')}, {}, kStarter),
       "business id: 257 bytes, more than the limit of 256"},
      {start_of(BusinessKey{kProcess, "id\xff"}, {}, kStarter), "business id: not valid UTF-8"},
      {StartRequest{key_of(dane(1)), {{"", "x"}}, {}, kStarter}, "tag: a name is required"},
      {StartRequest{key_of(dane(1)), {{"zona", "rural\xc3"}}, {}, kStarter},
       "tag zona: not valid UTF-8"},
  };
  for (const Case& c : cases) {
    auto started = h.engine.start(c.request);
    ASSERT_FALSE(started.ok()) << c.named;
    EXPECT_EQ(started.error().code, ErrorCode::kInvalidArgument) << c.named;
    EXPECT_NE(started.error().message.find(c.named), std::string::npos) << started.error().message;
  }
  EXPECT_TRUE(h.store.instances({})->empty());
  auto longest = h.engine.start(
      start_of(BusinessKey{kProcess, std::string(kMaxBusinessIdBytes, 'x')}, {}, kStarter));
  EXPECT_TRUE(longest.ok()) << longest.error().message;
}

TEST(EngineStart, TagsAreKeptWithTheInstanceAndFindIt) {
  Harness h;
  h.deploy();
  auto started = h.engine.start(StartRequest{
      BusinessKey{kProcess, "expediente-7"}, {{"zona", "rural"}, {"anio", "2026"}}, {}, kStarter});
  ASSERT_TRUE(started.ok()) << started.error().message;
  ASSERT_TRUE(h.engine.start(start_of(BusinessKey{kProcess, "expediente-8"}, {}, kStarter)).ok());
  const runtime::Tags tags{{"anio", "2026"}, {"zona", "rural"}};
  EXPECT_EQ(h.engine.state(started->instance_id)->tags, tags);
  auto row = h.store.instance(started->instance_id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->tags, tags);
  EXPECT_EQ(row->business_key, (BusinessKey{kProcess, "expediente-7"}));
  auto found = h.store.instances(InstanceQuery{{}, {}, {{"zona", "rural"}}, {}});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1U);
  EXPECT_EQ(found->front().id, started->instance_id);
  EXPECT_TRUE(h.store.instances(InstanceQuery{{}, {}, {{"zona", "urbana"}}, {}})->empty());
  auto tasks = h.store.tasks(TaskQuery{{}, {}, {{"anio", "2026"}}});
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 1U);
  EXPECT_EQ(tasks->front().instance_id, started->instance_id);
  EXPECT_EQ(tasks->front().tags, tags);
}

TEST(EngineStart, MissingProcessKeyIsInvalidArgument) {
  Harness h;
  h.deploy();
  auto started = h.engine.start(start_of(key_of(dane(1), "2026", ""), {}, kStarter));
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(started.error().message.find("process"), std::string::npos);
}

TEST(EngineStart, StartDataValidatorOfTheProcessRefusesBeforeAnythingIsWritten) {
  Harness h;
  h.deploy();
  std::vector<BusinessKey> seen;
  h.registry.add_start_validator(kProcess, [&](const StartRequest& request) {
    seen.push_back(request.key);
    const Variables& vars = request.variables;
    std::vector<FieldError> errors;
    if (vars.count("nombre") == 0) errors.push_back({"nombre", "nombre: expected a name"});
    if (vars.count("sector") == 0) errors.push_back({"sector", "sector: expected a sector"});
    return errors;
  });
  auto refused = h.engine.start(start_of(key_of(dane(1), "2026", kProcess), {}, kStarter));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kValidation);
  EXPECT_EQ(refused.error().message, std::string("the start variables of ") + kProcess +
                                         " (business id " + dane(1) +
                                         "/2026) break its data contract; nothing was started:\n"
                                         "  nombre: expected a name\n  sector: expected a sector");
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0], (key_of(dane(1), "2026", kProcess)));
  EXPECT_TRUE(h.store.instances(InstanceQuery{})->empty());

  auto started = h.engine.start(start_of(key_of(dane(1), "2026", kProcess),
                                         {{"nombre", "IE Uno"}, {"sector", "OFICIAL"}}, kStarter));
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_TRUE(started->created);
  // The validator runs before the idempotency check: bad data is refused even for a key that
  // already has an instance.
  auto again = h.engine.start(start_of(key_of(dane(1), "2026", kProcess), {}, kStarter));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kValidation);
  EXPECT_EQ(h.store.instances(InstanceQuery{})->size(), 1U);
}

TEST(EngineStart, TheStartDataPreparerCompletesTheRequestBeforeItIsCheckedAndWritten) {
  Harness h;
  h.deploy();
  h.registry.add_start_preparer(kProcess, [](StartRequest& request) {
    if (request.variables.count("frecuencia") == 0) request.variables["frecuencia"] = "P1M";
    if (request.tags.empty())
      request.tags["school"] = request.variables.at("codigo").get<std::string>();
  });
  std::vector<Variables> checked;
  h.registry.add_start_validator(kProcess, [&](const StartRequest& request) {
    checked.push_back(request.variables);
    return std::vector<FieldError>{};
  });
  auto started =
      h.engine.start(start_of(key_of(dane(1), "2026", kProcess), {{"codigo", dane(1)}}, kStarter));
  ASSERT_TRUE(started.ok()) << started.error().message;
  // The validator saw the completed variables, and the instance was created with them.
  ASSERT_EQ(checked.size(), 1U);
  EXPECT_EQ(checked[0].at("frecuencia"), "P1M");
  auto events = h.store.events(started->instance_id, 1, 1);
  ASSERT_TRUE(events.ok());
  const Json created = payload_json(events->front());
  EXPECT_EQ(created.at("variables").at("frecuencia"), "P1M");
  EXPECT_EQ(h.store.instance(started->instance_id)->tags.at("school"), dane(1));
  // What the caller gives is kept.
  auto own = h.engine.start(start_of(key_of(dane(2), "2026", kProcess),
                                     {{"codigo", dane(2)}, {"frecuencia", "P15D"}}, kStarter));
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(h.store.variables(own->instance_id)->at("frecuencia"), "P15D");
}

TEST(EngineStart, ProcessesWithoutAValidatorStartWithAnyVariables) {
  Harness h;
  h.deploy();
  h.registry.add_start_validator("OtroProceso", [](const StartRequest&) {
    return std::vector<FieldError>{{"x", "x: always wrong"}};
  });
  EXPECT_TRUE(h.registry.start_data_errors(start_of(key_of(dane(1)), {}, kStarter)).empty());
  EXPECT_TRUE(h.registry.check_start_data(start_of(key_of(dane(1)), {}, kStarter)).ok());
  auto started = h.engine.start(start_of(key_of(dane(1), "2026", kProcess), {}, kStarter));
  ASSERT_TRUE(started.ok()) << started.error().message;
}

// ---------------------------------------------------------------------------------------------
// complete_task and the jobs after it

TEST(EngineCompleteTask, RunsTheFollowingServiceTaskWithinTheCall) {
  Harness h(succeeding({{"notificado", true}}));
  h.deploy();
  const std::int64_t id = h.start(dane(1), {{"nombre", "IE Uno"}});
  const std::string task = h.open_task(id);

  auto done = h.engine.complete_task(task, kLider, {{"revisado", "si"}});
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->instance_id, id);
  EXPECT_EQ(describe(done->events),
            (Trace{"VariablesSet:Task_Review", "UserTaskCompleted:Task_Review",
                   "ElementCompleted:Task_Review", "FlowTaken:f2", "ElementActivated:Svc_Notify",
                   "JobCreated:Svc_Notify", "VariablesSet:Svc_Notify", "JobCompleted:Svc_Notify",
                   "ElementCompleted:Svc_Notify", "FlowTaken:f3", "ElementActivated:End",
                   "ElementCompleted:End", "InstanceCompleted"}));
  EXPECT_EQ(done->events[6].actor, Actor::handler(kNotifyType));

  // The handler saw the instance after the task: its business key and the new variable.
  const auto calls = h.handler->calls();
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_EQ(calls[0].instance_id, id);
  EXPECT_EQ(calls[0].business_key, key_of(dane(1)));
  EXPECT_TRUE(calls[0].tags.empty());
  EXPECT_EQ(calls[0].element_id, "Svc_Notify");
  EXPECT_EQ(calls[0].variables.at("revisado"), "si");
  EXPECT_EQ(calls[0].variables.at("nombre"), "IE Uno");
  EXPECT_EQ(calls[0].activation_counts.at("Task_Review"), 1);
  EXPECT_EQ(calls[0].activation_counts.at("Svc_Notify"), 1);

  const auto log = start_then(h, id, done->events.size());
  auto state = h.engine.state(id);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->status, InstanceStatus::kCompleted);
  EXPECT_EQ(state->variables.at("notificado"), true);
  EXPECT_TRUE(*state == runtime::fold(log));
  EXPECT_EQ(h.store.instance(id)->status, "completed");
}

// Runs the instance's jobs each time their backoff ends, until none is left to run; the events.
std::vector<runtime::Event> retry_until_settled(Harness& h, std::int64_t id) {
  std::vector<runtime::Event> out;
  for (int round = 0; round < 10; ++round) {
    auto state = h.engine.state(id);
    std::int64_t retry_at = 0;
    for (const auto& [job_id, j] : state->jobs) {
      if (j.state == runtime::JobState::kActivatable) retry_at = j.retry_at_ms;
    }
    if (retry_at == 0) break;
    h.clock.set(retry_at);
    auto ran = h.engine.run_jobs(id);
    EXPECT_TRUE(ran.ok());
    out.insert(out.end(), ran->events.begin(), ran->events.end());
  }
  return out;
}

TEST(EngineCompleteTask, HandlerThatFailsUsesEveryRetryThenRaisesAnIncident) {
  Harness h(failing("SIGCE no responde"));
  h.deploy();
  const std::int64_t id = h.start(dane(1));
  auto done = h.engine.complete_task(h.open_task(id), kLider, {});
  ASSERT_TRUE(done.ok()) << "a failing handler is an incident, not an error: "
                         << done.error().message;
  std::vector<runtime::Event> events = done->events;
  const std::vector<runtime::Event> retried = retry_until_settled(h, id);
  events.insert(events.end(), retried.begin(), retried.end());
  EXPECT_EQ(describe(events),
            (Trace{"UserTaskCompleted:Task_Review", "ElementCompleted:Task_Review", "FlowTaken:f2",
                   "ElementActivated:Svc_Notify", "JobCreated:Svc_Notify", "JobFailed:Svc_Notify",
                   "JobFailed:Svc_Notify", "JobFailed:Svc_Notify", "IncidentRaised:Svc_Notify"}));
  std::vector<int> retries_left;
  std::vector<std::int64_t> backoffs;
  for (const auto& e : events) {
    if (e.type() != EventType::kJobFailed) continue;
    retries_left.push_back(payload_json(e).at("retries_left").get<int>());
    EXPECT_EQ(payload_json(e).at("message"), "SIGCE no responde");
    const Json& at = payload_json(e).value("retry_at", Json(0));
    if (at != 0) backoffs.push_back(at.get<std::int64_t>() - e.time_ms);
  }
  EXPECT_EQ(retries_left, (std::vector<int>{2, 1, 0}));
  EXPECT_EQ(backoffs, (std::vector<std::int64_t>{1000, 2000}));  // none after the last
  EXPECT_EQ(h.handler->calls().size(), 3U);

  auto jobs = h.store.jobs(id);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1U);
  EXPECT_EQ(jobs->front().state, "failed");
  EXPECT_EQ(jobs->front().retries_left, 0);
  EXPECT_EQ(jobs->front().element_id, "Svc_Notify");

  auto incidents = h.store.incidents(IncidentQuery::of_instance(id));
  ASSERT_TRUE(incidents.ok());
  ASSERT_EQ(incidents->size(), 1U);
  EXPECT_EQ(incidents->front().kind, "job");
  EXPECT_EQ(incidents->front().message, "SIGCE no responde");
  EXPECT_EQ(h.store.instance(id)->status, "active");
  EXPECT_EQ(h.store.instance(id)->open_incidents, 1);

  // Running the jobs again does nothing: no activatable job is left.
  auto more = h.engine.run_jobs(id);
  ASSERT_TRUE(more.ok());
  EXPECT_TRUE(more->events.empty());
  EXPECT_EQ(h.handler->calls().size(), 3U);
}

TEST(EngineCompleteTask, HandlerThatThrowsIsAFailureWithItsMessage) {
  Harness h(throwing("boom"));
  h.deploy();
  const std::int64_t id = h.start(dane(1));
  auto done = h.engine.complete_task(h.open_task(id), kLider, {});
  ASSERT_TRUE(done.ok()) << done.error().message;
  std::vector<runtime::Event> events = done->events;
  const std::vector<runtime::Event> retried = retry_until_settled(h, id);
  events.insert(events.end(), retried.begin(), retried.end());
  int failed = 0;
  for (const auto& e : events) {
    if (e.type() == EventType::kJobFailed) {
      ++failed;
      const std::string message = payload_json(e).at("message").get<std::string>();
      EXPECT_NE(message.find("boom"), std::string::npos) << message;
      EXPECT_NE(message.find("threw"), std::string::npos) << message;
    }
  }
  EXPECT_EQ(failed, 3);
  ASSERT_EQ(h.store.incidents(IncidentQuery::of_instance(id))->size(), 1U);
  EXPECT_NE(h.store.incidents(IncidentQuery::of_instance(id))->front().message.find("boom"),
            std::string::npos);
  EXPECT_EQ(h.store.jobs(id)->front().state, "failed");
}

TEST(EngineCompleteTask, HandlerThatThrowsABpmnErrorIsCaughtOnceNotRetried) {
  Harness h(std::make_shared<ScriptedHandler>([](const HandlerContext&) {
    return HandlerResult::bpmn_error("SIN_DATOS", "el EE no tiene datos en SIGCE");
  }));
  // The notification has an error boundary event for SIN_DATOS.
  std::string xml = kProcessXml;
  const std::string end = "<bpmn:endEvent id=\"End\" />";
  xml.replace(xml.find(end), end.size(), end + R"(
    <bpmn:boundaryEvent id="Sin_Datos" attachedToRef="Svc_Notify">
      <bpmn:errorEventDefinition errorRef="Err" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="Sin_Datos" targetRef="End_Sin_Datos" />
    <bpmn:endEvent id="End_Sin_Datos" />)");
  const std::string close = "</bpmn:definitions>";
  xml.replace(xml.find(close), close.size(),
              "<bpmn:error id=\"Err\" errorCode=\"SIN_DATOS\" />\n" + close);
  h.deploy(xml);
  const std::int64_t id = h.start(dane(1));
  auto done = h.engine.complete_task(h.open_task(id), kLider, {});
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(describe(done->events),
            (Trace{"UserTaskCompleted:Task_Review", "ElementCompleted:Task_Review", "FlowTaken:f2",
                   "ElementActivated:Svc_Notify", "JobCreated:Svc_Notify", "ErrorThrown:Svc_Notify",
                   "ElementTerminated:Svc_Notify", "ElementActivated:Sin_Datos",
                   "ElementCompleted:Sin_Datos", "FlowTaken:f4", "ElementActivated:End_Sin_Datos",
                   "ElementCompleted:End_Sin_Datos", "InstanceCompleted"}));
  const Json thrown = payload_json(done->events.at(5));
  EXPECT_EQ(thrown.at("code"), "SIN_DATOS");
  EXPECT_EQ(thrown.at("caught_by"), "Sin_Datos");
  EXPECT_EQ(thrown.at("message"), "el EE no tiene datos en SIGCE");
  EXPECT_EQ(h.handler->calls().size(), 1U);
  EXPECT_TRUE(h.store.jobs(id)->empty());
  EXPECT_EQ(h.store.instance(id)->status, "completed");
}

TEST(EngineCompleteTask, WrongRoleIsForbiddenAndAppendsNothing) {
  Harness h;
  h.deploy();
  const std::int64_t id = h.start(dane(1));
  const std::string task = h.open_task(id);
  const auto before = h.events(id);
  const EngineStats stats_before = h.engine.stats();

  auto done = h.engine.complete_task(task, Actor::user("eva", "establecimiento"), {{"x", 1}});
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, ErrorCode::kForbidden);
  EXPECT_NE(done.error().message.find(kRole), std::string::npos) << done.error().message;
  EXPECT_NE(done.error().message.find("establecimiento"), std::string::npos);

  EXPECT_EQ(h.events(id).size(), before.size());
  EXPECT_EQ(h.engine.stats().commands, stats_before.commands);
  EXPECT_TRUE(h.handler->calls().empty());
  EXPECT_EQ(h.open_task(id), task) << "the task is still open";
}

TEST(EngineCompleteTask, UnknownOrMalformedTaskIdIsNotFound) {
  Harness h;
  h.deploy();
  const std::int64_t id = h.start(dane(1));
  for (const std::string& task :
       {std::string("tarea"), std::string("1-x"), std::string("0-1"),
        runtime::task_id_for(id + 40, 2), runtime::task_id_for(id, 999)}) {
    auto done = h.engine.complete_task(task, kLider, {});
    ASSERT_FALSE(done.ok()) << task;
    EXPECT_EQ(done.error().code, ErrorCode::kNotFound) << task << ": " << done.error().message;
  }
}

TEST(EngineCompleteTask, CompletingTwiceOnOneEngineIsRejected) {
  Harness h;
  h.deploy();
  const std::int64_t id = h.start(dane(1));
  const std::string task = h.open_task(id);
  ASSERT_TRUE(h.engine.complete_task(task, kLider, {}).ok());
  auto again = h.engine.complete_task(task, kLider, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kInvalidState) << again.error().message;
}

// The engine changes a cached state in place when nothing shares it, and copies it when a
// snapshot is held: a snapshot never changes under its holder.
TEST(EngineCompleteTask, ASnapshotHeldAcrossACommandStaysAsItWas) {
  Harness h;
  h.deploy(kProcessXmlV2);
  const std::int64_t id = h.start(dane(1));
  const std::string review = h.open_task(id);
  auto held = h.engine.snapshot(id);
  ASSERT_TRUE(held.ok());
  const runtime::InstanceState before = **held;

  ASSERT_TRUE(h.engine.complete_task(review, kLider, {{"revisado", "si"}}).ok());
  EXPECT_TRUE(**held == before);
  EXPECT_EQ((*held)->tasks.count(review), 1U);
  EXPECT_EQ((*held)->variables.count("revisado"), 0U);

  auto now = h.engine.snapshot(id);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ((*now)->tasks.count(review), 0U);
  EXPECT_EQ((*now)->variables.at("revisado"), "si");
  EXPECT_TRUE(**now == runtime::fold(h.events(id)));
}

// A refused command may have consumed the cached state it was given (nothing shared it): the
// next command starts from the instance's stored events, not from what was left.
TEST(EngineCompleteTask, AfterARefusedCommandTheInstanceGoesOnFromItsStoredState) {
  Harness h;
  h.deploy(kProcessXmlV2);
  const std::int64_t id = h.start(dane(1));
  const std::string review = h.open_task(id);

  auto refused = h.engine.complete_task(review, Actor::user("eva", "establecimiento"), {{"x", 1}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);

  auto done = h.engine.complete_task(review, kLider, {{"revisado", "si"}});
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(describe(done->events),
            (Trace{"VariablesSet:Task_Review", "UserTaskCompleted:Task_Review",
                   "ElementCompleted:Task_Review", "FlowTaken:f2", "ElementActivated:Task_Extra",
                   "UserTaskCreated:Task_Extra"}));
  const auto log = start_then(h, id, done->events.size());
  auto state = h.engine.state(id);
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(*state == runtime::fold(log));
  EXPECT_EQ(state->variables.count("x"), 0U);
  EXPECT_EQ(state->tasks.size(), 1U);
}

// ---------------------------------------------------------------------------------------------
// Other commands through the facade

TEST(EngineCommands, CancelTerminatesTheInstance) {
  Harness h;
  h.deploy();
  const std::int64_t id = h.start(dane(1));
  auto canceled = h.engine.cancel(id, kLider);
  ASSERT_TRUE(canceled.ok()) << canceled.error().message;
  EXPECT_EQ(describe(canceled->events),
            (Trace{"UserTaskCanceled:Task_Review", "ElementTerminated:Task_Review",
                   "InstanceTerminated"}));
  EXPECT_EQ(h.store.instance(id)->status, "terminated");
  EXPECT_TRUE(h.store.tasks({})->empty());
  auto again = h.engine.cancel(id, kLider);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kInvalidState);
}

TEST(EngineCommands, SetVariablesWritesOnlyChanges) {
  Harness h;
  h.deploy();
  const std::int64_t id = h.start(dane(1), {{"a", 1}});
  auto set = h.engine.set_variables(id, kLider, {{"a", 1}, {"b", 2}});
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->events.size(), 1U);
  EXPECT_EQ(payload_json(set->events[0]).at("changes"),
            Json::parse(R"([{"name": "b", "new": 2}])"));
  auto none = h.engine.set_variables(id, kLider, {{"a", 1}});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->events.empty());
  auto missing = h.engine.set_variables(id + 100, kLider, {{"a", 1}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

// New retries for an in-process handler's job: it runs again in the same call.
TEST(EngineCommands, AJobIncidentIsResolvedWithRetriesAndItsHandlerRunsAgainAtOnce) {
  Harness h(failing("x"));
  h.deploy();
  const std::int64_t id = h.start(dane(1));
  ASSERT_TRUE(h.engine.complete_task(h.open_task(id), kLider, {}).ok());
  retry_until_settled(h, id);
  const std::string incident = h.store.incidents(IncidentQuery::of_instance(id))->front().id;
  auto resolved = h.engine.resolve_incident(incident, kLider, 2);
  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  EXPECT_EQ(describe(resolved->events),
            (Trace{"JobRetriesUpdated:Svc_Notify", "IncidentResolved", "JobFailed:Svc_Notify"}));
  EXPECT_EQ(h.handler->calls().size(), 4U);
  EXPECT_EQ(h.store.jobs(id)->front().retries_left, 1);
  auto malformed = h.engine.resolve_incident("incidente", kLider);
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().code, ErrorCode::kNotFound);
}

// ---------------------------------------------------------------------------------------------
// Time comes from the clock

TEST(EngineTime, EventTimesAndHandlerTimeComeFromTheClock) {
  Harness h;
  h.deploy();
  const std::int64_t id = h.start(dane(1));
  for (const auto& e : h.events(id)) EXPECT_EQ(e.time_ms, kT0) << describe(e);
  EXPECT_EQ(h.store.task(h.open_task(id))->created_ms, kT0);
  EXPECT_EQ(h.store.instance(id)->created_ms, kT0);

  h.clock.advance(90'000);
  auto done = h.engine.complete_task(h.open_task(id), kLider, {});
  ASSERT_TRUE(done.ok());
  for (const auto& e : done->events) EXPECT_EQ(e.time_ms, kT0 + 90'000) << describe(e);
  ASSERT_EQ(h.handler->calls().size(), 1U);
  EXPECT_EQ(h.handler->calls()[0].now_ms, kT0 + 90'000);
  EXPECT_EQ(h.store.instance(id)->ended_ms, kT0 + 90'000);

  h.clock.set(kT0 - 1);  // a clock may even go back; the engine writes what it reads
  const std::int64_t other = h.start(dane(2));
  for (const auto& e : h.events(other)) EXPECT_EQ(e.time_ms, kT0 - 1);
}

TEST(EngineStats, CountsCommandsEventsAndActivations) {
  Harness h;
  h.deploy();
  const std::int64_t id = h.start(dane(1));
  ASSERT_TRUE(h.engine.complete_task(h.open_task(id), kLider, {}).ok());
  const EngineStats stats = h.engine.stats();
  // start, and complete_task with the job's CompleteJob in the same request.
  EXPECT_EQ(stats.commands, 2U);
  EXPECT_EQ(stats.events, h.events(id).size());
  std::uint64_t activations = 0;
  for (const auto& e : h.events(id)) {
    if (e.type() == EventType::kElementActivated) ++activations;
  }
  EXPECT_EQ(stats.activations, activations);
}

}  // namespace
}  // namespace pmiflow::testing
