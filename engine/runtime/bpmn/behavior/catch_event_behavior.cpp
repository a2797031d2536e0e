#include "engine/runtime/bpmn/behavior/catch_event_behavior.h"

#include <algorithm>

#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/event_subprocess_behavior.h"
#include "engine/runtime/bpmn/behavior/message_behavior.h"
#include "engine/runtime/bpmn/behavior/timer_behavior.h"
#include "engine/runtime/bpmn/behavior/variable_behavior.h"
#include "engine/runtime/bpmn/processor_registry.h"

namespace pmiflow::runtime::behavior {

bool subscribe(Run& run, const ElementRef& owner, const std::vector<model::NodeIndex>& events) {
  bool ok = true;
  const model::ProcessDefinition& def = run.definition();
  const InstanceState& s = run.state();
  for (model::NodeIndex n : events) {
    const model::FlowNode& event = def.node(n);
    if (!event.timer && !event.message) continue;  // an error event waits for no subscription
    // Already subscribed: an incident's retry subscribes only those that failed.
    bool subscribed = false;
    for (const auto& [key, timer] : s.timers) {
      subscribed = subscribed || (timer.element_key == owner.key && timer.element_id == event.id);
    }
    for (const auto& [key, sub] : s.subscriptions) {
      subscribed = subscribed || (sub.element_key == owner.key && sub.element_id == event.id);
    }
    if (subscribed) continue;
    const bool done = event.timer ? arm_timer(run, n, owner) : open_subscription(run, n, owner);
    ok = ok && done;
  }
  return ok;
}

bool subscribe_boundary_events(Run& run, const ElementRef& host) {
  return subscribe(run, host, run.definition().node(host.node).boundary_events);
}

void unsubscribe(Run& run, std::int64_t owner_key, const std::vector<model::NodeIndex>* only) {
  if (!run.state().timers.empty()) cancel_timers(run, owner_key, only);
  if (!run.state().subscriptions.empty()) close_subscriptions(run, owner_key, only);
}

bool is_one_of(const Run& run, const std::vector<model::NodeIndex>* only,
               const std::string& element_id) {
  if (only == nullptr) return true;
  return std::any_of(only->begin(), only->end(),
                     [&](model::NodeIndex n) { return run.definition().node(n).id == element_id; });
}

const std::string& incident_element(const Run& run, model::NodeIndex event,
                                    const ElementRef& owner) {
  const model::ProcessDefinition& def = run.definition();
  return is_event_subprocess_start(def, event) ? def.node(event).id : def.node(owner.node).id;
}

Status trigger_event(Run& run, model::NodeIndex event, std::int64_t owner_key,
                     const Variables& result) {
  const model::ProcessDefinition& def = run.definition();
  if (is_event_subprocess_start(def, event)) {
    trigger_event_subprocess(run, event, owner_key);
    return {};
  }
  auto found = owner_of(run, owner_key);
  if (!found.ok()) return found.error();
  const ElementRef owner = *found;
  const model::FlowNode& node = def.node(event);
  const model::FlowNode& owner_node = def.node(owner.node);
  if (owner_node.kind == model::NodeKind::kEventBasedGateway) {
    // The first of the gateway's events: the others are unsubscribed, the gateway completes,
    // and the token takes the flow to this event, which completes at once.
    unsubscribe(run, owner.key);
    run.write(ElementCompleted{owner_node.id, owner.key});
    run.set_actor(Actor::engine());
    for (model::FlowIndex f : owner_node.outgoing) {
      if (def.flow(f).target != event) continue;
      run.write(FlowTaken{def.flow(f).id, owner_node.id, false, owner.scope, node.id});
      run.queue(Activation{event, f, owner.scope, {}, /*triggered=*/true, result});
      break;
    }
    return {};
  }
  if (node.attached_to == model::kNone) {  // a catch event or a receive task: its own instance
    set_local_variables(run, result, owner.key, node.id);
    complete(run, owner);
    return {};
  }
  if (node.cancel_activity) {
    processor_of(run, owner).on_terminate(run, owner);
  } else if (node.message) {
    subscribe(run, owner, {event});  // a non-interrupting message event waits for the next one
  }
  run.queue(Activation{event, model::kNone, owner.scope, {}, false, result});
  return {};
}

}  // namespace pmiflow::runtime::behavior
