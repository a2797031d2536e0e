// The graph checks of a parsed definition (bpmn_parser.h, `validate`): each element on its
// own, then the graph as a whole (reachability, dead ends, cycles without a wait state).
#include <algorithm>
#include <cstddef>
#include <exception>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/model/bpmn_parser.h"
#include "engine/model/diagnostic.h"

namespace pmiflow::model {
namespace {

class Validator {
 public:
  Validator(const ProcessDefinition& def, const ValidationOptions& options)
      : def_(def), options_(options) {}

  // Checks on one element at a time (always meaningful).
  void check_elements();
  // Checks on the graph as a whole (meaningful only when the model is complete).
  void check_graph();

  std::vector<Diagnostic> take() { return std::move(diagnostics_); }

 private:
  void report(SourceLocation where, const std::string& id, std::string message,
              Severity severity = Severity::kError) {
    Diagnostic d;
    d.file = def_.file;
    d.line = where.line;
    d.column = where.column;
    d.severity = severity;
    d.element_id = id;
    d.message = std::move(message);
    diagnostics_.push_back(std::move(d));
  }
  void node_error(NodeIndex n, std::string message) {
    report(def_.nodes[n].location, def_.nodes[n].id, std::move(message));
  }
  bool valid_flow(FlowIndex f) const {
    return f < def_.flows.size() && def_.flows[f].source < def_.nodes.size() &&
           def_.flows[f].target < def_.nodes.size();
  }
  std::string cycle_path(NodeIndex start, const std::vector<std::uint32_t>& component) const;

