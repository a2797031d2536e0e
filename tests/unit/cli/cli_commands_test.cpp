// The `pmiflow` commands as a user runs them (docs/cli.md): validate, deploy, definitions,
// start, tasks, complete, show, demo, and the usage errors. Each test runs the real executable
// against a database in its own temporary directory.
#include <algorithm>
// GCC 12 at -O1 reports a false -Wmaybe-uninitialized inside std::regex's std::function.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "cli_test_util.h"

namespace pmiflow::cli::testing {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

const std::regex kDiagnostic(R"(^(.+):(\d+):(\d+): error: (.+)$)");
const std::regex kDiagnosticWithId(R"(^(.+):(\d+):(\d+): error: ([A-Za-z_][\w.-]*): (.+)$)");

// ---- validate --------------------------------------------------------------------------------

TEST(CliValidate, ShippedDefinitionIsClean) {
  RunResult r = run_cli({"validate", d02_03_file()});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("1 file valid"), std::string::npos) << r;
}

TEST(CliValidate, BadFilePrintsLocatedDiagnosticsAndExits1) {
  const std::string file = std::string(PMIFLOW_TEST_DATA) + "/bad/duplicate-id.bpmn";
  RunResult r = run_cli({"validate", file});
  EXPECT_EQ(r.code, 1) << r;
  auto lines = lines_of(r.err);
  ASSERT_FALSE(lines.empty()) << r;
  bool with_id = false;
  for (const auto& line : lines) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, kDiagnostic)) << line;
    EXPECT_EQ(m[1].str(), file);
    EXPECT_GT(std::stoi(m[2].str()), 0) << line;
    EXPECT_GT(std::stoi(m[3].str()), 0) << line;
    with_id = with_id || std::regex_match(line, kDiagnosticWithId);
  }
  EXPECT_TRUE(with_id) << "no diagnostic names an element id:\n" << r.err;
}

TEST(CliValidate, JsonDiagnostics) {
  const std::string file = std::string(PMIFLOW_TEST_DATA) + "/bad/duplicate-id.bpmn";
  RunResult r = run_cli({"validate", "--json", file});
  EXPECT_EQ(r.code, 1) << r;
  Json j = parse_json(r.out);
  ASSERT_TRUE(j.is_array()) << r;
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["file"], file);
  EXPECT_EQ(j[0]["ok"], false);
  ASSERT_FALSE(j[0]["diagnostics"].empty());
  EXPECT_EQ(j[0]["diagnostics"][0]["severity"], "error");
}

TEST(CliValidate, SeveralFilesReportEveryProblem) {
  const std::string bad1 = std::string(PMIFLOW_TEST_DATA) + "/bad/duplicate-id.bpmn";
  const std::string bad2 = std::string(PMIFLOW_TEST_DATA) + "/bad/no-start.bpmn";
  const std::string bad3 = std::string(PMIFLOW_TEST_DATA) + "/bad/service-task-without-type.bpmn";
  RunResult r = run_cli({"validate", bad1, d02_03_file(), bad2, bad3});
  EXPECT_EQ(r.code, 1) << r;
  std::set<std::string> files_reported;
  for (const auto& line : lines_of(r.err)) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, kDiagnostic)) << line;
    files_reported.insert(m[1].str());
  }
  EXPECT_EQ(files_reported, (std::set<std::string>{bad1, bad2, bad3})) << r;

  // Each bad file alone reports the same lines as it does among the others.
  for (const auto& file : {bad1, bad2, bad3}) {
    RunResult alone = run_cli({"validate", file});
    EXPECT_EQ(alone.code, 1);
    for (const auto& line : lines_of(alone.err)) {
      EXPECT_NE(r.err.find(line), std::string::npos) << line;
    }
  }
}

