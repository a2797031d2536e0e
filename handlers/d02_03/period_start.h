// Opening a period for every school of a jurisdiction: one D02.03 instance per row of a schools
// CSV (jurisdiction.h), started idempotently by business key (`pmiflow start --from-csv`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/engine.h"
#include "engine/engine/read_model.h"
#include "engine/model/form.h"
#include "handlers/d02_03/jurisdiction.h"

namespace pmiflow::handlers::d02_03 {

// What happened to one CSV row.
struct RowOutcome {
  int line = 0;
  std::string codigo_dane;  // as the row gives it ("" when the row has none)
  std::int64_t instance_id = 0;
  bool created = false;            // false with instance_id != 0: the instance already existed
  std::vector<FieldError> errors;  // non-empty: the row was rejected and nothing was written
};

// Reads a schools CSV for `process` in `periodo`, each row checked with the process's
// start-data validator exactly as Engine::start will check it (read_schools_csv).
Result<std::vector<SchoolRow>> read_period_csv(const HandlerRegistry& registry,
                                               const std::string& process,
                                               const std::string& periodo, const std::string& text);

// Starts one instance of `process` in `periodo` per row that has no errors, from up to
// `threads` threads at once (the store group-commits their writes), idempotently by business
// key. A row with errors is returned rejected with them, and so is a row the engine refuses
// as invalid input (kValidation, kInvalidArgument: its message becomes the row's error). Any
// other engine error (I/O, conflict, not found) stops the run and is returned; the rows
// started before it stay started, each in its own transaction, and a rerun skips them.
// Outcomes come in row order.
Result<std::vector<RowOutcome>> start_rows(Engine& engine, const std::string& process,
                                           const std::string& periodo,
                                           const std::vector<SchoolRow>& rows,
                                           const runtime::Actor& actor, int threads = 4);

// What happened to one ETC of the CSV: its SE instance (se_start_data.h).
struct SeOutcome {
  std::string etc;
  int schools = 0;  // the valid rows of the ETC, in the instance's establecimientos
  std::int64_t instance_id = 0;
  bool created = false;            // false with instance_id != 0: the instance already existed
  std::vector<FieldError> errors;  // non-empty: the engine refused it and nothing was written
};

// The two-level D02.03: one instance of the SE's `process` in `periodo` per ETC of the rows
// that have no errors (in the order the ETCs first appear), with those rows as its
// establecimientos, started idempotently by business key (etc/periodo). Rows are read with
// read_period_csv for kSchoolProcessKey (each checked as a school's start data). An ETC the
// engine refuses as invalid input is returned with its errors; any other engine error stops the
// run and is returned. For a second half-year (YYYY-2), the schools the ETC's first half-year
// instance (found in `read_model`) ended with indicios de irregularidades start the instance as
// irregularidades_periodo_anterior, so that the annual F01.03.F02 report covers the year.
Result<std::vector<SeOutcome>> start_se_rows(Engine& engine, ReadModel& read_model,
                                             const std::string& process, const std::string& periodo,
                                             const std::vector<SchoolRow>& rows,
                                             const runtime::Actor& actor);

}  // namespace pmiflow::handlers::d02_03
