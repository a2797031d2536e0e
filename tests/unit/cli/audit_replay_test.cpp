// `pmiflow replay`: the state of an instance rebuilt from its events alone, at any seq or
// time, and the comparison with the projections (which are not append-only, so they can be
// changed with SQL and the replay must name the difference).
#include <gtest/gtest.h>

#include "audit_test_util.h"
#include "engine/runtime/event_applier.h"
#include "persistence/sqlite/sqlite_store.h"

namespace pmiflow::cli::testing {
namespace {

class AuditReplay : public AuditTest {
 protected:
  Json replay_json(std::vector<std::string> args, int expected_code = 0) const {
    args.insert(args.begin(), "replay");
    args.push_back("--json");
    RunResult r = run(args);
    EXPECT_EQ(r.code, expected_code) << r;
    return parse_json(r.out);
  }

  // The fold of the first `n` events, computed here through the store.
  runtime::InstanceState fold_first(std::int64_t id, std::int64_t n) const {
    auto store = persistence::SqliteStore::open(db());
    EXPECT_TRUE(store.ok());
    if (!store.ok()) return {};
    auto events = (*store)->events(id, 1, n);
    EXPECT_TRUE(events.ok());
    return events.ok() ? runtime::fold(*events) : runtime::InstanceState{};
  }
};

TEST_F(AuditReplay, UntilEqualsTheFoldOfTheFirstNEvents) {
  use_demo_db();
  // After the first pass of activity 6: its gateway sends the token back to 5.
  const std::int64_t seq = find_seq(history_json(1), "DecisionTaken", "A06_GW_PeriodoCumplido");
  ASSERT_GT(seq, 0);
  Json j = replay_json({"1", "--until", std::to_string(seq)});
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["last_seq"], seq);
  EXPECT_EQ(j["status"], "active");
  EXPECT_EQ(j["activation_counts"]["A05_ApoyarEjecucionPMI"], 1);
  EXPECT_EQ(j["activation_counts"]["A06_HacerSeguimiento"], 1);
  EXPECT_EQ(j["activation_counts"]["A04_RevisarAlineacionPAM"], 2);
  EXPECT_EQ(j["variables"]["actividades_pendientes"], 2);
  EXPECT_EQ(j["variables"]["alineada"], true);
  EXPECT_FALSE(j.contains("projections"));  // compared only on a whole replay

  const runtime::InstanceState s = fold_first(1, seq);
  Json vars = Json::object();
  for (const auto& [name, value] : s.variables) vars[name] = value;
  EXPECT_EQ(j["variables"], vars);
  Json counts = Json::object();
  for (const auto& [element, n] : s.activation_counts) counts[element] = n;
  EXPECT_EQ(j["activation_counts"], counts);
  EXPECT_EQ(j["status"], runtime::to_string(s.status));
  std::vector<std::string> active;
  for (const auto& a : j["active"]) active.push_back(a["element_id"].get<std::string>());
  std::vector<std::string> folded;
  for (const auto& [key, el] : s.elements) folded.push_back(el.element_id);
  EXPECT_EQ(active, folded);
  ASSERT_EQ(j["tasks"].size(), s.tasks.size());
  for (const auto& t : j["tasks"]) EXPECT_EQ(s.tasks.count(t["id"].get<std::string>()), 1u);

  // The second pass.
  const std::int64_t second =
      find_seq(history_json(1), "DecisionTaken", "A06_GW_PeriodoCumplido", 2);
  Json k = replay_json({"1", "--until", std::to_string(second)});
  EXPECT_EQ(k["activation_counts"]["A05_ApoyarEjecucionPMI"], 2);
  EXPECT_EQ(k["variables"]["actividades_pendientes"], 1);
}

TEST_F(AuditReplay, TextShowsStatusActivitiesTasksVariablesAndCountsWithNames) {
  use_demo_db();
  const std::int64_t seq = find_seq(history_json(1), "UserTaskCreated", "A05_ApoyarEjecucionPMI");
  ASSERT_GT(seq, 0);
  RunResult r = run({"replay", "1", "--until", std::to_string(seq)});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("status: active"), std::string::npos) << r;
  EXPECT_NE(r.out.find("last event folded: #" + std::to_string(seq)), std::string::npos) << r;
  EXPECT_NE(r.out.find("active activities:\n  Acompañamiento a la ejecución del PMI "
                       "[SP_AcompanamientoEjecucion]\n  " +
                       kNameA05 + " [A05_ApoyarEjecucionPMI]"),
            std::string::npos)
      << r;
  EXPECT_NE(r.out.find("  1-14  " + kNameA05 + "  [profesional_mejoramiento]"), std::string::npos)
      << r;
  EXPECT_NE(r.out.find("  alineada = true"), std::string::npos) << r;
  EXPECT_NE(r.out.find("  2x  " + kNameA04Revisar + " [A04_RevisarAlineacionPAM]"),
            std::string::npos)
      << r;
  EXPECT_NE(r.out.find("  1x  " + kNameA05), std::string::npos) << r;
  EXPECT_EQ(r.out.find("projections"), std::string::npos) << r;
}

