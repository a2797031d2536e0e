#include "engine/time/cycle.h"

#include <gtest/gtest.h>

namespace pmiflow::time {
namespace {

Zone zone(std::string_view name) {
  auto z = Zone::named(name);
  EXPECT_TRUE(z.ok()) << name;
  return z.ok() ? *z : Zone::utc();
}

// The instant of a wall-clock reading in a zone.
std::int64_t at(std::string_view text, const Zone& z) {
  auto dt = parse_date_time(text);
  EXPECT_TRUE(dt.ok()) << text;
  return dt.ok() ? z.to_instant(dt->local_ms) : 0;
}

std::string shown(std::optional<std::int64_t> instant, const Zone& z) {
  return instant ? format_date_time(date_time_at(*instant, z)) : "never";
}

Cycle cycle(std::string_view text) {
  auto c = Cycle::parse(text);
  EXPECT_TRUE(c.ok()) << text << ": " << (c.ok() ? "" : c.error().message);
  return c.ok() ? *c : Cycle{};
}

// The first n fires of a cycle armed at `armed`, as wall-clock readings.
std::vector<std::string> fires(const Cycle& c, std::int64_t armed, const Zone& z, int n) {
  std::vector<std::string> out;
  std::int64_t previous = armed;
  for (int i = 0; i < n; ++i) {
    auto next = c.fire(armed, i, previous, z);
    out.push_back(shown(next, z));
    if (!next) break;
    EXPECT_GE(*next, previous);
    previous = *next;
  }
  return out;
}

TEST(TimeCycle, ARepeatedIntervalCountsFromWhenItIsArmed) {
  Zone bogota = zone("America/Bogota");
  Cycle c = cycle("R3/PT10S");
  EXPECT_EQ(c.kind(), Cycle::Kind::kInterval);
  EXPECT_EQ(c.repetitions(), 3);
  EXPECT_EQ(fires(c, at("2026-03-01T10:00:00", bogota), bogota, 4),
            (std::vector<std::string>{"2026-03-01T10:00:10@America/Bogota",
                                      "2026-03-01T10:00:20@America/Bogota",
                                      "2026-03-01T10:00:30@America/Bogota", "never"}));
}

TEST(TimeCycle, MonthlyFiresKeepTheDayOfTheStartNotOfThePreviousFire) {
  Zone bogota = zone("America/Bogota");
  Cycle c = cycle("R/P1M");
  EXPECT_FALSE(c.repetitions().has_value());
  EXPECT_EQ(fires(c, at("2026-01-31T10:00:00", bogota), bogota, 3),
            (std::vector<std::string>{"2026-02-28T10:00:00@America/Bogota",
                                      "2026-03-31T10:00:00@America/Bogota",
                                      "2026-04-30T10:00:00@America/Bogota"}));
}

TEST(TimeCycle, AStartIsTheFirstFireAndAStartInThePastSkipsWhatIsPast) {
  Zone bogota = zone("America/Bogota");
  Cycle c = cycle("R3/2026-01-01T08:00:00/P1D");
  ASSERT_TRUE(c.start().has_value());
  EXPECT_EQ(fires(c, at("2025-12-01T00:00:00", bogota), bogota, 4),
            (std::vector<std::string>{"2026-01-01T08:00:00@America/Bogota",
                                      "2026-01-02T08:00:00@America/Bogota",
                                      "2026-01-03T08:00:00@America/Bogota", "never"}));
  EXPECT_EQ(fires(c, at("2026-01-02T09:00:00", bogota), bogota, 2),
            (std::vector<std::string>{"2026-01-03T08:00:00@America/Bogota", "never"}));
  // A start with its own offset is read at that offset.
  Cycle utc = cycle("R/2026-01-01T13:00:00Z/P1M");
  EXPECT_EQ(fires(utc, at("2026-02-15T00:00:00", bogota), bogota, 1),
            (std::vector<std::string>{"2026-03-01T08:00:00@America/Bogota"}));
}

TEST(TimeCycle, CronFollowsSpringsSixFields) {
  Zone bogota = zone("America/Bogota");
  Cycle weekdays = cycle("0 0 8 * * MON-FRI");
  EXPECT_EQ(weekdays.kind(), Cycle::Kind::kCron);
  // Friday 2026-03-06 after 08:00: the next is Monday.
  EXPECT_EQ(fires(weekdays, at("2026-03-06T09:00:00", bogota), bogota, 2),
            (std::vector<std::string>{"2026-03-09T08:00:00@America/Bogota",
                                      "2026-03-10T08:00:00@America/Bogota"}));
  EXPECT_EQ(fires(cycle("*/15 * * * * *"), at("2026-03-06T10:00:07", bogota), bogota, 2),
            (std::vector<std::string>{"2026-03-06T10:00:15@America/Bogota",
                                      "2026-03-06T10:00:30@America/Bogota"}));
  EXPECT_EQ(fires(cycle("0 0 0 L * ?"), at("2026-02-10T00:00:00", bogota), bogota, 2),
            (std::vector<std::string>{"2026-02-28T00:00:00@America/Bogota",
                                      "2026-03-31T00:00:00@America/Bogota"}));
  EXPECT_EQ(fires(cycle("@monthly"), at("2026-02-10T00:00:00", bogota), bogota, 1),
            (std::vector<std::string>{"2026-03-01T00:00:00@America/Bogota"}));
  EXPECT_EQ(fires(cycle("0 30 9 1,15 jan,jul 0"), at("2026-01-01T00:00:00", bogota), bogota, 1),
            (std::vector<std::string>{"2029-07-01T09:30:00@America/Bogota"}))
      << "the first Sunday that is the 1st or the 15th of January or July (both must match)";
  // 0 and 7 are both Sunday, as is SUN.
  EXPECT_EQ(cycle("0 0 0 * * 0").cron(), cycle("0 0 0 * * 7").cron());
  EXPECT_EQ(cycle("0 0 0 * * 0").cron(), cycle("0 0 0 * * SUN").cron());
  EXPECT_EQ(cycle("0 0 0 * * 5/1").cron(), cycle("0 0 0 * * FRI-SUN").cron());
}

TEST(TimeCycle, CronOnAFallBackNightFiresOnce) {
  Zone ny = zone("America/New_York");
  // 2026-11-01: 01:30 happens twice in New York.
  // The fires are a day apart but for the 25-hour day; the second 01:30 is not a fire.
  Cycle c = cycle("0 30 1 * * *");
  auto first = c.fire(0, 0, at("2026-10-31T12:00:00", ny), ny);
  auto second = c.fire(0, 1, *first, ny);
  auto third = c.fire(0, 2, *second, ny);
  EXPECT_EQ(shown(first, ny), "2026-11-01T01:30:00@America/New_York");
  EXPECT_EQ(*second - *first, 25 * kMsPerHour);
  EXPECT_EQ(*third - *second, 24 * kMsPerHour);
}

TEST(TimeCycle, BadCyclesSayWhatIsWrong) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"R0/PT1S", "R0 would never fire"},
           {"R/PT0S", "a duration of zero"},
           {"R/-PT1S", "a negative duration"},
           {"R5", "there is no '/' after R"},
           {"Rx/PT1S", "is not R and a count"},
           {"R/2026-13-01T00:00:00/P1D", "the start: '2026-13-01T00:00:00' is not a date and time"},
           {"R/P1D/x", "the start:"},
           {"0 0 8 * *", "six fields"},
           {"0 0 8 30 2 *", "no day matches it"},
           {"0 60 * * * *", "the minute '60' is not a value from 0 to 59"},
           {"0 0 8 * * FUNDAY", "the day of week 'FUNDAY'"},
           {"0 0 8 * * MON/0", "step '0' is not a number from 1 to 8"},
           {"0 0 10-8 * * *", "the hour range '10-8'"},
           {"0 0 8 ? * *", "the hour"},
           {"@often", "the only macros are"},
           {"", "six fields"},
       }) {
    auto parsed = Cycle::parse(c.text);
    if (std::string(c.text) == "0 0 8 ? * *") {
      EXPECT_TRUE(parsed.ok()) << "'?' is allowed in day of month";
      continue;
    }
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message.find(c.says), std::string::npos)
        << c.text << " -> " << parsed.error().message;
    EXPECT_NE(parsed.error().message.find("is not a timer cycle"), std::string::npos);
  }
}

