// Call activities (runtime/bpmn/container/call_activity_processor.h) on both stores: the child
// is an instance of its own, created in the parent's request and naming its parent; inputs and
// outputs; a child's uncaught BPMN error reaches the parent's boundary event; canceling the
// parent cancels the child; what cannot start a child is an incident; a process that calls
// itself stops at the runaway guard. The events each instance writes.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/engine/clock.h"
#include "engine/engine/engine.h"
#include "engine/engine/handler.h"
#include "engine/runtime/event_describer.h"
#include "persistence/memory/memory_store.h"
#include "sqlite_test_util.h"

namespace pmiflow {
namespace {

using persistence::testing::TempDir;
using Trace = std::vector<std::string>;

constexpr std::int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z

std::string bpmn(const std::string& process, const std::string& body) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="D_)" +
         process + R"(" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:error id="Err_Rechazo" errorCode="rechazo" />
  <bpmn:process id=")" +
         process + R"(" isExecutable="true">
)" + body +
         R"(
  </bpmn:process>
</bpmn:definitions>
)";
}

// The parent: Start -> Llamar (calls "hijo": doble = monto * 2 in; resultado = respuesta out;
// an error boundary catches "rechazo") -> Fin; the boundary -> FinRechazo.
const std::string kParent = bpmn("padre", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Llamar" />
    <bpmn:callActivity id="Llamar" name="Llamar al hijo">
      <bpmn:extensionElements>
        <zeebe:calledElement processId="hijo" />
        <zeebe:ioMapping>
          <zeebe:input source="=monto * 2" target="doble" />
          <zeebe:output source="=respuesta" target="resultado" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:boundaryEvent id="Rechazo" attachedToRef="Llamar">
      <bpmn:errorEventDefinition errorRef="Err_Rechazo" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="Llamar" targetRef="Fin" />
    <bpmn:sequenceFlow id="f3" sourceRef="Rechazo" targetRef="FinRechazo" />
    <bpmn:endEvent id="Fin" />
    <bpmn:endEvent id="FinRechazo" />)");

// The child: Start -> Revisar (role r) -> Decidir: rechazar = true -> Error "rechazo"; else Fin.
const std::string kChild = bpmn("hijo", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Revisar" />
    <bpmn:userTask id="Revisar">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="r" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Revisar" targetRef="Decidir" />
    <bpmn:exclusiveGateway id="Decidir" default="f4" />
    <bpmn:sequenceFlow id="f3" sourceRef="Decidir" targetRef="Error">
      <bpmn:conditionExpression>=rechazar = true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="Decidir" targetRef="Fin" />
    <bpmn:endEvent id="Error">
      <bpmn:errorEventDefinition errorRef="Err_Rechazo" />
    </bpmn:endEvent>
    <bpmn:endEvent id="Fin" />)");

// Start -> Llamar (calls `called`, no mappings) -> Fin.
std::string caller(const std::string& process, const std::string& called) {
  return bpmn(process, R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Llamar" />
    <bpmn:callActivity id="Llamar">
      <bpmn:extensionElements>
        <zeebe:calledElement processId=")" +
                           called + R"(" />
      </bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:sequenceFlow id="f2" sourceRef="Llamar" targetRef="Fin" />
    <bpmn:endEvent id="Fin" />)");
}

