// `pmiflow timers` and `pmiflow run --clock simulated`: what waits, firing what is due on a
// simulated clock, and the refusals of bad flags (nothing written).

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_test_util.h"
#include "tools/cli/cli.h"

namespace pmiflow::cli::testing {
namespace {

constexpr const char* kTimerBpmn = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="espera" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Wait" />
    <bpmn:intermediateCatchEvent id="Wait" name="Esperar el plazo">
      <bpmn:timerEventDefinition><bpmn:timeDate>=plazo</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="Wait" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
)";

class TimerCommands : public CliTest {
 protected:
  void SetUp() override {
    write_bytes(dir_.file("espera.bpmn"), kTimerBpmn);
    RunResult r = run({"deploy", dir_.file("espera.bpmn")});
    ASSERT_EQ(r.code, 0) << r;
    for (const auto& [id, plazo] : {std::pair{"a", "2031-03-01"}, {"b", "2031-02-01"}}) {
      RunResult s = run({"start", "--process", "espera", "--business-id", id, "--var",
                         std::string("plazo=\"") + plazo + "\"", "--json"});
      ASSERT_EQ(s.code, 0) << s;
    }
  }
};

TEST_F(TimerCommands, TimersListsWhatWaitsSoonestFirst) {
  RunResult r = run({"timers", "--json"});
  ASSERT_EQ(r.code, 0) << r;
  Json j = parse_json(r.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["due"], "2031-02-01T05:00:00.000Z");  // midnight in Bogotá
  EXPECT_EQ(j[0]["element_id"], "Wait");
  EXPECT_EQ(j[1]["due"], "2031-03-01T05:00:00.000Z");

  RunResult table = run({"timers"});
  ASSERT_EQ(table.code, 0) << table;
  EXPECT_NE(table.out.find("TIMER"), std::string::npos);
  EXPECT_NE(table.out.find("2031-02-01T05:00:00.000Z"), std::string::npos);

  // `show` says what an instance waits for.
  RunResult show = run({"show", "1", "--json"});
  ASSERT_EQ(show.code, 0) << show;
  const Json timers = parse_json(show.out)["timers"];
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0]["element_id"], "Wait");
  EXPECT_EQ(timers[0]["due"], "2031-03-01T05:00:00.000Z");
}

TEST_F(TimerCommands, ASimulatedClockFiresWhatIsDueAtItsDueTimeMonthByMonth) {
  RunResult r = run({"run", "--clock", "simulated", "--from", "2031-01-01", "--until", "2031-03-15",
                     "--step", "P1M", "--json"});
  ASSERT_EQ(r.code, 0) << r;
  Json j = parse_json(r.out);
  EXPECT_EQ(j["fired"], 2);
  ASSERT_EQ(j["steps"].size(), 3u);  // 02-01, 03-01, then 03-15
  EXPECT_EQ(j["steps"][0]["until"], "2031-02-01T05:00:00.000Z");
  ASSERT_EQ(j["steps"][0]["fired"].size(), 1u);
  EXPECT_EQ(j["steps"][0]["fired"][0]["fired"], "2031-02-01T05:00:00.000Z");
  ASSERT_EQ(j["steps"][1]["fired"].size(), 1u);
  EXPECT_EQ(j["steps"][2]["fired"].size(), 0u);
  EXPECT_TRUE(j["next_due"].is_null());

  RunResult instances = run({"instances", "--json"});
  ASSERT_EQ(instances.code, 0) << instances;
  for (const auto& i : parse_json(instances.out)) EXPECT_EQ(i["state"], "completed");
  // The history says when: at the timer's due time, not when the command ran.
  RunResult history = run({"history", "1", "--json"});
  ASSERT_EQ(history.code, 0) << history;
  bool fired = false;
  for (const auto& e : parse_json(history.out)) {
    if (e["type"] == "TimerTriggered") {
      fired = true;
      EXPECT_EQ(e["time"], "2031-03-01T05:00:00.000Z");
    }
  }
  EXPECT_TRUE(fired);
}

