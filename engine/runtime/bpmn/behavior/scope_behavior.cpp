#include "engine/runtime/bpmn/behavior/scope_behavior.h"

#include <stdexcept>
#include <vector>

#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/container/process_processor.h"
#include "engine/runtime/bpmn/processor_registry.h"

namespace pmiflow::runtime::behavior {

bool is_scope_done(const Run& run, std::int64_t scope) {
  const InstanceState& s = run.state();
  if (run.has_queued()) return false;
  for (const auto& [key, element] : s.elements) {
    if (element.scope_key == scope) return false;
  }
  for (const auto& [join, arrivals] : s.join_arrivals) {
    if (join.scope_key == scope) return false;
  }
  return scope != kProcessScope || s.incidents.empty();
}

void terminate_scope(Run& run, std::int64_t scope, std::int64_t except_key) {
  const InstanceState& s = run.state();
  auto in_scope = [&](std::int64_t element_key) {
    auto it = s.elements.find(element_key);
    return it != s.elements.end() ? it->second.scope_key == scope : scope == kProcessScope;
  };
  std::vector<std::int64_t> incidents;
  for (const auto& [id, incident] : s.incidents) {
    if (in_scope(incident.element_key)) incidents.push_back(incident.key);
  }
  for (std::int64_t key : incidents) run.write(IncidentResolved{key});
  std::vector<std::pair<std::int64_t, std::string>> children;
  for (const auto& [key, element] : s.elements) {
    if (key != except_key && element.scope_key == scope)
      children.emplace_back(key, element.element_id);
  }
  for (const auto& [key, element_id] : children) {
    auto element = element_of(run, key, element_id);
    if (!element.ok()) {  // not in the definition: the instance's log and definition disagree
      run.write(ElementTerminated{element_id, key});
      continue;
    }
    processor_of(run, *element).on_terminate(run, *element);
  }
  if (scope == kProcessScope) {
    run.clear_queue();
  } else {
    run.drop_queued_in(scope);
  }
}

void complete_scope(Run& run, std::int64_t scope, const std::string& by_element) {
  if (scope == kProcessScope) {
    ProcessProcessor::complete(run, by_element);
    return;
  }
  auto it = run.state().elements.find(scope);
  if (it == run.state().elements.end()) {
    throw std::logic_error("flow scope " + std::to_string(scope) + " has no container");
  }
  auto container = element_of(run, scope, it->second.element_id);
  if (!container.ok()) throw std::logic_error(container.error().message);
  complete(run, *container);
}

bool complete_done_subprocesses(Run& run) {
  const model::ProcessDefinition& def = run.definition();
  if (!def.has_subprocesses || run.has_queued()) return false;
  const auto& elements = run.state().elements;
  for (auto it = elements.rbegin(); it != elements.rend(); ++it) {  // innermost first
    if (it->second.loop) continue;  // a multi-instance body ends when its loop says
    const model::NodeIndex node = def.find_node(it->second.element_id);
    if (node == model::kNone || (def.node(node).kind != model::NodeKind::kSubProcess &&
                                 def.node(node).kind != model::NodeKind::kEventSubProcess)) {
      continue;
    }
    if (!is_scope_done(run, it->first)) continue;
    const ElementRef container{node, it->first, it->second.scope_key};
    complete(run, container);
    return true;
  }
  return false;
}

}  // namespace pmiflow::runtime::behavior