class EngineCallActivity : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { open({}); }

  void open(EngineOptions options) {
    engine_.reset();
    store_ = persistence::testing::open_store(GetParam(), dir_);
    ASSERT_NE(store_, nullptr);
    engine_ = std::make_unique<Engine>(*store_, *store_, *store_, handlers_, clock_, options);
  }

  void deploy(const std::string& xml) {
    auto deployed = engine_->deploy(xml, "test.bpmn");
    ASSERT_TRUE(deployed.ok()) << deployed.error().message;
  }

  std::int64_t start(const std::string& process, Variables variables) {
    auto started = engine_->start(StartRequest{{process, "caso-1"},
                                               {{"periodo", "2026"}},
                                               std::move(variables),
                                               runtime::Actor::user("ana", "r")});
    EXPECT_TRUE(started.ok()) << started.error().message;
    return started.ok() ? started->instance_id : 0;
  }

  std::vector<runtime::Event> events(std::int64_t id) { return store_->events(id).value(); }

  Trace trace(std::int64_t id) {
    Trace out;
    for (const auto& e : events(id)) out.push_back(runtime::event_type_name(e.type()));
    return out;
  }

  // The instance's children (the read model's).
  std::vector<InstanceRow> children(std::int64_t id) {
    InstanceQuery q;
    q.parent_id = id;
    return store_->instances(q).value();
  }

  std::string only_task(std::int64_t id) {
    TaskQuery q;
    q.instance_id = id;
    auto tasks = store_->tasks(q).value();
    EXPECT_EQ(tasks.size(), 1u);
    return tasks.empty() ? "" : tasks[0].id;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  HandlerRegistry handlers_;
  ManualClock clock_{kT0};
  std::unique_ptr<Engine> engine_;
};

TEST_P(EngineCallActivity, TheChildIsAnInstanceOfItsOwnWithTheInputsAndGivesBackTheOutputs) {
  deploy(kChild);
  deploy(kParent);
  const std::int64_t parent = start("padre", Variables{{"monto", 5}, {"otro", "x"}});
  EXPECT_EQ(trace(parent), (Trace{"InstanceCreated", "ElementActivated", "ElementCompleted",
                                  "FlowTaken", "ElementActivated", "ChildInstanceCreated"}));
  auto kids = children(parent);
  ASSERT_EQ(kids.size(), 1u);
  const std::int64_t child = kids[0].id;
  const auto created = std::get<runtime::ChildInstanceCreated>(events(parent).back().body);
  EXPECT_EQ(created.child, child);
  EXPECT_EQ(created.process, "hijo");
  EXPECT_EQ(created.element, "Llamar");
  EXPECT_EQ(created.business_id, std::to_string(parent) + "-" + std::to_string(created.key));
  EXPECT_EQ(kids[0].business_key, (runtime::BusinessKey{"hijo", created.business_id}));
  EXPECT_EQ(kids[0].parent, (runtime::ParentRef{parent, created.key, "Llamar"}));
  EXPECT_EQ(kids[0].tags, (runtime::Tags{{"periodo", "2026"}}));  // inherited

  // The child's own log: its creation names the parent; it has every parent variable and the
  // input.
  EXPECT_EQ(trace(child), (Trace{"InstanceCreated", "ElementActivated", "ElementCompleted",
                                 "FlowTaken", "ElementActivated", "UserTaskCreated"}));
  const auto child_created = std::get<runtime::InstanceCreated>(events(child).front().body);
  EXPECT_EQ(child_created.parent_instance, parent);
  EXPECT_EQ(child_created.parent_element, "Llamar");
  EXPECT_EQ(child_created.parent_key, created.key);
  EXPECT_EQ(child_created.variables, (Variables{{"doble", 10}, {"monto", 5}, {"otro", "x"}}));

  // Completing the child's task completes the child, which completes the call activity, in one
  // request: the parent gets the output only.
  auto done = engine_->complete_task(only_task(child), runtime::Actor::user("ana", "r"),
                                     Variables{{"respuesta", "ok"}, {"extra", 1}});
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(store_->instance(child).value().status, "completed");
  EXPECT_EQ(store_->instance(parent).value().status, "completed");
  const Trace parent_trace = trace(parent);
  EXPECT_EQ(Trace(parent_trace.begin() + 6, parent_trace.end()),
            (Trace{"VariablesSet", "ElementCompleted", "FlowTaken", "ElementActivated",
                   "ElementCompleted", "InstanceCompleted"}));
  EXPECT_EQ(store_->variables(parent).value(),
            (Variables{{"monto", 5}, {"otro", "x"}, {"resultado", "ok"}}));
  EXPECT_EQ(trace(child).back(), "InstanceCompleted");
}

