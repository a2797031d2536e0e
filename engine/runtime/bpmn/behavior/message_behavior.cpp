#include "engine/runtime/bpmn/behavior/message_behavior.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "engine/runtime/bpmn/behavior/catch_event_behavior.h"
#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/incident_behavior.h"
#include "engine/runtime/bpmn/behavior/variable_behavior.h"
#include "engine/runtime/variable_scope.h"
#include "engine/time/zone.h"

namespace pmiflow::runtime::behavior {
namespace {

// A correlation key's value as text: a string as it is, an integer in decimal, another number
// as JSON writes it (as Zeebe, which accepts strings and numbers).
Result<std::string> correlation_key(const Run& run, const model::MessageDefinition& message,
                                    std::int64_t owner) {
  const feel::Env env = run.feel_env();
  Json out;
  feel::EvalError error;
  const std::string what =
      "correlation key `" + message.correlation_key_text + "` of message '" + message.name + "'";
  if (!evaluate_in_scope(run.state(), owner, *message.correlation_key, env, out, error)) {
    return make_error(ErrorCode::kInvalidArgument, what + " failed: " + error.message);
  }
  if (out.is_string()) return out.get<std::string>();
  if (out.is_number_integer()) return json_text(out);
  if (out.is_number_float()) {
    const double d = out.get<double>();
    if (std::trunc(d) == d && std::fabs(d) < 9e15) {
      return std::to_string(static_cast<std::int64_t>(d));
    }
    return json_text(out);
  }
  return make_error(ErrorCode::kInvalidArgument,
                    what + " gave " + json_text(out) + "; expected a string or a number");
}

}  // namespace

bool open_subscription(Run& run, model::NodeIndex event, const ElementRef& owner) {
  const model::FlowNode& node = run.definition().node(event);
  const model::MessageDefinition& message = *node.message;
  auto key = correlation_key(run, message, owner.key);
  if (!key.ok()) {
    raise_incident(run, owner.key, incident_element(run, event, owner), kMessageIncident,
                   node.id + ": " + key.error().message);
    return false;
  }
  run.write(
      MessageSubscriptionOpened{std::move(*key), node.id, owner.key, run.next_key(), message.name});
  return true;
}

void close_subscriptions(Run& run, std::int64_t owner_key,
                         const std::vector<model::NodeIndex>* only) {
  std::vector<std::pair<std::int64_t, std::string>> owned;
  for (const auto& [key, sub] : run.state().subscriptions) {
    if (sub.element_key == owner_key && is_one_of(run, only, sub.element_id)) {
      owned.emplace_back(key, sub.element_id);
    }
  }
  for (auto& [key, element] : owned) run.write(MessageSubscriptionClosed{std::move(element), key});
}

void send_message(Run& run, const ElementRef& element) {
  const model::FlowNode& node = run.definition().node(element.node);
  run.write(MessageQueued{VisibleVariables(run.state(), element.key).get(), node.id, element.key,
                          node.message->name});
}

Status correlate(Run& run, const MessageSubscription& subscription,
                 const ReceivedMessage& message) {
  const model::ProcessDefinition& def = run.definition();
  const model::NodeIndex event = def.find_node(subscription.element_id);
  if (event == model::kNone || !def.node(event).message) {
    return make_error(ErrorCode::kInternal, "message event " + subscription.element_id +
                                                " is not in definition " + def.key);
  }
  const MessageSubscription sub = subscription;  // in the state, which the next event changes
  run.write(MessageCorrelated{sub.correlation_key, sub.element_id, sub.key, message.message_id,
                              message.message_key, sub.name});
  // With output mappings, the message's variables are the event instance's own (the mappings
  // decide what goes out); an event subprocess's start has none (the parser refuses them).
  if (def.node(event).outputs.empty()) {
    set_variables(run, message.variables, sub.element_id, sub.element_key);
    return trigger_event(run, event, sub.element_key);
  }
  return trigger_event(run, event, sub.element_key, message.variables);
}

}  // namespace pmiflow::runtime::behavior
