// Interpreter: zeebe:ioMapping on elements other than call activities (io_mapping_behavior.h).
// Inputs are local variables of the element instance from its activation; with outputs, what
// the element produces stays local and only the outputs leave, from the element's flow scope;
// a mapping that fails is an incident resolved by evaluating it again.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/runtime/bpmn/behavior/io_mapping_behavior.h"
#include "runtime_test_util.h"

namespace pmiflow::runtime {
namespace {

using testing::bpmn;
using testing::Driver;
using testing::load;
using Trace = std::vector<std::string>;

const Actor kUser = Actor::user("ana", "g");

// Start -> Revisar (a user task with `mappings` in its extension elements) -> End.
std::string task_process(const std::string& mappings) {
  return bpmn("io", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Revisar" />
    <bpmn:userTask id="Revisar">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="g" />
        <zeebe:ioMapping>)" +
                        mappings + R"(</zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Revisar" targetRef="End" />
    <bpmn:endEvent id="End" />)");
}

// The key of the only open element instance of `element`.
std::int64_t key_of(const Driver& d, const std::string& element) {
  for (const auto& [key, instance] : d.state().elements) {
    if (instance.element_id == element) return key;
  }
  ADD_FAILURE() << element << " is not active";
  return 0;
}

std::string only_task(const Driver& d) {
  EXPECT_EQ(d.state().tasks.size(), 1U);
  return d.state().tasks.empty() ? "" : d.state().tasks.begin()->first;
}

const Json kColegios = Json::parse(R"([
  {"codigo_dane": "105001000001", "sector": "OFICIAL", "puntaje": 2.5},
  {"codigo_dane": "305001000002", "sector": "NO_OFICIAL", "puntaje": 4.0},
  {"codigo_dane": "105001000003", "sector": "OFICIAL", "puntaje": 3.0}])");

TEST(IoMapping, InputsAreLocalToTheTaskAndOutputsAloneLeaveIt) {
  auto def = load(task_process(R"m(
          <zeebe:input source="=colegios[sector = &quot;OFICIAL&quot;]" target="oficiales" />
          <zeebe:input source="=count(oficiales)" target="n" />
          <zeebe:input source="={primero: oficiales[1].codigo_dane, umbral: 3}" target="ctx" />
          <zeebe:output source="=aprobados" target="aprobados_revision" />
          <zeebe:output source="=ctx.primero" target="primero" />)m"));
  Driver d(def);
  auto started = d.start(Variables{{"colegios", kColegios}});
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_EQ(
      testing::describe(*started),
      (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start", "FlowTaken:f1",
             "ElementActivated:Revisar", "VariablesSet:Revisar", "UserTaskCreated:Revisar"}));
  // The inputs, evaluated in order (each sees the ones before): a filter, a function over a
  // list, a context with a path; set in the task's own scope.
  const std::int64_t task = key_of(d, "Revisar");
  const Json inputs = payload_json(testing::of_type(*started, EventType::kVariablesSet)[0]);
  EXPECT_EQ(inputs.at("scope"), task);
  EXPECT_EQ(d.state().elements.at(task).variables.at("n"), 2);
  EXPECT_EQ(d.state().elements.at(task).variables.at("ctx"),
            Json::parse(R"({"primero": "105001000001", "umbral": 3})"));
  EXPECT_EQ(d.state().variables.count("oficiales"), 0U);

  // The completion's variables stay in the task; the outputs are set in the process.
  auto done = d.run(
      CompleteUserTask{only_task(d), kUser, Variables{{"aprobados", 1}, {"comentario", "bien"}}});
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(testing::describe(*done),
            (Trace{"VariablesSet:Revisar", "UserTaskCompleted:Revisar", "VariablesSet:Revisar",
                   "ElementCompleted:Revisar", "FlowTaken:f2", "ElementActivated:End",
                   "ElementCompleted:End", "InstanceCompleted"}));
  const auto sets = testing::of_type(*done, EventType::kVariablesSet);
  EXPECT_EQ(payload_json(sets[0]).at("scope"), task);
  EXPECT_EQ(payload_json(sets[1]).value("scope", 0), 0);  // the process: no scope written
  EXPECT_EQ(d.state().variables.at("aprobados_revision"), 1);
  EXPECT_EQ(d.state().variables.at("primero"), "105001000001");
  for (const char* local : {"aprobados", "comentario", "n", "ctx", "oficiales"}) {
    EXPECT_EQ(d.state().variables.count(local), 0U) << local;
  }
}

