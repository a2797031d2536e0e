// The auditors' commands (docs/audit.md): a readable history of an instance, its replay from
// the events alone, the verification of the hash chains, and self-contained archives that are
// verified and replayed without the database. Each returns an exit code (cli.h): 0 when the
// history is intact / the replay agrees with the projections, 1 when it is not (naming the
// first difference), the usual codes otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "tools/cli/commands.h"

namespace pmiflow::cli {

struct HistoryArgs {
  std::string instance;
  bool csv = false;     // RFC 4180, UTF-8 with a BOM (Common::json for JSON)
  std::string archive;  // read the instance from an archive instead of --db
};
int cmd_history(const Common& c, const HistoryArgs& a, std::ostream& out, std::ostream& err);

struct ReplayArgs {
  std::string instance;
  std::optional<std::int64_t> until;  // fold events 1..until
  std::optional<std::string> at;      // fold the events with time <= at (ISO-8601)
  std::string archive;                // read the instance from an archive instead of --db
};
int cmd_replay(const Common& c, const ReplayArgs& a, std::ostream& out, std::ostream& err);

struct VerifyArgs {
  std::string instance;  // empty: every instance
  bool all = false;
  std::string archive;  // verify an archive file instead of --db
  int threads = 0;      // workers for every-instance verification; 0: one per core
};
int cmd_verify(const Common& c, const VerifyArgs& a, std::ostream& out, std::ostream& err);

// The instances to export: those of --process with every tag given (--tag, and D02.03's
// --period and --school); at least one criterion.
struct ExportArgs {
  std::optional<std::string> process;
  std::optional<std::string> period;
  std::optional<std::string> school;
  std::vector<std::string> tags;  // name=value
  std::string out;
};
int cmd_export(const Common& c, const ExportArgs& a, std::ostream& out, std::ostream& err);

// `bench-audit` (bench_audit.cpp): times replay of a long instance and verify --all.
struct BenchAuditArgs {
  std::string dir;              // where the two databases go; empty: a temporary directory
  std::int64_t events = 10000;  // events of the instance that is replayed
  int instances = 5000;         // instances of the database that is verified
  int instance_events = 200;    // events of each of them
  int runs = 7;                 // replay runs (the median is reported)
  int threads = 0;              // verify workers; 0: one per core
};
int cmd_bench_audit(const BenchAuditArgs& a, std::ostream& out, std::ostream& err);

}  // namespace pmiflow::cli
