// FEEL's temporal values and built-in functions (engine/feel/builtins.cpp,
// engine/feel/temporal_value.cpp), evaluated at a fixed command time in the engine's zone.
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/feel/feel.h"

namespace pmiflow::feel {
namespace {

using ::testing::HasSubstr;

// 2026-03-06T15:30:00Z, a Friday: 10:30 in Bogota.
constexpr std::int64_t kNow = 1772811000000;

Env env_at_now() {
  Env env;
  env.now_ms = kNow;
  return env;
}

// Compiles and evaluates at kNow; the result, or "error: MESSAGE" / "compile error: MESSAGE".
std::string eval(std::string_view text, const Variables& vars = {}, const Env& env = env_at_now()) {
  Expression e;
  CompileError ce;
  if (!compile(text, e, ce)) return "compile error: " + ce.message;
  Json out;
  EvalError ee;
  if (!e.evaluate(vars, env, out, ee)) return "error: " + ee.message;
  return out.dump();
}

TEST(FeelTime, LiteralsOfEachKindAreWrittenAsIsoText) {
  EXPECT_EQ(eval(R"(date("2026-03-01"))"), R"("2026-03-01")");
  EXPECT_EQ(eval("date(2026, 3, 1)"), R"("2026-03-01")");
  EXPECT_EQ(eval(R"(time("10:30:00"))"), R"("10:30:00")");
  EXPECT_EQ(eval("time(10, 30, 15.5)"), R"("10:30:15.500")");
  EXPECT_EQ(eval(R"(time(10, 30, 0, duration("-PT5H")))"), R"("10:30:00-05:00")");
  EXPECT_THAT(eval(R"(time(10, 30, 0, duration("PT19H")))"),
              HasSubstr("error: time(): the offset must be a days and time duration of at most"));
  EXPECT_EQ(eval(R"(date and time("2026-03-01T10:30:00@America/Bogota"))"),
            R"("2026-03-01T10:30:00@America/Bogota")");
  EXPECT_EQ(eval(R"(date and time("2026-03-01"))"), R"("2026-03-01T00:00:00")");
  EXPECT_EQ(eval(R"(date and time(date("2026-03-01"), time("08:00:00Z")))"),
            R"("2026-03-01T08:00:00Z")");
  EXPECT_EQ(eval(R"(duration("P1Y2M"))"), R"("P1Y2M")");
  EXPECT_EQ(eval(R"(duration("PT36H"))"), R"("P1DT12H")");
  EXPECT_EQ(eval(R"(date(date and time("2026-03-01T23:00:00")))"), R"("2026-03-01")");
  EXPECT_EQ(eval(R"(time(date and time("2026-03-01T23:00:00-05:00")))"), R"("23:00:00-05:00")");
  // Names of several words are read as one function only before '('.
  EXPECT_EQ(eval("date and time", {{"date", true}, {"time", false}}), "false");
}

TEST(FeelTime, NowAndTodayReadTheCommandsTimeInTheEnginesZone) {
  EXPECT_EQ(eval("now()"), R"("2026-03-06T10:30:00@America/Bogota")");
  EXPECT_EQ(eval("today()"), R"("2026-03-06")");
  EXPECT_EQ(eval("today().weekday"), "5");
  Env utc = env_at_now();
  utc.zone = time::Zone::utc();
  EXPECT_EQ(eval("now()", {}, utc), R"("2026-03-06T15:30:00Z")");
  // Without the command's time they are an error, never the machine's clock.
  EXPECT_THAT(eval("now()", {}, Env{}), HasSubstr("error: now(): the time of the command is not"));
  EXPECT_THAT(eval("today() > date(\"2026-01-01\")", {}, Env{}), HasSubstr("error: today():"));
}

TEST(FeelTime, ComparisonsOfDatesTimesAndDurations) {
  Variables vars{{"fecha_limite", "2026-03-31"}, {"entregado", "2026-04-02T09:00:00"}};
  EXPECT_EQ(eval("today() < date(fecha_limite)", vars), "true");
  EXPECT_EQ(eval("date(fecha_limite) = date(2026, 3, 31)", vars), "true");
  EXPECT_EQ(eval("date and time(entregado) > date and time(fecha_limite)", vars), "true");
  EXPECT_EQ(eval(R"(duration("P1D") = duration("PT24H"))"), "true");
  EXPECT_EQ(eval(R"(duration("P1Y") > duration("P11M"))"), "true");
  EXPECT_EQ(eval(R"(time("10:00:00") < time("09:00:00"))"), "false");
  // A local date and time against a zoned one: the local one is read in the engine's zone.
  EXPECT_EQ(eval(R"(now() = date and time("2026-03-06T10:30:00"))"), "true");
  EXPECT_EQ(eval(R"(date and time("2026-03-06T15:30:00Z") = now())"), "true");
  EXPECT_EQ(eval(R"(date("2026-03-01") in [date("2026-03-01"), date("2026-03-02")])"), "true");
  // A date is not its text.
  EXPECT_EQ(eval(R"(date("2026-03-01") = "2026-03-01")"), "false");
  EXPECT_EQ(eval(R"(date("2026-03-01") < "2026-03-02")"),
            "error: cannot compare date 2026-03-01 with string \"2026-03-02\" using '<'");
  EXPECT_EQ(eval(R"(date("2026-03-01") < duration("P1D"))"),
            "error: cannot compare date 2026-03-01 with days and time duration P1D using '<'");
}

TEST(FeelTime, ArithmeticFollowsTheCalendar) {
  EXPECT_EQ(eval(R"(date("2026-01-31") + duration("P1M"))"), R"("2026-02-28")");
  EXPECT_EQ(eval(R"(duration("P1M") + date("2026-01-31"))"), R"("2026-02-28")");
  EXPECT_EQ(eval(R"(date("2026-03-01") - duration("P1D"))"), R"("2026-02-28")");
  EXPECT_EQ(eval(R"(date("2026-03-31") - date("2026-03-01"))"), R"("P30D")");
  EXPECT_EQ(eval(R"(date and time("2026-03-01T10:00:00") + duration("PT90M"))"),
            R"("2026-03-01T11:30:00")");
  EXPECT_EQ(eval(R"(now() + duration("P1M"))"), R"("2026-04-06T10:30:00@America/Bogota")");
  EXPECT_EQ(eval(R"(date and time("2026-03-06T15:30:00Z") - now())"), R"("PT0S")");
  EXPECT_EQ(eval(R"(time("23:30:00") + duration("PT1H"))"), R"("00:30:00")");
  EXPECT_EQ(eval(R"(time("10:00:00") - time("08:30:00"))"), R"("PT1H30M")");
  EXPECT_EQ(eval(R"(duration("P1M") * 3)"), R"("P3M")");
  EXPECT_EQ(eval(R"(2 * duration("PT1H"))"), R"("PT2H")");
  EXPECT_EQ(eval(R"(duration("P1D") / 4)"), R"("PT6H")");
  EXPECT_EQ(eval(R"(duration("P1D") / duration("PT1H"))"), "24");
  EXPECT_EQ(eval(R"(-duration("P1D"))"), R"("-P1D")");
  EXPECT_EQ(eval(R"(duration("P1Y") - duration("P2M"))"), R"("P10M")");
  EXPECT_EQ(eval(R"(date("2026-03-01") + null)"), "null");
  EXPECT_EQ(eval(R"(date("2026-03-01") + date("2026-03-01"))"),
            "error: cannot apply '+' to date 2026-03-01 and date 2026-03-01");
  EXPECT_EQ(eval(R"(duration("P1M") + duration("P1D"))"),
            "error: cannot apply '+' to years and months duration P1M and days and time "
            "duration P1D");
  EXPECT_EQ(eval(R"(date("9999-12-31") + duration("P1D"))"),
            "error: the result of date 9999-12-31 + days and time duration P1D is out of range");
}

TEST(FeelTime, PropertiesOfTemporals) {
  EXPECT_EQ(eval(R"(date("2026-03-01").year)"), "2026");
  EXPECT_EQ(eval(R"(date("2026-03-01").month)"), "3");
  EXPECT_EQ(eval(R"(date and time("2026-03-01T10:45:30").minute)"), "45");
  EXPECT_EQ(eval("now().timezone"), R"("America/Bogota")");
  EXPECT_EQ(eval(R"(duration("P1Y2M").months)"), "2");
  EXPECT_EQ(eval(R"(duration("P2DT3H").hours)"), "3");
  EXPECT_EQ(eval(R"(date("2026-03-01").nothing)"), "null");
  EXPECT_EQ(eval(R"(years and months duration(date("2026-01-15"), date("2027-03-14")))"),
            R"("P1Y1M")");
}

TEST(FeelTime, TextThatIsNotATemporalIsAnErrorNamingTheFunction) {
  EXPECT_EQ(eval(R"(date("2026-02-30"))"),
            "error: date(): '2026-02-30' is not a date (expected YYYY-MM-DD, e.g. 2026-03-01)");
  EXPECT_THAT(eval(R"(duration("P1M2D"))"),
              HasSubstr("error: duration(): 'P1M2D' mixes years or months with days or time"));
  EXPECT_EQ(eval("date(2026, 2, 30)"), "error: date(): there is no day 30 in month 2 of year 2026");
  EXPECT_EQ(eval("date(x)", {{"x", 5}}),
            "error: date(): expects a string, a date and time, or year, month and day; found "
            "number 5");
  EXPECT_EQ(eval("date(x)"), "null");  // FEEL: a null argument gives null
  EXPECT_THAT(eval(R"(date and time("2026-03-01T10:00:00@Mars/Base"))"),
              HasSubstr("'Mars/Base' is not in the system's time zone database"));
}

TEST(FeelBuiltins, Strings) {
  Variables vars{{"nombre", "Institución Educativa Ñuñoa"}};
  EXPECT_EQ(eval("string length(nombre)", vars), "27");
  EXPECT_EQ(eval("upper case(nombre)", vars), R"("INSTITUCIÓN EDUCATIVA ÑUÑOA")");
  EXPECT_EQ(eval("lower case(nombre)", vars), R"("institución educativa ñuñoa")");
  EXPECT_EQ(eval(R"(contains(nombre, "Educativa"))", vars), "true");
  EXPECT_EQ(eval("substring(nombre, 13, 9)", vars), R"("Educativa")");
  EXPECT_EQ(eval("substring(nombre, -5)", vars), R"("Ñuñoa")");
  EXPECT_EQ(eval("substring(nombre, 100)", vars), R"("")");
  EXPECT_EQ(eval("substring(nombre, 0)", vars),
            "error: substring(): the start position is 1 for the first character, not 0");
  EXPECT_EQ(eval(R"(string(date("2026-03-01")) + "!")"), R"("2026-03-01!")");
  EXPECT_EQ(eval("string(12)"), R"("12")");
  EXPECT_EQ(eval("upper case(3)"),
            "error: upper case(): the argument must be a string, found number 3");
}

TEST(FeelBuiltins, Lists) {
  Variables vars{{"puntajes", Json::array({3, 5, 4})}};
  EXPECT_EQ(eval("count(puntajes)", vars), "3");
  EXPECT_EQ(eval("sum(puntajes)", vars), "12");
  EXPECT_EQ(eval("sum(1, 2.5)"), "3.5");
  EXPECT_EQ(eval("min(puntajes)", vars), "3");
  EXPECT_EQ(eval("max(puntajes)", vars), "5");
  EXPECT_EQ(eval("max([])"), "null");
  EXPECT_EQ(eval(R"(min(date("2026-03-01"), date("2026-01-15")))"), R"("2026-01-15")");
  EXPECT_EQ(eval(R"(max("b", "a"))"), R"("b")");
  EXPECT_EQ(eval(R"(max(1, "a"))"), "error: max(): cannot compare string \"a\" with number 1");
  EXPECT_EQ(eval("list contains(puntajes, 5)", vars), "true");
  EXPECT_EQ(eval("list contains(puntajes, null)", vars), "false");
  EXPECT_EQ(eval("sum(puntajes) / count(puntajes) >= 4", vars), "true");
  EXPECT_EQ(eval("count(5)"), "error: count(): expects a list, found number 5");
}

TEST(FeelBuiltins, IsDefinedAndArity) {
  Variables vars{{"a", nullptr}, {"ctx", Json{{"b", 1}}}};
  EXPECT_EQ(eval("is defined(a)", vars), "true");
  EXPECT_EQ(eval("is defined(ctx.b)", vars), "true");
  EXPECT_EQ(eval("is defined(ctx.c)", vars), "false");
  EXPECT_EQ(eval("is defined(z)", vars), "false");
  EXPECT_EQ(eval("not(is defined(z))", vars), "true");
  EXPECT_EQ(eval("now(1)"), "compile error: now() does not take 1 argument: now()");
  EXPECT_EQ(eval("substring(\"a\")"),
            "compile error: substring() does not take 1 argument: substring(string, start "
            "position[, length])");
  EXPECT_EQ(eval("count(1,"), "compile error: unexpected end of expression, expected an operand");
}

}  // namespace
}  // namespace pmiflow::feel