  const ProcessDefinition& def_;
  const ValidationOptions& options_;
  std::vector<Diagnostic> diagnostics_;
};

void Validator::check_elements() {
  for (FlowIndex f = 0; f < def_.flows.size(); ++f) {
    const SequenceFlow& flow = def_.flows[f];
    if (flow.source >= def_.nodes.size()) {
      report(flow.location, flow.id, "sequence flow has no source node");
    }
    if (flow.target >= def_.nodes.size()) {
      report(flow.location, flow.id, "sequence flow has no target node");
    }
    if (valid_flow(f) && def_.nodes[flow.source].parent != def_.nodes[flow.target].parent) {
      report(flow.location, flow.id, crossing_flow_message(def_, flow));
    }
    if (flow.condition && flow.source < def_.nodes.size()) {
      NodeKind source_kind = def_.nodes[flow.source].kind;
      if (source_kind == NodeKind::kParallelGateway) {
        report(flow.location, flow.id,
               "condition on a flow leaving a parallel gateway (it takes every outgoing flow)");
      } else if (source_kind != NodeKind::kExclusiveGateway &&
                 source_kind != NodeKind::kInclusiveGateway) {
        report(flow.location, flow.id,
               std::string("condition on a flow leaving a <") + node_kind_name(source_kind) +
                   ">: conditions are supported only on flows leaving an exclusive or inclusive "
                   "gateway");
      }
    }
  }

  for (NodeIndex n = 0; n < def_.nodes.size(); ++n) {
    const FlowNode& node = def_.nodes[n];
    auto flow_id = [&](FlowIndex f) {
      return f < def_.flows.size() ? def_.flows[f].id : std::string("#") + std::to_string(f);
    };
    switch (node.kind) {
      case NodeKind::kNoneStartEvent:
      case NodeKind::kMessageStartEvent:
      case NodeKind::kTimerStartEvent:
      case NodeKind::kErrorStartEvent:
        if (!node.incoming.empty()) {
          node_error(n, "start event has incoming flow '" + flow_id(node.incoming.front()) + "'");
        }
        if (node.kind == NodeKind::kErrorStartEvent && !node.cancel_activity) {
          node_error(n, "an error start event always interrupts its scope");
        }
        if ((node.kind == NodeKind::kTimerStartEvent || node.kind == NodeKind::kErrorStartEvent) &&
            !is_event_subprocess_start(def_, n)) {
          node_error(n, "timer and error start events are supported only in event subprocesses");
        }
        break;
      case NodeKind::kErrorEndEvent:
        if (!node.error || node.error->code.empty()) {
          node_error(n,
                     "error end event throws no error code (errorRef to an <error> with an "
                     "errorCode)");
        }
        [[fallthrough]];
      case NodeKind::kNoneEndEvent:
      case NodeKind::kTerminateEndEvent:
      case NodeKind::kMessageEndEvent:
        if (!node.outgoing.empty()) {
          node_error(n, "end event has outgoing flow '" + flow_id(node.outgoing.front()) + "'");
        }
        break;
      case NodeKind::kUserTask:
        // Camunda 8 deploys such a task (anyone may claim it); so does pmiflow, and says so.
        if (node.candidate_groups.empty()) {
          report(node.location, node.id,
                 "user task has no candidate groups (zeebe:assignmentDefinition "
                 "candidateGroups): any role may complete it",
                 Severity::kWarning);
        }
        break;
      case NodeKind::kServiceTask:
        if (node.task_type.empty()) {
          node_error(n, "service task has no zeebe:taskDefinition type");
        } else if (!options_.known_task_types.empty() &&
                   options_.known_task_types.count(node.task_type) == 0) {
          std::vector<std::string> known(options_.known_task_types.begin(),
                                         options_.known_task_types.end());
          // Not an error: its jobs wait for a worker (docs/jobs.md).
          report(node.location, node.id,
                 "no in-process handler is registered for task type '" + node.task_type +
                     "' (registered: " + join_for_message(known, ", ", 20) +
                     "): its jobs wait for a worker (pmiflow jobs activate --type " +
                     node.task_type + ")",
                 Severity::kWarning);
        }
        break;
      case NodeKind::kExclusiveGateway:
      case NodeKind::kInclusiveGateway: {
        bool default_is_outgoing = false;
        if (node.default_flow != kNone) {
          default_is_outgoing = std::find(node.outgoing.begin(), node.outgoing.end(),
                                          node.default_flow) != node.outgoing.end();
          if (!default_is_outgoing) {
            node_error(n, "default flow '" + flow_id(node.default_flow) +
                              "' is not an outgoing flow of this gateway");
          } else if (def_.flows[node.default_flow].condition) {
            node_error(n, "default flow '" + flow_id(node.default_flow) +
                              "' has a condition (a default flow must not have one)");
          }
        }
        if (node.outgoing.size() > 1) {
          for (FlowIndex f : node.outgoing) {
            if (f >= def_.flows.size()) continue;
            if (!def_.flows[f].condition && !(default_is_outgoing && f == node.default_flow)) {
              node_error(n, "outgoing flow '" + flow_id(f) +
                                "' has no condition and is not the default flow");
            }
          }
        }
        break;
      }
      case NodeKind::kSubProcess:
        if (node.start_event == kNone) node_error(n, "subProcess has no none start event");
        break;
      case NodeKind::kEventSubProcess:
        if (node.start_event == kNone) {
          node_error(n, "event subprocess has no timer, message or error start event");
        }
        if (!node.incoming.empty() || !node.outgoing.empty()) {
          node_error(n, "event subprocess has sequence flow '" +
                            flow_id(node.incoming.empty() ? node.outgoing.front()
                                                          : node.incoming.front()) +
                            "': it starts by its event and ends in its scope, without flows");
        }
        break;
      case NodeKind::kTimerBoundaryEvent:
      case NodeKind::kMessageBoundaryEvent:
      case NodeKind::kErrorBoundaryEvent:
        if (!node.incoming.empty()) {
          node_error(n,
                     "boundary event has incoming flow '" + flow_id(node.incoming.front()) + "'");
        }
        if (node.outgoing.empty()) node_error(n, "boundary event has no outgoing flow");
        break;
      case NodeKind::kEventBasedGateway:
        if (node.outgoing.size() < 2) {
          node_error(n, "event-based gateway has " + std::to_string(node.outgoing.size()) +
                            " outgoing flow(s); it needs at least two (the events it waits for)");
        }
        for (FlowIndex f : node.outgoing) {
          if (f >= def_.flows.size()) continue;
          const FlowNode& target = def_.nodes[def_.flows[f].target];
          if (target.kind != NodeKind::kIntermediateTimerCatchEvent &&
              target.kind != NodeKind::kIntermediateMessageCatchEvent) {
            node_error(n, "event-based gateway is followed by a <" +
                              std::string(node_kind_name(target.kind)) + "> ('" + target.id +
                              "'): only intermediate timer and message catch events may follow it");
          } else if (target.incoming.size() > 1) {
            node_error(n, "the event '" + target.id +
                              "' after the event-based gateway has other incoming flows");
          }
        }
        break;
      case NodeKind::kLinkThrowEvent:
        if (!node.outgoing.empty()) {
          node_error(n, "a link throw event has outgoing flow '" + flow_id(node.outgoing.front()) +
                            "' (its token jumps to the link catch event)");
        }
        break;
      case NodeKind::kLinkCatchEvent:
        if (!node.incoming.empty()) {
          node_error(n, "a link catch event has incoming flow '" + flow_id(node.incoming.front()) +
                            "' (tokens arrive by its link)");
        }
        break;
      case NodeKind::kParallelGateway:
      case NodeKind::kIntermediateTimerCatchEvent:
      case NodeKind::kIntermediateMessageCatchEvent:
      case NodeKind::kReceiveTask:
      case NodeKind::kIntermediateThrowEvent:
      case NodeKind::kMessageThrowEvent:
      case NodeKind::kSendTask:
      case NodeKind::kScriptTask:
      case NodeKind::kCallActivity:
      case NodeKind::kManualTask:
      case NodeKind::kTask:
        break;
    }
    const bool splits_implicitly =
        node.kind != NodeKind::kExclusiveGateway && node.kind != NodeKind::kParallelGateway &&
        node.kind != NodeKind::kInclusiveGateway && node.kind != NodeKind::kEventBasedGateway;
    if (splits_implicitly && node.outgoing.size() > 1) {
      node_error(n, "more than one outgoing flow: use a parallel or exclusive gateway");
    }
  }
}

// A path start -> ... -> start inside one strongly connected component, as "A -> B -> A"
// (shortened when long). Breadth-first, linear in the component's size.
std::string Validator::cycle_path(NodeIndex start,
                                  const std::vector<std::uint32_t>& component) const {
  const std::uint32_t comp = component[start];
  std::unordered_map<NodeIndex, NodeIndex> parent;
  std::vector<NodeIndex> queue{start};
  parent.emplace(start, kNone);
  NodeIndex last = kNone;  // a node with an edge back to start
  for (std::size_t head = 0; head < queue.size() && last == kNone; ++head) {
    NodeIndex v = queue[head];
    std::vector<NodeIndex> next;
    for (FlowIndex f : def_.nodes[v].outgoing) {
      if (valid_flow(f)) next.push_back(def_.flows[f].target);
    }
    if (def_.nodes[v].link_target != kNone) next.push_back(def_.nodes[v].link_target);
    for (NodeIndex w : next) {
      if (component[w] != comp) continue;
      if (w == start) {
        last = v;
        break;
      }
      if (parent.emplace(w, v).second) queue.push_back(w);
    }
  }
  std::vector<std::string> ids;
  for (NodeIndex v = last; v != kNone; v = parent[v]) ids.push_back(def_.nodes[v].id);
  std::reverse(ids.begin(), ids.end());
  ids.push_back(def_.nodes[start].id);
  constexpr std::size_t kMaxShown = 10;
  if (ids.size() <= kMaxShown) return join_for_message(ids, " -> ", kMaxShown);
  std::vector<std::string> shown(ids.begin(), ids.begin() + (kMaxShown - 2));
  return join_for_message(shown, " -> ", kMaxShown) + " -> ... -> " + ids.back() + " (" +
         std::to_string(ids.size() - 1) + " nodes)";
}

void Validator::check_graph() {
  const std::uint32_t n = static_cast<std::uint32_t>(def_.nodes.size());
  bool has_start = false;  // a none or message start event of the process itself
  for (const FlowNode& node : def_.nodes) {
    const bool starts =
        node.kind == NodeKind::kNoneStartEvent || node.kind == NodeKind::kMessageStartEvent;
    if (starts && node.parent == kNone) has_start = true;
  }
  if (!has_start) report({}, def_.key, "process has no none or message start event");
  if (n == 0) return;

  // Whether a node waits: a subProcess does when something in it does (a container comes
  // before its children in `nodes`, so one pass from the end sees every child first).
  std::vector<bool> waits(n, false);
  for (NodeIndex v = n; v-- > 0;) {
    if (is_wait_state(def_.nodes[v].kind)) waits[v] = true;
    const NodeIndex parent = def_.nodes[v].parent;
    if (waits[v] && parent < n) waits[parent] = true;
  }

  // Successors in compressed form; a flow that crosses a subProcess's border (reported by
  // check_elements) is left out, so that each component stays in one (sub)process.
  std::vector<std::uint32_t> first(n + 1, 0);
  std::vector<NodeIndex> succ;
  for (NodeIndex v = 0; v < n; ++v) {
    first[v] = static_cast<std::uint32_t>(succ.size());
    for (FlowIndex f : def_.nodes[v].outgoing) {
      if (valid_flow(f) && def_.flows[f].source == v &&
          def_.nodes[def_.flows[f].target].parent == def_.nodes[v].parent) {
        succ.push_back(def_.flows[f].target);
      }
    }
    if (def_.nodes[v].link_target != kNone) succ.push_back(def_.nodes[v].link_target);
  }
  first[n] = static_cast<std::uint32_t>(succ.size());

  // Tarjan's strongly connected components, iterative.
  constexpr std::uint32_t kUnvisited = UINT32_MAX;
  std::vector<std::uint32_t> order(n, kUnvisited), low(n, 0), component(n, kUnvisited);
  std::vector<bool> on_stack(n, false);
  std::vector<NodeIndex> stack;
  struct Frame {
    NodeIndex v;
    std::uint32_t next;
  };
  std::vector<Frame> frames;
  std::uint32_t counter = 0;
  std::uint32_t components = 0;
  for (NodeIndex root = 0; root < n; ++root) {
    if (order[root] != kUnvisited) continue;
    order[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = true;
    frames.push_back({root, first[root]});
    while (!frames.empty()) {
      const NodeIndex v = frames.back().v;
      if (frames.back().next < first[v + 1]) {
        NodeIndex w = succ[frames.back().next++];
        if (order[w] == kUnvisited) {
          order[w] = low[w] = counter++;
          stack.push_back(w);
          on_stack[w] = true;
          frames.push_back({w, first[w]});
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], order[w]);
        }
        continue;
      }
      if (low[v] == order[v]) {
        while (true) {
          NodeIndex w = stack.back();
          stack.pop_back();
          on_stack[w] = false;
          component[w] = components;
          if (w == v) break;
        }
        ++components;
      }
      frames.pop_back();
      if (!frames.empty()) {
        NodeIndex u = frames.back().v;
        low[u] = std::min(low[u], low[v]);
      }
    }
  }

