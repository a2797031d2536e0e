// What the people of the SE call D02.03's roles, records, start data and the results its
// handlers write: the labels the forms do not give (model/vocabulary.h). The history, the
// reports, the summary and the outbox add these to the forms' labels.
#pragma once

#include "engine/model/vocabulary.h"

namespace pmiflow::handlers::d02_03 {

// Roles as the seed names them, the records of its section 6, the school's start data (with
// its codes: sector, categoría SABER, régimen, tipo de acompañamiento), the instance tags and
// the members of the handlers' results.
const model::Vocabulary& vocabulary();

}  // namespace pmiflow::handlers::d02_03
