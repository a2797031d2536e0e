// Forms through the CLI (docs/cli.md): `deploy` deploys the forms the BPMN links from
// <dir>/forms/, `form TASK` prints one as deployed, `complete` refuses what the form refuses,
// `tasks --json` names each task's form.

#include <filesystem>

#include <gtest/gtest.h>

#include "cli_test_util.h"
#include "engine/common/limits.h"
#include "engine/engine/deployment.h"
#include "tools/cli/session.h"

namespace pmiflow::cli::testing {
namespace {

const std::string kA01 = "A01_AnalizarCaracterizacion";
const std::string kA01Form = "form_a01_analizar_caracterizacion";

// A copy of the shipped definition and its forms in `dir` (the BPMN in dir, forms in dir/forms).
std::string copy_definition(const TempDir& dir) {
  copy_shipped_forms(dir.path());
  const std::string bpmn = dir.file("d02_03_apoyar_gestion_pmi.bpmn");
  write_bytes(bpmn, read_bytes(d02_03_file()));
  return bpmn;
}

using CliForms = CliTest;

// Every user task of the shipped D02.03 links a form, and each form file's "id" is its name.
TEST(CliShippedForms, EveryUserTaskOfD0203HasItsFormBesideTheDefinition) {
  auto xml = read_file(d02_03_file(), limits::kMaxBpmnBytes, "a BPMN file");
  ASSERT_TRUE(xml.ok()) << xml.error().message;
  auto checked = check_deployment(*xml, d02_03_file(), shipped_validation_options(),
                                  forms_beside(d02_03_file()));
  ASSERT_TRUE(checked.definition) << diagnostics_text(checked.diagnostics);
  int user_tasks = 0;
  for (const auto& node : checked.definition->nodes) {
    if (node.kind != model::NodeKind::kUserTask) continue;
    ++user_tasks;
    EXPECT_FALSE(node.form_id.empty()) << node.id << " has no zeebe:formDefinition";
    EXPECT_TRUE(exists(shipped_forms_dir() + "/" + node.form_id + ".form")) << node.id;
  }
  EXPECT_EQ(user_tasks, 12);
  ASSERT_EQ(checked.forms.size(), 12u) << "one form per user task";
  for (const auto& f : checked.forms) {
    EXPECT_EQ(f.resource_name, f.id + ".form");
    EXPECT_EQ(f.json, read_bytes(shipped_forms_dir() + "/" + f.resource_name));
  }
}

TEST_F(CliForms, DeployDeploysEveryFormTheDefinitionLinks) {
  RunResult r = run({"deploy", d02_03_file(), "--json"});
  ASSERT_EQ(r.code, 0) << r;
  Json j = parse_json(r.out);
  ASSERT_EQ(j["forms"].size(), 12u) << r;  // one per user task of D02.03
  for (const auto& f : j["forms"]) {
    EXPECT_EQ(f["version"], 1);
    EXPECT_EQ(f["created"], true);
    EXPECT_TRUE(exists(shipped_forms_dir() + "/" + f["id"].get<std::string>() + ".form")) << f;
  }
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM forms"), 12);
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM definition_forms WHERE version = 1"), 12);

  // Deploying the same files again changes nothing.
  r = run({"deploy", d02_03_file(), "--json"});
  ASSERT_EQ(r.code, 0) << r;
  j = parse_json(r.out);
  EXPECT_EQ(j["created"], false);
  for (const auto& f : j["forms"]) EXPECT_EQ(f["created"], false) << f;
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM forms"), 12);
}

TEST_F(CliForms, FormPrintsTheDeployedJsonAndTasksNameTheForm) {
  deploy();
  const std::int64_t id = start("105001000123");
  const std::string task = open_task(id, kA01);
  ASSERT_FALSE(task.empty());

  RunResult r = run({"form", task});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out, read_bytes(shipped_forms_dir() + "/" + kA01Form + ".form"));

  r = run({"tasks", "--json"});
  ASSERT_EQ(r.code, 0) << r;
  Json tasks = parse_json(r.out);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0]["form"], kA01Form);
}

TEST_F(CliForms, FormOfAnUnknownTaskIsNotFound) {
  deploy();
  start("105001000123");
  for (const std::string id : {"1-999", "7-2", "garbage"}) {
    RunResult r = run({"form", id});
    EXPECT_EQ(r.code, 3) << id << "\n" << r;
    EXPECT_EQ(r.out, "") << id;
  }
}

