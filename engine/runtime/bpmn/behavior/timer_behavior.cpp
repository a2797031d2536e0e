#include "engine/runtime/bpmn/behavior/timer_behavior.h"

#include <string>
#include <utility>
#include <vector>

#include "engine/common/time_text.h"
#include "engine/runtime/bpmn/behavior/catch_event_behavior.h"
#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/incident_behavior.h"
#include "engine/runtime/variable_scope.h"
#include "engine/time/zone.h"

namespace pmiflow::runtime::behavior {
namespace {

// The text a timer's definition gives at the run's time: the literal, or its expression's
// value (a string, or a temporal FEEL value as ISO text).
Result<std::string> timer_text(const Run& run, const model::TimerDefinition& timer,
                               std::int64_t owner) {
  if (!timer.expression) return timer.text;
  const feel::Env env = run.feel_env();
  Json out;
  feel::EvalError error;
  if (!evaluate_in_scope(run.state(), owner, *timer.expression, env, out, error)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "expression `" + timer.text + "` failed: " + error.message);
  }
  if (!out.is_string()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "expression `" + timer.text + "` gave " + json_text(out) + ", expected " +
                          (timer.kind == model::TimerDefinition::Kind::kDate ? "a date and time"
                           : timer.kind == model::TimerDefinition::Kind::kDuration ? "a duration"
                                                                                   : "a cycle"));
  }
  return out.get<std::string>();
}

}  // namespace

bool arm_timer(Run& run, model::NodeIndex event, const ElementRef& owner) {
  const model::FlowNode& node = run.definition().node(event);
  const model::TimerDefinition& timer = *node.timer;
  const std::string what =
      std::string("<") + model::timer_kind_name(timer.kind) + "> of " + node.id;
  auto text = timer_text(run, timer, owner.key);
  Result<model::TimerSchedule> schedule =
      text.ok() ? model::schedule_timer(timer.kind, *text, run.now_ms(), time::default_zone())
                : Result<model::TimerSchedule>(text.error());
  if (!schedule.ok()) {
    raise_incident(run, owner.key, incident_element(run, event, owner), kTimerIncident,
                   what + ": " + schedule.error().message);
    return false;
  }
  TimerCreated created;
  created.due = schedule->due_ms;
  created.element = node.id;
  created.element_key = owner.key;
  created.key = run.next_key();
  if (schedule->cycle) {
    created.cycle = *text;
    created.armed = run.now_ms();
  }
  run.write(std::move(created));
  return true;
}

void cancel_timers(Run& run, std::int64_t owner_key, const std::vector<model::NodeIndex>* only) {
  std::vector<std::pair<std::int64_t, std::string>> owned;
  for (const auto& [key, timer] : run.state().timers) {
    if (timer.element_key == owner_key && is_one_of(run, only, timer.element_id)) {
      owned.emplace_back(key, timer.element_id);
    }
  }
  for (auto& [key, element] : owned) run.write(TimerCanceled{std::move(element), key});
}

Status trigger_timer(Run& run, const Timer& timer) {
  const model::ProcessDefinition& def = run.definition();
  const model::NodeIndex event = def.find_node(timer.element_id);
  if (event == model::kNone || !def.node(event).timer) {
    return make_error(ErrorCode::kInternal,
                      "timer event " + timer.element_id + " is not in definition " + def.key);
  }
  const model::FlowNode& node = def.node(event);
  const Timer fired = timer;  // `timer` is in the state, which the next event changes
  run.write(TimerTriggered{fired.element_id, fired.key});
  // A non-interrupting cycle (a boundary event, an event subprocess start) fires again.
  const bool repeats = node.attached_to != model::kNone || is_event_subprocess_start(def, event);
  if (repeats && !node.cancel_activity && !fired.cycle.empty()) {
    auto cycle = time::Cycle::parse(fired.cycle);
    if (!cycle.ok()) return cycle.error();
    auto next = cycle->fire(fired.armed_ms, fired.fire + 1, fired.due_ms, time::default_zone());
    if (next) {
      run.write(TimerCreated{fired.armed_ms, fired.cycle, *next, fired.element_id,
                             fired.element_key, fired.fire + 1, run.next_key()});
    }
  }
  return trigger_event(run, event, fired.element_key);
}

}  // namespace pmiflow::runtime::behavior
