// Timers: what is waiting (`pmiflow timers`) and firing what is due (`pmiflow run`).
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "tools/cli/commands.h"

namespace pmiflow::cli {

int cmd_timers(const Common& c, const std::optional<std::int64_t>& instance, std::ostream& out,
               std::ostream& err);

struct RunArgs {
  std::string clock = "system";  // "system" or "simulated"
  std::string from;              // simulated: where the clock starts (default: now)
  std::string until;             // simulated: fire everything due up to here, then exit
  std::string step;              // simulated: report at each step of this duration (P1M)
  bool autopilot = false;        // simulated: the autopilot answers the open tasks as they come
};
// `run`: the runner (app/runner.h) until SIGINT or SIGTERM; with --clock simulated,
// cmd_run_simulated.
int cmd_run(const Common& c, const RunArgs& a, std::ostream& out, std::ostream& err);
// `run --clock simulated`: fires every timer due up to --until on a simulated clock, soonest
// first, each at its due time, then exits.
int cmd_run_simulated(const Common& c, const RunArgs& a, std::ostream& out, std::ostream& err);

}  // namespace pmiflow::cli
