#include "engine/runtime/bpmn/behavior/inclusive_join_behavior.h"

#include <string>
#include <vector>

namespace pmiflow::runtime::behavior {
namespace {

using model::NodeIndex;

// upstream[n]: a token at node n can reach `join` without passing through it.
std::vector<bool> upstream_of(const model::ProcessDefinition& def, NodeIndex join) {
  std::vector<bool> upstream(def.nodes.size(), false);
  std::vector<NodeIndex> stack;
  auto reach = [&](NodeIndex n) {
    if (n == join || n == model::kNone || upstream[n]) return;
    upstream[n] = true;
    stack.push_back(n);
  };
  auto predecessors = [&](NodeIndex n) {
    const model::FlowNode& node = def.node(n);
    for (model::FlowIndex f : node.incoming) reach(def.flow(f).source);
    if (model::is_boundary_event(node.kind)) reach(node.attached_to);
    if (node.kind == model::NodeKind::kLinkCatchEvent) {
      for (NodeIndex m = 0; m < def.nodes.size(); ++m) {
        if (def.node(m).link_target == n) reach(m);
      }
    }
  };
  predecessors(join);
  while (!stack.empty()) {
    const NodeIndex n = stack.back();
    stack.pop_back();
    predecessors(n);
  }
  return upstream;
}

}  // namespace

bool fire_inclusive_joins(Run& run) {
  const model::ProcessDefinition& def = run.definition();
  if (!def.has_inclusive_gateways || run.has_queued()) return false;
  const InstanceState& s = run.state();
  for (const auto& [join, arrivals] : s.join_arrivals) {
    const NodeIndex j = def.find_node(join.element_id);
    if (j == model::kNone || def.node(j).kind != model::NodeKind::kInclusiveGateway ||
        arrivals.empty()) {
      continue;
    }
    const std::vector<bool> upstream = upstream_of(def, j);
    auto can_arrive = [&](const std::string& element_id) {
      const NodeIndex n = def.find_node(element_id);
      return n != model::kNone && upstream[n];
    };
    bool blocked = false;
    for (const auto& [key, element] : s.elements) {
      blocked = blocked || (element.scope_key == join.scope_key && can_arrive(element.element_id));
    }
    for (const auto& [other, waiting] : s.join_arrivals) {
      blocked =
          blocked || (other.scope_key == join.scope_key && other.element_id != join.element_id &&
                      !waiting.empty() && can_arrive(other.element_id));
    }
    if (blocked) continue;
    std::vector<std::string> joined;
    for (const auto& [flow, tokens] : arrivals) {
      if (tokens > 0) joined.push_back(flow);
    }
    const model::FlowIndex via = def.find_flow(joined.front());
    run.queue(Activation{j, via, join.scope_key, std::move(joined), false, {}});
    return true;
  }
  return false;
}

}  // namespace pmiflow::runtime::behavior
