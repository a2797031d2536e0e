#include "engine/feel/feel.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pmiflow::feel {
namespace {

using ::testing::HasSubstr;

// Compiles and evaluates; nullopt (plus a test failure) if either step fails.
std::optional<Json> value_of(std::string_view text, const Variables& vars = {}) {
  Expression e;
  CompileError ce;
  if (!compile(text, e, ce)) {
    ADD_FAILURE() << "compile failed for `" << text << "`: " << ce.message << " at column "
                  << ce.column;
    return std::nullopt;
  }
  Json out;
  EvalError ee;
  if (!e.evaluate(vars, out, ee)) {
    ADD_FAILURE() << "evaluate failed for `" << text << "`: " << ee.message;
    return std::nullopt;
  }
  return out;
}

// Compiles (which must succeed) and evaluates, expecting an EvalError; returns its message.
std::string eval_error(std::string_view text, const Variables& vars = {}) {
  Expression e;
  CompileError ce;
  if (!compile(text, e, ce)) {
    ADD_FAILURE() << "compile failed for `" << text << "`: " << ce.message;
    return {};
  }
  Json out;
  EvalError ee;
  if (e.evaluate(vars, out, ee)) {
    ADD_FAILURE() << "evaluate succeeded for `" << text << "` with " << out.dump();
    return {};
  }
  EXPECT_FALSE(ee.message.empty());
  return ee.message;
}

// Expects compilation to fail; returns the error.
CompileError compile_error(std::string_view text) {
  Expression e;
  CompileError ce;
  if (compile(text, e, ce)) {
    ADD_FAILURE() << "compile succeeded for `" << text.substr(0, 80) << "`";
    return {};
  }
  EXPECT_FALSE(ce.message.empty());
  return ce;
}

const Json kNull;

// ---------------------------------------------------------------------------------------------
// Literals

TEST(FeelLiterals, Numbers) {
  EXPECT_EQ(value_of("3"), Json(3));
  EXPECT_TRUE(value_of("3")->is_number_integer());
  EXPECT_EQ(value_of("3.5"), Json(3.5));
  EXPECT_EQ(value_of(".5"), Json(0.5));
  EXPECT_EQ(value_of("007"), Json(7));
  EXPECT_EQ(value_of("9223372036854775807"), Json(9223372036854775807LL));
  EXPECT_TRUE(value_of("9223372036854775808")->is_number_float());
  EXPECT_EQ(value_of("0." + std::string(400, '0') + "1"), Json(0.0));
}

TEST(FeelLiterals, Strings) {
  EXPECT_EQ(value_of(R"("hello")"), Json("hello"));
  EXPECT_EQ(value_of(R"("")"), Json(""));
  EXPECT_EQ(value_of(R"("a\"b\\c\nd\te")"), Json("a\"b\\c\nd\te"));
  EXPECT_EQ(value_of(R"("\u00f1and\u00FA")"), Json("\xC3\xB1"
                                                   "and\xC3\xBA"));
  EXPECT_EQ(value_of(R"("\ud83d\ude00")"), Json("\xF0\x9F\x98\x80"));
  EXPECT_EQ(value_of("\"categoría\""), Json("categoría"));
}

TEST(FeelLiterals, BooleansAndNull) {
  EXPECT_EQ(value_of("true"), Json(true));
  EXPECT_EQ(value_of("false"), Json(false));
  EXPECT_EQ(value_of("null"), kNull);
}

TEST(FeelLiterals, Lists) {
  EXPECT_EQ(value_of("[]"), Json::array());
  EXPECT_EQ(value_of(R"([1, "a", true, null, [2]])"), Json::parse(R"([1, "a", true, null, [2]])"));
  EXPECT_EQ(value_of("[x, x + 1]", {{"x", 1}}), Json::parse("[1, 2]"));
}

// ---------------------------------------------------------------------------------------------
// Variables and paths

TEST(FeelVariables, TopLevelAndPaths) {
  Variables vars{{"a", Json::parse(R"({"b": {"c": 42}, "s": "x"})")}, {"n", 5}};
  EXPECT_EQ(value_of("n", vars), Json(5));
  EXPECT_EQ(value_of("a.b.c", vars), Json(42));
  EXPECT_EQ(value_of("a . b . c", vars), Json(42));
  EXPECT_EQ(value_of("a.b", vars), Json::parse(R"({"c": 42})"));
  EXPECT_EQ(value_of("(a).s", vars), Json("x"));
  EXPECT_EQ(value_of("a.and", {{"a", Json::parse(R"({"and": 1})")}}), Json(1));
}

TEST(FeelVariables, MissingIsNull) {
  Variables vars{{"a", Json::parse(R"({"b": 1})")}, {"s", "text"}};
  EXPECT_EQ(value_of("missing", vars), kNull);
  EXPECT_EQ(value_of("a.missing", vars), kNull);
  EXPECT_EQ(value_of("a.b.c", vars), kNull);     // path through a number
  EXPECT_EQ(value_of("s.length", vars), kNull);  // path through a string
  EXPECT_EQ(value_of("missing.x.y", vars), kNull);
  EXPECT_EQ(value_of("\"lit\".x"), kNull);
}

