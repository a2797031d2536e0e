// Validation of the start variables of a D02.03 instance (design/d02-03-process.md, "The data
// contract of an instance"): what an SE subprocess, `pmiflow start` or a CSV row must give.
#pragma once

#include <vector>

#include "engine/common/json.h"
#include "engine/engine/handler.h"
#include "engine/model/form.h"
#include "engine/runtime/instance_state.h"

namespace pmiflow::handlers::d02_03 {

// Checks the start variables and returns one FieldError per bad field (none when valid), in
// the contract's order. Each message starts with the field name and says what was expected and
// what was found, e.g. "sector: expected OFICIAL or NO_OFICIAL, found 'PRIVADO'".
//
//   codigo_dane      string, 12 digits, the first 1-4 (1 oficial urbano, 2 oficial rural,
//                    3 no oficial urbano, 4 no oficial rural; domain-notes.md §3). The first
//                    digit is not cross-checked with sector: codes persist after a school
//                    changes, so a mismatch is not proof of an error.
//   periodo          string YYYY, YYYY-1 or YYYY-2 (year 1900-2999, as the engine's business
//                    key).
//   nombre, municipio, etc
//                    non-empty strings (not only spaces).
//   sector           OFICIAL | NO_OFICIAL.
//   categoria_saber  A+ | A | B | C | D | SIN_CLASIFICAR, required for every school (a school
//                    without grado 11 results is SIN_CLASIFICAR).
//   regimen          NO_OFICIAL: required, LIBERTAD_REGULADA | LIBERTAD_VIGILADA |
//                    REGIMEN_CONTROLADO. OFICIAL: must be absent, null or "" (the régimen of
//                    Decreto 2253/1995 applies only to private schools; a value there means the
//                    row is inconsistent, and the activity 3 classification must not see it).
//                    With sector missing or invalid, regimen is only checked to be one of the
//                    three values when given.
//   fecha_fin_periodo, fecha_limite_evaluacion
//                    optional dates and times (e.g. 2026-11-30T23:59:59, in the engine's zone
//                    when no zone is given): the end of the evaluation period (activities 5-6
//                    stop) and the SE's deadline for the school's evaluation (activity 7),
//                    the second not before the first.
//   frecuencia_seguimiento
//                    optional ISO 8601 duration more than zero: how often activity 6 follows
//                    up (default P1M).
// Other variables are allowed and not checked: callers may start an instance with more data.
std::vector<FieldError> validate_start_data(const Variables& vars);

inline constexpr const char* kFechaFinPeriodo = "fecha_fin_periodo";
inline constexpr const char* kFechaLimiteEvaluacion = "fecha_limite_evaluacion";
inline constexpr const char* kFrecuenciaSeguimiento = "frecuencia_seguimiento";

// The start-data preparer register_handlers registers for kProcessKey: tags school and period
// from codigo_dane and periodo when the request does not have them (an instance started by
// D02.01's message, a school's instance started by the SE's), and the period's calendar where the
// start data leaves it out: for YYYY and YYYY-2 the period ends on YYYY-11-30 and evaluations are
// due by YYYY-12-15, for YYYY-1 on YYYY-06-30 and by YYYY-07-15 (at 23:59:59 in the engine's zone),
// follow-up every P1M.
void prepare_start_data(StartRequest& request);

// The calendar part of prepare_start_data: fecha_fin_periodo, fecha_limite_evaluacion and
// frecuencia_seguimiento where `vars` leave them out (the period from `periodo`).
void prepare_calendar(Variables& vars);

// The calendar part of validate_start_data: the three fields above, when given.
std::vector<FieldError> validate_calendar(const Variables& vars);

// When a period opens, in the engine's zone: YYYY and YYYY-1 on YYYY-02-01, YYYY-2 on
// YYYY-07-15, at 08:00 (where a simulated clock starts a demo or a benchmark of the period).
// kInvalidArgument naming periodo for a bad period.
Result<std::int64_t> period_opening_ms(const std::string& periodo);

// validate_start_data, and the instance's variables agree with its tags (business_key.h): a
// valid codigo_dane must be the school tag and a valid periodo the period tag (a mismatch is
// reported on the field, e.g. "codigo_dane: expected '105001000123' (the instance's school),
// found ..."). This is the start-data validator register_handlers registers for kProcessKey.
std::vector<FieldError> validate_start_data(const StartRequest& request);

}  // namespace pmiflow::handlers::d02_03
