// A database written by the pmiflow of before the reshape (main 0828a45, schema 4: business key
// (process, school, period), event payloads of version 1) is carried forward by migration 5
// and keeps working: its chains verify, every instance replays to the state that pmiflow
// replayed, its instances go on and stay unique by business key, and its archive verifies.
// tests/data/fixtures/schema4/README.md says how the fixture was made.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "cli_test_util.h"

namespace pmiflow::cli::testing {
namespace {

const std::string kFixture = std::string(PMIFLOW_TEST_DATA) + "/fixtures/schema4";

class Upgrade : public CliTest {
 protected:
  void SetUp() override { std::filesystem::copy_file(kFixture + "/pmiflow.db", db()); }
};

TEST_F(Upgrade, EveryChainVerifiesAfterTheMigration) {
  RunResult r = run({"verify", "--all", "--json"});
  ASSERT_EQ(r.code, 0) << r;
  Json j = parse_json(r.out);
  EXPECT_EQ(j["intact"], true);
  EXPECT_EQ(j["instances"], 13);
  EXPECT_EQ(j["events"], 1263);
  EXPECT_EQ(count_rows(db(), "PRAGMA user_version"), 12);
  // Migration 8: message keys start at 1 (the fixture predates messages).
  EXPECT_EQ(count_rows(db(), "SELECT next FROM sequences WHERE name = 'messages'"), 1);
}

// What `pmiflow replay N --json` printed on 0828a45 (replay-N.json) is what it prints now for
// the state: status, tokens, open tasks, jobs and incidents, variables, activations.
TEST_F(Upgrade, EveryInstanceReplaysToTheStateItHadAndAgreesWithItsProjections) {
  for (int id = 1; id <= 13; ++id) {
    SCOPED_TRACE("instance " + std::to_string(id));
    const Json before =
        parse_json(read_bytes(kFixture + "/replay-" + std::to_string(id) + ".json"));
    RunResult r = run({"replay", std::to_string(id), "--json"});
    ASSERT_EQ(r.code, 0) << r;
    const Json now = parse_json(r.out);
    for (const char* key : {"status", "last_seq", "tasks", "jobs", "incidents", "variables",
                            "activation_counts", "process", "version", "school", "period"}) {
      EXPECT_EQ(now[key], before[key]) << key;
    }
    // The same tokens. On 0828a45 the fixture's definition did not load (a service task type
    // with no in-process handler was an error; its jobs now wait for a worker), so the
    // elements had no names then: they have now.
    auto tokens = [](Json active) {
      for (Json& a : active) a.erase("element_name");
      return active;
    };
    EXPECT_EQ(tokens(now["active"]), tokens(before["active"]));
    EXPECT_EQ(now["projections"]["agree"], true) << now["projections"];
    EXPECT_EQ(now["business_id"],
              before["school"].get<std::string>() + "/" + before["period"].get<std::string>());
  }
}

TEST_F(Upgrade, OldInstancesGoOnAndStartsStayIdempotentByTheirSchoolAndPeriod) {
  // Instance 2 (D02.03, school 105001000101) waits at activity 5.
  const std::string task = open_task(2, "A05_ApoyarEjecucionPMI");
  ASSERT_FALSE(task.empty());
  RunResult done = complete(task, "A05_ApoyarEjecucionPMI", kRoleProfesional);
  ASSERT_EQ(done.code, 0) << done;
  EXPECT_FALSE(open_task(2, "A06_HacerSeguimiento").empty());

  RunResult again = run({"start", "--process", kProcess, "--school", "105001000101", "--period",
                         "2026", "--var", "nombre=IE", "--var", "municipio=Medellín", "--var",
                         "etc=Medellín", "--var", "sector=OFICIAL", "--var", "categoria_saber=B"});
  ASSERT_EQ(again.code, 0) << again;
  EXPECT_EQ(parse_json(again.out), (Json{{"id", 2}, {"created", false}}));

  const std::int64_t fresh = start("105001000999");
  EXPECT_EQ(fresh, 14) << "ids go on after the last instance of the old database";
  RunResult verified = run({"verify", "--all"});
  EXPECT_EQ(verified.code, 0) << verified;
  RunResult instances = run({"instances", "--school", "105001000101", "--json"});
  ASSERT_EQ(instances.code, 0) << instances;
  EXPECT_EQ(parse_json(instances.out).size(), 1U);
}

TEST_F(Upgrade, TheHistoryOfAnOldInstanceReadsItsVersionOneEvents) {
  RunResult r = run({"history", "10"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("se inició la instancia: fixture_process v1, id de negocio "
                       "111001000002/2026-1 (periodo 2026-1, establecimiento 111001000002)"),
            std::string::npos)
      << r;
  EXPECT_NE(r.out.find("INCIDENTE 10-8 (condition) en ¿Puntaje? [decide]"), std::string::npos) << r;
}

TEST_F(Upgrade, AnArchiveOfTheOldFormatVerifiesWithTheDigestItWasExportedWith) {
  RunResult r = run_cli({"verify", "--archive", kFixture + "/archive-2026-1.jsonl"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("heads digest: "
                       "a523bfccd3a8734e650a6f90ddfc03eb9b0bc9eec0860290140ebd8270169e62"),
            std::string::npos)
      << r;
  RunResult replayed =
      run_cli({"replay", "9", "--archive", kFixture + "/archive-2026-1.jsonl", "--json"});
  ASSERT_EQ(replayed.code, 0) << replayed;
  const Json before = parse_json(read_bytes(kFixture + "/replay-9.json"));
  const Json now = parse_json(replayed.out);
  EXPECT_EQ(now["variables"], before["variables"]);
  EXPECT_EQ(now["tasks"], before["tasks"]);
}

}  // namespace
}  // namespace pmiflow::cli::testing
