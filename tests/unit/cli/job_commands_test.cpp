// `pmiflow jobs activate|complete|fail|error|extend`: an external worker's round trip through
// the CLI, the fencing token's refusal (its own exit code), and bad input (nothing written).

#include <string>

#include <gtest/gtest.h>

#include "cli_test_util.h"
#include "tools/cli/cli.h"

namespace pmiflow::cli::testing {
namespace {

class JobCommands : public CliTest {
 protected:
  void SetUp() override {
    // "Notificar", type "enviar-correo" (2 retries), its error "sin-correo" caught by a
    // boundary event.
    RunResult r = run({"deploy", std::string(PMIFLOW_TEST_DATA) + "/good/job-for-a-worker.bpmn"});
    ASSERT_EQ(r.code, 0) << r;
    RunResult s = run({"start", "--process", "aviso", "--business-id", "111001000123/2026", "--tag",
                       "period=2026", "--var", "correo=\"rector@ee.edu.co\""});
    ASSERT_EQ(s.code, 0) << s;
  }

  Json activate() {
    RunResult r = run({"jobs", "activate", "--type", "enviar-correo", "--worker", "correo-1",
                       "--max", "5", "--timeout", "PT10M", "--json"});
    EXPECT_EQ(r.code, 0) << r;
    return parse_json(r.out);
  }
};

TEST_F(JobCommands, AWorkerActivatesAndCompletesAJobWithItsToken) {
  Json j = activate();
  ASSERT_EQ(j["jobs"].size(), 1u);
  const Json& job = j["jobs"][0];
  EXPECT_EQ(job["type"], "enviar-correo");
  EXPECT_EQ(job["token"], 1);
  EXPECT_EQ(job["retries"], 2);
  EXPECT_EQ(job["element_id"], "Notificar");
  EXPECT_EQ(job["variables"]["correo"], "rector@ee.edu.co");
  const std::string key = job["key"];
  // Leased: a second activation gets nothing, and `show` names the lease.
  EXPECT_TRUE(activate()["jobs"].empty());
  Json shown = parse_json(run({"show", "1", "--json"}).out)["jobs"];
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0]["state"], "activated");
  EXPECT_EQ(shown[0]["worker"], "correo-1");
  EXPECT_EQ(shown[0]["deadline"], job["deadline"]);

  RunResult stale = run({"jobs", "complete", key, "--token", "7"});
  EXPECT_EQ(stale.code, kExitStaleToken) << stale;
  EXPECT_NE(stale.err.find("token 7 is not the current lease's (worker correo-1, token 1)"),
            std::string::npos)
      << stale;

  RunResult done =
      run({"jobs", "complete", key, "--token", "1", "--var", "enviado=true", "--json"});
  ASSERT_EQ(done.code, 0) << done;
  Json events = parse_json(done.out)["events"];
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0]["type"], "VariablesSet");
  EXPECT_EQ(events[1]["type"], "JobCompleted");
  EXPECT_EQ(events.back()["type"], "InstanceCompleted");
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM jobs"), 0);
}

TEST_F(JobCommands, FailErrorAndExtendAnswerWithTheToken) {
  const std::string key = activate()["jobs"][0]["key"];
  RunResult extended = run({"jobs", "extend", key, "--token", "1", "--timeout", "PT1H"});
  ASSERT_EQ(extended.code, 0) << extended;
  EXPECT_NE(extended.out.find("lease extended"), std::string::npos) << extended;
  // No wait before the retry (the default would be 1 s).
  RunResult failed =
      run({"jobs", "fail", key, "--token", "1", "--message", "SMTP 451", "--backoff", "PT0S"});
  ASSERT_EQ(failed.code, 0) << failed;
  EXPECT_NE(failed.out.find("falló (quedan 1 reintentos): SMTP 451"), std::string::npos) << failed;
  const std::string again = activate()["jobs"][0]["key"];
  EXPECT_EQ(again, key);
  // The error boundary catches it: the instance ends by its flow.
  RunResult error = run({"jobs", "error", key, "--token", "2", "--code", "sin-correo", "--json"});
  ASSERT_EQ(error.code, 0) << error;
  Json events = parse_json(error.out)["events"];
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0]["type"], "ErrorThrown");
  EXPECT_EQ(events[0]["payload"]["caught_by"], "SinCorreo");
  EXPECT_EQ(events.back()["type"], "InstanceCompleted");
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM incidents"), 0);
}

