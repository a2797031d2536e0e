// D02.03's commands over a whole SE period: a sample jurisdiction (`sample-jurisdiction`), one
// instance per school of a CSV (`start --from-csv`), where a period's instances stand
// (`summary`), and the seed's records as reports (`report`). The work is done in
// handlers/d02_03 and app/; these print it.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "tools/cli/commands.h"

namespace pmiflow::cli {

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

struct ReportArgs {
  std::string kind;  // programacion|revision|seguimiento|evaluacion|irregularidades|caracterizacion
  std::string period;
  std::optional<std::string> etc;
  std::string format = "csv";  // csv|json
};
int cmd_report(const Common& c, const ReportArgs& a, std::ostream& out, std::ostream& err);

}  // namespace pmiflow::cli