TEST(TimeDurations, TimersWaitMoreThanZero) {
  EXPECT_TRUE(parse_timer_duration("P1M").ok());
  EXPECT_TRUE(parse_timer_duration("PT0.001S").ok());
  auto zero = parse_timer_duration("P0D");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().message,
            "'P0D' is a duration of zero: a timer waits a duration more than zero");
  auto negative = parse_timer_duration("-PT1H");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.error().message.find("negative"), std::string::npos);
}

TEST(TimeDurations, MonthsAndDaysMoveTheWallClockTimeMovesTheInstant) {
  Zone bogota = zone("America/Bogota");
  EXPECT_EQ(shown(add_duration(at("2026-01-31T10:00:00", bogota), *parse_duration("P1M"), bogota),
                  bogota),
            "2026-02-28T10:00:00@America/Bogota");
  Zone ny = zone("America/New_York");
  std::int64_t noon = at("2026-03-07T12:00:00", ny);
  // P1D is the same wall clock the next day, 23 hours later over the spring-forward night;
  // PT24H is 24 hours later.
  EXPECT_EQ(shown(add_duration(noon, *parse_duration("P1D"), ny), ny),
            "2026-03-08T12:00:00@America/New_York");
  EXPECT_EQ(shown(add_duration(noon, *parse_duration("PT24H"), ny), ny),
            "2026-03-08T13:00:00@America/New_York");
  EXPECT_EQ(*add_duration(noon, *parse_duration("P1MT1H"), ny), at("2026-04-07T13:00:00", ny));
  EXPECT_FALSE(add_duration(INT64_MAX - 5, *parse_duration("PT1S"), ny).has_value());
}

}  // namespace
}  // namespace pmiflow::time
