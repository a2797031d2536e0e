// Completes D02.03's user tasks with a fixed, realistic script of decisions, with data that
// passes each task's form, so that the demo and the benchmark walk the same path: the
// strategy is not aligned at the first review (4 -> improvement -> 4); the 5 -> 6 loop is
// taken twice (pending activities 2, then 1, then 0); the first verification finds deviations
// (8 -> treatment -> 8); irregularities persist, so activity 10 fills an F01.03.F02 entry.
// Every fifth instance (its id a multiple of 5) is a school that never registers its
// evaluation: the autopilot leaves activity 7's task open until the SE's deadline passes.
#pragma once

#include <string>

#include "engine/common/json.h"
#include "engine/engine/clock.h"
#include "engine/engine/engine.h"
#include "engine/engine/read_model.h"
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

// What the autopilot does next on an active instance: complete its oldest open task, or, when
// none is open (or the school leaves its evaluation unregistered), let time pass until its
// soonest waiting timer (a follow-up, a deadline) is due.
struct AutopilotMove {
  enum class Kind { kNone, kTask, kTimer };
  Kind kind = Kind::kNone;     // kNone: the instance waits for something else (a message, a job)
  std::string task_id;         // kTask
  AutopilotStep step;          // kTask
  std::int64_t timer_key = 0;  // kTimer
  std::int64_t due_ms = 0;     // kTimer
  std::string timer_element;   // kTimer
};
AutopilotMove autopilot_move(const runtime::InstanceState& state);

// Makes `move` on instance `instance_id`: completes the task as the autopilot, or moves the
// simulated `clock` forward to the timer's due time (never backward) and fires the timer.
// REQUIRES: move.kind != kNone.
Result<CommandOutcome> autopilot_apply(Engine& engine, ManualClock& clock, std::int64_t instance_id,
                                       const AutopilotMove& move);

// Answers every open task of every instance with the autopilot (and the tasks those answers
// open, until each instance waits for time, a message or an incident), at the clock's time.
// Returns how many tasks it completed.
Result<std::size_t> autopilot_answer_all(Engine& engine, ReadModel& read_model);

// The start variables of a sample school (data contract of d02-03-process.md).
Variables sample_school_variables(const std::string& codigo_dane, const std::string& periodo,
                                  int index);

}  // namespace pmiflow::cli