  // Facts per component.
  struct Component {
    NodeIndex representative = kNone;  // first member in document order
    std::uint32_t size = 0;
    bool has_start = false, has_end = false, has_wait = false, self_loop = false;
    bool entered = false;  // an edge comes in from another component
    bool left = false;     // an edge goes out to another component
  };
  std::vector<Component> facts(components);
  for (NodeIndex v = 0; v < n; ++v) {
    Component& c = facts[component[v]];
    if (c.representative == kNone) c.representative = v;
    ++c.size;
    NodeKind kind = def_.nodes[v].kind;
    // A boundary event starts a path as a start event does; an event subprocess is a path
    // of its own, started by its event.
    if (kind == NodeKind::kNoneStartEvent || kind == NodeKind::kMessageStartEvent ||
        kind == NodeKind::kTimerStartEvent || kind == NodeKind::kErrorStartEvent ||
        kind == NodeKind::kEventSubProcess || is_boundary_event(kind)) {
      c.has_start = true;
    }
    if (kind == NodeKind::kNoneEndEvent || kind == NodeKind::kTerminateEndEvent ||
        kind == NodeKind::kMessageEndEvent || kind == NodeKind::kErrorEndEvent ||
        kind == NodeKind::kEventSubProcess) {
      c.has_end = true;
    }
    if (waits[v]) c.has_wait = true;
    for (std::uint32_t e = first[v]; e < first[v + 1]; ++e) {
      NodeIndex w = succ[e];
      if (w == v) c.self_loop = true;
      if (component[w] != component[v]) {
        c.left = true;
        facts[component[w]].entered = true;
      }
    }
  }