TEST(FeelVariables, UnicodeAndUnderscoreNames) {
  Variables vars{{"categoría_saber", "C"}, {"año2", 2024}, {"_x", true}, {"ñ", 1}};
  EXPECT_EQ(value_of("categoría_saber", vars), Json("C"));
  EXPECT_EQ(value_of("año2 = 2024", vars), Json(true));
  EXPECT_EQ(value_of("_x", vars), Json(true));
  EXPECT_EQ(value_of("ñ+1", vars), Json(2));
}

TEST(FeelVariables, VariablesListsTopLevelNames) {
  Expression e;
  CompileError ce;
  ASSERT_TRUE(compile("= a.b > 3 and not(c) or d in [e, f.g, \"h\"] and a = 1", e, ce))
      << ce.message;
  EXPECT_EQ(e.variables(), (std::set<std::string>{"a", "c", "d", "e", "f"}));
  ASSERT_TRUE(compile("1 + 2", e, ce));
  EXPECT_TRUE(e.variables().empty());
}

TEST(FeelVariables, TextIsOriginal) {
  Expression e;
  CompileError ce;
  ASSERT_TRUE(compile("  = x > 3 ", e, ce));
  EXPECT_EQ(e.text(), "  = x > 3 ");
}

// ---------------------------------------------------------------------------------------------
// Comparisons

TEST(FeelComparison, EqualityOfAnyValues) {
  EXPECT_EQ(value_of("1 = 1"), Json(true));
  EXPECT_EQ(value_of("1 = 1.0"), Json(true));
  EXPECT_EQ(value_of("x = 3", {{"x", 3.0}}), Json(true));
  EXPECT_EQ(value_of("x = 3.0", {{"x", 3}}), Json(true));
  EXPECT_EQ(value_of("x = 3", {{"x", 3u}}), Json(true));
  EXPECT_EQ(value_of("1 != 2"), Json(true));
  EXPECT_EQ(value_of(R"("a" = "a")"), Json(true));
  EXPECT_EQ(value_of(R"("a" = "b")"), Json(false));
  EXPECT_EQ(value_of("true = true"), Json(true));
  EXPECT_EQ(value_of("true != false"), Json(true));
  EXPECT_EQ(value_of("[1, 2] = [1, 2.0]"), Json(true));
  EXPECT_EQ(value_of("[1, 2] = [2, 1]"), Json(false));
  EXPECT_EQ(value_of("[1] = [1, 1]"), Json(false));
  Variables vars{{"o", Json::parse(R"({"a": 1, "b": [true]})")},
                 {"p", Json::parse(R"({"b": [true], "a": 1.0})")},
                 {"q", Json::parse(R"({"a": 1, "c": [true]})")}};
  EXPECT_EQ(value_of("o = p", vars), Json(true));
  EXPECT_EQ(value_of("o = q", vars), Json(false));
  EXPECT_EQ(value_of("9223372036854775807 = 9223372036854775806"), Json(false));
}

TEST(FeelComparison, EqualityWithNullAndMixedTypes) {
  EXPECT_EQ(value_of("null = null"), Json(true));
  EXPECT_EQ(value_of("missing = null"), Json(true));
  EXPECT_EQ(value_of("null = 3"), Json(false));
  EXPECT_EQ(value_of("3 != null"), Json(true));
  EXPECT_EQ(value_of("x = null", {{"x", 0}}), Json(false));
  // Different non-null types are unequal (a documented deviation from FEEL's null).
  EXPECT_EQ(value_of(R"("3" = 3)"), Json(false));
  EXPECT_EQ(value_of(R"("3" != 3)"), Json(true));
  EXPECT_EQ(value_of("true = 1"), Json(false));
  EXPECT_EQ(value_of("[1] = 1"), Json(false));
}

TEST(FeelComparison, Ordering) {
  EXPECT_EQ(value_of("1 < 2"), Json(true));
  EXPECT_EQ(value_of("2 < 2"), Json(false));
  EXPECT_EQ(value_of("2 <= 2"), Json(true));
  EXPECT_EQ(value_of("3 > 2.5"), Json(true));
  EXPECT_EQ(value_of("2 >= 2.0"), Json(true));
  EXPECT_EQ(value_of("2 >= 3"), Json(false));
  EXPECT_EQ(value_of("x > 3", {{"x", 4}}), Json(true));
  EXPECT_EQ(value_of(R"("abc" < "abd")"), Json(true));
  EXPECT_EQ(value_of(R"("Z" < "a")"), Json(true));          // bytewise
  EXPECT_EQ(value_of("\"z\" < \"\xC3\xA1\""), Json(true));  // UTF-8 after ASCII
  EXPECT_EQ(value_of(R"("b" >= "abc")"), Json(true));
}

TEST(FeelComparison, OrderingWithNullIsNull) {
  EXPECT_EQ(value_of("null < 3"), kNull);
  EXPECT_EQ(value_of("missing > 3"), kNull);
  EXPECT_EQ(value_of("3 >= missing"), kNull);
  EXPECT_EQ(value_of(R"(null <= "a")"), kNull);
}

