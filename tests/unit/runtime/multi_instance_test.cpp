// Interpreter: multi-instance activities (multi_instance_body_processor.h). The body reads the
// input collection, runs one inner instance per element with its local variables, collects the
// output elements in input order, honours the completion condition, starts parallel inner
// instances in batches, and raises an incident for a collection that is not a list.

#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "engine/runtime/bpmn/container/multi_instance_body_processor.h"
#include "runtime_test_util.h"

namespace pmiflow::runtime {
namespace {

using testing::bpmn;
using testing::Driver;
using testing::load;
using Trace = std::vector<std::string>;

const Actor kUser = Actor::user("ana", "g");

// Start -> Revisar (a user task per element of `colegios`) -> End. `extra` goes inside the
// multiInstanceLoopCharacteristics (a completion condition).
std::string process(bool sequential, const std::string& extra = "") {
  return bpmn("mi", std::string(R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Revisar" />
    <bpmn:userTask id="Revisar">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="g" />
      </bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics isSequential=")") +
                        (sequential ? "true" : "false") + R"(">
        <bpmn:extensionElements>
          <zeebe:loopCharacteristics inputCollection="=colegios" inputElement="colegio"
                                     outputCollection="resultados" outputElement="=resultado" />
        </bpmn:extensionElements>)" +
                        extra + R"(
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Revisar" targetRef="End" />
    <bpmn:endEvent id="End" />)");
}

// The open user tasks of Revisar, in key order, with their colegio.
std::vector<std::pair<std::string, Json>> open_tasks(const Driver& d) {
  std::vector<std::pair<std::string, Json>> out;
  for (const auto& [key, element] : d.state().elements) {
    if (element.element_id != "Revisar" || element.loop) continue;
    out.emplace_back(task_id_for(d.state().id, key), element.variables.at("colegio"));
  }
  return out;
}

// The ids of the open user tasks of `element`, in key order.
std::vector<std::string> open_tasks_of(const Driver& d, const std::string& element) {
  std::vector<std::string> out;
  for (const auto& [id, task] : d.state().tasks) {
    if (task.element_id == element) out.push_back(id);
  }
  return out;
}

TEST(MultiInstance, ParallelRunsOncePerElementAndCollectsOutputsInInputOrder) {
  auto def = load(process(false));
  Driver d(def);
  auto started = d.start(Variables{{"colegios", Json::array({"A", "B", "C"})}});
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_EQ(testing::describe(*started),
            (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                   "FlowTaken:f1", "ElementActivated:Revisar", "MultiInstanceStarted:Revisar",
                   "ElementActivated:Revisar", "VariablesSet", "UserTaskCreated:Revisar",
                   "ElementActivated:Revisar", "VariablesSet", "UserTaskCreated:Revisar",
                   "ElementActivated:Revisar", "VariablesSet", "UserTaskCreated:Revisar"}));
  const auto activated = testing::of_type(*started, EventType::kElementActivated);
  EXPECT_EQ(payload_json(activated[1]).at("kind"), std::string(kMultiInstanceBodyKind));
  EXPECT_EQ(payload_json(activated[2]).at("kind"), "userTask");
  const std::int64_t body = payload_json(activated[1]).at("key");
  EXPECT_EQ(payload_json(activated[2]).at("scope"), body);
  // Each inner instance's local variables: its element and its loopCounter, and the output
  // variable null, in its own scope; the process's variables are unchanged.
  const auto locals = testing::of_type(*started, EventType::kVariablesSet);
  const Json second = payload_json(locals[1]);
  EXPECT_EQ(second.at("scope"), payload_json(activated[3]).at("key"));
  EXPECT_EQ(second.at("changes"),
            Json::parse(R"([{"name":"colegio","new":"B"},{"name":"loopCounter","new":2},)"
                        R"({"name":"resultado","new":null}])"));
  EXPECT_EQ(d.state().variables.count("colegio"), 0U);

