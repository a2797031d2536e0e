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
// Other variables are allowed and not checked: callers may start an instance with more data.
std::vector<FieldError> validate_start_data(const Variables& vars);

// validate_start_data, and the instance's variables agree with its tags (business_key.h): a
// valid codigo_dane must be the school tag and a valid periodo the period tag (a mismatch is
// reported on the field, e.g. "codigo_dane: expected '105001000123' (the instance's school),
// found ..."). This is the start-data validator register_handlers registers for kProcessKey.
std::vector<FieldError> validate_start_data(const StartRequest& request);

}  // namespace pmiflow::handlers::d02_03