TEST(FeelComparison, OrderingTypeErrors) {
  EXPECT_EQ(eval_error(R"("a" < 3)"), R"(cannot compare string "a" with number 3 using '<')");
  EXPECT_EQ(eval_error("true < 1"), "cannot compare boolean true with number 1 using '<'");
  EXPECT_EQ(eval_error("true >= false"),
            "cannot compare boolean true with boolean false using '>='");
  EXPECT_THAT(eval_error("[1] > [0]"), HasSubstr("list of 1 item"));
  EXPECT_THAT(eval_error("x <= 1", {{"x", Json::object()}}), HasSubstr("context"));
  EXPECT_THAT(eval_error("x > 1", {{"x", std::string(100, 'y')}}), HasSubstr("\"..."));
}

TEST(FeelComparison, CannotChain) {
  CompileError ce = compile_error("1 < 2 < 3");
  EXPECT_THAT(ce.message, HasSubstr("cannot be chained"));
  EXPECT_EQ(ce.column, 7);
  EXPECT_EQ(value_of("(1 < 2) = true"), Json(true));
}

// ---------------------------------------------------------------------------------------------
// Logic

TEST(FeelLogic, AndOrTruthTables) {
  EXPECT_EQ(value_of("true and true"), Json(true));
  EXPECT_EQ(value_of("true and false"), Json(false));
  EXPECT_EQ(value_of("false and true"), Json(false));
  EXPECT_EQ(value_of("false or false"), Json(false));
  EXPECT_EQ(value_of("false or true"), Json(true));
  EXPECT_EQ(value_of("true or false"), Json(true));
}

TEST(FeelLogic, ThreeValued) {
  EXPECT_EQ(value_of("false and null"), Json(false));
  EXPECT_EQ(value_of("null and false"), Json(false));
  EXPECT_EQ(value_of("true and null"), kNull);
  EXPECT_EQ(value_of("null and true"), kNull);
  EXPECT_EQ(value_of("null and null"), kNull);
  EXPECT_EQ(value_of("true or null"), Json(true));
  EXPECT_EQ(value_of("null or true"), Json(true));
  EXPECT_EQ(value_of("false or null"), kNull);
  EXPECT_EQ(value_of("null or false"), kNull);
  EXPECT_EQ(value_of("null or null"), kNull);
  EXPECT_EQ(value_of("x > 3 and true"), kNull);  // x missing
  EXPECT_EQ(value_of("true and true and null and false"), Json(false));
  EXPECT_EQ(value_of("false or null or true or false"), Json(true));
}

TEST(FeelLogic, Precedence) {
  EXPECT_EQ(value_of("true or true and false"), Json(true));
  EXPECT_EQ(value_of("(true or true) and false"), Json(false));
  EXPECT_EQ(value_of("false and false or true"), Json(true));
  EXPECT_EQ(value_of("1 + 2 * 3 = 7 and 10 - 4 / 2 = 8"), Json(true));
}

TEST(FeelLogic, NonBooleanOperandsAreErrors) {
  EXPECT_EQ(eval_error("1 and true"), "'and' expects boolean operands, found number 1");
  EXPECT_EQ(eval_error(R"(false or "x")"), R"('or' expects boolean operands, found string "x")");
  EXPECT_THAT(eval_error("true and x", {{"x", Json::array()}}), HasSubstr("list of 0 items"));
  // The decided result stops evaluation, so later operands are not checked.
  EXPECT_EQ(value_of("false and 1"), Json(false));
  EXPECT_EQ(value_of("true or 1"), Json(true));
  EXPECT_EQ(value_of(R"(x != null and x > 3)"), Json(false));
}

TEST(FeelLogic, Not) {
  EXPECT_EQ(value_of("not(true)"), Json(false));
  EXPECT_EQ(value_of("not(false)"), Json(true));
  EXPECT_EQ(value_of("not(null)"), kNull);
  EXPECT_EQ(value_of("not(x)"), kNull);
  EXPECT_EQ(value_of("not (1 > 2)"), Json(true));
  EXPECT_EQ(value_of("not(not(true))"), Json(true));
  EXPECT_EQ(value_of("not(true) or true"), Json(true));
  EXPECT_EQ(eval_error(R"(not("x"))"), R"(not() expects a boolean, found string "x")");
  EXPECT_EQ(eval_error("not(0)"), "not() expects a boolean, found number 0");
}

// ---------------------------------------------------------------------------------------------
// Arithmetic

TEST(FeelArithmetic, Basics) {
  EXPECT_EQ(value_of("1 + 2"), Json(3));
  EXPECT_TRUE(value_of("1 + 2")->is_number_integer());
  EXPECT_EQ(value_of("5 - 7"), Json(-2));
  EXPECT_EQ(value_of("6 * 7"), Json(42));
  EXPECT_EQ(value_of("7 / 2"), Json(3.5));
  EXPECT_EQ(value_of("6 / 3"), Json(2));
  EXPECT_TRUE(value_of("6 / 3")->is_number_integer());
  EXPECT_EQ(value_of("0.5 + 0.5"), Json(1));
  EXPECT_EQ(value_of("1.5 * 2"), Json(3));
  EXPECT_EQ(value_of("10 - 2 - 3"), Json(5));  // left-associative
  EXPECT_EQ(value_of("24 / 4 / 2"), Json(3));
  EXPECT_EQ(value_of("2 + 3 * 4"), Json(14));
  EXPECT_EQ(value_of("(2 + 3) * 4"), Json(20));
  EXPECT_EQ(value_of("x * 2 + y", {{"x", 1.25}, {"y", 1}}), Json(3.5));
}

