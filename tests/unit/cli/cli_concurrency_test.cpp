// Two `pmiflow complete` processes racing for the same task (docs/storage-format.md, "Several
// processes"): exactly one wins, the other is told so, and the log holds one completion.
//
// Which code the loser gets depends on when it read the instance:
//  * it read the task open, computed its events, and then lost the optimistic check
//    (instances.last_seq moved under it: kConflict from the store); the engine reloads,
//    retries, finds the task gone and reports kConflict "changed concurrently by another
//    command" -> exit 4;
//  * it read the instance after the winner had committed: the task is simply not open any
//    more (kNotFound on the first attempt) -> exit 3.
// Both are correct; what must never happen is two successes, two UserTaskCompleted events for
// one task, or a crash.
#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include "cli_test_util.h"

namespace pmiflow::cli::testing {
namespace {

using CliConcurrency = CliTest;

TEST_F(CliConcurrency, TwoProcessesCompletingTheSameTaskOneWins) {
  deploy();
  constexpr int kRounds = 10;
  std::map<int, int> loser_codes;  // exit code -> times
  for (int round = 0; round < kRounds; ++round) {
    char school[32];
    std::snprintf(school, sizeof school, "1050010%05d", round);
    const std::int64_t instance = start(school);
    ASSERT_GT(instance, 0);
    const std::string task = open_task(instance, "A01_AnalizarCaracterizacion");
    ASSERT_FALSE(task.empty());
    const std::int64_t events_before = events_of(instance);

    // Both children are running before either is waited for.
    std::vector<std::string> args_a = {"complete", task,  "--as",  kRoleProfesional,
                                       "--user",   "ana", "--var", "analisis_caracterizacion=A",
                                       "--db",     db()};
    std::vector<std::string> args_b = {"complete", task,   "--as",  kRoleProfesional,
                                       "--user",   "beto", "--var", "analisis_caracterizacion=B",
                                       "--db",     db()};
    Child a(args_a);
    Child b(args_b);
    RunResult ra = a.wait();
    RunResult rb = b.wait();

    const bool a_won = ra.code == 0;
    const bool b_won = rb.code == 0;
    ASSERT_FALSE(a_won && b_won) << "both completed task " << task << "\nA: " << ra
                                 << "\nB: " << rb;
    ASSERT_TRUE(a_won || b_won) << "neither completed task " << task << "\nA: " << ra
                                << "\nB: " << rb;
    const RunResult& loser = a_won ? rb : ra;
    EXPECT_TRUE(loser.code == 3 || loser.code == 4) << loser;
    EXPECT_NE(loser.err.find("error: "), std::string::npos) << loser;
    ++loser_codes[loser.code];

    // The log: one UserTaskCompleted (type 7), by the winner, with the winner's variable.
    RawDb raw(db());
    auto completions =
        raw.rows("SELECT actor, payload FROM events WHERE type = 7 AND instance_id = " +
                 std::to_string(instance));
    ASSERT_EQ(completions.size(), 1u);
    Json actor = Json::parse(completions[0][0]);
    EXPECT_EQ(actor["id"], a_won ? "ana" : "beto");
    Json vars = show(instance)["variables"];
    EXPECT_EQ(vars["analisis_caracterizacion"], a_won ? "A" : "B");
    EXPECT_GT(events_of(instance), events_before);
    // Seqs stay dense.
    EXPECT_EQ(
        raw.scalar("SELECT max(seq) FROM events WHERE instance_id = " + std::to_string(instance)),
        events_of(instance));
    EXPECT_FALSE(open_task(instance, "A02_IdentificarNecesidades").empty());
  }
  for (const auto& [code, times] : loser_codes) {
    std::printf("loser exit code %d: %d of %d rounds\n", code, times, kRounds);
  }
}

// Different tasks of different instances at once: both succeed (writers queue on the lock).
TEST_F(CliConcurrency, DifferentInstancesDoNotConflict) {
  deploy();
  const std::int64_t i1 = start("105001000001");
  const std::int64_t i2 = start("105001000002");
  const std::string t1 = open_task(i1, "A01_AnalizarCaracterizacion");
  const std::string t2 = open_task(i2, "A01_AnalizarCaracterizacion");
  Child a({"complete", t1, "--as", kRoleProfesional, "--var", "analisis_caracterizacion=A", "--db",
           db()});
  Child b({"complete", t2, "--as", kRoleProfesional, "--var", "analisis_caracterizacion=B", "--db",
           db()});
  RunResult ra = a.wait();
  RunResult rb = b.wait();
  EXPECT_EQ(ra.code, 0) << ra;
  EXPECT_EQ(rb.code, 0) << rb;
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM events WHERE type = 7"), 2);
}

// Two processes starting the same business key at once: both succeed, one instance exists,
// exactly one of them reports created=true.
TEST_F(CliConcurrency, TwoProcessesStartingTheSameKeyCreateOneInstance) {
  deploy();
  for (int round = 0; round < 6; ++round) {
    char school[32];
    std::snprintf(school, sizeof school, "1050020%05d", round);
    std::vector<std::string> args = start_args(school);
    args.insert(args.end(), {"--db", db()});
    Child a(args);
    Child b(args);
    RunResult ra = a.wait();
    RunResult rb = b.wait();
    ASSERT_EQ(ra.code, 0) << ra;
    ASSERT_EQ(rb.code, 0) << rb;
    Json ja = parse_json(ra.out);
    Json jb = parse_json(rb.out);
    EXPECT_EQ(ja["id"], jb["id"]);
    EXPECT_NE(ja["created"], jb["created"]) << ra << rb;
    EXPECT_EQ(
        count_rows(db(), "SELECT count(*) FROM instance_tags WHERE name = 'school' AND value = '" +
                             std::string(school) + "'"),
        1);
    EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM events WHERE type = 1 AND instance_id = " +
                                   ja["id"].dump()),
              1);
  }
}

// Two processes deploying into a database that does not exist yet: both create-and-migrate
// and deploy; the schema is applied once and there is one version.
TEST_F(CliConcurrency, TwoProcessesDeployingIntoANewDatabase) {
  for (int round = 0; round < 4; ++round) {
    const std::string path = dir_.file("fresh" + std::to_string(round) + ".db");
    Child a({"deploy", d02_03_file(), "--db", path});
    Child b({"deploy", d02_03_file(), "--db", path});
    RunResult ra = a.wait();
    RunResult rb = b.wait();
    ASSERT_EQ(ra.code, 0) << ra;
    ASSERT_EQ(rb.code, 0) << rb;
    EXPECT_EQ(count_rows(path, "SELECT count(*) FROM definitions"), 1);
    const bool a_created = ra.out.rfind("deployed ", 0) == 0;
    const bool b_created = rb.out.rfind("deployed ", 0) == 0;
    EXPECT_NE(a_created, b_created) << ra << rb;
  }
}

}  // namespace
}  // namespace pmiflow::cli::testing
