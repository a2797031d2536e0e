#include "engine/runtime/bpmn/behavior/catch_event_behavior.h"

#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/message_behavior.h"
#include "engine/runtime/bpmn/behavior/timer_behavior.h"
#include "engine/runtime/bpmn/processor_registry.h"

namespace pmiflow::runtime::behavior {

bool subscribe_boundary_events(Run& run, const ElementRef& host) {
  bool ok = true;
  const model::ProcessDefinition& def = run.definition();
  const InstanceState& s = run.state();
  for (model::NodeIndex boundary : def.node(host.node).boundary_events) {
    const model::FlowNode& event = def.node(boundary);
    // Already subscribed: an incident's retry subscribes only those that failed.
    bool subscribed = false;
    for (const auto& [key, timer] : s.timers) {
      subscribed = subscribed || (timer.element_key == host.key && timer.element_id == event.id);
    }
    for (const auto& [key, sub] : s.subscriptions) {
      subscribed = subscribed || (sub.element_key == host.key && sub.element_id == event.id);
    }
    if (subscribed) continue;
    const bool done =
        event.timer ? arm_timer(run, boundary, host) : open_subscription(run, boundary, host);
    ok = ok && done;
  }
  return ok;
}

void unsubscribe(Run& run, std::int64_t owner_key) {
  if (!run.state().timers.empty()) cancel_timers(run, owner_key);
  if (!run.state().subscriptions.empty()) close_subscriptions(run, owner_key);
}

void trigger_event(Run& run, model::NodeIndex event, const ElementRef& owner) {
  const model::ProcessDefinition& def = run.definition();
  const model::FlowNode& node = def.node(event);
  if (node.attached_to == model::kNone) {  // a catch event or a receive task: its own instance
    complete(run, owner);
    return;
  }
  if (node.cancel_activity) processor_for(def.node(owner.node).kind).on_terminate(run, owner);
  run.queue(Activation{event, model::kNone, owner.scope, {}});
}

}  // namespace pmiflow::runtime::behavior
