#include "engine/time/temporal.h"

#include <gtest/gtest.h>

namespace pmiflow::time {
namespace {

Date date(std::string_view s) {
  auto d = parse_date(s);
  EXPECT_TRUE(d.ok()) << s;
  return d.ok() ? *d : Date{};
}

DateTime date_time(std::string_view s) {
  auto d = parse_date_time(s);
  EXPECT_TRUE(d.ok()) << s << ": " << (d.ok() ? "" : d.error().message);
  return d.ok() ? *d : DateTime{};
}

Duration duration(std::string_view s) {
  auto d = parse_duration(s);
  EXPECT_TRUE(d.ok()) << s << ": " << (d.ok() ? "" : d.error().message);
  return d.ok() ? *d : Duration{};
}

TEST(TimeDate, ParsesAndWritesIsoDates) {
  Date d = date("2026-03-01");
  EXPECT_EQ(d.year(), 2026);
  EXPECT_EQ(d.month(), 3);
  EXPECT_EQ(d.day(), 1);
  EXPECT_EQ(d.weekday(), 7);  // a Sunday
  EXPECT_EQ(format_date(d), "2026-03-01");
  EXPECT_EQ(date("1970-01-01").days, 0);
  EXPECT_EQ(date("1969-12-31").days, -1);
  EXPECT_EQ(format_date(date("-0044-03-15")), "-0044-03-15");
  EXPECT_EQ(format_date(date("2024-02-29")), "2024-02-29");
}

TEST(TimeDate, RefusesWhatIsNotADayWithTheExpectedForm) {
  for (const char* text : {"2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "26-03-01",
                           "2026-3-1", "2026-03-01T10:00:00", "", "2026-03-01 "}) {
    auto d = parse_date(text);
    ASSERT_FALSE(d.ok()) << text;
    EXPECT_EQ(d.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(d.error().message.find("is not a date (expected YYYY-MM-DD"), std::string::npos)
        << d.error().message;
  }
}

TEST(TimeOfDay, ParsesClockReadingsWithAndWithoutZones) {
  auto t = parse_time_of_day("10:30:15.250");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->ms, 10 * kMsPerHour + 30 * kMsPerMinute + 15 * kMsPerSecond + 250);
  EXPECT_EQ(t->zone.kind, ZoneRef::Kind::kLocal);
  EXPECT_EQ(format_time_of_day(*t), "10:30:15.250");

  auto hm = parse_time_of_day("08:00");
  ASSERT_TRUE(hm.ok());
  EXPECT_EQ(format_time_of_day(*hm), "08:00:00");

  auto offset = parse_time_of_day("08:00:00-0500");
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(offset->zone.kind, ZoneRef::Kind::kOffset);
  EXPECT_EQ(offset->zone.offset_seconds, -5 * 3600);
  EXPECT_EQ(format_time_of_day(*offset), "08:00:00-05:00");

  auto named = parse_time_of_day("08:00:00@America/Bogota");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->zone.kind, ZoneRef::Kind::kNamed);
  EXPECT_EQ(format_time_of_day(*named), "08:00:00@America/Bogota");