TEST(FeelArithmetic, UnaryMinus) {
  EXPECT_EQ(value_of("-3"), Json(-3));
  EXPECT_EQ(value_of("- -3"), Json(3));
  EXPECT_EQ(value_of("--3"), Json(3));
  EXPECT_EQ(value_of("-x", {{"x", 2.5}}), Json(-2.5));
  EXPECT_EQ(value_of("2 * -3"), Json(-6));
  EXPECT_EQ(value_of("-(1 + 2)"), Json(-3));
  EXPECT_EQ(value_of("-missing"), kNull);
  EXPECT_EQ(value_of("-(-9223372036854775807 - 1)"), Json(9223372036854775808.0));
  EXPECT_EQ(eval_error(R"(-"a")"), R"(cannot apply unary '-' to string "a")");
  EXPECT_EQ(eval_error("--true"), "cannot apply unary '-' to boolean true");
}

TEST(FeelArithmetic, StringConcatenation) {
  EXPECT_EQ(value_of(R"("a" + "b" + "c")"), Json("abc"));
  EXPECT_EQ(value_of(R"(s + "!")", {{"s", "hola"}}), Json("hola!"));
  EXPECT_EQ(value_of(R"(s + "!")", {{"s", "hola"}}), Json("hola!"));
  EXPECT_EQ(eval_error(R"("a" + 1)"), R"(cannot apply '+' to string "a" and number 1)");
  EXPECT_EQ(eval_error(R"("a" - "b")"), R"(cannot apply '-' to string "a" and string "b")");
}

TEST(FeelArithmetic, ConcatenationOfBorrowedVariableDoesNotModifyIt) {
  Variables vars{{"s", "x"}};
  EXPECT_EQ(value_of("s + s + s", vars), Json("xxx"));
  EXPECT_EQ(vars.at("s"), Json("x"));
}

TEST(FeelArithmetic, NullPropagates) {
  EXPECT_EQ(value_of("null + 1"), kNull);
  EXPECT_EQ(value_of("1 - missing"), kNull);
  EXPECT_EQ(value_of("missing * 2"), kNull);
  EXPECT_EQ(value_of(R"(null + "a")"), kNull);
  EXPECT_EQ(value_of("(missing + 1) > 3"), kNull);
}

TEST(FeelArithmetic, DivisionByZeroIsNull) {
  EXPECT_EQ(value_of("1 / 0"), kNull);
  EXPECT_EQ(value_of("0 / 0"), kNull);
  EXPECT_EQ(value_of("1.5 / 0.0"), kNull);
  EXPECT_EQ(value_of("1 / 0 = null"), Json(true));
}

TEST(FeelArithmetic, TypeErrors) {
  EXPECT_EQ(eval_error("true + 1"), "cannot apply '+' to boolean true and number 1");
  EXPECT_EQ(eval_error("2 * [1]"), "cannot apply '*' to number 2 and list of 1 item");
  EXPECT_EQ(eval_error(R"(1 / "2")"), R"(cannot apply '/' to number 1 and string "2")");
}

TEST(FeelArithmetic, IntegerOverflowFallsBackToDouble) {
  EXPECT_EQ(value_of("9223372036854775807 + 1"), Json(9223372036854775808.0));
  EXPECT_EQ(value_of("9223372036854775807 - 1"), Json(9223372036854775806LL));
  EXPECT_EQ(value_of("(-9223372036854775807 - 1) / -1"), Json(9223372036854775808.0));
}

TEST(FeelArithmetic, OverflowToInfinityIsAnError) {
  std::string big = "1" + std::string(300, '0');
  EXPECT_THAT(eval_error(big + " * " + big), HasSubstr("out of range"));
}

// ---------------------------------------------------------------------------------------------
// in

TEST(FeelIn, ListLiteral) {
  EXPECT_EQ(value_of(R"("C" in ["C", "D"])"), Json(true));
  EXPECT_EQ(value_of(R"("E" in ["C", "D"])"), Json(false));
  EXPECT_EQ(value_of("3 in [1, 2, 3.0]"), Json(true));
  EXPECT_EQ(value_of("3 in []"), Json(false));
  EXPECT_EQ(value_of("x + 1 in [y * 2, 5]", {{"x", 3}, {"y", 2}}), Json(true));
  EXPECT_EQ(value_of(R"(3 in ["3"])"), Json(false));
  EXPECT_EQ(value_of("[1] in [[1], [2]]"), Json(true));
}

TEST(FeelIn, NullSemantics) {
  EXPECT_EQ(value_of("x in [1, 2]"), kNull);
  EXPECT_EQ(value_of("x in [1, null]"), Json(true));
  EXPECT_EQ(value_of("x in []"), kNull);
  EXPECT_EQ(value_of("1 in [null]"), Json(false));
}

