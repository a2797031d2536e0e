// The limits on outside input at the command line's doors (engine/common/limits.h; docs/cli.md,
// "Limits"): deep or large JSON in --var, --vars and form files, text that is not UTF-8, deep
// FEEL and archive lines. Each refusal names the place and the limit, exits with its documented
// code, and leaves the database as it was (or does not create it).
#include <string>

#include <gtest/gtest.h>

#include "cli_test_util.h"
#include "engine/common/limits.h"

namespace pmiflow::cli::testing {
namespace {

std::string nested(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']');
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class CliInputLimits : public CliTest {
 protected:
  void SetUp() override {
    const std::string file = dir_.file("sin_formulario.bpmn");
    write_bytes(file, kFormlessBpmn);
    ASSERT_EQ(run({"deploy", file}).code, 0);
    RunResult started = run(
        {"start", "--process", "sin_formulario", "--school", "105001000999", "--period", "2026"});
    ASSERT_EQ(started.code, 0) << started;
    instance_ = parse_json(started.out)["id"].get<std::int64_t>();
    task_ = open_task(instance_, "Tarea");
    ASSERT_FALSE(task_.empty());
  }

  // `complete TASK --as profesional_mejoramiento` with `vars` (--var/--vars arguments).
  RunResult complete_with(const std::vector<std::string>& vars) const {
    std::vector<std::string> args = {"complete", task_, "--as", kRoleProfesional};
    args.insert(args.end(), vars.begin(), vars.end());
    return run(args);
  }

  // Runs `complete` with `vars`, expecting it refused with exit 10 and every part of `parts` in
  // the message, and the database untouched.
  void expect_refused(const std::vector<std::string>& vars, const std::vector<std::string>& parts) {
    const DbSnapshot before = snapshot(db());
    const std::int64_t events = events_of(instance_);
    RunResult r = complete_with(vars);
    EXPECT_EQ(r.code, 10) << r;
    for (const auto& part : parts) EXPECT_TRUE(has(r.err, part)) << part << "\n" << r;
    EXPECT_TRUE(snapshot(db()) == before);
    EXPECT_EQ(events_of(instance_), events);
    EXPECT_EQ(open_task(instance_, "Tarea"), task_);
  }

  std::int64_t instance_ = 0;
  std::string task_;
};

TEST_F(CliInputLimits, DeepVarIsRefusedNamingTheVariableAndTheLimit) {
  // 60,000 levels: an argument stays under Linux's 128 KiB; before the limit this crashed.
  expect_refused({"--var", "x=" + nested(60'000)},
                 {"--var x: nested deeper than 64 levels at byte offset 64",
                  "(the limit for a variable's value: 64 levels of arrays and objects)"});
  expect_refused({"--var", "x=" + nested(65)}, {"--var x: nested deeper than 64 levels"});
}

TEST_F(CliInputLimits, AValueAtTheDepthLimitIsAccepted) {
  RunResult r = complete_with({"--var", "x=" + nested(64)});
  ASSERT_EQ(r.code, 0) << r;
  Json x = show(instance_)["variables"]["x"];
  int depth = 0;
  for (const Json* v = &x; v->is_array() && !v->empty(); v = &(*v)[0]) ++depth;
  EXPECT_EQ(depth, 63);  // the innermost array is empty
  EXPECT_EQ(show(instance_)["state"], "completed");
}

TEST_F(CliInputLimits, InvalidUtf8InAVarIsRefusedNamingTheVariable) {
  expect_refused(
      {"--var", "nota=ab\xff"},
      {"--var nota: the value is not valid UTF-8 (byte offset 2 of the value is \\xFF)"});
  expect_refused({"--var", "nota=\"\xff\""}, {"--var nota: the value is not valid UTF-8"});
  expect_refused({"--var", "nota=[\"\xc3\"]"}, {"--var nota: the value is not valid UTF-8"});
  // A name that is not UTF-8 is quoted with its bad byte written out.
  expect_refused({"--var", "n\xff=1"}, {"--var 'n\\xFF=1': 'n\\xFF' is not a variable name"});
}

TEST_F(CliInputLimits, InvalidUtf8InAStartVarIsRefusedBeforeAnythingIsStarted) {
  const DbSnapshot before = snapshot(db());
  std::vector<std::string> args = start_args("105001000123");
  args.insert(args.end(), {"--var", "nombre=IE \xff"});
  RunResult r = run(args);
  EXPECT_EQ(r.code, 10) << r;
  EXPECT_TRUE(has(r.err, "--var nombre: the value is not valid UTF-8")) << r;
  EXPECT_TRUE(snapshot(db()) == before);
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM instances"), 1);
}

TEST_F(CliInputLimits, VarsDocumentsPastALimitAreRefusedNamingTheFileAndTheLimit) {
  const std::string deep = dir_.file("deep.json");
  write_bytes(deep, "{\"x\": " + nested(200'000) + "}");
  expect_refused({"--vars", deep}, {"--vars " + deep + ": nested deeper than 65 levels",
                                    "the limit for a variables document: 65 levels"});

  const std::string big = dir_.file("big.json");
  write_bytes(big, "{\"x\": \"" + std::string(limits::kMaxVariablesBytes, 'a') + "\"}");
  expect_refused({"--vars", big}, {"--vars " + big +
                                   ": more than 4 MiB (4194304 bytes), the limit for a variables "
                                   "document"});

  const std::string big_value = dir_.file("big_value.json");
  write_bytes(big_value,
              "{\"x\": 1, \"grande\": \"" + std::string(limits::kMaxValueBytes, 'a') + "\"}");
  expect_refused({"--vars", big_value},
                 {"--vars " + big_value +
                  ": variable grande: 1048578 bytes, more than the limit for a variable's value "
                  "(1 MiB (1048576 bytes))"});

  const std::string not_utf8 = dir_.file("latin1.json");
  write_bytes(not_utf8, "{\"municipio\": \"Medell\xedn\"}");
  expect_refused({"--vars", not_utf8},
                 {"--vars " + not_utf8 + ": invalid UTF-8 at byte offset 21 (0xed)"});
}

// A copy of D02.03 and its forms in `dir`, with form `form_id` replaced by `json`.
std::string d02_03_with_form(const TempDir& dir, const std::string& form_id,
                             const std::string& json) {
  const std::string bpmn = dir.file("d02_03.bpmn");
  write_bytes(bpmn, read_bytes(d02_03_file()));
  copy_shipped_forms(dir.path());
  write_bytes(dir.file("forms/" + form_id + ".form"), json);
  return bpmn;
}

TEST(CliFormLimits, ADeepFormFileIsAValidationErrorAndNothingIsDeployed) {
  TempDir dir;
  const std::string form = "form_a02_identificar_necesidades";
  const std::string bpmn = d02_03_with_form(
      dir, form, R"({"type": "default", "id": ")" + form + R"(", "x": )" + nested(100'000) + "}");
  const std::string db = dir.file("pmiflow.db");
  RunResult r = run_cli({"deploy", bpmn, "--db", db});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_TRUE(has(r.err, "form file '" + dir.file("forms/" + form + ".form") +
                             "': nested deeper than 64 levels"))
      << r;
  EXPECT_TRUE(has(r.err, "(the limit for a form file: 64 levels of arrays and objects)")) << r;
  EXPECT_TRUE(has(r.err, "nothing was deployed")) << r;
  EXPECT_FALSE(exists(db));
  r = run_cli({"validate", bpmn});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_TRUE(has(r.err, "nested deeper than 64 levels")) << r;
}

TEST(CliFormLimits, ATooLargeFormFileIsAValidationError) {
  TempDir dir;
  const std::string form = "form_a02_identificar_necesidades";
  const std::string bpmn =
      d02_03_with_form(dir, form, "\"" + std::string(limits::kMaxFormBytes, ' ') + "\"");
  RunResult r = run_cli({"deploy", bpmn, "--db", dir.file("pmiflow.db")});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_TRUE(has(r.err, "more than 1 MiB (1048576 bytes), the limit for a form file")) << r;
  EXPECT_FALSE(exists(dir.file("pmiflow.db")));
}

TEST(CliBpmnLimits, AFileThatIsNotUtf8IsAValidationErrorEvenInJson) {
  TempDir dir;
  std::string xml = kFormlessBpmn;
  xml.replace(xml.find("Tarea sin formulario"), 5, "Tarea \xff");
  const std::string bpmn = dir.file("latin.bpmn");
  write_bytes(bpmn, xml);
  RunResult r = run_cli({"validate", bpmn});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_TRUE(has(r.err, bpmn + ":8:43: error: the file is not valid UTF-8: byte 0xFF")) << r;
  r = run_cli({"validate", "--json", bpmn});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_TRUE(parse_json(r.out).is_array()) << r;
  r = run_cli({"deploy", bpmn, "--db", dir.file("pmiflow.db")});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_FALSE(exists(dir.file("pmiflow.db")));
}

TEST(CliBpmnLimits, AFileOverTheSizeLimitIsRefusedUnread) {
  TempDir dir;
  std::string xml = kFormlessBpmn;
  xml += "<!--" + std::string(limits::kMaxBpmnBytes, '-') + "-->\n";
  const std::string bpmn = dir.file("big.bpmn");
  write_bytes(bpmn, xml);
  const std::string message =
      bpmn + ": more than 16 MiB (16777216 bytes), the limit for a BPMN file";
  RunResult r = run_cli({"deploy", bpmn, "--db", dir.file("pmiflow.db")});
  EXPECT_EQ(r.code, 10) << r;
  EXPECT_TRUE(has(r.err, message)) << r;
  EXPECT_FALSE(exists(dir.file("pmiflow.db")));
  r = run_cli({"validate", bpmn});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_TRUE(has(r.err, message)) << r;
}

TEST(CliFeelLimits, ADeeplyNestedConditionIsAValidationError) {
  TempDir dir;
  std::string xml = read_bytes(std::string(PMIFLOW_TEST_DATA) + "/good/exclusive-default.bpmn");
  const std::string condition = "= alineada = true";
  xml.replace(xml.find(condition), condition.size(),
              std::string(30'000, '(') + "1" + std::string(30'000, ')'));
  const std::string bpmn = dir.file("deep.bpmn");
  write_bytes(bpmn, xml);
  RunResult r = run_cli({"validate", bpmn});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_TRUE(has(r.err,
                  "f_yes: condition does not parse: expression nested too deeply (more "
                  "than 127 levels of brackets)"))
      << r;
}

// Found by fuzz_form: a FEEL error quoted the first byte of a character after a number, and
// `validate --json` ended in exit 70 when nlohmann refused to write it.
TEST(CliFeelLimits, AConditionErrorQuotingANonAsciiCharacterIsWrittenAsJson) {
  TempDir dir;
  std::string xml = read_bytes(std::string(PMIFLOW_TEST_DATA) + "/good/exclusive-default.bpmn");
  const std::string condition = "= alineada = true";
  xml.replace(xml.find(condition), condition.size(), "= 3ñ");
  const std::string bpmn = dir.file("ene.bpmn");
  write_bytes(bpmn, xml);
  RunResult r = run_cli({"validate", "--json", bpmn});
  EXPECT_EQ(r.code, 1) << r;
  Json report = parse_json(r.out);
  ASSERT_TRUE(report.is_array() && report.size() == 1) << r;
  bool found = false;
  for (const Json& d : report[0]["diagnostics"]) {
    found = found || d["message"] ==
                         "condition does not parse: invalid number: unexpected "
                         "character 'ñ' after '3'";
  }
  EXPECT_TRUE(found) << r;
}

const char* const kArchiveHeader =
    R"({"record":"header","format":"pmiflow-archive","format_version":1,"period":"2026",)"
    R"("school":null,"exported":"2026-11-25T10:00:00.000Z","instances":1,"events":1,)"
    R"("definitions":0})";

// Before the limit, copying the event's payload overflowed the stack.
TEST(CliArchiveLimits, ADeepArchiveLineIsMalformedNamingTheLineAndTheLimit) {
  TempDir dir;
  const std::string archive = dir.file("deep.jsonl");
  write_bytes(archive, std::string(kArchiveHeader) + "\n" +
                           R"({"record":"event","instance_id":1,"seq":1,"type":"InstanceCreated",)"
                           R"("type_version":1,"time_ms":1,"actor":{},"definition_version":1,)"
                           R"("payload":)" +
                           nested(200'000) + "}\n");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"verify", "--archive", archive},
        std::vector<std::string>{"replay", "1", "--archive", archive},
        std::vector<std::string>{"history", "1", "--archive", archive}}) {
    RunResult r = run_cli(args);
    EXPECT_EQ(r.code, 10) << r;
    EXPECT_TRUE(has(r.err, archive +
                               ":2: malformed archive line: the record: nested deeper than 80 "
                               "levels at byte offset 219 (the limit for an archive line: 80 "
                               "levels of arrays and objects)"))
        << r;
  }
}

}  // namespace
}  // namespace pmiflow::cli::testing
