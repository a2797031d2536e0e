// Incidents and their repair (docs/jobs.md, "Incidents"): `pmiflow incidents` lists the open
// ones, `incidents resolve ID [--retries N]` repairs one in a single call, and `set-variables`
// fixes the data a gateway could not decide on, as an audited event.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "tools/cli/commands.h"

namespace pmiflow::cli {

struct IncidentFilter {
  std::optional<std::string> school;
  std::optional<std::string> period;
  std::vector<std::string> tags;  // name=value
  std::optional<std::string> kind;
  std::optional<std::int64_t> instance;
};
int cmd_incidents(const Common& c, const IncidentFilter& f, std::ostream& out, std::ostream& err);

// Who acts: --as ROLE, --user NAME (default $USER).
struct ResolveArgs {
  std::string incident;
  std::optional<int> retries;
  std::string role;
  std::string user;
};
int cmd_incidents_resolve(const Common& c, const ResolveArgs& a, std::ostream& out,
                          std::ostream& err);

struct SetVariablesArgs {
  std::int64_t instance = 0;
  std::vector<std::string> vars;
  std::vector<std::string> var_files;
  std::string role;
  std::string user;
};
int cmd_set_variables(const Common& c, const SetVariablesArgs& a, std::ostream& out,
                      std::ostream& err);

}  // namespace pmiflow::cli
