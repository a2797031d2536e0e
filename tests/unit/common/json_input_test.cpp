// parse_json_checked and check_json_value: outside JSON within its limits (engine/common/limits.h),
// each refusal naming the input and the limit, and nothing deep ever built.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/common/json_input.h"
#include "engine/common/limits.h"
#include "engine/common/utf8.h"

namespace pmiflow {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr limits::JsonLimits kSmall{100, 3, "a test value"};

std::string nested(int depth, const std::string& inner = "1") {
  return std::string(static_cast<std::size_t>(depth), '[') + inner +
         std::string(static_cast<std::size_t>(depth), ']');
}

// A value `depth` arrays deep, built without parsing.
Json nested_value(int depth) {
  Json v = 1;
  for (int i = 0; i < depth; ++i) {
    Json outer = Json::array();
    outer.push_back(std::move(v));
    v = std::move(outer);
  }
  return v;
}

TEST(ParseJsonChecked, AcceptsJsonWithinTheLimits) {
  auto v = parse_json_checked(R"({"a": [1, {"b": "ñ"}]})", "x", limits::kValueJson);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(*v, Json::parse(R"({"a": [1, {"b": "ñ"}]})"));
  auto at_limit = parse_json_checked(nested(3), "x", kSmall);
  ASSERT_TRUE(at_limit.ok()) << at_limit.error().message;
  // Brackets inside strings, escaped quotes included, do not count.
  auto in_string = parse_json_checked(R"(["[[[[\"[[[[", "{{{{"])", "x", kSmall);
  ASSERT_TRUE(in_string.ok()) << in_string.error().message;
  EXPECT_EQ((*in_string)[0], "[[[[\"[[[[");
}

TEST(ParseJsonChecked, RefusesNestingPastTheLimitNamingThePlaceAndTheLimit) {
  auto v = parse_json_checked(nested(4), "--vars deep.json", kSmall);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(v.error().message,
            "--vars deep.json: nested deeper than 3 levels at byte offset 3 (the limit for a test "
            "value: 3 levels of arrays and objects)");
  auto objects = parse_json_checked(R"({"a":{"b":{"c":{"d":1}}}})", "f", kSmall);
  ASSERT_FALSE(objects.ok());
  EXPECT_THAT(objects.error().message, HasSubstr("at byte offset 15"));
}

TEST(ParseJsonChecked, AMillionLevelsAreRefusedBeforeAnythingIsBuilt) {
  for (const std::string& text :
       {nested(1'000'000), std::string(1'000'000, '['), std::string(500'000, '{') + "\"a\":"}) {
    auto v = parse_json_checked(text, "--var x", limits::kVariablesJson);
    ASSERT_FALSE(v.ok());
    EXPECT_THAT(v.error().message, StartsWith("--var x: nested deeper than 65 levels"));
  }
}

TEST(ParseJsonChecked, RefusesTextPastTheSizeLimit) {
  const std::string big = "\"" + std::string(limits::kMaxValueBytes, 'a') + "\"";
  auto v = parse_json_checked(big, "--var big", limits::kValueJson);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message,
            "--var big: 1048578 bytes, more than the limit for a variable's value (1 MiB (1048576 "
            "bytes))");
}

TEST(ParseJsonChecked, RefusesInvalidUtf8WithTheByteOffset) {
  auto v = parse_json_checked("{\"k\": \"ab\xff\"}", "--vars v.json", kSmall);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message, "--vars v.json: invalid UTF-8 at byte offset 9 (0xff)");
  auto overlong = parse_json_checked("[\"\xc0\xaf\"]", "f", kSmall);
  ASSERT_FALSE(overlong.ok());
  EXPECT_THAT(overlong.error().message, HasSubstr("at byte offset 2 (0xc0)"));
}

TEST(ParseJsonChecked, SyntaxErrorsSayNotJsonWithNlohmannsPosition) {
  for (const char* text : {"", "{", "[1,]", "1e400", "{\"a\" 1}", "[1] [2]", "\"\\ud800\""}) {
    auto v = parse_json_checked(text, "form file 'f.form'", kSmall);
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(v.error().message, StartsWith("form file 'f.form' is not JSON: ")) << text;
  }
}

TEST(IsJsonText, TellsJsonFromOtherTextAtAnyDepth) {
  EXPECT_TRUE(is_json_text("[1, {\"a\": null}]"));
  EXPECT_TRUE(is_json_text(" \"x\" "));
  EXPECT_FALSE(is_json_text("OFICIAL"));
  EXPECT_FALSE(is_json_text(""));
  EXPECT_TRUE(is_json_text(nested(200'000)));
  EXPECT_FALSE(is_json_text(std::string(200'000, '[')));
}

TEST(CheckJsonValue, AcceptsAValueWithinTheLimits) {
  EXPECT_TRUE(check_json_value(Json{{"a", {1, "b"}}}, "x", kSmall).ok());
  EXPECT_TRUE(check_json_value(nested_value(3), "x", kSmall).ok());
}

TEST(CheckJsonValue, RefusesADeepValueWithoutRecursing) {
  Status s = check_json_value(nested_value(4), "--var x", kSmall);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "--var x: nested deeper than 3 levels at [0][0][0] (the limit for a test value: 3 "
            "levels of arrays and objects)");
  // Deep enough to overflow the stack of a recursive walk (the value's own destructor is
  // iterative in nlohmann 3.11).
  Status deep = check_json_value(nested_value(1'000'000), "--var x", limits::kValueJson);
  ASSERT_FALSE(deep.ok());
  EXPECT_THAT(deep.error().message, HasSubstr("nested deeper than 64 levels"));
}

TEST(CheckJsonValue, NamesTheStringOrKeyThatIsNotUtf8) {
  Status s = check_json_value(Json{{"items", {1, {{"name", "ok\xff"}}}}}, "--vars v.json", kSmall);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "--vars v.json: a string at items[1].name is not valid UTF-8 (byte offset 2 is 0xff)");
  Status key = check_json_value(Json{{"k\xc3", 1}}, "w", kSmall);
  ASSERT_FALSE(key.ok());
  EXPECT_THAT(key.error().message, HasSubstr("w: a key is not valid UTF-8"));
  Status plain = check_json_value(Json("\xff"), "--var x", kSmall);
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().message, "--var x: a string is not valid UTF-8 (byte offset 0 is 0xff)");
}

TEST(CheckJsonValue, RefusesAValueWhoseTextIsPastTheSizeLimit) {
  Status s = check_json_value(Json(std::string(99, 'a')), "v", kSmall);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "v: 101 bytes, more than the limit for a test value (100 bytes)");
  EXPECT_TRUE(check_json_value(Json(std::string(98, 'a')), "v", kSmall).ok());
}

TEST(Limits, BytesTextNamesTheUnit) {
  EXPECT_EQ(limits::bytes_text(limits::kMaxBpmnBytes), "16 MiB (16777216 bytes)");
  EXPECT_EQ(limits::bytes_text(limits::kMaxFeelBytes), "64 KiB (65536 bytes)");
  EXPECT_EQ(limits::bytes_text(1000), "1000 bytes");
}

TEST(EscapeInvalidUtf8, WritesBadBytesAsText) {
  EXPECT_EQ(escape_invalid_utf8("a\xff"
                                "b\xc3"),
            "a\\xFFb\\xC3");
  EXPECT_EQ(escape_invalid_utf8("Medellín"), "Medellín");
  EXPECT_EQ(escape_invalid_utf8(""), "");
}

}  // namespace
}  // namespace pmiflow
