// The period commands through the real executable: start data refused at `start`,
// `start --from-csv`, `sample-jurisdiction` and `summary`.

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/unit/cli/cli_test_util.h"

namespace pmiflow::cli::testing {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ---- start checks the data contract ---------------------------------------------------------

using CliStartData = CliTest;

TEST_F(CliStartData, BadStartDataIsRefusedNamingEachFieldAndWritesNothing) {
  deploy();
  ASSERT_EQ(start("105001000001"), 1);
  const DbSnapshot before = snapshot(db());
  RunResult r = run({"start", "--process", kProcess, "--school", "105001000123", "--period", "2026",
                     "--var", "municipio=Andes", "--var", "etc=Antioquia", "--var",
                     "sector=PRIVADO", "--var", "categoria_saber=E", "--var", "regimen=X"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(contains(r.err,
                       "error: the start variables of D02_03_ApoyarGestionPMI (business id "
                       "105001000123/2026) break its data contract"))
      << r;
  EXPECT_TRUE(contains(r.err, "\n  nombre: expected the school's name, found nothing")) << r;
  EXPECT_TRUE(contains(r.err, "\n  sector: expected one of OFICIAL, NO_OFICIAL, found 'PRIVADO'"))
      << r;
  EXPECT_TRUE(contains(r.err, "\n  categoria_saber: ")) << r;
  EXPECT_TRUE(contains(r.err, "\n  regimen: ")) << r;
  EXPECT_FALSE(contains(r.err, "municipio:")) << r;
  EXPECT_TRUE(snapshot(db()) == before);
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM instances"), 1);
}

TEST_F(CliStartData, RegimenOfAnOfficialSchoolIsRefused) {
  deploy();
  RunResult r = run([] {
    std::vector<std::string> args = start_args("105001000123");
    args.insert(args.end(), {"--var", "regimen=REGIMEN_CONTROLADO"});
    return args;
  }());
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_TRUE(contains(r.err, "\n  regimen: expected nothing for an OFICIAL school")) << r;
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM instances"), 0);
}

TEST_F(CliStartData, PrivateSchoolNeedsItsRegimen) {
  deploy();
  std::vector<std::string> args = start_args("305001000123");
  args.insert(args.end(), {"--var", "sector=NO_OFICIAL"});
  RunResult r = run(args);
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_TRUE(contains(r.err, "\n  regimen: expected one of LIBERTAD_REGULADA")) << r;
  args.insert(args.end(), {"--var", "regimen=LIBERTAD_VIGILADA"});
  r = run(args);
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(parse_json(r.out), Json::parse(R"({"id":1,"created":true})")) << r;
}

// ---- sample-jurisdiction --------------------------------------------------------------------

using CliSampleJurisdiction = CliTest;

TEST_F(CliSampleJurisdiction, SameSeedSameFileOtherSeedOtherFile) {
  const std::string a = dir_.file("a.csv");
  const std::string b = dir_.file("b.csv");
  const std::string c = dir_.file("c.csv");
  RunResult ra = run_cli({"sample-jurisdiction", "--schools", "40", "--seed", "7", "--out", a});
  ASSERT_EQ(ra.code, 0) << ra;
  EXPECT_TRUE(contains(ra.out, "wrote 40 schools of Antioquia (seed 7) to " + a)) << ra;
  EXPECT_TRUE(contains(ra.out, "sector:")) << ra;
  ASSERT_EQ(run_cli({"sample-jurisdiction", "--schools", "40", "--seed", "7", "--out", b}).code, 0);
  ASSERT_EQ(run_cli({"sample-jurisdiction", "--schools", "40", "--seed", "8", "--out", c}).code, 0);
  const std::string text = read_bytes(a);
  EXPECT_EQ(text.rfind("codigo_dane,nombre,municipio,etc,sector,categoria_saber,regimen\n", 0), 0U)
      << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 41);
  EXPECT_EQ(text, read_bytes(b));
  EXPECT_NE(text, read_bytes(c));

  // Without --out the CSV goes to standard output, byte for byte the same.
  RunResult stdout_run = run_cli({"sample-jurisdiction", "--schools", "40", "--seed", "7"});
  ASSERT_EQ(stdout_run.code, 0) << stdout_run;
  EXPECT_EQ(stdout_run.out, text);

  RunResult bom = run_cli({"sample-jurisdiction", "--schools", "3", "--etc", "boyaca", "--bom"});
  ASSERT_EQ(bom.code, 0) << bom;
  EXPECT_EQ(bom.out.rfind("\xEF\xBB\xBF"
                          "codigo_dane,",
                          0),
            0U)
      << bom;
  EXPECT_TRUE(contains(bom.out, ",Boyacá,")) << bom;
}

TEST_F(CliSampleJurisdiction, BadArgumentsAreRefused) {
  RunResult unknown = run_cli({"sample-jurisdiction", "--schools", "5", "--etc", "Narnia"});
  EXPECT_EQ(unknown.code, 10) << unknown;
  EXPECT_TRUE(contains(unknown.err, "etc: unknown ETC 'Narnia'")) << unknown;
  EXPECT_EQ(run_cli({"sample-jurisdiction", "--schools", "-1"}).code, 2);
  const std::string unwritable = dir_.file("missing/dir/x.csv");
  RunResult io = run_cli({"sample-jurisdiction", "--schools", "5", "--out", unwritable});
  EXPECT_EQ(io.code, 9) << io;
  EXPECT_TRUE(contains(io.err, unwritable)) << io;
}

// ---- start --from-csv -----------------------------------------------------------------------

class CliStartFromCsv : public CliTest {
 protected:
  // A 12-school sample jurisdiction and, after it, `extra` lines.
  std::string write_csv(const std::string& extra = "") {
    const std::string file = dir_.file("escuelas.csv");
    RunResult r = run_cli({"sample-jurisdiction", "--schools", "12", "--seed", "3", "--out", file});
    EXPECT_EQ(r.code, 0) << r;
    write_bytes(file, read_bytes(file) + extra);
    return file;
  }
  RunResult start_csv(const std::string& file, bool json = true) {
    std::vector<std::string> args = {"start", "--process", kProcess, "--from-csv",
                                     file,    "--period",  "2026"};
    if (json) args.push_back("--json");
    return run(args);
  }
};

TEST_F(CliStartFromCsv, StartsEveryRowOnceAndRerunCreatesNothing) {
  deploy();
  const std::string file = write_csv();
  RunResult r = start_csv(file);
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.err, "");
  Json j = parse_json(r.out);
  EXPECT_EQ(j["rows"], 12);
  EXPECT_EQ(j["created"], 12);
  EXPECT_EQ(j["existing"], 0);
  EXPECT_EQ(j["rejected"], Json::array());
  ASSERT_EQ(j["instances"].size(), 12U);
  EXPECT_EQ(j["instances"][0]["line"], 2);
  EXPECT_EQ(j["instances"][11]["line"], 13);
  EXPECT_EQ(
      count_rows(db(),
                 "SELECT count(*) FROM instance_tags WHERE name = 'period' AND value = '2026'"),
      12);
  // Each instance has the row's data.
  const std::string first_row = read_bytes(file).substr(read_bytes(file).find('\n') + 1, 12);
  EXPECT_EQ(j["instances"][0]["codigo_dane"], first_row);
  Json shown = show(j["instances"][0]["id"].get<std::int64_t>());
  EXPECT_EQ(shown["variables"]["codigo_dane"], first_row);
  EXPECT_EQ(shown["variables"]["etc"], "Antioquia");
  EXPECT_EQ(shown["variables"]["periodo"], "2026");
  EXPECT_EQ(shown["active_elements"], Json::array({"A01_AnalizarCaracterizacion"}));

  const std::int64_t events = count_rows(db(), "SELECT count(*) FROM events");
  RunResult again = start_csv(file);
  ASSERT_EQ(again.code, 0) << again;
  Json k = parse_json(again.out);
  EXPECT_EQ(k["created"], 0);
  EXPECT_EQ(k["existing"], 12);
  for (const auto& i : k["instances"]) EXPECT_EQ(i["created"], false) << i;
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM events"), events);

  RunResult text = start_csv(file, false);
  ASSERT_EQ(text.code, 0) << text;
  EXPECT_TRUE(contains(text.out, "created:  0")) << text;
  EXPECT_TRUE(contains(text.out, "existing: 12")) << text;
}

TEST_F(CliStartFromCsv, BadRowsAreReportedByLineAndTheGoodOnesStart) {
  deploy();
  const std::string file = write_csv(
      "105001999001,IE Sin Sector,Andes,Antioquia,PRIVADO,B,\n"           // line 14
      "305001999002,Colegio Sin Régimen,Andes,Antioquia,NO_OFICIAL,A,\n"  // line 15
      "105001999003,,Andes,Antioquia,OFICIAL,C,REGIMEN_CONTROLADO\n"      // line 16
      "105001999004,IE Buena,Andes,Antioquia,OFICIAL,D,\n");              // line 17
  RunResult r = start_csv(file);
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_TRUE(contains(r.err, "error: " + file +
                                  ":14: sector: expected one of OFICIAL, "
                                  "NO_OFICIAL, found 'PRIVADO'"))
      << r;
  EXPECT_TRUE(contains(r.err, "error: " + file + ":15: regimen: ")) << r;
  EXPECT_TRUE(contains(r.err, "error: " + file + ":16: nombre: ")) << r;
  EXPECT_TRUE(contains(r.err, "error: " + file + ":16: regimen: ")) << r;
  EXPECT_TRUE(contains(r.err, "3 of 16 rows rejected (lines 14, 15, 16)")) << r;
  Json j = parse_json(r.out);
  EXPECT_EQ(j["created"], 13);
  ASSERT_EQ(j["rejected"].size(), 3U);
  EXPECT_EQ(j["rejected"][0]["line"], 14);
  EXPECT_EQ(j["rejected"][0]["codigo_dane"], "105001999001");
  EXPECT_EQ(j["rejected"][0]["errors"][0]["field"], "sector");
  EXPECT_EQ(j["rejected"][2]["line"], 16);
  EXPECT_EQ(j["rejected"][2]["errors"].size(), 2U);
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM instances"), 13);
  EXPECT_EQ(
      count_rows(
          db(),
          "SELECT count(*) FROM instance_tags WHERE name = 'school' AND value LIKE '%99900_'"),
      1);

  // A rerun starts nothing more and still reports the same rows.
  RunResult again = start_csv(file);
  EXPECT_EQ(again.code, 1) << again;
  EXPECT_EQ(parse_json(again.out)["existing"], 13);
  EXPECT_EQ(parse_json(again.out)["rejected"].size(), 3U);
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM instances"), 13);
}

TEST_F(CliStartFromCsv, BadFileIsRefusedBeforeAnythingIsWritten) {
  deploy();
  const DbSnapshot before = snapshot(db());
  const std::string bad_header = dir_.file("bad.csv");
  write_bytes(bad_header, "codigo_dane,nombre,municipio,etc,sector,saber,regimen\n");
  RunResult r = start_csv(bad_header);
  EXPECT_EQ(r.code, 10) << r;
  EXPECT_TRUE(contains(r.err, "error: " + bad_header + ": line 1: bad header")) << r;
  EXPECT_TRUE(contains(r.err, "unknown column 'saber'")) << r;

  RunResult missing = start_csv(dir_.file("absent.csv"));
  EXPECT_EQ(missing.code, 9) << missing;
  EXPECT_TRUE(contains(missing.err, "absent.csv")) << missing;

  const std::string file = write_csv();
  RunResult period = run({"start", "--process", kProcess, "--from-csv", file, "--period", "26"});
  EXPECT_EQ(period.code, 10) << period;
  RunResult process =
      run({"start", "--process", "NoSuchProcess", "--from-csv", file, "--period", "2026"});
  EXPECT_EQ(process.code, 3) << process;
  EXPECT_TRUE(snapshot(db()) == before);

  // --from-csv goes without --school and --var.
  EXPECT_EQ(run({"start", "--process", kProcess, "--from-csv", file, "--school", "105001000123",
                 "--period", "2026"})
                .code,
            2);
  EXPECT_EQ(
      run({"start", "--process", kProcess, "--from-csv", file, "--var", "a=1", "--period", "2026"})
          .code,
      2);
  EXPECT_EQ(run({"start", "--process", kProcess, "--period", "2026"}).code, 2);
  EXPECT_TRUE(snapshot(db()) == before);
}

// ---- summary --------------------------------------------------------------------------------

using CliSummary = CliTest;

TEST_F(CliSummary, CountsInstancesPerActivityAndOpenTasksPerRole) {
  deploy();
  const std::int64_t a = start("105001000001");
  const std::int64_t b = start("105001000002");
  start("105001000003");
  ASSERT_EQ(run(start_args("105001000009", "2027")).code, 0);  // another period: not counted
  // One school moves on to activity 2.
  RunResult done = run({"complete", open_task(a, "A01_AnalizarCaracterizacion"), "--as",
                        kRoleProfesional, "--var", "analisis_caracterizacion=\"revisado\""});
  ASSERT_EQ(done.code, 0) << done;
  ASSERT_NE(open_task(b, "A01_AnalizarCaracterizacion"), "");

  RunResult r = run({"summary", "--period", "2026", "--json"});
  ASSERT_EQ(r.code, 0) << r;
  Json j = parse_json(r.out);
  EXPECT_EQ(j["instances"], 3);
  EXPECT_EQ(j["states"]["active"], 3);
  EXPECT_EQ(j["states"]["completed"], 0);
  EXPECT_EQ(j["with_incidents"], 0);
  ASSERT_EQ(j["activities"].size(), 2U) << j;
  EXPECT_EQ(j["activities"][0]["element_id"], "A01_AnalizarCaracterizacion");
  EXPECT_EQ(j["activities"][0]["name"],
            "Analizar la caracterización de la entidad territorial y el perfil del sector "
            "educativo");
  EXPECT_EQ(j["activities"][0]["instances"], 2);
  EXPECT_EQ(j["activities"][1]["element_id"], "A02_IdentificarNecesidades");
  EXPECT_EQ(j["activities"][1]["instances"], 1);
  ASSERT_EQ(j["roles"].size(), 1U) << j;
  EXPECT_EQ(j["roles"][0]["role"], kRoleProfesional);
  EXPECT_EQ(j["roles"][0]["open_tasks"], 3);
  ASSERT_EQ(j["roles"][0]["tasks"].size(), 2U);
  EXPECT_EQ(j["roles"][0]["tasks"][1]["name"],
            "Identificar las necesidades de apoyo a la gestión de los PMI");
  EXPECT_EQ(j["roles"][0]["tasks"][1]["open"], 1);

  RunResult text = run({"summary", "--period", "2026"});
  ASSERT_EQ(text.code, 0) << text;
  EXPECT_TRUE(contains(text.out, "periodo 2026: 3 instancias (3 activas, 0 completadas")) << text;
  EXPECT_TRUE(contains(text.out,
                       "  2  Analizar la caracterización de la entidad territorial y el perfil "
                       "del sector educativo  [A01_AnalizarCaracterizacion]"))
      << text;
  EXPECT_TRUE(contains(text.out, "  Profesional de mejoramiento: 3 tareas abiertas\n")) << text;
  EXPECT_TRUE(contains(text.out, "    1  Identificar las necesidades")) << text;

  RunResult other = run({"summary", "--period", "2025", "--json"});
  ASSERT_EQ(other.code, 0) << other;
  EXPECT_EQ(parse_json(other.out)["instances"], 0);
  EXPECT_EQ(parse_json(other.out)["activities"], Json::array());
  EXPECT_EQ(run({"summary", "--period", "20x6"}).code, 10);
}

}  // namespace
}  // namespace pmiflow::cli::testing