  // Nine digits of fraction are read, three kept.
  auto nanos = parse_time_of_day("00:00:01.123456789Z");
  ASSERT_TRUE(nanos.ok());
  EXPECT_EQ(nanos->ms, 1123);
  EXPECT_EQ(format_time_of_day(*nanos), "00:00:01.123Z");
}

TEST(TimeOfDay, RefusesImpossibleReadings) {
  for (const char* text : {"24:00:00", "10:60:00", "10:00:60", "10", "10:00:00.", "10:00:00+19:00",
                           "10:00:00.1234567890", "10:00:00 Z", "10:00:00@"}) {
    auto t = parse_time_of_day(text);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_EQ(t.error().code, ErrorCode::kInvalidArgument) << text;
  }
}

TEST(TimeDateTime, ParsesTheFormsCamundaAndFeelWrite) {
  DateTime local = date_time("2026-03-01T10:30:00");
  EXPECT_EQ(local.zone.kind, ZoneRef::Kind::kLocal);
  EXPECT_EQ(local.date(), date("2026-03-01"));
  EXPECT_EQ(local.time_ms(), 10 * kMsPerHour + 30 * kMsPerMinute);
  EXPECT_EQ(format_date_time(local), "2026-03-01T10:30:00");

  EXPECT_EQ(format_date_time(date_time("2026-03-01T10:30:00Z")), "2026-03-01T10:30:00Z");
  EXPECT_EQ(format_date_time(date_time("2026-03-01T10:30:00+00:00")), "2026-03-01T10:30:00Z");
  EXPECT_EQ(format_date_time(date_time("2026-03-01T10:30:00-05:00")), "2026-03-01T10:30:00-05:00");
  EXPECT_EQ(format_date_time(date_time("2026-03-01T10:30:00@America/Bogota")),
            "2026-03-01T10:30:00@America/Bogota");
  // java.time's zoned form: the named zone wins over the offset.
  DateTime java = date_time("2026-03-01T10:30:00-05:00[America/Bogota]");
  EXPECT_EQ(java.zone.kind, ZoneRef::Kind::kNamed);
  EXPECT_EQ(java.zone.name, "America/Bogota");
  // Before 1970 the date and the time of day are still right.
  DateTime old = date_time("1969-12-31T23:00:00");
  EXPECT_EQ(old.local_ms, -kMsPerHour);
  EXPECT_EQ(format_date(old.date()), "1969-12-31");
  EXPECT_EQ(old.time_ms(), 23 * kMsPerHour);
}

TEST(TimeDateTime, AnUnknownZoneIsNamedInTheError) {
  auto dt = parse_date_time("2026-03-01T10:30:00@America/Medellin");
  ASSERT_FALSE(dt.ok());
  EXPECT_NE(dt.error().message.find("'America/Medellin' is not in the system's time zone"),
            std::string::npos)
      << dt.error().message;
  auto path = parse_date_time("2026-03-01T10:30:00@../../etc/passwd");
  ASSERT_FALSE(path.ok());
  EXPECT_NE(path.error().message.find("is not a time zone name"), std::string::npos);
  EXPECT_FALSE(parse_date_time("2026-03-01T10:30:00-05:00[America/Bogota").ok());
  EXPECT_FALSE(parse_date_time("2026-03-01").ok());
  EXPECT_FALSE(parse_date_time("2026-03-01T").ok());
}

TEST(TimeDuration, ReadsBothKindsAndTheirMix) {
  Duration ym = duration("P1Y2M");
  EXPECT_EQ(ym.months, 14);
  EXPECT_EQ(ym.ms, 0);
  EXPECT_TRUE(ym.has_months);
  EXPECT_FALSE(ym.has_time);

  Duration dt = duration("P1DT2H30M15.5S");
  EXPECT_EQ(dt.months, 0);
  EXPECT_EQ(dt.days, 1);
  EXPECT_EQ(dt.total_ms(), kMsPerDay + 2 * kMsPerHour + 30 * kMsPerMinute + 15500);
  EXPECT_FALSE(dt.has_months);
  EXPECT_TRUE(dt.has_time);

  EXPECT_EQ(duration("P3W").days, 21);
  EXPECT_EQ(duration("P1D"), duration("PT24H"));  // FEEL: a day is 24 hours
  EXPECT_EQ(duration("-PT10S").ms, -10000);
  EXPECT_EQ(duration("PT0,5S").ms, 500);

  Duration mixed = duration("P1MT12H");
  EXPECT_EQ(mixed.months, 1);
  EXPECT_EQ(mixed.total_ms(), 12 * kMsPerHour);
  EXPECT_TRUE(mixed.has_months && mixed.has_time);
}

TEST(TimeDuration, RefusesMalformedAndTooLongDurations) {
  for (const char* text : {"P", "PT", "1D", "P1H", "PT1D", "P1M1Y", "P1D2D", "P1.5D", "PT1.5M",
                           "P-1D", "p1d", "P1DT", "P 1D", "PT1S2M"}) {
    auto d = parse_duration(text);
    ASSERT_FALSE(d.ok()) << text;
    EXPECT_NE(d.error().message.find("is not a duration (expected an ISO 8601 duration"),
              std::string::npos)
        << d.error().message;
  }
  auto huge = parse_duration("P999999999999999D");  // fits in 64 bits, its milliseconds do not
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.error().message.find("too long"), std::string::npos);
  EXPECT_FALSE(parse_duration("P9999999999999999999D").ok());  // 19 digits
}

