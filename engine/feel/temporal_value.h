// FEEL's temporal values (date, time, date and time, years and months duration, days and time
// duration) during evaluation (private to engine/feel).
//
// They travel through the evaluator inside Json values as nlohmann's `binary` type, whose
// subtype says which kind: JSON text never produces a binary value, so a temporal cannot be
// confused with a variable's value, and lists and contexts can hold temporals like any value.
// Expression::evaluate writes each as its ISO text in the result (to_output), so that nothing
// outside engine/feel ever sees the encoding.
#pragma once

#include <compare>
#include <optional>
#include <string>

#include "engine/common/json.h"
#include "engine/time/temporal.h"
#include "engine/time/zone.h"

namespace pmiflow::feel {

enum class TemporalKind : std::uint8_t {
  kDate = 1,
  kTime = 2,
  kDateTime = 3,
  kYearsMonths = 4,
  kDaysTime = 5,
};

struct Temporal {
  TemporalKind kind = TemporalKind::kDate;
  time::Date date;           // kDate
  time::TimeOfDay time;      // kTime
  time::DateTime date_time;  // kDateTime
  std::int64_t amount = 0;   // kYearsMonths: months; kDaysTime: milliseconds
};

Json temporal_json(const Temporal& t);
Json date_json(const time::Date& d);
Json date_time_json(const time::DateTime& dt);
Json years_months_json(std::int64_t months);
Json days_time_json(std::int64_t ms);
// False when `v` is not a temporal.
bool read_temporal(const Json& v, Temporal& out);
bool is_temporal(const Json& v);

// "date 2026-03-01", "days and time duration P1D", ... for messages.
std::string describe_temporal(const Temporal& t);
// The ISO text: "2026-03-01", "10:30:00@America/Bogota", "P1Y2M", "PT12H".
std::string temporal_text(const Temporal& t);
// `v` with every temporal inside it replaced by its ISO text.
Json to_output(Json v);

// A property of a temporal (`fecha.year`, `d.weekday`, `plazo.days`): nullopt when the kind has
// no such property. FEEL's names: year, month, day, weekday (1 = Monday), hour, minute, second,
// timezone (the zone's name, or null); years, months, days, hours, minutes, seconds of durations.
std::optional<Json> temporal_property(const Temporal& t, const std::string& name);

// The order of two temporals of comparable kinds, or an error message. A local date and time
// compared with a zoned one is read in `zone` (the engine's). Times compare when both are local
// or both at fixed offsets.
bool compare_temporals(const Temporal& a, const Temporal& b, const time::Zone& zone,
                       std::partial_ordering& order, std::string& error);

// FEEL arithmetic where one operand is a temporal: date/time/date and time +- duration, their
// differences, durations added, negated, multiplied and divided by numbers. False with `error`
// for the combinations FEEL does not define and for results out of range.
bool temporal_arithmetic(char op, const Json& a, const Json& b, const time::Zone& zone, Json& out,
                         std::string& error);
bool negate_temporal(const Temporal& t, Json& out, std::string& error);

}  // namespace pmiflow::feel
