// Commands over a whole SE period: a sample jurisdiction (`sample-jurisdiction`), one instance
// per school of a CSV (`start --from-csv`), and where a period's instances stand (`summary`).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "engine/engine/engine.h"
#include "engine/engine/form.h"
#include "tools/cli/commands.h"
#include "tools/cli/jurisdiction.h"

namespace pmiflow::cli {

// What happened to one CSV row.
struct RowOutcome {
  int line = 0;
  std::string codigo_dane;  // as the row gives it ("" when the row has none)
  std::int64_t instance_id = 0;
  bool created = false;            // false with instance_id != 0: the instance already existed
  std::vector<FieldError> errors;  // non-empty: the row was rejected and nothing was written
};

// Starts one instance of `process` in `period` per row that has no errors, from up to `threads`
// threads at once (the engine group-commits their writes), idempotently by business key. A row
// with errors is returned rejected with them, and so is a row the engine refuses as invalid
// input (kValidation, kInvalidArgument: its message becomes the row's error). Any other engine
// error (I/O, conflict, not found) stops the run and is returned; the rows started before it
// stay started, each in its own transaction, and a rerun skips them. Outcomes come in row order.
Result<std::vector<RowOutcome>> start_rows(Engine& engine, const std::string& process,
                                           const std::string& period,
                                           const std::vector<SchoolRow>& rows,
                                           const runtime::Actor& actor, int threads = 4);

// `pmiflow start --process KEY --from-csv FILE --period P` (docs/cli.md).
int cmd_start_csv(const Common& c, const StartArgs& a, std::ostream& out, std::ostream& err);

struct SampleJurisdictionArgs {
  int schools = 300;
  std::uint64_t seed = 1;
  std::string etc = "Antioquia";
  std::string out;  // empty: standard output
  bool bom = false;
};
int cmd_sample_jurisdiction(const SampleJurisdictionArgs& a, std::ostream& out, std::ostream& err);

struct SummaryArgs {
  std::string period;
  std::optional<std::string> process;
};
int cmd_summary(const Common& c, const SummaryArgs& a, std::ostream& out, std::ostream& err);

}  // namespace pmiflow::cli