TEST(CliValidate, EveryBadFileFailsAndEveryGoodFilePasses) {
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(PMIFLOW_TEST_DATA) + "/bad")) {
    RunResult r = run_cli({"validate", entry.path().string()});
    EXPECT_EQ(r.code, 1) << entry.path() << "\n" << r;
    EXPECT_FALSE(r.err.empty()) << entry.path();
  }
}

TEST(CliValidate, MissingFileIsAnError) {
  TempDir dir;
  RunResult r = run_cli({"validate", dir.file("absent.bpmn")});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_NE(r.err.find("absent.bpmn"), std::string::npos) << r;
}

// ---- deploy, definitions ---------------------------------------------------------------------

using CliDeploy = CliTest;

TEST_F(CliDeploy, IdenticalRedeployIsUnchangedAndModifiedCopyIsVersion2) {
  RunResult first = run({"deploy", d02_03_file()});
  ASSERT_EQ(first.code, 0) << first;
  EXPECT_NE(first.out.find("deployed " + kProcess + " version 1"), std::string::npos) << first;

  RunResult again = run({"deploy", d02_03_file()});
  ASSERT_EQ(again.code, 0) << again;
  EXPECT_NE(again.out.find("unchanged " + kProcess + " version 1"), std::string::npos) << again;

  RunResult defs = run({"definitions", "--json"});
  ASSERT_EQ(defs.code, 0) << defs;
  Json list = parse_json(defs.out);
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.size(), 1u) << defs;
  EXPECT_EQ(list[0]["version"], 1);

  // An instance started on version 1 keeps it.
  const std::int64_t old_instance = start("105001000001");
  ASSERT_GT(old_instance, 0);

  // A copy with one task renamed.
  std::string xml = read_bytes(d02_03_file());
  const std::string anchor = R"(id="A01_AnalizarCaracterizacion" name=")";
  const auto at = xml.find(anchor);
  ASSERT_NE(at, std::string::npos);
  xml.insert(at + anchor.size(), "Revisar y ");
  const std::string copy = dir_.file("d02_03_apoyar_gestion_pmi.bpmn");
  write_bytes(copy, xml);
  copy_shipped_forms(dir_.path());

  RunResult second = run({"deploy", copy});
  ASSERT_EQ(second.code, 0) << second;
  EXPECT_NE(second.out.find("deployed " + kProcess + " version 2"), std::string::npos) << second;

  RunResult json_deploy = run({"deploy", "--json", copy});
  ASSERT_EQ(json_deploy.code, 0) << json_deploy;
  Json outcome = parse_json(json_deploy.out);
  EXPECT_EQ(outcome["version"], 2) << json_deploy;
  EXPECT_EQ(outcome["created"], false) << json_deploy;

  defs = run({"definitions", "--json"});
  ASSERT_EQ(defs.code, 0) << defs;
  list = parse_json(defs.out);
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.size(), 2u) << defs;
  std::set<int> versions;
  std::set<std::string> hashes;
  for (const auto& d : list) {
    EXPECT_EQ(d["key"], kProcess);
    EXPECT_EQ(d["resource"], "d02_03_apoyar_gestion_pmi.bpmn");
    EXPECT_EQ(d["sha256"].get<std::string>().size(), 64u);
    EXPECT_TRUE(d.contains("deployed"));
    versions.insert(d["version"].get<int>());
    hashes.insert(d["sha256"].get<std::string>());
  }
  EXPECT_EQ(versions, (std::set<int>{1, 2}));
  EXPECT_EQ(hashes.size(), 2u);

  // The readable table lists both versions too.
  RunResult table = run({"definitions"});
  ASSERT_EQ(table.code, 0) << table;
  std::size_t rows = 0;
  for (const auto& line : lines_of(table.out)) rows += line.find(kProcess) != std::string::npos;
  EXPECT_EQ(rows, 2u) << table;

  const std::int64_t new_instance = start("105001000002");
  ASSERT_GT(new_instance, 0);
  Json old_show = show(old_instance);
  Json new_show = show(new_instance);
  EXPECT_EQ(old_show["version"], 1);
  EXPECT_EQ(new_show["version"], 2);
  ASSERT_EQ(new_show["tasks"].size(), 1u);
  EXPECT_EQ(new_show["tasks"][0]["name"].get<std::string>().rfind("Revisar y ", 0), 0u)
      << new_show.dump(2);
  EXPECT_EQ(old_show["tasks"][0]["name"].get<std::string>().rfind("Analizar", 0), 0u);
}