TEST(FeelIn, ItemsAreEvaluatedLazily) {
  EXPECT_EQ(value_of(R"(1 in [1, "a" < 3])"), Json(true));
  EXPECT_EQ(eval_error(R"(1 in [2, "a" < 3])"),
            R"(cannot compare string "a" with number 3 using '<')");
}

TEST(FeelIn, ListValuedOrScalarRightHandSide) {
  Variables vars{{"allowed", Json::parse(R"(["A", "B"])")}, {"one", "A"}};
  EXPECT_EQ(value_of(R"("B" in allowed)", vars), Json(true));
  EXPECT_EQ(value_of(R"("Z" in allowed)", vars), Json(false));
  EXPECT_EQ(value_of(R"("A" in one)", vars), Json(true));
  EXPECT_EQ(value_of(R"("B" in one)", vars), Json(false));
  EXPECT_EQ(value_of("null in missing", vars), Json(true));
}

TEST(FeelIn, CombinesWithLogic) {
  Variables vars{{"c", "D"}, {"n", 4}};
  EXPECT_EQ(value_of(R"(c in ["C", "D"] and n > 3)", vars), Json(true));
  EXPECT_EQ(value_of(R"(not(c in ["C", "D"]) or n in [1, 2])", vars), Json(false));
}

// ---------------------------------------------------------------------------------------------
// Leading '=', whitespace, D02.03 conditions

TEST(FeelSyntax, LeadingEqualsIsIgnored) {
  EXPECT_EQ(value_of("= x > 3", {{"x", 5}}), Json(true));
  EXPECT_EQ(value_of("=x>3", {{"x", 1}}), Json(false));
  EXPECT_EQ(value_of("  =  1 = 1"), Json(true));
  EXPECT_EQ(compile_error("= = 1 = 1").column, 3);  // only one '=' is a prefix
}

TEST(FeelSyntax, WhitespaceAnywhere) {
  EXPECT_EQ(value_of(" \t\n( 1\r\n+\t2 ) \n=\n3 "), Json(true));
  EXPECT_EQ(value_of("not\n(\nfalse\n)"), Json(true));
  EXPECT_EQ(value_of("[ 1 ,2 , 3 ]"), Json::parse("[1,2,3]"));
}

TEST(FeelD0203, Conditions) {
  EXPECT_EQ(value_of("= alineada = true", {{"alineada", true}}), Json(true));
  EXPECT_EQ(value_of("= alineada = true", {{"alineada", false}}), Json(false));
  EXPECT_EQ(value_of("= alineada = true"), Json(false));

  const char* periodo = "= periodo_cumplido = true or actividades_pendientes = 0";
  EXPECT_EQ(value_of(periodo, {{"periodo_cumplido", false}, {"actividades_pendientes", 0}}),
            Json(true));
  EXPECT_EQ(value_of(periodo, {{"periodo_cumplido", true}, {"actividades_pendientes", 2}}),
            Json(true));
  EXPECT_EQ(value_of(periodo, {{"periodo_cumplido", false}, {"actividades_pendientes", 2}}),
            Json(false));
  EXPECT_EQ(value_of(periodo, {{"actividades_pendientes", 0.0}}), Json(true));

  EXPECT_EQ(value_of("= desviaciones = true", {{"desviaciones", true}}), Json(true));
  EXPECT_EQ(value_of("= desviaciones = true", {{"desviaciones", "true"}}), Json(false));
  EXPECT_EQ(value_of("= irregularidades_persisten = true", {{"irregularidades_persisten", true}}),
            Json(true));
  EXPECT_EQ(value_of("= irregularidades_persisten = true", {{"irregularidades_persisten", false}}),
            Json(false));

  const char* categoria = R"(= categoria_saber in ["C", "D"])";
  EXPECT_EQ(value_of(categoria, {{"categoria_saber", "C"}}), Json(true));
  EXPECT_EQ(value_of(categoria, {{"categoria_saber", "D"}}), Json(true));
  EXPECT_EQ(value_of(categoria, {{"categoria_saber", "A"}}), Json(false));
  EXPECT_EQ(value_of(categoria), kNull);

  Expression e;
  CompileError ce;
  ASSERT_TRUE(compile(periodo, e, ce));
  EXPECT_EQ(e.variables(), (std::set<std::string>{"periodo_cumplido", "actividades_pendientes"}));
}

// ---------------------------------------------------------------------------------------------
// Compile errors

TEST(FeelCompileErrors, MissingOperandAtEnd) {
  CompileError ce = compile_error("= a > ");
  EXPECT_EQ(ce.message, "unexpected end of expression, expected an operand");
  EXPECT_EQ(ce.column, 7);
  ce = compile_error("= a >");
  EXPECT_EQ(ce.column, 6);
  ce = compile_error("1 +");
  EXPECT_EQ(ce.message, "unexpected end of expression, expected an operand");
  EXPECT_EQ(ce.column, 4);
}

TEST(FeelCompileErrors, Empty) {
  for (const char* text : {"", "   ", "=", " = "}) {
    CompileError ce = compile_error(text);
    EXPECT_EQ(ce.message, "unexpected end of expression, expected an operand") << text;
    EXPECT_EQ(ce.column, static_cast<int>(std::string_view(text).size()) + 1) << text;
  }
}