TEST_P(EngineCallActivity, AnErrorTheChildDoesNotCatchReachesTheParentsBoundaryAndEndsTheChild) {
  deploy(kChild);
  deploy(kParent);
  const std::int64_t parent = start("padre", Variables{{"monto", 1}});
  const std::int64_t child = children(parent).at(0).id;
  auto done = engine_->complete_task(only_task(child), runtime::Actor::user("ana", "r"),
                                     Variables{{"rechazar", true}});
  ASSERT_TRUE(done.ok()) << done.error().message;
  const Trace child_trace = trace(child);
  EXPECT_EQ(Trace(child_trace.end() - 4, child_trace.end()),
            (Trace{"ElementActivated", "ErrorThrown", "ElementTerminated", "InstanceTerminated"}));
  const Trace parent_trace = trace(parent);
  EXPECT_EQ(Trace(parent_trace.begin() + 6, parent_trace.end()),
            (Trace{"ErrorThrown", "ElementTerminated", "ElementActivated", "ElementCompleted",
                   "FlowTaken", "ElementActivated", "ElementCompleted", "InstanceCompleted"}));
  const auto thrown = std::get<runtime::ErrorThrown>(events(parent)[6].body);
  EXPECT_EQ(thrown.code, "rechazo");
  EXPECT_EQ(thrown.element, "Llamar");  // thrown on from the call activity
  EXPECT_EQ(thrown.caught_by, "Rechazo");
  const auto in_child = std::get<runtime::ErrorThrown>(events(child)[child_trace.size() - 3].body);
  EXPECT_EQ(in_child.element, "Error");
  EXPECT_EQ(in_child.caught_by, "");  // not in the child: it went to the parent
  EXPECT_EQ(store_->instance(child).value().status, "terminated");
  EXPECT_EQ(store_->instance(parent).value().status, "completed");
}

TEST_P(EngineCallActivity, CancelingTheParentCancelsTheChildWhichCannotBeCanceledAlone) {
  deploy(kChild);
  deploy(kParent);
  const std::int64_t parent = start("padre", Variables{{"monto", 1}});
  const std::int64_t child = children(parent).at(0).id;
  const Trace before = trace(child);
  auto refused = engine_->cancel(child, runtime::Actor::user("ana", "admin"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidState);
  EXPECT_NE(refused.error().message.find("called by instance " + std::to_string(parent)),
            std::string::npos)
      << refused.error().message;
  EXPECT_EQ(trace(child), before);  // nothing written

  ASSERT_TRUE(engine_->cancel(parent, runtime::Actor::user("ana", "admin")).ok());
  const Trace child_trace = trace(child);
  EXPECT_EQ(
      Trace(child_trace.end() - 4, child_trace.end()),
      (Trace{"UserTaskCreated", "UserTaskCanceled", "ElementTerminated", "InstanceTerminated"}));
  const Trace parent_trace = trace(parent);
  EXPECT_EQ(Trace(parent_trace.end() - 2, parent_trace.end()),
            (Trace{"ElementTerminated", "InstanceTerminated"}));
  EXPECT_EQ(store_->instance(child).value().status, "terminated");
  TaskQuery open;
  EXPECT_TRUE(store_->tasks(open).value().empty());
}

TEST_P(EngineCallActivity, AProcessNotDeployedIsAnIncidentThatStartsTheChildOnceResolved) {
  deploy(kParent);  // "hijo" is not deployed
  const std::int64_t parent = start("padre", Variables{{"monto", 1}});
  EXPECT_EQ(trace(parent).back(), "IncidentRaised");
  auto incidents = store_->incidents(IncidentQuery::of_instance(parent)).value();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].kind, "call");
  EXPECT_EQ(incidents[0].element_id, "Llamar");
  EXPECT_NE(incidents[0].message.find("cannot start hijo"), std::string::npos)
      << incidents[0].message;
  EXPECT_TRUE(children(parent).empty());

  deploy(kChild);
  auto resolved = engine_->resolve_incident(incidents[0].id, runtime::Actor::user("ana", "admin"));
  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  EXPECT_EQ(trace(parent).back(), "ChildInstanceCreated");
  ASSERT_EQ(children(parent).size(), 1u);
  EXPECT_EQ(trace(children(parent)[0].id).back(), "UserTaskCreated");
}

