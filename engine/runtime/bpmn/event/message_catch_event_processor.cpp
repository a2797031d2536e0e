#include "engine/runtime/bpmn/event/message_catch_event_processor.h"

#include "engine/runtime/bpmn/behavior/message_behavior.h"

namespace pmiflow::runtime {

void MessageCatchEventProcessor::on_activate(Run& run, const ElementRef& element) const {
  behavior::open_subscription(run, element.node, element);
}

void MessageCatchEventProcessor::retry(Run& run, const ElementRef& element) const {
  ElementProcessor::retry(run, element);  // a receive task's boundary events that failed
  const std::string& id = run.definition().node(element.node).id;
  bool subscribed = false;
  for (const auto& [key, sub] : run.state().subscriptions) {
    subscribed = subscribed || (sub.element_key == element.key && sub.element_id == id);
  }
  if (!subscribed) behavior::open_subscription(run, element.node, element);
}

}  // namespace pmiflow::runtime
