// Call activities through the CLI: `show` and `instances --parent` navigate from a parent to the
// child its call activity started and back; `history` and `verify` treat the child as an
// instance of its own; completing the child's task moves the parent on.

#include <string>

#include <gtest/gtest.h>

#include "cli_test_util.h"
#include "tools/cli/cli.h"

namespace pmiflow::cli::testing {
namespace {

class CallActivityCommands : public CliTest {
 protected:
  void SetUp() override {
    for (const char* file : {"call-child.bpmn", "call-parent.bpmn"}) {
      RunResult r = run({"deploy", std::string(PMIFLOW_TEST_DATA) + "/good/" + file});
      ASSERT_EQ(r.code, 0) << r;
    }
    RunResult s = run({"start", "--process", "llamador", "--business-id", "caso-7", "--tag",
                       "period=2026", "--var", "monto=4"});
    ASSERT_EQ(s.code, 0) << s;
  }
};

TEST_F(CallActivityCommands, ShowAndInstancesNavigateBetweenParentAndChild) {
  Json parent = parse_json(run({"show", "1", "--json"}).out);
  ASSERT_EQ(parent["children"].size(), 1u);
  const Json& child_row = parent["children"][0];
  EXPECT_EQ(child_row["process"], "llamado");
  EXPECT_EQ(child_row["parent"]["instance_id"], 1);
  EXPECT_EQ(child_row["parent"]["element_id"], "Llamar");
  EXPECT_EQ(child_row["tags"]["period"], "2026");
  const std::int64_t child = child_row["id"];
  EXPECT_FALSE(parent.contains("parent"));

  RunResult shown = run({"show", std::to_string(child)});
  ASSERT_EQ(shown.code, 0) << shown;
  EXPECT_NE(shown.out.find("called by instance 1 at Llamar"), std::string::npos) << shown;
  RunResult shown_parent = run({"show", "1"});
  EXPECT_NE(shown_parent.out.find("called instances:"), std::string::npos) << shown_parent;
  EXPECT_NE(shown_parent.out.find("llamado v1, business id 1-"), std::string::npos) << shown_parent;

  Json listed = parse_json(run({"instances", "--parent", "1", "--json"}).out);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["id"], child);
  EXPECT_TRUE(
      parse_json(run({"instances", "--parent", std::to_string(child), "--json"}).out).empty());

  RunResult history = run({"history", "1"});
  ASSERT_EQ(history.code, 0) << history;
  EXPECT_NE(history.out.find("se inició la instancia " + std::to_string(child) + " de llamado"),
            std::string::npos)
      << history;

  // The child's task done: the child completes, and the parent takes its output and completes.
  Json tasks = parse_json(run({"tasks", "--role", "revisor", "--json"}).out);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0]["instance_id"], child);
  RunResult done =
      run({"complete", tasks[0]["id"], "--as", "revisor", "--var", "respuesta=\"listo\""});
  ASSERT_EQ(done.code, 0) << done;
  parent = parse_json(run({"show", "1", "--json"}).out);
  EXPECT_EQ(parent["state"], "completed");
  EXPECT_EQ(parent["variables"]["resultado"], "listo");
  EXPECT_EQ(parent["children"][0]["state"], "completed");

  Json verified = parse_json(run({"verify", "--all", "--json"}).out);
  EXPECT_EQ(verified["intact"], true);
  EXPECT_EQ(verified["instances"], 2);
}

}  // namespace
}  // namespace pmiflow::cli::testing