TEST_F(JobCommands, BadInputIsRefusedWithItsExitCodeAndNothingIsWritten) {
  const std::int64_t events = count_rows(db(), "SELECT count(*) FROM events");
  struct Case {
    std::vector<std::string> args;
    int code;
    const char* says;
  };
  const Case cases[] = {
      {{"jobs", "activate", "--type", "enviar-correo", "--worker", "w", "--timeout", "PT0S"},
       kExitInvalidInput,
       "--timeout: 'PT0S' is not positive"},
      {{"jobs", "activate", "--type", "enviar-correo", "--worker", "w", "--timeout", "30s"},
       kExitInvalidInput,
       "--timeout"},
      {{"jobs", "activate", "--type", "enviar-correo", "--worker", "w", "--max", "0"},
       kExitInvalidInput,
       "max jobs: 0 is not in 1..1000"},
      {{"jobs", "complete", "nope", "--token", "1"}, kExitNotFound, "'nope' is not a job key"},
      {{"jobs", "complete", "1-99", "--token", "1"}, kExitNotFound, "job 1-99 is not open"},
      {{"jobs", "complete", "1-4", "--token", "1", "--var", "x"},
       kExitInvalidInput,
       "--var 'x': expected name=value"},
      {{"jobs", "extend", "1-4", "--token", "1", "--timeout", "-PT1S"},
       kExitInvalidInput,
       "--timeout"},
      {{"jobs", "fail", "1-4", "--token", "1", "--message", "m", "--retries", "-1"},
       kExitInvalidInput,
       "retries: -1 is negative"},
      {{"jobs", "fail", "1-4", "--token", "1", "--message", "m", "--backoff", "soon"},
       kExitInvalidInput,
       "--backoff: "},
      {{"jobs", "complete", "1-4", "--token", "0"}, kExitStaleToken, "token 0 holds no lease"},
      {{"incidents", "resolve", "1-99", "--as", "lider"},
       kExitNotFound,
       "incident 1-99 is not open"},
      {{"set-variables", "1", "--as", "lider"}, kExitInvalidInput, "--var: no variable given"},
      {{"set-variables", "1", "--as", "lider", "--vars", "/nonexistent.json"},
       kExitIo,
       "/nonexistent.json"},
  };
  for (const Case& c : cases) {
    RunResult r = run(c.args);
    EXPECT_EQ(r.code, c.code) << r;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r;
  }
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM events"), events);
}

// Retries run out -> the incident is listed (filtered by kind and period) -> one call gives the
// job retries back -> a worker completes it.
TEST_F(JobCommands, AJobOutOfRetriesIsAnIncidentResolvedWithRetriesInOneCall) {
  const std::string key = activate()["jobs"][0]["key"];
  RunResult failed =
      run({"jobs", "fail", key, "--token", "1", "--message", "buzón lleno", "--retries", "0"});
  ASSERT_EQ(failed.code, 0) << failed;
  EXPECT_FALSE(parse_json(run({"show", "1", "--json"}).out)["jobs"][0].contains("retry_at"));
  RunResult listed = run({"incidents", "--kind", "job", "--period", "2026", "--json"});
  ASSERT_EQ(listed.code, 0) << listed;
  Json incidents = parse_json(listed.out);
  ASSERT_EQ(incidents.size(), 1u) << listed;
  EXPECT_EQ(incidents[0]["kind"], "job");
  EXPECT_EQ(incidents[0]["element_id"], "Notificar");
  EXPECT_EQ(incidents[0]["message"], "buzón lleno");
  EXPECT_TRUE(incidents[0]["raised"].is_string());
  const std::string incident = incidents[0]["id"];
  EXPECT_TRUE(parse_json(run({"incidents", "--kind", "condition", "--json"}).out).empty());
  EXPECT_TRUE(parse_json(run({"incidents", "--period", "2027", "--json"}).out).empty());
  RunResult table = run({"incidents"});
  EXPECT_NE(table.out.find("buzón lleno"), std::string::npos) << table;

  RunResult resolved = run({"incidents", "resolve", incident, "--retries", "2", "--as", "lider",
                            "--user", "ana", "--json"});
  ASSERT_EQ(resolved.code, 0) << resolved;
  Json events = parse_json(resolved.out)["events"];
  ASSERT_EQ(events.size(), 2u) << resolved;
  EXPECT_EQ(events[0]["type"], "JobRetriesUpdated");
  EXPECT_EQ(events[0]["payload"]["retries"], 2);
  EXPECT_EQ(events[0]["actor"]["id"], "ana");
  EXPECT_EQ(events[1]["type"], "IncidentResolved");
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM incidents"), 0);
  Json again = activate()["jobs"];
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["retries"], 2);
  EXPECT_EQ(again[0]["custom_headers"]["plantilla"], "aviso-pmi");
  ASSERT_EQ(run({"jobs", "complete", key, "--token", "2"}).code, 0);
}

TEST_F(JobCommands, AFailedJobWaitsOutItsBackoff) {
  const std::string key = activate()["jobs"][0]["key"];
  RunResult failed =
      run({"jobs", "fail", key, "--token", "1", "--message", "SIGCE caído", "--backoff", "PT1H"});
  ASSERT_EQ(failed.code, 0) << failed;
  EXPECT_NE(failed.out.find("se reintenta desde el"), std::string::npos) << failed;
  Json shown = parse_json(run({"show", "1", "--json"}).out)["jobs"];
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0]["state"], "activatable");
  EXPECT_TRUE(shown[0]["retry_at"].is_string()) << shown;
  EXPECT_TRUE(activate()["jobs"].empty());  // not for an hour
}

TEST_F(JobCommands, SetVariablesIsAnAuditedEventOfWhoSetThem) {
  RunResult set = run({"set-variables", "1", "--var", "correo=\"rectoria@ee.edu.co\"", "--as",
                       "lider", "--user", "ana", "--json"});
  ASSERT_EQ(set.code, 0) << set;
  Json events = parse_json(set.out)["events"];
  ASSERT_EQ(events.size(), 1u) << set;
  EXPECT_EQ(events[0]["type"], "VariablesSet");
  EXPECT_EQ(events[0]["actor"]["id"], "ana");
  EXPECT_EQ(events[0]["actor"]["role"], "lider");
  EXPECT_EQ(activate()["jobs"][0]["variables"]["correo"], "rectoria@ee.edu.co");
}

}  // namespace
}  // namespace pmiflow::cli::testing
