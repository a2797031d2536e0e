#include "engine/time/zone.h"

#include <gtest/gtest.h>

namespace pmiflow::time {
namespace {

std::int64_t local(std::string_view text) {
  auto dt = parse_date_time(text);
  EXPECT_TRUE(dt.ok()) << text;
  return dt.ok() ? dt->local_ms : 0;
}

Zone named(std::string_view name) {
  auto z = Zone::named(name);
  EXPECT_TRUE(z.ok()) << name;
  return z.ok() ? *z : Zone::utc();
}

TEST(TimeZone, BogotaIsFiveHoursBehindAllYear) {
  Zone bogota = named("America/Bogota");
  EXPECT_EQ(bogota.name(), "America/Bogota");
  for (const char* text : {"2026-01-15T08:00:00", "2026-07-15T08:00:00"}) {
    std::int64_t instant = bogota.to_instant(local(text));
    EXPECT_EQ(instant, local(text) + 5 * kMsPerHour) << text;
    EXPECT_EQ(bogota.offset_seconds_at(instant), -5 * 3600);
    EXPECT_EQ(format_date_time(date_time_at(instant, bogota)),
              std::string(text) + "@America/Bogota");
  }
}

TEST(TimeZone, ASkippedReadingMovesForwardByTheGapAsJavaTimeDoes) {
  Zone ny = named("America/New_York");
  // 2026-03-08 02:00 EST jumps to 03:00 EDT: 02:30 does not exist; java.time gives 03:30 EDT.
  std::int64_t instant = ny.to_instant(local("2026-03-08T02:30:00"));
  EXPECT_EQ(instant, local("2026-03-08T07:30:00"));  // as UTC
  EXPECT_EQ(format_date_time(date_time_at(instant, ny)), "2026-03-08T03:30:00@America/New_York");
}

TEST(TimeZone, ARepeatedReadingTakesTheEarlierInstant) {
  Zone ny = named("America/New_York");
  // 2026-11-01 02:00 EDT falls back to 01:00 EST: 01:30 happens twice.
  std::int64_t instant = ny.to_instant(local("2026-11-01T01:30:00"));
  EXPECT_EQ(instant, local("2026-11-01T05:30:00"));  // 01:30 EDT (-04:00), as UTC
  EXPECT_EQ(ny.offset_seconds_at(instant), -4 * 3600);
  EXPECT_EQ(ny.offset_seconds_at(instant + kMsPerHour), -5 * 3600);
}

TEST(TimeZone, FixedOffsetsAndLocalValues) {
  Zone bogota = named("America/Bogota");
  auto dt = parse_date_time("2026-03-01T10:00:00+01:00");
  ASSERT_TRUE(dt.ok());
  auto instant = instant_of(*dt, bogota);
  ASSERT_TRUE(instant.ok());
  EXPECT_EQ(*instant, local("2026-03-01T09:00:00"));
  // A local value is read in the zone it is given.
  auto local_dt = parse_date_time("2026-03-01T10:00:00");
  ASSERT_TRUE(local_dt.ok());
  EXPECT_EQ(*instant_of(*local_dt, bogota), local("2026-03-01T15:00:00"));
  EXPECT_EQ(*instant_of(*local_dt, Zone::utc()), local("2026-03-01T10:00:00"));
  EXPECT_EQ(format_offset(-5 * 3600), "-05:00");
  EXPECT_EQ(format_offset(5 * 3600 + 30 * 60), "+05:30");
  EXPECT_EQ(format_offset(0), "Z");
  EXPECT_EQ(Zone::fixed(3600).name(), "+01:00");
}

TEST(TimeZone, NamesAreCheckedBeforeTheDatabaseIsAsked) {
  for (const char* bad :
       {"", "America//Bogota", "../etc/passwd", "America/Bogotá", "/UTC", "America/Bogota/"}) {
    auto z = Zone::named(bad);
    ASSERT_FALSE(z.ok()) << bad;
    EXPECT_EQ(z.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  auto unknown = Zone::named("Mars/Olympus_Mons");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(Zone::named("UTC").ok());
  EXPECT_TRUE(Zone::named("Etc/GMT+5").ok());
}

}  // namespace
}  // namespace pmiflow::time
