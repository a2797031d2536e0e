// Completes D02.03's user tasks with a fixed, realistic script of decisions, with data that
// passes each task's form, so that the demo and the benchmark walk the same path: the
// strategy is not aligned at the first review (4 -> improvement -> 4); the 5 -> 6 loop is
// taken twice (pending activities 2, then 1, then 0); the first verification finds deviations
// (8 -> treatment -> 8); irregularities persist, so activity 10 fills an F01.03.F02 entry.
#pragma once

#include <string>

#include "engine/common/json.h"
#include "engine/runtime/instance_state.h"

namespace pmiflow::cli {

struct AutopilotStep {
  std::string role;  // the candidate group to act as
  std::string user;
  Variables variables;
};

// `visit` is how many times the task's element has been activated so far (1 the first time).
AutopilotStep autopilot_step(const runtime::UserTask& task, int visit);

// The step for the open task with the lowest key (the oldest); REQUIRES: a task is open.
AutopilotStep autopilot_next(const runtime::InstanceState& state, std::string& task_id);

// The start variables of a sample school (data contract of d02-03-process.md).
Variables sample_school_variables(const std::string& codigo_dane, const std::string& periodo,
                                  int index);

}  // namespace pmiflow::cli
