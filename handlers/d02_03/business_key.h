// D02.03's business key, built and checked at its own edge: one instance per establecimiento
// educativo (its código DANE) and period. The engine knows only (process, business id) and
// indexed tags; D02.03 starts its instances with
//   business id  "<codigo_dane>/<periodo>"   (e.g. "105001000123/2026-1")
//   tags         school = codigo_dane, period = periodo
// and the start variables codigo_dane and periodo. Logs written before the generic business
// key (InstanceCreated v1) read as exactly this (runtime/event_types.h).
#pragma once

#include <string>

#include "engine/common/result.h"
#include "engine/engine/handler.h"
#include "engine/runtime/instance_state.h"

namespace pmiflow::handlers::d02_03 {

inline constexpr const char* kSchoolTag = "school";
inline constexpr const char* kPeriodTag = "period";

// A código DANE: exactly 12 digits. kInvalidArgument naming codigo_dane otherwise.
Status validate_codigo_dane(const std::string& code);
// A period: YYYY, YYYY-1 or YYYY-2 (year 1900..2999). kInvalidArgument naming periodo
// otherwise.
Status validate_periodo(const std::string& period);

// "<codigo_dane>/<periodo>".
std::string business_id(const std::string& codigo_dane, const std::string& periodo);

// The start of `process` for a school in a period: the business key, the tags, and the
// variables with codigo_dane and periodo added. kInvalidArgument (nothing else checked) for a
// missing process key, a bad código DANE or period.
Result<StartRequest> start_request(const std::string& process, const std::string& codigo_dane,
                                   const std::string& periodo, Variables variables,
                                   runtime::Actor actor);

// The tags that select a period's instances (and, when given, one school's).
runtime::Tags period_tags(const std::string& periodo, const std::string& codigo_dane = "");

}  // namespace pmiflow::handlers::d02_03