TEST_F(CliForms, CompleteWithBadFieldsIsAValidationErrorAndWritesNothing) {
  deploy();
  const std::int64_t id = start("105001000123");
  const std::string task = open_task(id, kA01);
  const DbSnapshot before = snapshot(db());
  // analisis_caracterizacion is required; fuentes_analizadas allows only the seed's subprocesses.
  RunResult r = run({"complete", task, "--as", kRoleProfesional, "--var",
                     R"(fuentes_analizadas=["D01.03","X99"])"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_NE(r.err.find("error: task " + task + " (" + kA01 + ")"), std::string::npos) << r;
  EXPECT_NE(r.err.find("fuentes_analizadas"), std::string::npos) << r;
  EXPECT_NE(r.err.find("X99"), std::string::npos) << r;
  EXPECT_NE(r.err.find("analisis_caracterizacion: "), std::string::npos) << r;
  EXPECT_TRUE(snapshot(db()) == before);
  EXPECT_EQ(open_task(id, kA01), task);

  // The autopilot's answer passes.
  r = complete(task, kA01, kRoleProfesional);
  EXPECT_EQ(r.code, 0) << r;
}

TEST_F(CliForms, AMissingFormFileIsAnErrorAtItsUserTaskAndNothingIsDeployed) {
  TempDir copy;
  const std::string bpmn = copy_definition(copy);
  const std::string missing = copy.file("forms/form_a06_hacer_seguimiento.form");
  std::filesystem::remove(missing);

  // No database yet: it is not even created.
  RunResult r = run({"deploy", bpmn});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_FALSE(exists(db()));

  // An existing database is left unchanged.
  deploy();
  const DbSnapshot before = snapshot(db());
  r = run({"deploy", bpmn});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_TRUE(snapshot(db()) == before);
  // FILE:LINE:COL: error: ELEMENT: form 'ID' (...): form file 'PATH' does not exist
  const std::string expected_prefix = bpmn + ":";
  const std::string expected =
      ": error: A06_HacerSeguimiento: form 'form_a06_hacer_seguimiento' "
      "(zeebe:formDefinition formId): form file '" +
      missing + "' does not exist";
  EXPECT_EQ(r.err.rfind(expected_prefix, 0), 0u) << r;
  EXPECT_NE(r.err.find(expected), std::string::npos) << r;
  EXPECT_NE(r.err.find("nothing was deployed"), std::string::npos) << r;

  // `validate` reports the same problem.
  r = run_cli({"validate", bpmn});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_NE(r.err.find(expected), std::string::npos) << r;
}

TEST_F(CliForms, AChangedFormIsANewDefinitionVersionAndOlderInstancesKeepTheirForm) {
  TempDir copy;
  const std::string bpmn = copy_definition(copy);
  const std::string form_file = copy.file("forms/" + kA01Form + ".form");
  const std::string v1 = read_bytes(form_file);
  ASSERT_EQ(run({"deploy", bpmn}).code, 0);
  const std::int64_t old_instance = start("105001000001");

  // A new label for the analysis: the same BPMN, another form text.
  std::string v2 = v1;
  const std::string label = "\"label\": \"";
  ASSERT_NE(v2.find(label), std::string::npos);
  v2.insert(v2.find(label) + label.size(), "(v2) ");
  write_bytes(form_file, v2);
  RunResult r = run({"deploy", bpmn, "--json"});
  ASSERT_EQ(r.code, 0) << r;
  Json j = parse_json(r.out);
  EXPECT_EQ(j["created"], true);
  EXPECT_EQ(j["version"], 2);
  for (const auto& f : j["forms"]) {
    EXPECT_EQ(f["created"], f["id"] == kA01Form) << f;
    EXPECT_EQ(f["version"], f["id"] == kA01Form ? 2 : 1) << f;
  }
  const std::int64_t new_instance = start("105001000002");

  r = run({"form", open_task(old_instance, kA01)});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out, v1);
  r = run({"form", open_task(new_instance, kA01)});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out, v2);

  r = run({"definitions", "--json"});
  ASSERT_EQ(r.code, 0) << r;
  Json defs = parse_json(r.out);
  ASSERT_EQ(defs.size(), 2u);
  EXPECT_EQ(defs[0]["forms"][kA01Form], 1);
  EXPECT_EQ(defs[1]["forms"][kA01Form], 2);
  EXPECT_EQ(defs[1]["forms"]["form_a06_hacer_seguimiento"], 1);
}

}  // namespace
}  // namespace pmiflow::cli::testing