TEST_F(CliDeploy, BadFileIsNotDeployed) {
  deploy();
  const DbSnapshot before = snapshot(db());
  RunResult r = run({"deploy", std::string(PMIFLOW_TEST_DATA) + "/bad/duplicate-id.bpmn"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_NE(r.err.find("nothing was deployed"), std::string::npos) << r;
  EXPECT_TRUE(snapshot(db()) == before);
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM definitions"), 1);
}

// `deploy GOOD BAD` deploys nothing: every file is validated before any is deployed.
TEST_F(CliDeploy, SeveralFilesAreAllOrNothing) {
  RunResult r =
      run({"deploy", d02_03_file(), std::string(PMIFLOW_TEST_DATA) + "/bad/duplicate-id.bpmn"});
  EXPECT_EQ(r.code, 1) << r;
  RunResult defs = run({"definitions", "--json"});
  // Either the database was never created (exit 9) or it holds no definition.
  if (defs.code != 9) {
    ASSERT_EQ(defs.code, 0) << defs;
    EXPECT_EQ(parse_json(defs.out), Json::array()) << defs;
  }
}

TEST_F(CliDeploy, MissingFileIsIo) {
  deploy();
  const DbSnapshot before = snapshot(db());
  RunResult r = run({"deploy", dir_.file("absent.bpmn")});
  EXPECT_EQ(r.code, 9) << r;
  EXPECT_NE(r.err.find("absent.bpmn"), std::string::npos) << r;
  EXPECT_TRUE(snapshot(db()) == before);
}

TEST(CliDbPath, FromEnvironmentThenWorkingDirectory) {
  TempDir dir;
  const std::string env_db = dir.file("from-env.db");
  RunResult r = run_cli({"deploy", d02_03_file()}, {{"PMIFLOW_DB=" + env_db}, ""});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_TRUE(exists(env_db));
  // --db wins over $PMIFLOW_DB.
  const std::string flag_db = dir.file("from-flag.db");
  r = run_cli({"deploy", d02_03_file(), "--db", flag_db}, {{"PMIFLOW_DB=" + env_db}, ""});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_TRUE(exists(flag_db));
  // Neither: ./pmiflow.db in the working directory.
  const std::string cwd = dir.file("cwd");
  std::filesystem::create_directories(cwd);
  r = run_cli({"deploy", d02_03_file()}, {{"PMIFLOW_DB="}, cwd});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_TRUE(exists(cwd + "/pmiflow.db"));
  r = run_cli({"definitions", "--json"}, {{"PMIFLOW_DB="}, cwd});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(parse_json(r.out).size(), 1u);
}

// ---- start -----------------------------------------------------------------------------------

using CliStart = CliTest;

TEST_F(CliStart, PrintsIdAndCreated) {
  deploy();
  std::vector<std::string> args = start_args("105001000123");
  args.insert(args.end(), {"--user", "ana"});
  RunResult r = run(args);
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(parse_json(r.out), Json::parse(R"({"id":1,"created":true})")) << r;
  EXPECT_EQ(r.err, "");

  Json j = show(1);
  EXPECT_EQ(j["state"], "active");
  EXPECT_EQ(j["school"], "105001000123");
  EXPECT_EQ(j["period"], "2026");
  EXPECT_EQ(j["variables"]["codigo_dane"], "105001000123");
  EXPECT_EQ(j["variables"]["periodo"], "2026");
}

TEST_F(CliStart, SameBusinessKeyCreatesNothing) {
  deploy();
  ASSERT_EQ(start("105001000123"), 1);
  const std::int64_t events = events_of(1);
  ASSERT_GT(events, 0);

  std::vector<std::string> again_args = start_args("105001000123");
  again_args.insert(again_args.end(), {"--var", "extra=1"});
  RunResult again = run(again_args);
  ASSERT_EQ(again.code, 0) << again;
  EXPECT_EQ(parse_json(again.out), Json::parse(R"({"id":1,"created":false})")) << again;
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again;
  EXPECT_EQ(events_of(1), events);
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM instances"), 1);
  EXPECT_FALSE(show(1)["variables"].contains("extra"));

  // Another period of the same school is another instance.
  RunResult other = run(start_args("105001000123", "2026-1"));
  ASSERT_EQ(other.code, 0) << other;
  EXPECT_EQ(parse_json(other.out), Json::parse(R"({"id":2,"created":true})")) << other;
}

TEST_F(CliStart, BadCodigoDaneOrPeriodIsInvalidInputAndWritesNothing) {
  deploy();
  ASSERT_EQ(start("105001000123"), 1);
  const DbSnapshot before = snapshot(db());
  struct Case {
    std::string school;
    std::string period;
  };
  for (const Case& c :
       {Case{"10500100012", "2026"}, Case{"1050010001234", "2026"}, Case{"10500100012A", "2026"},
        Case{"", "2026"}, Case{"105001000999", "2026-3"}, Case{"105001000999", "26"},
        Case{"105001000999", "2026-"}, Case{"105001000999", "abcd"}}) {
    RunResult r = run({"start", "--process", kProcess, "--school", c.school, "--period", c.period});
    EXPECT_EQ(r.code, 10) << c.school << " " << c.period << "\n" << r;
    EXPECT_NE(r.err.find("error: "), std::string::npos) << r;
    EXPECT_TRUE(snapshot(db()) == before) << c.school << " " << c.period;
  }
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM instances"), 1);
}

TEST_F(CliStart, BadDaneOnMissingDatabaseCreatesNoFile) {
  RunResult r = run({"start", "--process", kProcess, "--school", "123", "--period", "2026"});
  EXPECT_EQ(r.code, 10) << r;
  EXPECT_FALSE(exists(db()));
}

TEST_F(CliStart, UnknownProcessIsNotFound) {
  deploy();
  const DbSnapshot before = snapshot(db());
  RunResult r =
      run({"start", "--process", "NoSuchProcess", "--school", "105001000123", "--period", "2026"});
  EXPECT_EQ(r.code, 3) << r;
  EXPECT_NE(r.err.find("NoSuchProcess"), std::string::npos) << r;
  EXPECT_TRUE(snapshot(db()) == before);
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM instances"), 0);
}

TEST_F(CliStart, MalformedVarIsInvalidInput) {
  deploy();
  for (const std::string& bad :
       {std::string("novalue"), std::string("=3"), std::string("1abc=3"), std::string("a b=3")}) {
    RunResult r = run({"start", "--process", kProcess, "--school", "105001000123", "--period",
                       "2026", "--var", bad});
    EXPECT_EQ(r.code, 10) << bad << "\n" << r;
  }
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM instances"), 0);
}

// ---- tasks -----------------------------------------------------------------------------------

using CliTasks = CliTest;

TEST_F(CliTasks, JsonShapeAndFilters) {
  deploy();
  ASSERT_EQ(start("105001000001"), 1);
  ASSERT_EQ(start("105001000002"), 2);

  RunResult r = run({"tasks", "--json"});
  ASSERT_EQ(r.code, 0) << r;
  Json list = parse_json(r.out);
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.size(), 2u) << r;
  std::set<std::int64_t> instances;
  for (const auto& t : list) {
    for (const char* field :
         {"id", "instance_id", "element_id", "name", "candidate_groups", "form"}) {
      EXPECT_TRUE(t.contains(field)) << field << " missing in " << t.dump();
    }
    EXPECT_TRUE(t["id"].is_string());
    EXPECT_TRUE(t["instance_id"].is_number_integer());
    EXPECT_TRUE(t["name"].is_string());
    EXPECT_TRUE(t["form"].is_string());
    EXPECT_EQ(t["element_id"], "A01_AnalizarCaracterizacion");
    EXPECT_EQ(t["candidate_groups"], Json::array({kRoleProfesional}));
    EXPECT_EQ(t["period"], "2026");
    const auto id = t["instance_id"].get<std::int64_t>();
    EXPECT_EQ(t["id"].get<std::string>().rfind(std::to_string(id) + "-", 0), 0u) << t.dump();
    instances.insert(id);
  }
  EXPECT_EQ(instances, (std::set<std::int64_t>{1, 2}));

  r = run({"tasks", "--json", "--role", kRoleProfesional});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(parse_json(r.out).size(), 2u);

  r = run({"tasks", "--json", "--role", kRoleLider});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(parse_json(r.out), Json::array());

  r = run({"tasks", "--json", "--school", "105001000002"});
  ASSERT_EQ(r.code, 0) << r;
  list = parse_json(r.out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["instance_id"], 2);

  r = run({"tasks", "--json", "--period", "2025"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(parse_json(r.out), Json::array());

  r = run({"tasks"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("A01_AnalizarCaracterizacion"), std::string::npos) << r;
}

// ---- complete --------------------------------------------------------------------------------

class CliComplete : public CliTest {
 protected:
  void SetUp() override {
    deploy();
    instance_ = start("105001000123");
    ASSERT_EQ(instance_, 1);
    task_ = open_task(instance_, "A01_AnalizarCaracterizacion");
    ASSERT_FALSE(task_.empty());
  }

  std::int64_t instance_ = 0;
  std::string task_;
};

TEST_F(CliComplete, WrongRoleIsForbiddenAndWritesNothing) {
  const std::int64_t events = events_of(instance_);
  const DbSnapshot before = snapshot(db());
  RunResult r = run({"complete", task_, "--as", kRoleLider});
  EXPECT_EQ(r.code, 5) << r;
  EXPECT_NE(r.err.find(kRoleProfesional), std::string::npos) << r;
  EXPECT_TRUE(snapshot(db()) == before);
  EXPECT_EQ(events_of(instance_), events);
  EXPECT_EQ(open_task(instance_, "A01_AnalizarCaracterizacion"), task_);
}

TEST_F(CliComplete, UnknownTaskIsNotFound) {
  const std::int64_t events = events_of(instance_);
  for (const std::string& id : {std::to_string(instance_) + "-999", std::string("99-3"),
                                std::string("garbage"), std::string("1-")}) {
    RunResult r = run({"complete", id, "--as", kRoleProfesional});
    EXPECT_EQ(r.code, 3) << id << "\n" << r;
  }
  EXPECT_EQ(events_of(instance_), events);
}

TEST_F(CliComplete, MalformedVarIsInvalidInput) {
  const DbSnapshot before = snapshot(db());
  RunResult r = run({"complete", task_, "--as", kRoleProfesional, "--var", "novalue"});
  EXPECT_EQ(r.code, 10) << r;
  EXPECT_NE(r.err.find("novalue"), std::string::npos) << r;
  EXPECT_TRUE(snapshot(db()) == before);
}

TEST_F(CliComplete, VarValuesAreJsonWhenTheyParseAndStringsOtherwise) {
  const std::string file = dir_.file("sin_formulario.bpmn");
  write_bytes(file, kFormlessBpmn);
  ASSERT_EQ(run({"deploy", file}).code, 0);
  RunResult started =
      run({"start", "--process", "sin_formulario", "--school", "105001000999", "--period", "2026"});
  ASSERT_EQ(started.code, 0) << started;
  const std::int64_t instance = parse_json(started.out)["id"].get<std::int64_t>();
  const std::string task = open_task(instance, "Tarea");
  ASSERT_FALSE(task.empty());
  RunResult r =
      run({"complete", task,         "--as",  kRoleProfesional,   "--var", "flag=true",
           "--var",    "n=3",        "--var", "sector_x=OFICIAL", "--var", R"(quoted="x")",
           "--var",    "list=[1,2]", "--var", "obj={\"a\":null}", "--var", "empty=",
           "--var",    "dec=2.5"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("completed task " + task), std::string::npos) << r;
  Json vars = show(instance)["variables"];
  EXPECT_EQ(vars["flag"], Json(true));
  EXPECT_TRUE(vars["flag"].is_boolean());
  EXPECT_EQ(vars["n"], Json(3));
  EXPECT_TRUE(vars["n"].is_number());
  EXPECT_EQ(vars["sector_x"], Json("OFICIAL"));
  EXPECT_TRUE(vars["sector_x"].is_string());
  EXPECT_EQ(vars["quoted"], Json("x"));
  EXPECT_EQ(vars["list"], Json::array({1, 2}));
  EXPECT_EQ(vars["obj"], Json::parse(R"({"a":null})"));
  EXPECT_EQ(vars["empty"], Json(""));
  EXPECT_EQ(vars["dec"], Json(2.5));
  EXPECT_EQ(show(instance)["state"], "completed");
}

TEST_F(CliComplete, VarsFileAndVarOverridesIt) {
  const std::string file = dir_.file("vars.json");
  write_bytes(file, R"({"fuentes_analizadas": ["D01.03", "D02.02"],
                        "analisis_caracterizacion": "desde archivo",
                        "necesidades_asistencia_tecnica": "desde archivo"})");
  RunResult r = run({"complete", task_, "--as", kRoleProfesional, "--vars", file, "--var",
                     "analisis_caracterizacion=cli"});
  ASSERT_EQ(r.code, 0) << r;
  Json vars = show(instance_)["variables"];
  EXPECT_EQ(vars["fuentes_analizadas"], Json::array({"D01.03", "D02.02"}));
  EXPECT_EQ(vars["analisis_caracterizacion"], Json("cli"));
  EXPECT_EQ(vars["necesidades_asistencia_tecnica"], Json("desde archivo"));
}

TEST_F(CliComplete, BadVarsFileIsInvalidInput) {
  const DbSnapshot before = snapshot(db());
  const std::string invalid = dir_.file("invalid.json");
  write_bytes(invalid, R"({"a": 1,)");
  const std::string array = dir_.file("array.json");
  write_bytes(array, "[1, 2]");
  const std::string bad_name = dir_.file("bad_name.json");
  write_bytes(bad_name, R"({"1x": 1})");
  for (const auto& file : {invalid, array, bad_name}) {
    RunResult r = run({"complete", task_, "--as", kRoleProfesional, "--vars", file});
    EXPECT_EQ(r.code, 10) << file << "\n" << r;
    EXPECT_TRUE(snapshot(db()) == before) << file;
  }
  // A --vars file that cannot be read is an I/O error.
  RunResult r =
      run({"complete", task_, "--as", kRoleProfesional, "--vars", dir_.file("absent.json")});
  EXPECT_EQ(r.code, 9) << r;
  EXPECT_TRUE(snapshot(db()) == before);
  EXPECT_EQ(open_task(instance_, "A01_AnalizarCaracterizacion"), task_);
}

TEST_F(CliComplete, CompletingTwiceIsNotFound) {
  RunResult first = complete(task_, "A01_AnalizarCaracterizacion", kRoleProfesional, {"--json"});
  ASSERT_EQ(first.code, 0) << first;
  Json j = parse_json(first.out);
  EXPECT_EQ(j["task"], task_);
  EXPECT_EQ(j["instance_id"], instance_);
  EXPECT_EQ(j["state"], "active");
  ASSERT_TRUE(j["events"].is_array());
  EXPECT_FALSE(j["events"].empty());
  ASSERT_EQ(j["open_tasks"].size(), 1u);
  EXPECT_EQ(j["open_tasks"][0]["element_id"], "A02_IdentificarNecesidades");

  const std::int64_t events = events_of(instance_);
  RunResult second = complete(task_, "A01_AnalizarCaracterizacion", kRoleProfesional);
  EXPECT_EQ(second.code, 3) << second;
  EXPECT_NE(second.err.find("not open"), std::string::npos) << second;
  EXPECT_EQ(events_of(instance_), events);
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM events WHERE type = 7"), 1);
}

TEST_F(CliComplete, ServiceTasksRunAfterTheUserTask) {
  // The classification handler needs the school's sector and Saber category.
  const std::int64_t id =
      start("105001000124", {"--var", "sector=OFICIAL", "--var", "categoria_saber=D"});
  ASSERT_EQ(id, 2);
  ASSERT_EQ(complete(open_task(id, "A01_AnalizarCaracterizacion"), "A01_AnalizarCaracterizacion",
                     kRoleProfesional)
                .code,
            0);
  const std::string a02 = open_task(id, "A02_IdentificarNecesidades");
  ASSERT_FALSE(a02.empty());
  RunResult r = complete(a02, "A02_IdentificarNecesidades", kRoleProfesional);
  ASSERT_EQ(r.code, 0) << r;
  // A03_ClasificarEstablecimiento ran as part of the command and wrote its variables.
  Json j = show(id);
  EXPECT_TRUE(j["variables"].contains("tipo_acompanamiento")) << j.dump(2);
  EXPECT_EQ(j["jobs"], Json::array());
  EXPECT_EQ(j["incidents"], Json::array());
  EXPECT_FALSE(open_task(id, "A03_DefinirEstrategiaAT").empty()) << j.dump(2);
}

TEST_F(CliComplete, HandlerFailureBecomesAnIncident) {
  // D02.03's data contract keeps `sector` from going missing at start (and the forms from
  // being cleared later), so this uses a copy of D02.03 under another key, for which no
  // start-data validator is registered: started without `sector`, its classification job
  // fails and, its retries spent at once (retryBackoff PT0S), raises an incident that
  // `incidents` and `show` report.
  const std::string key = "D02_03_SinContratoDeDatos";
  std::string xml = read_bytes(d02_03_file());
  for (auto at = xml.find(kProcess); at != std::string::npos; at = xml.find(kProcess, at)) {
    xml.replace(at, kProcess.size(), key);
  }
  // No wait between the retries (the default backoff would leave them to `pmiflow run`).
  const std::string task_definition =
      R"(<zeebe:taskDefinition type="d02_03.clasificar_establecimiento" />)";
  const auto at = xml.find(task_definition);
  ASSERT_NE(at, std::string::npos);
  xml.insert(
      at + task_definition.size(),
      R"(<zeebe:taskHeaders><zeebe:header key="retryBackoff" value="PT0S" /></zeebe:taskHeaders>)");
  const std::string copy = dir_.file("sin_contrato.bpmn");
  write_bytes(copy, xml);
  copy_shipped_forms(dir_.path());
  ASSERT_EQ(run({"deploy", copy}).code, 0);
  RunResult started = run({"start", "--process", key, "--school", "105001000999", "--period",
                           "2026", "--var", "nombre=\"IE Sin Sector\""});
  ASSERT_EQ(started.code, 0) << started;
  const std::int64_t id = parse_json(started.out)["id"].get<std::int64_t>();
  ASSERT_EQ(complete(open_task(id, "A01_AnalizarCaracterizacion"), "A01_AnalizarCaracterizacion",
                     kRoleProfesional)
                .code,
            0);
  RunResult r = complete(open_task(id, "A02_IdentificarNecesidades"), "A02_IdentificarNecesidades",
                         kRoleProfesional);
  ASSERT_EQ(r.code, 0) << r;
  RunResult incidents = run({"incidents", "--json"});
  ASSERT_EQ(incidents.code, 0) << incidents;
  Json list = parse_json(incidents.out);
  ASSERT_EQ(list.size(), 1u) << incidents;
  EXPECT_EQ(list[0]["instance_id"], id);
  EXPECT_EQ(list[0]["element_id"], "A03_ClasificarEstablecimiento");
  EXPECT_NE(list[0]["message"].get<std::string>().find("sector"), std::string::npos);
  Json j = show(id);
  EXPECT_EQ(j["open_incidents"], 1);
  EXPECT_EQ(j["state"], "active");
}

// ---- instances, show -------------------------------------------------------------------------

using CliQuery = CliTest;

TEST_F(CliQuery, InstancesJsonAndFilters) {
  deploy();
  ASSERT_EQ(start("105001000001"), 1);
  ASSERT_EQ(start("105001000002"), 2);
  RunResult r = run({"instances", "--json"});
  ASSERT_EQ(r.code, 0) << r;
  Json list = parse_json(r.out);
  ASSERT_EQ(list.size(), 2u) << r;
  for (const auto& i : list) {
    EXPECT_EQ(i["process"], kProcess);
    EXPECT_EQ(i["version"], 1);
    EXPECT_EQ(i["state"], "active");
    EXPECT_EQ(i["active_elements"], Json::array({"A01_AnalizarCaracterizacion"}));
    EXPECT_EQ(i["open_incidents"], 0);
  }
  r = run({"instances", "--json", "--school", "105001000002"});
  ASSERT_EQ(r.code, 0) << r;
  list = parse_json(r.out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["id"], 2);
  r = run({"instances", "--json", "--state", "completed"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(parse_json(r.out), Json::array());
}

TEST_F(CliQuery, ShowUnknownOrMalformedInstance) {
  deploy();
  EXPECT_EQ(run({"show", "42"}).code, 3);
  EXPECT_EQ(run({"show", "abc"}).code, 10);
  EXPECT_EQ(run({"show", "0"}).code, 10);
}

// ---- demo ------------------------------------------------------------------------------------

TEST(CliDemo, RunsD0203FromStartToEnd) {
  TempDir dir;
  RunResult r = run_cli({"demo", "--db", dir.file("demo.db")});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("la instancia terminó"), std::string::npos) << r;
  for (int i = 1; i <= 10; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "A%02d_", i);
    EXPECT_NE(r.out.find(id), std::string::npos) << id << " missing from the demo output";
  }
}

TEST(CliDemo, TemporaryDatabaseByDefault) {
  RunResult r = run_cli({"demo", "--school", "105001000777", "--period", "2026-2"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("(temporary)"), std::string::npos) << r;
  EXPECT_NE(r.out.find("la instancia terminó"), std::string::npos) << r;
}

// ---- usage -----------------------------------------------------------------------------------

TEST(CliUsage, UnknownCommandOrFlagIsExit2) {
  TempDir dir;
  const std::string db = dir.file("x.db");
  EXPECT_EQ(run_cli({"frobnicate"}).code, 2);
  EXPECT_EQ(run_cli({}).code, 2);
  EXPECT_EQ(run_cli({"instances", "--db", db, "--bogus"}).code, 2);
  EXPECT_EQ(run_cli({"--bogus"}).code, 2);
  EXPECT_EQ(run_cli({"start", "--db", db, "--school", "105001000123", "--period", "2026"}).code,
            2);                                                 // --process missing
  EXPECT_EQ(run_cli({"complete", "--db", db, "1-1"}).code, 2);  // --as missing
  EXPECT_EQ(run_cli({"bench", "--schools", "0"}).code, 2);
  EXPECT_FALSE(exists(db));
  RunResult help = run_cli({"--help"});
  EXPECT_EQ(help.code, 0) << help;
  EXPECT_NE(help.out.find("validate"), std::string::npos) << help;
}

}  // namespace
}  // namespace pmiflow::cli::testing
