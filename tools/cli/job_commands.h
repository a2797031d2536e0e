// Jobs for external workers (docs/jobs.md): `pmiflow jobs activate` leases jobs of a type;
// `jobs complete|fail|error|extend` answer one with the lease's fencing token.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "tools/cli/commands.h"

namespace pmiflow::cli {

struct ActivateArgs {
  std::string type;
  std::string worker;
  int max = 1;
  std::string timeout;  // empty: app::kDefaultLeaseMs
};
int cmd_jobs_activate(const Common& c, const ActivateArgs& a, std::ostream& out, std::ostream& err);

// One answer: the job, its lease's token, and what the answer carries.
struct JobAnswerArgs {
  std::string key;
  std::int64_t token = 0;
  std::vector<std::string> vars;       // complete: --var
  std::vector<std::string> var_files;  // complete: --vars
  std::string message;                 // fail, error
  std::string code;                    // error
  std::string timeout;                 // extend
  std::optional<int> retries;          // fail
  std::string backoff;                 // fail (empty: the default)
};
int cmd_jobs_complete(const Common& c, const JobAnswerArgs& a, std::ostream& out,
                      std::ostream& err);
int cmd_jobs_fail(const Common& c, const JobAnswerArgs& a, std::ostream& out, std::ostream& err);
int cmd_jobs_error(const Common& c, const JobAnswerArgs& a, std::ostream& out, std::ostream& err);
int cmd_jobs_extend(const Common& c, const JobAnswerArgs& a, std::ostream& out, std::ostream& err);

}  // namespace pmiflow::cli
