#include "engine/runtime/bpmn/behavior/event_subprocess_behavior.h"

#include <stdexcept>
#include <string>

#include "engine/runtime/bpmn/behavior/catch_event_behavior.h"
#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/scope_behavior.h"

namespace pmiflow::runtime::behavior {
namespace {

// The start events of `scope`'s event subprocesses that wait (timer and message starts).
std::vector<model::NodeIndex> waiting_starts(const Run& run, std::int64_t scope) {
  const model::ProcessDefinition& def = run.definition();
  std::vector<model::NodeIndex> out;
  for (model::NodeIndex sub : event_subprocesses_of(run, scope)) {
    const model::NodeIndex start = def.node(sub).start_event;
    if (start != model::kNone && (def.node(start).timer || def.node(start).message)) {
      out.push_back(start);
    }
  }
  return out;
}

}  // namespace

const std::vector<model::NodeIndex>& event_subprocesses_of(const Run& run, std::int64_t scope) {
  const model::ProcessDefinition& def = run.definition();
  if (scope == kProcessScope) return def.event_subprocesses;
  auto it = run.state().elements.find(scope);
  if (it == run.state().elements.end()) {
    throw std::logic_error("flow scope " + std::to_string(scope) + " has no container");
  }
  const model::NodeIndex node = def.find_node(it->second.element_id);
  if (node == model::kNone) {
    throw std::logic_error("element " + it->second.element_id + " is not in definition " + def.key);
  }
  return def.node(node).event_subprocesses;
}

ElementRef scope_owner(const Run& run, std::int64_t scope) {
  if (scope == kProcessScope) return ElementRef{model::kNone, kProcessScope, kProcessScope};
  auto owner = owner_of(run, scope);
  if (!owner.ok()) throw std::logic_error(owner.error().message);
  return *owner;
}

bool subscribe_event_subprocesses(Run& run, std::int64_t scope) {
  if (event_subprocesses_of(run, scope).empty()) return true;
  return subscribe(run, scope_owner(run, scope), waiting_starts(run, scope));
}

void trigger_event_subprocess(Run& run, model::NodeIndex start, std::int64_t scope) {
  const model::ProcessDefinition& def = run.definition();
  const model::FlowNode& node = def.node(start);
  if (node.cancel_activity) {
    const std::vector<model::NodeIndex> starts = waiting_starts(run, scope);
    unsubscribe(run, scope, &starts);
    terminate_scope(run, scope, 0);
  } else if (node.message) {
    subscribe(run, scope_owner(run, scope), {start});  // waits for the next message
  }
  run.queue(Activation{node.parent, model::kNone, scope, {}, false, {}});
}

}  // namespace pmiflow::runtime::behavior
