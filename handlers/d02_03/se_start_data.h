// D02.03 at the level of the SE (design/d02-03-process.md, "Two levels"): one instance of the
// SE's process per entidad territorial certificada (ETC) and period, which starts one instance
// of the school's process per school it classified (process-definitions/README.md).
//   business id  "<etc>/<periodo>"   (e.g. "Antioquia/2026")
//   tags         etc = the ETC's name, period = periodo (the schools' instances get them too,
//                and school = their código DANE)
//   variables    etc, periodo, establecimientos (a list, one object per school with the data
//                contract's fields: codigo_dane, nombre, municipio, etc, sector,
//                categoria_saber, regimen), and the period's calendar (start_data.h)
#pragma once

#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/handler.h"
#include "engine/model/form.h"
#include "handlers/d02_03/jurisdiction.h"

namespace pmiflow::handlers::d02_03 {

// The process keys of the two-level D02.03 (process-definitions/).
inline constexpr const char* kSeProcessKey = "D02_03_ApoyarGestionPMI_SE";
inline constexpr const char* kSchoolProcessKey = "D02_03_AcompanamientoEE";
inline constexpr const char* kEtcTag = "etc";

// "<etc>/<periodo>".
std::string se_business_id(const std::string& etc, const std::string& periodo);

// The start of the SE's process for `etc` in `periodo` with `schools` (each the start
// variables of a school, as read_schools_csv gives them; periodo is dropped from each, the
// SE's own is the schools'). kInvalidArgument for an empty ETC or a bad period.
Result<StartRequest> se_start_request(const std::string& process, const std::string& etc,
                                      const std::string& periodo,
                                      const std::vector<Variables>& schools, runtime::Actor actor);

// What is wrong with the start of an SE's instance: etc a non-empty string (the etc tag);
// periodo a period (the period tag); establecimientos a list of 1 to kMaxJurisdictionSize
// objects, each a school of this ETC with valid start data (validate_start_data; its fields
// are named "establecimientos[i].sector"), no código DANE twice; the calendar as for a school.
std::vector<FieldError> validate_se_start_data(const StartRequest& request);

// Tags etc and period from the variables when the request does not have them (a start by
// message), and the period's calendar where the start data leaves it out (prepare_calendar).
void prepare_se_start_data(StartRequest& request);

}  // namespace pmiflow::handlers::d02_03
