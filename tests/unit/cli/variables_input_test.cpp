// --var and --vars parsed in process: the limits that an argv cannot reach (Linux caps one
// argument at 128 KiB, under the 1 MiB of a value), and what each refusal says.
#include "tools/cli/variables_input.h"

#include <string>

#include <gtest/gtest.h>

#include "engine/common/limits.h"

namespace pmiflow::cli {
namespace {

std::string refusal(const std::string& arg) {
  Variables vars;
  Status s = add_variable_argument(arg, vars);
  if (s.ok()) return "(accepted)";
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(vars.empty());
  return s.error().message;
}

TEST(VariableArgument, ValuesAreJsonWhenTheyParseAndStringsOtherwise) {
  Variables vars;
  ASSERT_TRUE(add_variable_argument("n=3", vars).ok());
  ASSERT_TRUE(add_variable_argument("s=OFICIAL", vars).ok());
  ASSERT_TRUE(add_variable_argument("open=[[1", vars).ok());
  ASSERT_TRUE(add_variable_argument("huge=1e400", vars).ok());
  EXPECT_EQ(vars["n"], Json(3));
  EXPECT_EQ(vars["s"], Json("OFICIAL"));
  EXPECT_EQ(vars["open"], Json("[[1"));    // not JSON: a string
  EXPECT_EQ(vars["huge"], Json("1e400"));  // out of a double's range: not JSON to nlohmann
}

TEST(VariableArgument, AValueOverOneMebibyteIsRefusedNamingTheLimit) {
  const std::string at_limit(limits::kMaxValueBytes, 'a');
  EXPECT_EQ(refusal("x=" + at_limit), "(accepted)");
  EXPECT_EQ(refusal("x=" + at_limit + "a"),
            "--var x: 1048577 bytes, more than the limit for a variable's value (1 MiB (1048576 "
            "bytes))");
  EXPECT_EQ(refusal("x=\"" + at_limit + "\""),
            "--var x: 1048578 bytes, more than the limit for a variable's value (1 MiB (1048576 "
            "bytes))");
}

TEST(VariableArgument, DeepJsonIsRefusedAndAnUnclosedBracketRunIsAString) {
  const std::string deep = std::string(400'000, '[') + std::string(400'000, ']');
  EXPECT_EQ(refusal("x=" + deep),
            "--var x: nested deeper than 64 levels at byte offset 64 (the limit for a variable's "
            "value: 64 levels of arrays and objects)");
  Variables vars;
  ASSERT_TRUE(add_variable_argument("x=" + std::string(500'000, '['), vars).ok());
  EXPECT_TRUE(vars["x"].is_string());
}

TEST(VariablesDocument, NamesTheFileAndTheVariable) {
  Variables vars;
  EXPECT_TRUE(add_variables_document(R"({"a": 1, "b": [true]})", "v.json", vars).ok());
  EXPECT_EQ(vars["b"], Json::array({true}));
  Status s = add_variables_document(R"({"1a": 1})", "v.json", vars);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "--vars v.json: '1a' is not a variable name");
  s = add_variables_document("[1]", "v.json", vars);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "--vars v.json: expected a JSON object of variables, found array");
  s = add_variables_document("{\"a\": " + std::string(64, '[') + std::string(64, ']') + "}",
                             "v.json", vars);
  EXPECT_TRUE(s.ok()) << s.error().message;
  s = add_variables_document("{\"a\": " + std::string(65, '[') + std::string(65, ']') + "}",
                             "v.json", vars);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "--vars v.json: nested deeper than 65 levels at byte offset 70 (the limit for a "
            "variables document: 65 levels of arrays and objects)");
}

}  // namespace
}  // namespace pmiflow::cli
