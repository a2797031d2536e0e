// `pmiflow message publish` and `pmiflow messages`: what a publish answers (reached, buffered,
// duplicate), what is listed, and the refusals of bad flags (nothing written).

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_test_util.h"
#include "tools/cli/cli.h"

namespace pmiflow::cli::testing {
namespace {

class MessageCommands : public CliTest {
 protected:
  void SetUp() override {
    // "espera" waits at a message catch event for "evaluacion_recibida" keyed by codigo_dane.
    RunResult r = run({"deploy", std::string(PMIFLOW_TEST_DATA) + "/good/message-wait.bpmn"});
    ASSERT_EQ(r.code, 0) << r;
  }
  void start(const std::string& dane) {
    RunResult s = run({"start", "--process", "espera", "--business-id", dane + "/2026", "--var",
                       "codigo_dane=\"" + dane + "\"", "--json"});
    ASSERT_EQ(s.code, 0) << s;
  }
};

TEST_F(MessageCommands, PublishSaysWhichInstanceItReachedAndADuplicateReachesNoOther) {
  start("111");
  RunResult waiting = run({"show", "1", "--json"});
  ASSERT_EQ(waiting.code, 0) << waiting;
  const Json subscriptions = parse_json(waiting.out)["subscriptions"];
  ASSERT_EQ(subscriptions.size(), 1u);
  EXPECT_EQ(subscriptions[0]["message"], "evaluacion_recibida");
  EXPECT_EQ(subscriptions[0]["correlation_key"], "111");
  RunResult text = run({"show", "1"});
  EXPECT_NE(text.out.find("message \"evaluacion_recibida\" with key \"111\""), std::string::npos)
      << text.out;

  RunResult r = run({"message", "publish", "evaluacion_recibida", "--key", "111", "--id", "e-1",
                     "--var", "puntaje=87", "--json"});
  ASSERT_EQ(r.code, 0) << r;
  Json j = parse_json(r.out);
  EXPECT_EQ(j["duplicate"], false);
  ASSERT_EQ(j["reached"].size(), 1u);
  EXPECT_EQ(j["reached"][0]["instance_id"], 1);
  EXPECT_EQ(j["reached"][0]["element_id"], "Wait");

  start("111-b");  // waits for another key
  RunResult again =
      run({"message", "publish", "evaluacion_recibida", "--key", "111", "--id", "e-1"});
  ASSERT_EQ(again.code, 0) << again;
  EXPECT_NE(again.out.find("duplicate of message 1"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("reached instance 1 (espera, Wait)"), std::string::npos) << again.out;

  RunResult show = run({"show", "1", "--json"});
  ASSERT_EQ(show.code, 0) << show;
  EXPECT_EQ(parse_json(show.out)["variables"]["puntaje"], 87);
  EXPECT_EQ(parse_json(show.out)["state"], "completed");
}

TEST_F(MessageCommands, AMessageNoOneWaitsForIsBufferedListedAndDeliveredLater) {
  RunResult r =
      run({"message", "publish", "evaluacion_recibida", "--key", "222", "--ttl", "PT24H"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("no instance waits for it: buffered until"), std::string::npos) << r.out;
  RunResult unknown = run({"message", "publish", "nadie_espera", "--key", "x"});
  ASSERT_EQ(unknown.code, 0) << unknown;

  RunResult listed = run({"messages", "--json"});
  ASSERT_EQ(listed.code, 0) << listed;
  Json j = parse_json(listed.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["name"], "evaluacion_recibida");
  EXPECT_EQ(j[1]["name"], "nadie_espera");
  EXPECT_TRUE(j[0]["reached"].empty());

  start("222");
  RunResult show = run({"show", "1", "--json"});
  ASSERT_EQ(show.code, 0) << show;
  EXPECT_EQ(parse_json(show.out)["state"], "completed");
  RunResult after = run({"messages", "--json"});
  EXPECT_EQ(parse_json(after.out)[0]["reached"], Json::array({1}));
}

TEST_F(MessageCommands, BadFlagsAreRefusedAndNothingIsWritten) {
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{"--ttl", "-PT1H"}, "time to live: -3600000 ms is negative"},
      {{"--ttl", "una hora"}, "--ttl: "},
      {{"--id", std::string(257, 'x')}, "message id: 257 bytes, more than the limit of 256"},
      {{"--dedup-window", "-P1D"}, "deduplication window: -86400000 ms is negative"},
      {{"--var", "sin_igual"}, "--var 'sin_igual': expected name=value"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"message", "publish", "evaluacion_recibida", "--key", "1"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    RunResult r = run(args);
    EXPECT_NE(r.code, 0) << c.error;
    EXPECT_NE(r.err.find(c.error), std::string::npos) << r.err;
  }
  RunResult listed = run({"messages", "--all", "--json"});
  ASSERT_EQ(listed.code, 0) << listed;
  EXPECT_TRUE(parse_json(listed.out).empty());
}

}  // namespace
}  // namespace pmiflow::cli::testing