TEST(IoMapping, WithoutOutputsTheCompletionVariablesLeaveAndTheInputsDoNot) {
  auto def = load(task_process(R"m(<zeebe:input source="=count(colegios)" target="n" />)m"));
  Driver d(def);
  ASSERT_TRUE(d.start(Variables{{"colegios", kColegios}}).ok());
  d.trace(CompleteUserTask{only_task(d), kUser, Variables{{"revisado", true}}});
  EXPECT_EQ(d.state().status, InstanceStatus::kCompleted);
  EXPECT_EQ(d.state().variables.at("revisado"), true);
  EXPECT_EQ(d.state().variables.count("n"), 0U);
}

TEST(IoMapping, AStaticSourceIsAString) {
  auto def = load(task_process(R"m(<zeebe:input source="integral" target="tipo" />)m"));
  Driver d(def);
  ASSERT_TRUE(d.start(Variables{}).ok());
  EXPECT_EQ(d.state().elements.at(key_of(d, "Revisar")).variables.at("tipo"), "integral");
}

TEST(IoMapping, AnInputThatFailsIsAnIncidentAndTheTaskIsCreatedOnceResolved) {
  auto def = load(task_process(R"m(<zeebe:input source="=date(fecha_visita)" target="dia" />)m"));
  Driver d(def);
  auto started = d.start(Variables{{"fecha_visita", "el lunes"}});
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_EQ(testing::describe(*started),
            (Trace{"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                   "FlowTaken:f1", "ElementActivated:Revisar", "IncidentRaised:Revisar"}));
  const Json incident = payload_json(testing::of_type(*started, EventType::kIncidentRaised)[0]);
  EXPECT_EQ(incident.at("kind"), behavior::kInputMappingIncident);
  EXPECT_EQ(incident.at("element"), "Revisar");
  EXPECT_NE(incident.at("message").get<std::string>().find(
                "zeebe:input of 'dia' (`=date(fecha_visita)`) failed: "),
            std::string::npos)
      << incident.at("message");
  EXPECT_TRUE(d.state().tasks.empty());
  d.trace(SetVariables{kUser, Variables{{"fecha_visita", "2026-03-02"}}});
  EXPECT_EQ(d.trace(ResolveIncident{d.incident_of("Revisar"), kUser, std::nullopt}),
            (Trace{"IncidentResolved", "VariablesSet:Revisar", "UserTaskCreated:Revisar"}));
}

TEST(IoMapping, AnOutputThatFailsIsAnIncidentAndTheTaskCompletesOnceResolved) {
  auto def = load(task_process(R"m(
          <zeebe:output source="=nota" target="nota_revision" />
          <zeebe:output source="=date(fecha_cierre)" target="cierre" />)m"));
  Driver d(def);
  ASSERT_TRUE(d.start(Variables{{"fecha_cierre", "el lunes"}}).ok());
  EXPECT_EQ(d.trace(CompleteUserTask{only_task(d), kUser, Variables{{"nota", 4}}}),
            (Trace{"VariablesSet:Revisar", "UserTaskCompleted:Revisar", "IncidentRaised:Revisar"}));
  ASSERT_EQ(d.state().incidents.size(), 1U);
  EXPECT_EQ(d.state().incidents.begin()->second.kind, behavior::kOutputMappingIncident);
  EXPECT_EQ(d.state().variables.count("nota_revision"), 0U);  // no output went out
  d.trace(SetVariables{kUser, Variables{{"fecha_cierre", "2026-11-30"}}});
  EXPECT_EQ(
      d.trace(ResolveIncident{d.incident_of("Revisar"), kUser, std::nullopt}),
      (Trace{"IncidentResolved", "VariablesSet:Revisar", "ElementCompleted:Revisar", "FlowTaken:f2",
             "ElementActivated:End", "ElementCompleted:End", "InstanceCompleted"}));
  EXPECT_EQ(d.state().variables.at("nota_revision"), 4);
  EXPECT_EQ(d.state().variables.at("cierre"), "2026-11-30");
}

TEST(IoMapping, AMessageCatchEventKeepsTheMessageVariablesAndMapsItsOutputs) {
  auto def = load(bpmn("io", R"m(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Recibir" />
    <bpmn:intermediateCatchEvent id="Recibir">
      <bpmn:extensionElements>
        <zeebe:ioMapping>
          <zeebe:output source="=evaluacion.promedio" target="promedio_ee" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
      <bpmn:messageEventDefinition messageRef="Msg" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="Recibir" targetRef="End" />
    <bpmn:endEvent id="End" />)m",
                       R"(<bpmn:message id="Msg" name="evaluacion_ee">
    <bpmn:extensionElements>
      <zeebe:subscription correlationKey="=codigo" />
    </bpmn:extensionElements>
  </bpmn:message>)"));
  Driver d(def);
  ASSERT_TRUE(d.start(Variables{{"codigo", "105001000001"}}).ok());
  const auto& sub = d.state().subscriptions.begin()->second;
  auto correlated =
      d.run(CorrelateMessage{sub.key, "evaluacion_ee", "105001000001", 7, "m-1",
                             Variables{{"evaluacion", Json::parse(R"({"promedio":4.2})")}}});
  ASSERT_TRUE(correlated.ok()) << correlated.error().message;
  EXPECT_EQ(testing::describe(*correlated),
            (Trace{"MessageCorrelated:Recibir", "VariablesSet:Recibir", "VariablesSet:Recibir",
                   "ElementCompleted:Recibir", "FlowTaken:f2", "ElementActivated:End",
                   "ElementCompleted:End", "InstanceCompleted"}));
  EXPECT_EQ(d.state().variables.at("promedio_ee"), 4.2);
  EXPECT_EQ(d.state().variables.count("evaluacion"), 0U);
}

TEST(IoMapping, ASubprocessInputIsItsLocalVariableAndItsOutputBringsItOut) {
  auto def = load(bpmn("io", R"m(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Sub" />
    <bpmn:subProcess id="Sub">
      <bpmn:extensionElements>
        <zeebe:ioMapping>
          <zeebe:input source="=0" target="ciclos" />
          <zeebe:output source="=ciclos" target="ciclos_acompanamiento" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
      <bpmn:startEvent id="SubStart" />
      <bpmn:sequenceFlow id="s1" sourceRef="SubStart" targetRef="Apoyar" />
      <bpmn:userTask id="Apoyar">
        <bpmn:extensionElements>
          <zeebe:assignmentDefinition candidateGroups="g" />
        </bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="s2" sourceRef="Apoyar" targetRef="SubEnd" />
      <bpmn:endEvent id="SubEnd" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="Sub" targetRef="End" />
    <bpmn:endEvent id="End" />)m"));
  Driver d(def);
  ASSERT_TRUE(d.start(Variables{}).ok());
  const std::int64_t sub = key_of(d, "Sub");
  // The task sets `ciclos`: it goes to the nearest scope that has it, the subprocess.
  d.trace(CompleteUserTask{only_task(d), kUser, Variables{{"ciclos", 3}}});
  EXPECT_EQ(d.state().status, InstanceStatus::kCompleted);
  EXPECT_EQ(d.state().variables.at("ciclos_acompanamiento"), 3);
  EXPECT_EQ(d.state().variables.count("ciclos"), 0U);
  const auto sets = testing::of_type(d.log(), EventType::kVariablesSet);
  ASSERT_EQ(sets.size(), 3U);
  EXPECT_EQ(payload_json(sets[1]).at("scope"), sub);
  EXPECT_EQ(payload_json(sets[1]).at("changes"),
            Json::parse(R"([{"name":"ciclos","new":3,"old":0}])"));
}

TEST(IoMapping, EachInnerInstanceOfAMultiInstanceMapsItsOwnInputsAndOutputs) {
  auto def = load(bpmn("io", R"m(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Revisar" />
    <bpmn:userTask id="Revisar">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="g" />
        <zeebe:ioMapping>
          <zeebe:input source="=colegio.codigo_dane" target="codigo" />
          <zeebe:output source="={codigo: codigo, nota: nota}" target="resultado" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:extensionElements>
          <zeebe:loopCharacteristics inputCollection="=colegios" inputElement="colegio"
                                     outputCollection="resultados" outputElement="=resultado" />
        </bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Revisar" targetRef="End" />
    <bpmn:endEvent id="End" />)m"));
  Driver d(def);
  ASSERT_TRUE(d.start(Variables{{"colegios", kColegios}}).ok());
  std::vector<std::string> tasks;
  for (const auto& [id, task] : d.state().tasks) tasks.push_back(id);
  ASSERT_EQ(tasks.size(), 3U);
  for (int i = 2; i >= 0; --i) {
    d.trace(CompleteUserTask{tasks[i], kUser, Variables{{"nota", i}}});
  }
  EXPECT_EQ(d.state().status, InstanceStatus::kCompleted);
  EXPECT_EQ(d.state().variables.at("resultados"), Json::parse(R"([
    {"codigo": "105001000001", "nota": 0},
    {"codigo": "305001000002", "nota": 1},
    {"codigo": "105001000003", "nota": 2}])"));
  // `resultado` went out of each inner instance to the body, which ended with it.
  EXPECT_EQ(d.state().variables.count("resultado"), 0U);
  EXPECT_EQ(d.state().variables.count("codigo"), 0U);
}

}  // namespace
}  // namespace pmiflow::runtime
