// Opening a period for every school of a jurisdiction: one D02.03 instance per row of a schools
// CSV (jurisdiction.h), started idempotently by business key (`pmiflow start --from-csv`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/engine.h"
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

}  // namespace pmiflow::handlers::d02_03