TEST(FeelCompileErrors, UnexpectedCharacter) {
  CompileError ce = compile_error("a # b");
  EXPECT_EQ(ce.message, "unexpected character '#'");
  EXPECT_EQ(ce.column, 3);
  ce = compile_error("= x == 1");
  EXPECT_EQ(ce.message, "unexpected '=', expected an operand");
  EXPECT_EQ(ce.column, 6);
  ce = compile_error("a ! b");
  EXPECT_THAT(ce.message, HasSubstr("unexpected character '!'"));
  EXPECT_EQ(ce.column, 3);
  ce = compile_error(std::string("a \x01"));
  EXPECT_EQ(ce.message, "unexpected character U+0001");
  EXPECT_EQ(ce.column, 3);
  ce = compile_error(std::string("a = \0", 5));
  EXPECT_EQ(ce.message, "unexpected character U+0000");
  EXPECT_EQ(ce.column, 5);
}

TEST(FeelCompileErrors, ColumnsCountUtf8Characters) {
  CompileError ce = compile_error("año # 1");
  EXPECT_EQ(ce.column, 5);
}

TEST(FeelCompileErrors, InvalidUtf8) {
  CompileError ce = compile_error("ab\xFF");
  EXPECT_THAT(ce.message, HasSubstr("invalid UTF-8"));
  EXPECT_EQ(ce.column, 3);
  ce = compile_error("\"\xC3\"");  // truncated sequence inside a string
  EXPECT_EQ(ce.column, 2);
  compile_error("\xED\xA0\x80");  // encoded surrogate
  compile_error("\xC0\xAF");      // overlong
}

TEST(FeelCompileErrors, Strings) {
  CompileError ce = compile_error(R"(x = "abc)");
  EXPECT_EQ(ce.message, "unterminated string");
  EXPECT_EQ(ce.column, 5);
  ce = compile_error(R"(x = "abc\)");
  EXPECT_EQ(ce.message, "unterminated string");
  ce = compile_error(R"(x = "a\qb")");
  EXPECT_EQ(ce.message, R"(invalid escape sequence '\q' in string)");
  EXPECT_EQ(ce.column, 7);
  ce = compile_error(R"("\u12G4")");
  EXPECT_THAT(ce.message, HasSubstr("4 hex digits"));
  EXPECT_EQ(ce.column, 2);
  ce = compile_error(R"("\ud800")");
  EXPECT_THAT(ce.message, HasSubstr("unpaired surrogate"));
  ce = compile_error(R"("\udc00")");
  EXPECT_THAT(ce.message, HasSubstr("unpaired surrogate"));
}

TEST(FeelCompileErrors, Numbers) {
  CompileError ce = compile_error("x > 1" + std::string(400, '0'));
  EXPECT_EQ(ce.message, "number out of range");
  EXPECT_EQ(ce.column, 5);
  ce = compile_error("x > 1" + std::string(400, '0') + ".5");
  EXPECT_EQ(ce.message, "number out of range");
  ce = compile_error("1e5");
  EXPECT_THAT(ce.message, HasSubstr("invalid number"));
  EXPECT_EQ(ce.column, 2);
  // Found by fuzz_form: a letter of more than one byte after a number was quoted by its first
  // byte only, which is not UTF-8 (and `validate --json` then ended in exit 70).
  ce = compile_error(
      "=18446744073\xF0\x9F\x98\x80"
      "51616");
  EXPECT_EQ(ce.message,
            "invalid number: unexpected character '\xF0\x9F\x98\x80' after '18446744073'");
  EXPECT_EQ(ce.column, 13);
  ce = compile_error("3ñ");
  EXPECT_EQ(ce.message, "invalid number: unexpected character 'ñ' after '3'");
}

TEST(FeelCompileErrors, Brackets) {
  CompileError ce = compile_error("x in [1, 2");
  EXPECT_THAT(ce.message, HasSubstr("expected ']'"));
  EXPECT_THAT(ce.message, HasSubstr("found end of expression"));
  EXPECT_EQ(ce.column, 11);
  ce = compile_error("[1 2]");
  EXPECT_THAT(ce.message, HasSubstr("expected ']'"));
  EXPECT_EQ(ce.column, 4);
  ce = compile_error("[1,]");
  EXPECT_EQ(ce.message, "unexpected ']', expected an operand");
  EXPECT_EQ(ce.column, 4);
  ce = compile_error("(1 + 2");
  EXPECT_THAT(ce.message, HasSubstr("expected ')'"));
  EXPECT_EQ(ce.column, 7);
  ce = compile_error("1 + 2)");
  EXPECT_EQ(ce.message, "unexpected ')', expected an operator or end of expression");
  EXPECT_EQ(ce.column, 6);
  ce = compile_error("()");
  EXPECT_EQ(ce.message, "unexpected ')', expected an operand");
  EXPECT_EQ(ce.column, 2);
}

TEST(FeelCompileErrors, Functions) {
  CompileError ce = compile_error("x and foo(1)");
  EXPECT_THAT(ce.message, HasSubstr("unknown function 'foo' (supported: not, date, time, "));
  EXPECT_THAT(ce.message, HasSubstr(", list contains, is defined)"));
  EXPECT_EQ(ce.column, 7);
  ce = compile_error("not x");
  EXPECT_THAT(ce.message, HasSubstr("expected '(' after 'not'"));
  EXPECT_EQ(ce.column, 5);
  ce = compile_error("not(true, false)");
  EXPECT_THAT(ce.message, HasSubstr("expected ')'"));
  EXPECT_EQ(ce.column, 9);
}