TEST_F(TimerCommands, BadFlagsAreRefusedAndNothingIsWritten) {
  const DbSnapshot before = snapshot(db());
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"run", "--clock", "simulated"}, "--until: a simulated clock needs where to stop"},
      {{"run", "--clock", "simulated", "--until", "31/12/2031"},
       "--until: '31/12/2031' is not a date and time"},
      {{"run", "--clock", "simulated", "--until", "2031-12-31", "--step", "PT0S"},
       "--step: 'PT0S' is a duration of zero"},
      {{"run", "--clock", "simulated", "--from", "2031-12-31", "--until", "2031-01-01"},
       "--until 2031-01-01 is before the clock's start"},
      {{"run", "--until", "2031-12-31"}, "--until needs --clock simulated"},
      {{"run", "--autopilot"}, "--autopilot needs --clock simulated"},
  };
  for (const Case& c : cases) {
    RunResult r = run(c.args);
    EXPECT_EQ(r.code, kExitInvalidInput) << r;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r;
  }
  RunResult clock = run({"run", "--clock", "sundial"});
  EXPECT_EQ(clock.code, kExitUsage) << clock;
  EXPECT_EQ(snapshot(db()), before);
}

// The period of a small jurisdiction month by month (tools/demo.sh): the autopilot answers
// what opens, the follow-ups come each month, and the school that never evaluates (every fifth
// instance) reaches activity 10 after the SE's deadline.
TEST_F(CliTest, APeriodMonthByMonthWithTheAutopilotEndsEverySchool) {
  ASSERT_EQ(run_cli({"sample-jurisdiction", "--schools", "5", "--seed", "7", "--etc", "Boyacá",
                     "--out", dir_.file("j.csv")})
                .code,
            0);
  ASSERT_EQ(run({"deploy", d02_03_file()}).code, 0);
  ASSERT_EQ(run({"start", "--process", "D02_03_ApoyarGestionPMI", "--from-csv", dir_.file("j.csv"),
                 "--period", "2031"})
                .code,
            0);
  RunResult r = run({"run", "--clock", "simulated", "--from", "2031-02-01T08:00:00", "--until",
                     "2032-01-01T08:00:00", "--step", "P1M", "--autopilot", "--json"});
  ASSERT_EQ(r.code, 0) << r;
  const Json j = parse_json(r.out);
  ASSERT_EQ(j["steps"].size(), 11u);
  // The first month: every school up to its first support, then its follow-up a month later.
  EXPECT_GT(j["steps"][0]["answered"].get<int>(), 5 * 4);
  EXPECT_EQ(j["steps"][0]["fired"].size(), 5u);
  EXPECT_EQ(j["steps"][0]["fired"][0]["element_id"], "A06_EsperarSeguimiento");
  EXPECT_EQ(j["next_due"], Json());
  // The SE's deadline passed for the school that never evaluated, in December.
  const Json& december = j["steps"][10]["fired"];
  ASSERT_EQ(december.size(), 1u);
  EXPECT_EQ(december[0]["element_id"], "B_PlazoEvaluacion");
  EXPECT_EQ(december[0]["instance_id"], 5);

  const Json instances = parse_json(run({"instances", "--json"}).out);
  ASSERT_EQ(instances.size(), 5u);
  for (const Json& i : instances) EXPECT_EQ(i["state"], "completed") << i.dump();
  const Json evaluaciones =
      parse_json(run({"report", "evaluacion", "--period", "2031", "--format", "json"}).out);
  int sin_evaluacion = 0;
  for (const Json& row : evaluaciones["filas"]) {
    sin_evaluacion += row["estado"] == "sin_evaluacion" ? 1 : 0;
  }
  EXPECT_EQ(sin_evaluacion, 1);
}

}  // namespace
}  // namespace pmiflow::cli::testing
