#include "engine/runtime/bpmn/behavior/flow_behavior.h"

namespace pmiflow::runtime::behavior {

void take_outgoing(Run& run, const ElementRef& element) {
  for (model::FlowIndex f : run.definition().node(element.node).outgoing) {
    take(run, f, element.scope);
  }
}

void take(Run& run, model::FlowIndex f, std::int64_t scope) {
  const model::ProcessDefinition& def = run.definition();
  const model::SequenceFlow& flow = def.flow(f);
  const model::FlowNode& target = def.node(flow.target);
  const bool inclusive = target.kind == model::NodeKind::kInclusiveGateway;
  const bool join =
      (target.kind == model::NodeKind::kParallelGateway || inclusive) && target.incoming.size() > 1;
  run.write(FlowTaken{flow.id, def.node(flow.source).id, join, scope, target.id});
  if (!join) {
    run.queue(Activation{flow.target, f, scope, {}, false, {}});
    return;
  }
  if (inclusive) return;  // waits until no other token can arrive (inclusive_join_behavior.h)
  const auto& joins = run.state().join_arrivals;
  auto arrivals = joins.find(JoinKey{scope, target.id});
  std::vector<std::string> joined;
  for (model::FlowIndex in : target.incoming) {
    const std::string& id = def.flow(in).id;
    if (arrivals == joins.end() || arrivals->second.count(id) == 0) return;  // waits
    joined.push_back(id);
  }
  run.queue(Activation{flow.target, f, scope, std::move(joined), false, {}});
}

}  // namespace pmiflow::runtime::behavior