TEST(FeelCompileErrors, KeywordsAndStrayTokens) {
  CompileError ce = compile_error("and");
  EXPECT_EQ(ce.message, "unexpected 'and', expected an operand");
  EXPECT_EQ(ce.column, 1);
  ce = compile_error("a b");
  EXPECT_EQ(ce.message, "unexpected name 'b', expected an operator or end of expression");
  EXPECT_EQ(ce.column, 3);
  ce = compile_error("x in");
  EXPECT_EQ(ce.message, "unexpected end of expression, expected an operand");
  ce = compile_error("a.");
  EXPECT_EQ(ce.message, "expected a name after '.', found end of expression");
  EXPECT_EQ(ce.column, 3);
  ce = compile_error("a.1");
  EXPECT_EQ(ce.column, 2);
  ce = compile_error("1 ** 2");
  EXPECT_EQ(ce.message, "unexpected '*', expected an operand");
  EXPECT_EQ(ce.column, 4);
}

// ---------------------------------------------------------------------------------------------
// Robustness

TEST(FeelRobustness, NestingLimit) {
  std::string ok = std::string(127, '(') + "1" + std::string(127, ')');
  EXPECT_EQ(value_of(ok), Json(1));
  std::string ok_not;
  for (int i = 0; i < 127; ++i) ok_not += "not(";
  ok_not += "true" + std::string(127, ')');
  EXPECT_EQ(value_of(ok_not), Json(false));

  std::string deep = std::string(128, '(') + "1" + std::string(128, ')');
  CompileError ce = compile_error(deep);
  EXPECT_THAT(ce.message, HasSubstr("expression nested too deeply"));
  EXPECT_EQ(ce.column, 128);

  ce = compile_error("= " + std::string(60000, '['));
  EXPECT_THAT(ce.message, HasSubstr("expression nested too deeply"));
  EXPECT_EQ(ce.column, 130);
}

TEST(FeelRobustness, TooLong) {
  CompileError ce = compile_error(std::string(1 << 20, '('));
  EXPECT_THAT(ce.message, HasSubstr("expression too long"));
  EXPECT_EQ(ce.column, 1);
  std::string terms = "1";
  for (int i = 1; i < 100000; ++i) terms += "+1";
  ce = compile_error(terms);
  EXPECT_THAT(ce.message, HasSubstr("expression too long"));
}

TEST(FeelRobustness, LongFlatExpressions) {
  std::string sum = "0";
  for (int i = 0; i < 20000; ++i) sum += "+1";
  EXPECT_EQ(value_of(sum), Json(20000));

  std::string conj = "x = 1";
  for (int i = 0; i < 6000; ++i) conj += " and x = 1";
  EXPECT_EQ(value_of(conj, {{"x", 1}}), Json(true));

  std::string disj = "x";
  for (int i = 0; i < 12000; ++i) disj += " or x";
  EXPECT_EQ(value_of(disj, {{"x", false}}), Json(false));

  EXPECT_EQ(value_of(std::string(60000, '-') + "5"), Json(5));
  EXPECT_EQ(value_of(std::string(59999, '-') + "5"), Json(-5));

  std::string path = "a";
  for (int i = 0; i < 20000; ++i) path += ".b";
  EXPECT_EQ(value_of(path, {{"a", Json::object()}}), kNull);

  std::string list = "[0";
  for (int i = 0; i < 20000; ++i) list += ",1";
  list += "]";
  EXPECT_EQ(value_of("2 in " + list), Json(false));
}

TEST(FeelRobustness, ConcatenationIsCapped) {
  Variables vars{{"s", std::string(4 << 20, 'x')}};
  std::string text = "s";
  for (int i = 0; i < 10; ++i) text += " + s";
  EXPECT_THAT(eval_error(text, vars), HasSubstr("exceeds"));
}

TEST(FeelRobustness, DeeplyNestedValues) {
  Json deep = Json::array();
  for (int i = 0; i < 1000; ++i) {
    Json outer = Json::array();
    outer.push_back(std::move(deep));
    deep = std::move(outer);
  }
  Variables vars{{"a", deep}, {"b", deep}};
  EXPECT_THAT(eval_error("a = b", vars), HasSubstr("nested too deeply"));
}

