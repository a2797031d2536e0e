// Activity 3's rule (design/d02-03-process.md, "Classification in activity 3"): an official
// school with low Saber results, or a private school in Régimen Controlado, gets `integral`
// accompaniment; the others `puntual` advice. Used for one school (the per-school process) and
// for every school of an SE (the SE's process).
#pragma once

#include <string>

#include "engine/common/json.h"
#include "engine/common/result.h"
#include "handlers/d02_03/d02_03_handlers.h"

namespace pmiflow::handlers::d02_03 {

struct Clasificacion {
  std::string tipo;    // "integral" | "puntual"
  std::string motivo;  // the rule that applied and the values seen, in Spanish
};

// Reads sector (OFICIAL | NO_OFICIAL), categoria_saber (required for OFICIAL) and regimen
// (required for NO_OFICIAL) of `school`. kValidation naming the field when one is missing or
// not a value of its list.
Result<Clasificacion> clasificar(const Variables& school, const Settings& settings);

}  // namespace pmiflow::handlers::d02_03