TEST(TimeDuration, WritesEachKindAsFeelScalaDoes) {
  EXPECT_EQ(format_duration(duration("P14M")), "P1Y2M");
  EXPECT_EQ(format_duration(duration("P0Y")), "P0M");
  EXPECT_EQ(format_duration(duration("-P1Y")), "-P1Y");
  EXPECT_EQ(format_duration(duration("PT0S")), "PT0S");
  EXPECT_EQ(format_duration(duration("P0D")), "PT0S");
  EXPECT_EQ(format_duration(duration("PT36H")), "P1DT12H");
  EXPECT_EQ(format_duration(duration("PT90.500S")), "PT1M30.5S");
  EXPECT_EQ(format_duration(duration("-P2DT0.001S")), "-P2DT0.001S");
  EXPECT_EQ(format_duration(duration("P1MT12H")), "P1MT12H");
  // What is written reads back the same.
  for (const char* text : {"P1Y2M", "P1DT2H3M4.567S", "-PT1M", "P400D"}) {
    Duration d = duration(text);
    EXPECT_EQ(duration(format_duration(d)), d) << text;
  }
}

TEST(TimeArithmetic, MonthsKeepTheDayOrTakeTheMonthsLast) {
  EXPECT_EQ(format_date(*add_months(date("2026-01-31"), 1)), "2026-02-28");
  EXPECT_EQ(format_date(*add_months(date("2024-01-31"), 1)), "2024-02-29");
  EXPECT_EQ(format_date(*add_months(date("2026-03-15"), -3)), "2025-12-15");
  EXPECT_EQ(format_date(*add_months(date("2026-03-31"), 12 * 4)), "2030-03-31");
  EXPECT_FALSE(add_months(date("9999-12-01"), 1).has_value());
  EXPECT_FALSE(add_months(date("2026-01-01"), INT64_MAX).has_value());
  EXPECT_EQ(format_date(*add_days(date("2026-02-28"), 1)), "2026-03-01");
  EXPECT_FALSE(add_days(date("2026-02-28"), INT64_MAX).has_value());

  DateTime dt = date_time("2026-01-31T23:30:00@America/Bogota");
  auto later = add_local(dt, 1, kMsPerHour);
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(format_date_time(*later), "2026-03-01T00:30:00@America/Bogota");
  EXPECT_FALSE(add_local(dt, 0, INT64_MAX).has_value());
}

TEST(TimeArithmetic, MonthsBetweenCountOnlyReachedMonths) {
  EXPECT_EQ(months_between(date("2026-01-31"), date("2026-02-28")), 0);
  EXPECT_EQ(months_between(date("2026-01-15"), date("2026-02-15")), 1);
  EXPECT_EQ(months_between(date("2026-01-15"), date("2027-03-14")), 13);
  EXPECT_EQ(months_between(date("2027-03-14"), date("2026-01-15")), -13);
  EXPECT_EQ(months_between(date("2026-05-01"), date("2026-05-31")), 0);
}

}  // namespace
}  // namespace pmiflow::time