  // Completed out of order: C, then A, then B; each sets `resultado` in its own scope.
  auto tasks = open_tasks(d);
  ASSERT_EQ(tasks.size(), 3U);
  EXPECT_EQ(tasks[2].second, "C");
  EXPECT_EQ(d.trace(CompleteUserTask{tasks[2].first, kUser, Variables{{"resultado", "c"}}}),
            (Trace{"VariablesSet:Revisar", "UserTaskCompleted:Revisar",
                   "MultiInstanceOutput:Revisar", "ElementCompleted:Revisar"}));
  EXPECT_EQ(d.state().variables.count("resultado"), 0U);  // local to the inner instance
  d.trace(CompleteUserTask{tasks[0].first, kUser, Variables{{"resultado", "a"}}});
  auto last = d.run(CompleteUserTask{tasks[1].first, kUser, Variables{{"resultado", "b"}}});
  ASSERT_TRUE(last.ok()) << last.error().message;
  EXPECT_EQ(
      testing::describe(*last),
      (Trace{"VariablesSet:Revisar", "UserTaskCompleted:Revisar", "MultiInstanceOutput:Revisar",
             "ElementCompleted:Revisar", "VariablesSet:Revisar", "ElementCompleted:Revisar",
             "FlowTaken:f2", "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
  EXPECT_EQ(d.state().variables.at("resultados"), Json::array({"a", "b", "c"}));
}

TEST(MultiInstance, SequentialRunsOneAfterTheOther) {
  auto def = load(process(true));
  Driver d(def);
  ASSERT_TRUE(d.start(Variables{{"colegios", Json::array({"A", "B"})}}).ok());
  auto tasks = open_tasks(d);
  ASSERT_EQ(tasks.size(), 1U);
  EXPECT_EQ(tasks[0].second, "A");
  EXPECT_EQ(d.trace(CompleteUserTask{tasks[0].first, kUser, Variables{{"resultado", 1}}}),
            (Trace{"VariablesSet:Revisar", "UserTaskCompleted:Revisar",
                   "MultiInstanceOutput:Revisar", "ElementCompleted:Revisar",
                   "ElementActivated:Revisar", "VariablesSet", "UserTaskCreated:Revisar"}));
  tasks = open_tasks(d);
  ASSERT_EQ(tasks.size(), 1U);
  EXPECT_EQ(tasks[0].second, "B");
  d.trace(CompleteUserTask{tasks[0].first, kUser, Variables{{"resultado", 2}}});
  EXPECT_EQ(d.state().status, InstanceStatus::kCompleted);
  EXPECT_EQ(d.state().variables.at("resultados"), Json::array({1, 2}));
}

TEST(MultiInstance, CompletionConditionEndsTheRemainingInnerInstances) {
  auto def = load(process(false,
                          "<bpmn:completionCondition>=numberOfCompletedInstances >= 2"
                          "</bpmn:completionCondition>"));
  Driver d(def);
  ASSERT_TRUE(d.start(Variables{{"colegios", Json::array({"A", "B", "C"})}}).ok());
  auto tasks = open_tasks(d);
  d.trace(CompleteUserTask{tasks[1].first, kUser, Variables{{"resultado", "b"}}});
  EXPECT_EQ(
      d.trace(CompleteUserTask{tasks[0].first, kUser, Variables{{"resultado", "a"}}}),
      (Trace{"VariablesSet:Revisar", "UserTaskCompleted:Revisar", "MultiInstanceOutput:Revisar",
             "ElementCompleted:Revisar", "UserTaskCanceled:Revisar", "ElementTerminated:Revisar",
             "VariablesSet:Revisar", "ElementCompleted:Revisar", "FlowTaken:f2",
             "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
  // The terminated one left no output: null at its place.
  EXPECT_EQ(d.state().variables.at("resultados"), Json::parse(R"(["a","b",null])"));
}

TEST(MultiInstance, AnEmptyCollectionCompletesAtOnce) {
  auto def = load(process(false));
  Driver d(def);
  auto started = d.start(Variables{{"colegios", Json::array()}});
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_EQ(testing::describe(*started),
            (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                   "FlowTaken:f1", "ElementActivated:Revisar", "MultiInstanceStarted:Revisar",
                   "VariablesSet:Revisar", "ElementCompleted:Revisar", "FlowTaken:f2",
                   "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
  EXPECT_EQ(d.state().variables.at("resultados"), Json::array());
}

TEST(MultiInstance, ACollectionThatIsNotAListIsAnIncidentResolvedByEvaluatingAgain) {
  auto def = load(process(false));
  Driver d(def);
  auto started = d.start(Variables{{"colegios", "A"}});
  ASSERT_TRUE(started.ok()) << started.error().message;
  const auto incidents = testing::of_type(*started, EventType::kIncidentRaised);
  ASSERT_EQ(incidents.size(), 1U);
  EXPECT_EQ(payload_json(incidents[0]).at("kind"), kMultiInstanceIncident);
  EXPECT_EQ(payload_json(incidents[0]).at("message"),
            "inputCollection `=colegios` gave \"A\", not a list");
  d.trace(SetVariables{kUser, Variables{{"colegios", Json::array({"A"})}}});
  EXPECT_EQ(d.trace(ResolveIncident{d.incident_of("Revisar"), kUser, std::nullopt}),
            (Trace{"IncidentResolved", "MultiInstanceStarted:Revisar", "ElementActivated:Revisar",
                   "VariablesSet", "UserTaskCreated:Revisar"}));
}

TEST(MultiInstance, ParallelInnerInstancesStartInBatchesEachARequestOfItsOwn) {
  auto def = load(process(false));
  Driver d(def);
  Json colegios = Json::array();
  for (int i = 0; i < 250; ++i) colegios.push_back(i);
  ASSERT_TRUE(d.start(Variables{{"colegios", colegios}}).ok());
  EXPECT_EQ(open_tasks(d).size(), 100U);
  ASSERT_EQ(d.effects.size(), 1U);
  const auto* more = std::get_if<ContinueLoop>(&d.effects[0]);
  ASSERT_NE(more, nullptr);
  const std::int64_t body = more->body_key;
  d.trace(ContinueMultiInstance{body});
  EXPECT_EQ(open_tasks(d).size(), 200U);
  ASSERT_EQ(d.effects.size(), 1U);
  d.trace(ContinueMultiInstance{body});
  EXPECT_EQ(open_tasks(d).size(), 250U);
  EXPECT_TRUE(d.effects.empty());  // every inner instance started
  // A continuation that arrives late starts nothing.
  EXPECT_EQ(d.trace(ContinueMultiInstance{body}), Trace{});
  EXPECT_EQ(open_tasks(d).back().second, 249);
}

TEST(MultiInstance, ASequentialSubprocessRunsItsScopeOncePerElement) {
  // Each inner instance is a subprocess whose script doubles its element into `doble`, the
  // output element: the inner scopes complete within the command, one after the other.
  auto def = load(bpmn("mi_sub", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Sub" />
    <bpmn:subProcess id="Sub">
      <bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:extensionElements>
          <zeebe:loopCharacteristics inputCollection="=numeros" inputElement="n"
                                     outputCollection="dobles" outputElement="=doble" />
        </bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
      <bpmn:startEvent id="SubStart" />
      <bpmn:sequenceFlow id="s1" sourceRef="SubStart" targetRef="Doblar" />
      <bpmn:scriptTask id="Doblar">
        <bpmn:extensionElements>
          <zeebe:script expression="=n * 2" resultVariable="doble" />
        </bpmn:extensionElements>
      </bpmn:scriptTask>
      <bpmn:sequenceFlow id="s2" sourceRef="Doblar" targetRef="SubEnd" />
      <bpmn:endEvent id="SubEnd" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="Sub" targetRef="End" />
    <bpmn:endEvent id="End" />)"));
  Driver d(def);
  auto started = d.start(Variables{{"numeros", Json::array({1, 2, 3})}});
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_EQ(d.state().status, InstanceStatus::kCompleted);
  EXPECT_EQ(d.state().variables.at("dobles"), Json::array({2, 4, 6}));
  EXPECT_EQ(d.state().variables.count("doble"), 0U);  // each run's own
  EXPECT_EQ(testing::of_type(*started, EventType::kMultiInstanceOutput).size(), 3U);
  // One after the other: the second inner instance starts after the first completed.
  std::vector<std::string> subs;
  for (const auto& e : *started) {
    const std::string text = testing::describe(e);
    if (text == "ElementActivated:Sub" || text == "ElementCompleted:Sub") subs.push_back(text);
  }
  EXPECT_EQ(subs, (Trace{"ElementActivated:Sub", "ElementActivated:Sub", "ElementCompleted:Sub",
                         "ElementActivated:Sub", "ElementCompleted:Sub", "ElementActivated:Sub",
                         "ElementCompleted:Sub", "ElementCompleted:Sub"}));
}

TEST(MultiInstance, AnErrorInOneInnerInstanceIsCaughtAtTheActivityAndEndsTheBody) {
  auto def = load(bpmn("mi_error", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Check" />
    <bpmn:serviceTask id="Check">
      <bpmn:extensionElements><zeebe:taskDefinition type="check" /></bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:extensionElements>
          <zeebe:loopCharacteristics inputCollection="=[1, 2]" />
        </bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="Fallo" attachedToRef="Check">
      <bpmn:errorEventDefinition />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="Check" targetRef="End" />
    <bpmn:sequenceFlow id="f3" sourceRef="Fallo" targetRef="EndFallo" />
    <bpmn:endEvent id="End" />
    <bpmn:endEvent id="EndFallo" />)"));
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  ASSERT_EQ(d.state().jobs.size(), 2U);
  const std::string first = d.state().jobs.begin()->first;
  // The thrower's job ended with its error; the other inner instance's is canceled; the body
  // ends; the boundary event takes the token.
  EXPECT_EQ(d.trace(ThrowJobError{first, "SIN_DATOS", "no data"}),
            (Trace{"ErrorThrown:Check", "ElementTerminated:Check", "JobCanceled:Check",
                   "ElementTerminated:Check", "ElementTerminated:Check", "ElementActivated:Fallo",
                   "ElementCompleted:Fallo", "FlowTaken:f3", "ElementActivated:EndFallo",
                   "ElementCompleted:EndFallo", "InstanceCompleted"}));
}

TEST(MultiInstance, AnOutputElementThatFailsIsAnIncidentAtTheInnerInstance) {
  auto def = load(bpmn("mi_output", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Revisar" />
    <bpmn:userTask id="Revisar">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="g" />
      </bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:extensionElements>
          <zeebe:loopCharacteristics inputCollection="=[1]" outputCollection="notas"
                                     outputElement="=nota + 1" />
        </bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Revisar" targetRef="End" />
    <bpmn:endEvent id="End" />)"));
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  auto tasks = open_tasks_of(d, "Revisar");
  ASSERT_EQ(tasks.size(), 1U);
  auto out = d.run(CompleteUserTask{tasks[0], kUser, Variables{{"nota", "cinco"}}});
  ASSERT_TRUE(out.ok()) << out.error().message;
  const auto raised = testing::of_type(*out, EventType::kIncidentRaised);
  ASSERT_EQ(raised.size(), 1U);
  EXPECT_EQ(payload_json(raised[0]).at("kind"), kMultiInstanceIncident);
  EXPECT_NE(payload_json(raised[0]).at("element_key"), d.state().elements.begin()->first);
  // Fixed, then resolved: the inner instance completes, and the body with it.
  d.trace(SetVariables{kUser, Variables{{"nota", 5}}});
  EXPECT_EQ(d.trace(ResolveIncident{d.incident_of("Revisar"), kUser, std::nullopt}),
            (Trace{"IncidentResolved", "MultiInstanceOutput:Revisar", "ElementCompleted:Revisar",
                   "VariablesSet:Revisar", "ElementCompleted:Revisar", "FlowTaken:f2",
                   "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
  EXPECT_EQ(d.state().variables.at("notas"), Json::array({6}));
}

}  // namespace
}  // namespace pmiflow::runtime
