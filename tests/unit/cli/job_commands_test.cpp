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
    RunResult s = run({"start", "--process", "aviso", "--business-id", "111001000123/2026", "--var",
                       "correo=\"rector@ee.edu.co\""});
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
  // Leased: a second activation gets nothing.
  EXPECT_TRUE(activate()["jobs"].empty());

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
  RunResult failed = run({"jobs", "fail", key, "--token", "1", "--message", "SMTP 451"});
  ASSERT_EQ(failed.code, 0) << failed;
  EXPECT_NE(failed.out.find("failed (1 retries left): SMTP 451"), std::string::npos) << failed;
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
  };
  for (const Case& c : cases) {
    RunResult r = run(c.args);
    EXPECT_EQ(r.code, c.code) << r;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r;
  }
  EXPECT_EQ(count_rows(db(), "SELECT count(*) FROM events"), events);
}

}  // namespace
}  // namespace pmiflow::cli::testing