TEST(FeelRobustness, GarbageNeverThrowsOrCrashes) {
  // Deterministic pseudo-random inputs: binary bytes and token soup.
  std::uint32_t state = 12345;
  auto next = [&state]() {
    state = state * 1103515245u + 12345u;
    return (state >> 16) & 0x7FFFu;
  };
  const std::vector<std::string> pieces = {
      "(",   ")",  "[",   "]",     ",",   ".",  "+",  "-",   "*",        "/",    "=",    "!=",
      "<",   "<=", ">",   ">=",    "and", "or", "in", "not", "not(",     "true", "null", "x",
      "x.y", "1",  "2.5", "\"s\"", "\"",  "\\", " ",  "#",   "\xC3\xB1", "\xFF"};
  Variables vars{{"x", Json::parse(R"({"y": [1, "a", null]})")}};
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const int len = static_cast<int>(next() % 60);
    for (int i = 0; i < len; ++i) {
      if (round % 2 == 0) {
        text += static_cast<char>(next() & 0xFF);
      } else {
        text += pieces[next() % pieces.size()];
      }
    }
    Expression e;
    CompileError ce;
    if (compile(text, e, ce)) {
      Json out;
      EvalError ee;
      if (!e.evaluate(vars, out, ee)) {
        EXPECT_FALSE(ee.message.empty()) << text;
      }
    } else {
      EXPECT_FALSE(ce.message.empty());
      EXPECT_GE(ce.column, 1);
      EXPECT_LE(ce.column, static_cast<int>(text.size()) + 1);
    }
  }
}

TEST(FeelRobustness, UncompiledExpressionIsAnEvalError) {
  Expression e;
  Json out;
  EvalError ee;
  EXPECT_FALSE(e.evaluate({}, out, ee));
  EXPECT_FALSE(ee.message.empty());
}

TEST(FeelRobustness, FailedCompileLeavesOutputUntouched) {
  Expression e;
  CompileError ce;
  ASSERT_TRUE(compile("x > 1", e, ce));
  EXPECT_FALSE(compile("x >", e, ce));
  EXPECT_EQ(e.text(), "x > 1");
}

TEST(FeelRobustness, ConcurrentEvaluation) {
  Expression e;
  CompileError ce;
  ASSERT_TRUE(compile(R"(= c in ["C", "D"] and n + 1 > 3)", e, ce));
  std::vector<std::thread> threads;
  std::vector<int> hits(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&e, &hits, t] {
      Variables vars{{"c", "D"}, {"n", t}};
      for (int i = 0; i < 500; ++i) {
        Json out;
        EvalError ee;
        if (e.evaluate(vars, out, ee) && out == Json(t + 1 > 3)) ++hits[static_cast<size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int h : hits) EXPECT_EQ(h, 500);
}

// ---------------------------------------------------------------------------------------------
// Contexts, filters and paths over lists (what zeebe:ioMapping sources use)

const Variables kColegios = {{"colegios", Json::parse(R"([
    {"codigo": "A", "sector": "OFICIAL", "puntaje": 2.5},
    {"codigo": "B", "sector": "NO_OFICIAL", "puntaje": 4},
    {"codigo": "C", "sector": "OFICIAL", "puntaje": 3}])")}};

TEST(FeelContexts, AContextLiteralWhoseEntriesSeeTheOnesBefore) {
  EXPECT_EQ(value_of(R"({a: 1, "b c": a + 1, d: {e: "x"}})"),
            Json::parse(R"({"a": 1, "b c": 2, "d": {"e": "x"}})"));
  EXPECT_EQ(value_of("{}"), Json::object());
  EXPECT_EQ(value_of("{n: count(colegios)}.n", kColegios), Json(3));
}

TEST(FeelContexts, FiltersIndexesAndPathsOverLists) {
  EXPECT_EQ(value_of(R"(colegios[sector = "OFICIAL"].codigo)", kColegios),
            Json::parse(R"(["A", "C"])"));
  EXPECT_EQ(value_of("colegios[puntaje >= 3].codigo", kColegios), Json::parse(R"(["B", "C"])"));
  EXPECT_EQ(value_of("colegios[1].codigo", kColegios), Json("A"));
  EXPECT_EQ(value_of("colegios[-1].codigo", kColegios), Json("C"));
  EXPECT_EQ(value_of("colegios[4]", kColegios), Json());
  EXPECT_EQ(value_of("[1, 5, 3][item > 2]"), Json::parse("[5, 3]"));
  EXPECT_EQ(value_of("count(colegios[sector = \"NO_OFICIAL\"])", kColegios), Json(1));
  EXPECT_EQ(value_of("colegios.puntaje", kColegios), Json::parse("[2.5, 4, 3]"));
  EXPECT_EQ(value_of(R"(string join(colegios[puntaje < 4].codigo, ", "))", kColegios),
            Json("A, C"));
  EXPECT_EQ(value_of(R"(string join(["a", null, "b"]))"), Json("ab"));
  EXPECT_EQ(value_of("missing[1]"), Json());
  // An item's member hides a variable of the same name.
  Variables vars = kColegios;
  vars["sector"] = "NO_OFICIAL";
  EXPECT_EQ(value_of(R"(colegios[sector = "OFICIAL"].codigo)", vars), Json::parse(R"(["A", "C"])"));
}

TEST(FeelContexts, ABadContextOrFilterIsACompileErrorThatSaysWhere) {
  EXPECT_THAT(compile_error("{a 1}").message, HasSubstr("expected ':' after the key 'a'"));
  EXPECT_THAT(compile_error("{a: 1").message, HasSubstr("to close the context '{'"));
  EXPECT_THAT(compile_error("{1: 2}").message, HasSubstr("expected a key (a name or a string)"));
  EXPECT_THAT(compile_error("colegios[1").message, HasSubstr("to close the filter '['"));
}

}  // namespace
}  // namespace pmiflow::feel
