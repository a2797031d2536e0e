// Engine::deploy and definition versions.

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "engine/engine/audit.h"
#include "engine_test_util.h"

namespace pmiflow::testing {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(EngineDeploy, SameXmlTwiceKeepsTheVersionAndCreatesNothing) {
  Harness h;
  auto first = h.engine.deploy(kProcessXml, "proceso_prueba.bpmn");
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->definition.key, kProcess);
  EXPECT_EQ(first->definition.version, 1);
  EXPECT_EQ(first->definition.sha256, audit::sha256_hex(kProcessXml));
  EXPECT_EQ(first->definition.deployed_ms, kT0);

  h.clock.advance(1000);
  auto second = h.engine.deploy(kProcessXml, "proceso_prueba.bpmn");
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->definition.version, 1);
  EXPECT_EQ(second->definition.deployed_ms, kT0) << "the first deployment is kept";

  auto all = h.store.definitions();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1U);
}

TEST(EngineDeploy, ChangedXmlIsVersionTwoAndRunningInstancesStayOnVersionOne) {
  Harness h;
  h.deploy(kProcessXml);
  const std::int64_t old_instance = h.start(dane(1));

  auto v2 = h.engine.deploy(kProcessXmlV2, "proceso_prueba.bpmn");
  ASSERT_TRUE(v2.ok()) << v2.error().message;
  EXPECT_TRUE(v2->created);
  EXPECT_EQ(v2->definition.version, 2);
  const std::int64_t new_instance = h.start(dane(2));

  auto old_state = h.engine.state(old_instance);
  auto new_state = h.engine.state(new_instance);
  ASSERT_TRUE(old_state.ok());
  ASSERT_TRUE(new_state.ok());
  EXPECT_EQ(old_state->definition_version, 1);
  EXPECT_EQ(new_state->definition_version, 2);
  for (const auto& e : h.events(new_instance)) EXPECT_EQ(e.definition_version, 2);

  // The old instance follows version 1: after the review it notifies and ends.
  auto old_done =
      h.engine.complete_task(h.open_task(old_instance), runtime::Actor::user("luis", kRole), {});
  ASSERT_TRUE(old_done.ok()) << old_done.error().message;
  EXPECT_EQ(h.engine.state(old_instance)->status, runtime::InstanceStatus::kCompleted);
  for (const auto& e : old_done->events) EXPECT_EQ(e.definition_version, 1);

  // The new one follows version 2: after the review comes Task_Extra.
  auto new_next =
      h.engine.complete_task(h.open_task(new_instance), runtime::Actor::user("luis", kRole), {});
  ASSERT_TRUE(new_next.ok()) << new_next.error().message;
  auto tasks = h.store.tasks(TaskQuery{{}, new_instance, {}});
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 1U);
  EXPECT_EQ(tasks->front().element_id, "Task_Extra");

  auto latest = h.engine.definition(kProcess, 0);
  auto first = h.engine.definition(kProcess, 1);
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(first.ok());
  EXPECT_NE((*latest)->find_node("Task_Extra"), model::kNone);
  EXPECT_EQ((*first)->find_node("Task_Extra"), model::kNone);
}

TEST(EngineDeploy, RedeployingAnOlderTextIsANewVersion) {
  Harness h;
  h.deploy(kProcessXml);
  h.deploy(kProcessXmlV2);
  auto again = h.engine.deploy(kProcessXml, "proceso_prueba.bpmn");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->created) << "only the latest version is compared";
  EXPECT_EQ(again->definition.version, 3);
}

TEST(EngineDeploy, InvalidDefinitionIsValidationErrorWithEveryDiagnostic) {
  Harness h;
  const std::string bad = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="D">
  <bpmn:process id="malo" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Task_SinGrupos" />
    <bpmn:userTask id="Task_SinGrupos">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="=grupos" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Task_SinGrupos" targetRef="Svc_Desconocido" />
    <bpmn:serviceTask id="Svc_Desconocido">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="unknown.type" />
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="Svc_Desconocido" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
)";
  auto deployed = h.engine.deploy(bad, "malo.bpmn");
  ASSERT_FALSE(deployed.ok());
  EXPECT_EQ(deployed.error().code, ErrorCode::kValidation);
  const std::string& message = deployed.error().message;
  // Both problems, each with the file and the element id.
  EXPECT_NE(message.find("malo.bpmn"), std::string::npos) << message;
  EXPECT_NE(message.find("Task_SinGrupos"), std::string::npos) << message;
  EXPECT_NE(message.find("candidateGroups '=grupos'"), std::string::npos) << message;
  EXPECT_NE(message.find("Svc_Desconocido"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown.type"), std::string::npos) << message;
  EXPECT_NE(message.find(kNotifyType), std::string::npos)
      << "names the registered handler types: " << message;

  auto all = h.store.definitions();
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty()) << "nothing is deployed";
}

TEST(EngineDeploy, BadFilesFromTheTestDataAreRejected) {
  Harness h;
  for (const char* name : {"no-start.bpmn", "not-well-formed.bpmn", "default-unknown-flow.bpmn",
                           "cycle-without-wait-state.bpmn"}) {
    const std::string path = std::string(PMIFLOW_TEST_DATA) + "/bad/" + name;
    auto deployed = h.engine.deploy(read_file(path), name);
    ASSERT_FALSE(deployed.ok()) << name << " was deployed";
    EXPECT_EQ(deployed.error().code, ErrorCode::kValidation) << name;
    EXPECT_NE(deployed.error().message.find(name), std::string::npos)
        << "the diagnostics name the file: " << deployed.error().message;
  }
  EXPECT_TRUE(h.store.definitions()->empty());
}

TEST(EngineDeploy, StartingAProcessThatWasNeverDeployedIsNotFound) {
  Harness h;
  auto started = h.engine.start(start_of(key_of(dane(1), "2026", "no_such_process"), {},
                                         runtime::Actor::user("ana", "profesional_mejoramiento")));
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::kNotFound);
}

// Camunda 8 deploys a user task without candidate groups and lets anyone complete it; so does
// pmiflow: the task is offered to no group and any role completes it.
TEST(EngineDeploy, AUserTaskWithoutCandidateGroupsDeploysAndAnyRoleCompletesIt) {
  Harness h;
  std::string xml = kProcessXml;
  const std::string groups = R"(<zeebe:assignmentDefinition candidateGroups="lider_calidad" />)";
  xml.replace(xml.find(groups), groups.size(), "");
  h.deploy(xml);
  const std::int64_t id = h.start();
  const std::string task = h.open_task(id);
  auto tasks = h.store.tasks(TaskQuery{{}, id, {}});
  ASSERT_TRUE(tasks.ok() && tasks->size() == 1);
  EXPECT_TRUE(tasks->front().candidate_groups.empty());
  auto done = h.engine.complete_task(task, runtime::Actor::user("luis", "rector"), {});
  ASSERT_TRUE(done.ok()) << done.error().message;
  const std::vector<std::string> written = describe(done->events);
  ASSERT_FALSE(written.empty());
  EXPECT_EQ(written.front(), "UserTaskCompleted:Task_Review");
  EXPECT_EQ(written.back(), "InstanceCompleted");
}

}  // namespace
}  // namespace pmiflow::testing