TEST_F(AuditReplay, WholeReplayAgreesWithTheProjections) {
  use_demo_db();
  RunResult r = run({"replay", "1"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("status: completed"), std::string::npos) << r;
  EXPECT_NE(r.out.find("  3x  " + kNameA05), std::string::npos) << r;  // the 5 -> 6 loop
  EXPECT_NE(r.out.find("the projections agree with the events"), std::string::npos) << r;
  Json j = replay_json({"1"});
  EXPECT_EQ(j["projections"]["agree"], true);
  EXPECT_EQ(j["last_seq"], events_of(1));
}

TEST_F(AuditReplay, ChangedVariableProjectionIsNamed) {
  use_demo_db();
  RawDb(db()).exec(
      "UPDATE variables SET value = '\"x\"' WHERE instance_id = 1 AND name = 'alineada'");
  RunResult r = run({"replay", "1"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_NE(r.out.find("variable alineada: events say true, projection says \"x\""),
            std::string::npos)
      << r;
  EXPECT_NE(r.err.find("variable alineada"), std::string::npos) << r;
  Json j = replay_json({"1"}, 1);
  EXPECT_EQ(j["projections"]["agree"], false);
  EXPECT_EQ(j["projections"]["difference"],
            "variable alineada: events say true, projection says \"x\"");
}

TEST_F(AuditReplay, ChangedStatusMissingVariableAndLostTaskAreNamed) {
  use_demo_db();
  RawDb(db()).exec("UPDATE instances SET status = 'active' WHERE id = 1");
  RunResult r = run({"replay", "1"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_NE(r.out.find("status: events say completed, projection says active"), std::string::npos)
      << r;

  use_demo_db();
  RawDb(db()).exec("DELETE FROM variables WHERE instance_id = 1 AND name = 'desviaciones'");
  r = run({"replay", "1"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_NE(r.out.find("variable desviaciones: events say false, projection has no such variable"),
            std::string::npos)
      << r;

  // A running instance whose open task was deleted from the work list.
  deploy();
  const std::int64_t id = start("105001000888");
  ASSERT_GT(id, 0);
  const std::string task = open_task(id, "A01_AnalizarCaracterizacion");
  ASSERT_FALSE(task.empty());
  EXPECT_EQ(run({"replay", std::to_string(id)}).code, 0);
  RawDb(db()).exec("DELETE FROM tasks WHERE id = '" + task + "'");
  r = run({"replay", std::to_string(id)});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_NE(r.out.find("task " + task +
                       " (A01_AnalizarCaracterizacion): open in the events, "
                       "not in the projection"),
            std::string::npos)
      << r;
}

TEST_F(AuditReplay, AtFoldsTheEventsUpToATime) {
  use_demo_db();
  Json h = history_json(1);
  ASSERT_TRUE(h.is_array());
  const std::size_t n = h.size();
  // The time of an event in the middle: every event with that time or earlier is folded.
  const Json& middle = h[n / 2];
  std::int64_t expected = 0;
  for (const auto& e : h) {
    if (e["time_ms"].get<std::int64_t>() <= middle["time_ms"].get<std::int64_t>()) {
      expected = e["seq"].get<std::int64_t>();
    }
  }
  Json j = replay_json({"1", "--at", middle["time"].get<std::string>()});
  EXPECT_EQ(j["last_seq"], expected);
  EXPECT_EQ(j["at"], middle["time"]);
  // A date is the end of that day (UTC); far dates give everything or nothing.
  EXPECT_EQ(replay_json({"1", "--at", "2999-12-31"})["last_seq"], static_cast<std::int64_t>(n));
  Json before = replay_json({"1", "--at", "2000-01-01T00:00:00Z"});
  EXPECT_EQ(before["last_seq"], 0);
  EXPECT_EQ(before["status"], "none");
  EXPECT_EQ(replay_json({"1", "--at", "2999-01-01T10:00:00-05:00"})["last_seq"],
            static_cast<std::int64_t>(n));
}

TEST_F(AuditReplay, UsageAndLookupErrors) {
  use_demo_db();
  EXPECT_EQ(run({"replay", "42"}).code, 3);
  EXPECT_EQ(run({"replay", "1", "--until", "3", "--at", "2026-11-25"}).code, 2);
  EXPECT_EQ(run({"replay", "1", "--at", "yesterday"}).code, 10);
  EXPECT_EQ(run({"replay", "1", "--at", "2026-02-30"}).code, 10);
  EXPECT_EQ(run({"replay", "1", "--until", "-1"}).code, 10);
  Json j = replay_json({"1", "--until", "100000"});
  EXPECT_EQ(j["last_seq"], events_of(1));
}

TEST_F(AuditReplay, ALogThatDoesNotFoldIsReported) {
  use_demo_db();
  // Dropping an ElementActivated makes the later ElementCompleted impossible.
  const std::int64_t seq =
      find_seq(history_json(1), "ElementActivated", "A02_IdentificarNecesidades");
  ASSERT_GT(seq, 0);
  tamper("DELETE FROM events WHERE instance_id = 1 AND seq = " + std::to_string(seq));
  RunResult r = run({"replay", "1"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_NE(r.err.find("does not replay"), std::string::npos) << r;
}

}  // namespace
}  // namespace pmiflow::cli::testing