  // Every node is reachable from a start iff every source component holds a start event, and
  // every node reaches an end iff every sink component holds an end event: report those
  // components (the root causes), not every node downstream or upstream of them.
  for (const Component& c : facts) {
    const bool cyclic = c.size > 1 || c.self_loop;
    if (has_start && !c.entered && !c.has_start) {
      node_error(c.representative, cyclic ? "not reachable from a start event (nor is its cycle " +
                                                cycle_path(c.representative, component) + ")"
                                          : std::string("not reachable from a start event"));
    }
    if (!c.left && !c.has_end) {
      node_error(c.representative, cyclic ? "no end event can be reached from here (the cycle " +
                                                cycle_path(c.representative, component) +
                                                " has no way out)"
                                          : std::string("no end event can be reached from here"));
    }
    if (cyclic && !c.has_wait) {
      node_error(c.representative, "cycle with no wait state (it would loop forever): " +
                                       cycle_path(c.representative, component));
    }
  }
}

}  // namespace

namespace detail {

std::vector<Diagnostic> check_definition(const ProcessDefinition& definition,
                                         const ValidationOptions& options, bool whole_graph) {
  Validator validator(definition, options);
  validator.check_elements();
  if (whole_graph) validator.check_graph();
  return validator.take();
}

}  // namespace detail

std::vector<Diagnostic> validate(const ProcessDefinition& definition,
                                 const ValidationOptions& options) {
  try {
    std::vector<Diagnostic> diagnostics = detail::check_definition(definition, options, true);
    sort_diagnostics(diagnostics);
    return diagnostics;
  } catch (const std::exception& e) {
    return {internal_error(definition.file, e.what())};
  } catch (...) {
    return {internal_error(definition.file, "unknown exception")};
  }
}

}  // namespace pmiflow::model