TEST_P(EngineCallActivity, WithoutPropagationTheChildGetsTheInputsOnlyAndGivesBackNothing) {
  deploy(bpmn("vacio", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Fijar" />
    <bpmn:scriptTask id="Fijar">
      <bpmn:extensionElements>
        <zeebe:script expression="=&quot;hecho&quot;" resultVariable="estado" />
      </bpmn:extensionElements>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Fijar" targetRef="Fin" />
    <bpmn:endEvent id="Fin" />)"));
  deploy(bpmn("padre2", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Llamar" />
    <bpmn:callActivity id="Llamar">
      <bpmn:extensionElements>
        <zeebe:calledElement processId="vacio" propagateAllParentVariables="false"
                             propagateAllChildVariables="false" />
        <zeebe:ioMapping>
          <zeebe:input source="=monto" target="cuanto" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:sequenceFlow id="f2" sourceRef="Llamar" targetRef="Fin" />
    <bpmn:endEvent id="Fin" />)"));
  // The child runs to its end within the parent's start: both complete in one request.
  const std::int64_t parent = start("padre2", Variables{{"monto", 3}, {"secreto", "s"}});
  EXPECT_EQ(store_->instance(parent).value().status, "completed");
  const std::int64_t child = children(parent).at(0).id;
  EXPECT_EQ(store_->instance(child).value().status, "completed");
  EXPECT_EQ(std::get<runtime::InstanceCreated>(events(child).front().body).variables,
            (Variables{{"cuanto", 3}}));
  EXPECT_EQ(store_->variables(parent).value(), (Variables{{"monto", 3}, {"secreto", "s"}}));
  for (const auto& t : trace(parent)) EXPECT_NE(t, "VariablesSet");
}

TEST_P(EngineCallActivity, ABusinessIdTakenAlreadyIsAnIncidentNotASecondInstance) {
  deploy(kChild);
  deploy(bpmn("padre3", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Llamar" />
    <bpmn:callActivity id="Llamar">
      <bpmn:extensionElements>
        <zeebe:calledElement processId="hijo" />
        <zeebe:properties>
          <zeebe:property name="pmiflow.businessId" value="=&quot;fijo-&quot; + periodo" />
        </zeebe:properties>
      </bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:sequenceFlow id="f2" sourceRef="Llamar" targetRef="Fin" />
    <bpmn:endEvent id="Fin" />)"));
  auto taken =
      engine_->start(StartRequest{{"hijo", "fijo-2026"}, {}, {}, runtime::Actor::user("ana", "r")});
  ASSERT_TRUE(taken.ok()) << taken.error().message;
  const std::int64_t parent = start("padre3", Variables{{"periodo", "2026"}});
  EXPECT_TRUE(children(parent).empty());
  auto incidents = store_->incidents(IncidentQuery::of_instance(parent)).value();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].kind, "call");
  EXPECT_NE(incidents[0].message.find("business id fijo-2026 already (instance " +
                                      std::to_string(taken->instance_id) + ")"),
            std::string::npos)
      << incidents[0].message;
}

TEST_P(EngineCallActivity, AProcessThatCallsItselfStopsAtTheRunawayGuard) {
  EngineOptions options;
  options.max_activations_per_request = 30;
  open(options);
  deploy(caller("recursivo", "recursivo"));
  const std::int64_t root = start("recursivo", {});
  // Each level activates its start event and its call activity: the chain stops at the
  // request's budget with a runaway incident in the last child, and everything is one commit.
  InstanceQuery all;
  all.process = "recursivo";
  auto instances = store_->instances(all).value();
  EXPECT_GT(instances.size(), 5u);
  EXPECT_LT(instances.size(), 30u);
  auto runaway = store_->incidents(IncidentQuery{std::nullopt, "runaway", {}}).value();
  ASSERT_EQ(runaway.size(), 1u);
  EXPECT_EQ(runaway[0].instance_id, instances.back().id);
  EXPECT_EQ(instances.front().id, root);
  for (std::size_t i = 1; i < instances.size(); ++i) {
    EXPECT_EQ(instances[i].parent.instance_id, instances[i - 1].id);
  }
}

// Start -> Acompanar (a parallel multi-instance call activity of "hijo" per colegio, business
// id the colegio; each child's `respuesta` collected in `respuestas`) -> Fin.
const std::string kMultiParent = bpmn("jurisdiccion", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Acompanar" />
    <bpmn:callActivity id="Acompanar">
      <bpmn:extensionElements>
        <zeebe:calledElement processId="hijo" propagateAllParentVariables="false" />
        <zeebe:ioMapping>
          <zeebe:input source="=colegio" target="colegio" />
        </zeebe:ioMapping>
        <zeebe:properties>
          <zeebe:property name="pmiflow.businessId" value="=colegio" />
        </zeebe:properties>
      </bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:extensionElements>
          <zeebe:loopCharacteristics inputCollection="=colegios" inputElement="colegio"
                                     outputCollection="respuestas" outputElement="=respuesta" />
        </bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:callActivity>
    <bpmn:sequenceFlow id="f2" sourceRef="Acompanar" targetRef="Fin" />
    <bpmn:endEvent id="Fin" />)");

TEST_P(EngineCallActivity, AParallelMultiInstanceStartsAChildPerElementInBatchesOfRequests) {
  deploy(kChild);
  deploy(kMultiParent);
  constexpr int kColegios = 130;  // a batch of 100, then one of 30
  Json colegios = Json::array();
  for (int i = 0; i < kColegios; ++i) colegios.push_back("c" + std::to_string(i));
  const std::int64_t parent = start("jurisdiccion", Variables{{"colegios", colegios}});
  auto kids = children(parent);
  ASSERT_EQ(kids.size(), static_cast<std::size_t>(kColegios));
  // Two requests on the parent: the first batch ends its events, the continuation starts the
  // rest (ElementActivated, VariablesSet and ChildInstanceCreated per inner instance).
  const Trace parent_trace = trace(parent);
  EXPECT_EQ(Trace(parent_trace.begin(), parent_trace.begin() + 9),
            (Trace{"InstanceCreated", "ElementActivated", "ElementCompleted", "FlowTaken",
                   "ElementActivated", "MultiInstanceStarted", "ElementActivated", "VariablesSet",
                   "ChildInstanceCreated"}));
  EXPECT_EQ(parent_trace.size(), 6u + 3u * kColegios);
  std::map<std::string, std::int64_t> by_colegio;  // business id -> child
  for (const InstanceRow& kid : kids) {
    by_colegio[kid.business_key.id] = kid.id;
    const auto created = std::get<runtime::InstanceCreated>(events(kid.id).front().body);
    EXPECT_EQ(created.variables, (Variables{{"colegio", kid.business_key.id}}));
  }
  ASSERT_EQ(by_colegio.size(), static_cast<std::size_t>(kColegios));

  // Each child answers; the last one completes the parent with the answers in input order.
  for (int i = kColegios - 1; i >= 0; --i) {
    const std::string colegio = "c" + std::to_string(i);
    auto done =
        engine_->complete_task(only_task(by_colegio.at(colegio)), runtime::Actor::user("ana", "r"),
                               Variables{{"respuesta", "r-" + colegio}});
    ASSERT_TRUE(done.ok()) << done.error().message;
  }
  EXPECT_EQ(store_->instance(parent).value().status, "completed");
  Json expected = Json::array();
  for (int i = 0; i < kColegios; ++i) expected.push_back("r-c" + std::to_string(i));
  EXPECT_EQ(store_->variables(parent).value().at("respuestas"), expected);
  // The input element and the outputs were the inner instances' own: the parent's variables
  // are the collections only.
  EXPECT_EQ(store_->variables(parent).value().count("colegio"), 0u);
  EXPECT_EQ(store_->variables(parent).value().count("respuesta"), 0u);
}

INSTANTIATE_TEST_SUITE_P(Stores, EngineCallActivity, ::testing::Values("memory", "sqlite"));

}  // namespace
}  // namespace pmiflow
