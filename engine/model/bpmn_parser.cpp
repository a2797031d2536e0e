// BPMN 2.0 XML -> ProcessDefinition, and the semantic checks on a definition.
//
// With the other bpmn_parser* files (bpmn_parser_impl.h), the only users of pugixml
// (tests/check_layering.cmake). Rules that the parser applies:
//   * Elements are matched by namespace URI, never by prefix (`bpmn:`, `bpmn2:`, `semantic:`,
//     a default namespace... are all the same).
//   * Anything inside the process that would change execution semantics and is not supported
//     is an error; pure annotations (documentation, lanes, text annotations, data objects,
//     BPMNDI, other vendors' extension elements) are ignored.
//   * An element with an error is left out of the model, and so is every sequence flow that
//     touches it, without a second diagnostic for the flow.
//   * Graph checks (start, reachability, end reachability, cycles) run in load_bpmn only when
//     parsing gave no error: on an incomplete model they would only repeat the parse errors.
//   * Every traversal is iterative and linear in the input; no recursion on input structure.
//
// Semantic choices (documented in the diagnostics' wording too):
//   * A start event or task with more than one outgoing flow (an implicit parallel split in
//     BPMN) is an error: splits must be explicit gateways. Several incoming flows are fine.
//   * Conditions are allowed only on flows leaving an exclusive gateway; a condition on the
//     default flow is an error (as in Zeebe). An exclusive gateway with a single outgoing flow
//     without condition is a pass-through; with more than one, every non-default flow needs a
//     condition.
//   * Reachability is reported at its root causes: a source strongly connected component
//     without a start event ("not reachable from a start event") and a sink component without
//     an end event ("no end event can be reached from here"), not at every node downstream or
//     upstream of them. A cycle none of whose nodes is a wait state is an error.
//   * Zeebe extensions that would change behaviour and are not supported (ioMapping, listeners,
//     ...) are errors; inert ones (taskHeaders, taskSchedule, assignee/candidateUsers) are
//     warnings; other vendors' extensions (camunda:, activiti:, ...) are ignored.
#include "engine/model/bpmn_parser.h"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/common/limits.h"
#include "engine/common/utf8.h"
#include "engine/model/bpmn_parser_impl.h"
#include "engine/model/xml_text.h"

namespace pmiflow::model {
namespace detail {

ParseResult Parser::run(pugi::xml_parse_result result, const pugi::xml_document& doc) {
  if (!result) {
    report(Severity::kError, lines_.at(result.offset), "",
           std::string("XML is not well-formed: ") + result.description());
    return std::move(out_);
  }
  pugi::xml_node root = doc.document_element();
  if (!root) {
    report(Severity::kError, {1, 1}, "", "XML is not well-formed: no root element");
    return std::move(out_);
  }
  if (local_name(root) != "definitions" || namespace_of(root) != kBpmnNamespace) {
    std::string ns(namespace_of(root));
    error(root, id_of(root),
          "not a BPMN 2.0 document: root element is <" + std::string(qualified_name(root)) + ">" +
              (ns.empty() ? std::string() : " in namespace " + ns) +
              ", expected <definitions> in namespace " + std::string(kBpmnNamespace));
    return std::move(out_);
  }
  pugi::xml_node process = choose_process(root);
  if (!process) return std::move(out_);

  out_.process_location = location(process);
  def_.key = id_of(process);
  def_.name = process.attribute("name").value();
  def_.file = file_;
  if (def_.key.empty()) error(process, "", "<process> has no id");
  index_messages(root);
  parse_process(process);
  def_.index();
  out_.definition = std::move(def_);
  return std::move(out_);
}

pugi::xml_node Parser::choose_process(pugi::xml_node definitions) {
  std::vector<pugi::xml_node> processes;
  std::vector<pugi::xml_node> executable;
  for (pugi::xml_node child : definitions.children()) {
    if (child.type() != pugi::node_element || local_name(child) != "process" || !is_bpmn(child)) {
      continue;
    }
    processes.push_back(child);
    std::string_view flag = trim(child.attribute("isExecutable").value());
    if (flag == "true" || flag == "1") executable.push_back(child);
  }
  if (processes.empty()) {
    error(definitions, id_of(definitions), "no <process> element in <definitions>");
    return {};
  }
  if (executable.empty()) {
    error(processes.front(), id_of(processes.front()),
          "no executable process (isExecutable=\"true\")");
    return {};
  }
  if (executable.size() > 1) {
    std::vector<std::string> ids;
    ids.reserve(executable.size());
    for (pugi::xml_node p : executable) ids.push_back(id_of(p));
    error(executable[1], id_of(executable[1]),
          "only one executable process per file is supported; found " +
              join_for_message(ids, ", ", 10));
    return {};
  }
  return executable.front();
}

// Records the id of every element inside the process (extension elements excepted) and reports
// duplicates. Iterative pre-order walk: any nesting depth.
void Parser::register_ids(pugi::xml_node process) {
  auto visit = [&](pugi::xml_node n) {
    pugi::xml_attribute id = n.attribute("id");
    if (!id) return;
    std::string value = id.value();
    if (value.empty()) return;
    SourceLocation where = location(n);
    auto [it, inserted] = first_line_of_id_.emplace(value, where.line);
    if (!inserted) {
      duplicates_.insert(n.internal_object());
      report(Severity::kError, where, value,
             "duplicate id '" + value + "' (first defined at line " + std::to_string(it->second) +
                 ")");
    }
  };
  visit(process);
  pugi::xml_node cur = process.first_child();
  while (cur) {
    bool descend = false;
    if (cur.type() == pugi::node_element) {
      descend = local_name(cur) != "extensionElements";
      if (descend) visit(cur);
    }
    if (descend && cur.first_child()) {
      cur = cur.first_child();
      continue;
    }
    while (cur != process && !cur.next_sibling()) cur = cur.parent();
    if (cur == process) break;
    cur = cur.next_sibling();
  }
}

void Parser::parse_process(pugi::xml_node process) {
  register_ids(process);

  // Process children that carry no execution semantics for this engine.
  static const std::unordered_set<std::string_view> kIgnored = {"documentation",
                                                                "extensionElements",
                                                                "laneSet",
                                                                "textAnnotation",
                                                                "association",
                                                                "group",
                                                                "dataObject",
                                                                "dataObjectReference",
                                                                "dataStoreReference",
                                                                "property",
                                                                "ioSpecification",
                                                                "supports",
                                                                "auditing",
                                                                "monitoring",
                                                                "resourceRole",
                                                                "performer",
                                                                "humanPerformer",
                                                                "potentialOwner",
                                                                "correlationSubscription"};

  // A subProcess's own children, read by parse_node.
  static const std::unordered_set<std::string_view> kSubProcessOwn = {
      "incoming", "outgoing", "multiInstanceLoopCharacteristics", "standardLoopCharacteristics"};
  // The process, then each subProcess in the order they are found: no recursion on the input.
  struct Container {
    pugi::xml_node element;
    NodeIndex index;  // kNone: the process
    int depth;        // subProcesses around it and itself
  };
  std::vector<Container> containers{{process, kNone, 0}};
  for (std::size_t next = 0; next < containers.size(); ++next) {
    const auto [container, parent, depth] = containers[next];
    for (pugi::xml_node child : container.children()) {
      if (child.type() != pugi::node_element || !is_bpmn(child)) continue;  // foreign: ignored
      std::string_view name = local_name(child);
      if (name == "extensionElements") {
        if (parent == kNone) check_process_extensions(child, def_.key);
      } else if (name == "sequenceFlow") {
        if (!is_duplicate(child)) flow_elements_.push_back(child);
      } else if (const ElementEntry* entry = element_entry(name)) {
        NodeIndex index = parse_node(child, *entry, parent);
        if (index == kNone) continue;
        if (depth + 1 > limits::kMaxSubProcessDepth) {
          error(child, def_.nodes[index].id,
                "subProcess nested more than " + std::to_string(limits::kMaxSubProcessDepth) +
                    " levels deep (its content is not read)");
          continue;
        }
        containers.push_back({child, index, depth + 1});
      } else if (kIgnored.count(name) == 0 &&
                 !(parent != kNone && kSubProcessOwn.count(name) != 0)) {
        std::string id = id_of(child);
        if (!id.empty()) skipped_ids_.insert(id);
        error(child, id,
              "unsupported element <" + std::string(name) +
                  "> (supported: " + supported_elements() + ")");
      }
    }
  }
  for (pugi::xml_node flow : flow_elements_) parse_flow(flow);
  resolve_defaults();
  resolve_attachments();
  resolve_links();
}

NodeIndex Parser::parse_node(pugi::xml_node element, const ElementEntry& entry, NodeIndex parent) {
  FlowNode node;
  node.id = id_of(element);
  node.name = element.attribute("name").value();
  node.kind = entry.kind;
  node.location = location(element);
  node.parent = parent;
  std::string_view element_name = local_name(element);
  const std::string tag = "<" + std::string(element_name) + ">";

  if (is_duplicate(element)) return kNone;  // reported by register_ids
  if (node.id.empty()) {
    error(element, "", tag + " has no id");
    return kNone;
  }
  const bool is_event = entry.family == Family::kEvent;
  const bool is_task = entry.family == Family::kTask;
  const bool is_container = entry.family == Family::kContainer;
  const bool has_default = !trim(element.attribute("default").value()).empty();
  bool ok = true;

  // Attributes that change semantics.
  if (!entry.default_flow && has_default) {
    error(element, node.id,
          "unsupported attribute default on " + tag +
              " (default flows are supported on exclusive gateways only)");
    ok = false;
  }
  if (is_container && trim(element.attribute("triggeredByEvent").value()) == "true") {
    node.kind = NodeKind::kEventSubProcess;
  }
  if (entry.kind == NodeKind::kNoneStartEvent) {
    node.cancel_activity = trim(element.attribute("isInterrupting").value()) != "false";
  }
  if (entry.kind == NodeKind::kReceiveTask &&
      !parse_message_ref(element, node.id, node, /*catching=*/true)) {
    ok = false;
  }
  if (entry.kind == NodeKind::kEventBasedGateway) {
    const std::string_view type = trim(element.attribute("eventGatewayType").value());
    if (!type.empty() && type != "Exclusive") {
      error(element, node.id,
            "eventGatewayType=\"" + std::string(type) +
                "\" is not supported (only Exclusive: the first event wins)");
      ok = false;
    }
    if (trim(element.attribute("instantiate").value()) == "true") {
      error(element, node.id,
            "instantiate=\"true\" is not supported (an event-based gateway cannot start an "
            "instance; use a message start event)");
      ok = false;
    }
  }
  if (is_boundary_event(entry.kind)) {
    if (trim(element.attribute("attachedToRef").value()).empty()) {
      error(element, node.id, "boundary event has no attachedToRef");
      ok = false;
    }
    node.cancel_activity = trim(element.attribute("cancelActivity").value()) != "false";
  }
  if (is_task || is_container) {
    if (trim(element.attribute("isForCompensation").value()) == "true") {
      error(element, node.id, "unsupported attribute isForCompensation=\"true\" on " + tag);
      ok = false;
    }
    for (const char* quantity : {"startQuantity", "completionQuantity"}) {
      pugi::xml_attribute a = element.attribute(quantity);
      if (a && trim(a.value()) != "1") {
        error(element, node.id,
              "unsupported attribute " + std::string(quantity) + "=\"" + a.value() + "\" on " +
                  tag + " (only 1 is supported)");
        ok = false;
      }
    }
  }

  // Children.
  static const std::unordered_set<std::string_view> kIgnoredEverywhere = {
      "documentation", "incoming", "outgoing", "extensionElements"};
  static const std::unordered_set<std::string_view> kIgnoredInTasks = {
      "ioSpecification", "dataInputAssociation", "dataOutputAssociation",
      "property",        "resourceRole",         "performer",
      "humanPerformer",  "potentialOwner",       "rendering"};
  static const std::unordered_set<std::string_view> kIgnoredInEvents = {
      "dataInput", "dataOutput", "dataInputAssociation", "dataOutputAssociation", "inputSet",
      "outputSet", "property"};

  int event_definitions = 0;
  bool has_task_definition = false;
  for (pugi::xml_node child : element.children()) {
    if (child.type() != pugi::node_element || !is_bpmn(child)) continue;
    std::string_view name = local_name(child);
    if (name == "extensionElements") {
      if (!parse_extensions(child, node.id, node, has_task_definition)) ok = false;
      continue;
    }
    if (kIgnoredEverywhere.count(name) != 0) continue;
    if (is_task && kIgnoredInTasks.count(name) != 0) continue;
    const bool is_loop =
        name == "multiInstanceLoopCharacteristics" || name == "standardLoopCharacteristics";
    if (is_container && !is_loop) continue;  // its flow elements: parse_process reads them
    if (is_event && kIgnoredInEvents.count(name) != 0) continue;
    const bool event_definition =
        name == "eventDefinitionRef" ||
        (name.size() > 15 && name.substr(name.size() - 15) == "EventDefinition");
    if (is_event && event_definition) {
      ++event_definitions;
      const auto* accepted =
          std::find_if(std::begin(entry.definitions), std::end(entry.definitions),
                       [&](const ElementEntry::Definition& d) { return d.name == name; });
      if (accepted != std::end(entry.definitions) && event_definitions == 1) {
        node.kind = accepted->kind;
        if (name == "timerEventDefinition" && !parse_timer(child, node.id, node)) ok = false;
        const bool catching = node.kind != NodeKind::kMessageStartEvent &&
                              node.kind != NodeKind::kMessageThrowEvent &&
                              node.kind != NodeKind::kMessageEndEvent;
        if (name == "messageEventDefinition" &&
            !parse_message_ref(child, node.id, node, catching)) {
          ok = false;
        }
        if (name == "errorEventDefinition" &&
            !parse_error_ref(child, node.id, node, node.kind == NodeKind::kErrorEndEvent)) {
          ok = false;
        }
        if (name == "linkEventDefinition") {
          node.link_name = std::string(trim(child.attribute("name").value()));
          if (node.link_name.empty()) {
            error(child, node.id, "<linkEventDefinition> has no name (the link's name)");
            ok = false;
          }
        }
        continue;
      }
      std::string what = event_definitions > 1 ? " with more than one event definition"
                                               : " with <" + std::string(name) + ">";
      error(child, node.id,
            "unsupported element " + tag + what + " (" + std::string(entry.supported_events) + ")");
      ok = false;
      continue;
    }
    if (name == "script" && entry.kind == NodeKind::kScriptTask) {
      const std::string format(trim(element.attribute("scriptFormat").value()));
      error(child, node.id,
            "a <script>" + (format.empty() ? std::string() : " in " + format) +
                " is not supported: a script task runs a FEEL zeebe:script (or is a job with a "
                "zeebe:taskDefinition)");
      ok = false;
      continue;
    }
    if (name == "multiInstanceLoopCharacteristics" && (is_task || is_container) &&
        node.kind != NodeKind::kEventSubProcess) {
      if (!parse_multi_instance(child, node.id, node)) ok = false;
      continue;
    }
    if (is_loop) {
      error(child, node.id,
            "unsupported element <" + std::string(name) + "> in " + tag +
                (name == "standardLoopCharacteristics"
                     ? " (a standard loop is not supported: use multi-instance)"
                     : " (an event subprocess does not run as a multi-instance)"));
      ok = false;
      continue;
    }
    error(child, node.id, "unsupported element <" + std::string(name) + "> in " + tag);
    ok = false;
  }
  // A send task with a zeebe:taskDefinition runs as a service task (its handler sends), as in
  // Camunda 8; without one, it sends its messageRef's message to the outbox.
  if (entry.kind == NodeKind::kSendTask) {
    if (has_task_definition) {
      node.kind = NodeKind::kServiceTask;
    } else if (!parse_message_ref(element, node.id, node, /*catching=*/false)) {
      ok = false;
    }
  }
  // A script task runs its zeebe:script in the engine; with a zeebe:taskDefinition instead, a
  // worker runs it (a job), as in Camunda 8.
  if (entry.kind == NodeKind::kScriptTask && ok) {
    if (has_task_definition && node.script) {
      error(element, node.id, "a script task has either a zeebe:script or a zeebe:taskDefinition");
      ok = false;
    } else if (has_task_definition) {
      node.kind = NodeKind::kServiceTask;
    } else if (!node.script) {
      error(element, node.id,
            "a script task needs a zeebe:script (a FEEL expression and its resultVariable) or a "
            "zeebe:taskDefinition (a job for a worker)");
      ok = false;
    }
  }
  // A call activity names its process: Camunda 8's zeebe:calledElement, else BPMN's own
  // calledElement attribute (as other tools write it).
  if (entry.kind == NodeKind::kCallActivity && node.called_process.empty() &&
      !node.called_process_expression) {
    node.called_process = std::string(trim(element.attribute("calledElement").value()));
    if (node.called_process.empty() && ok) {
      error(element, node.id,
            "a call activity needs a zeebe:calledElement processId (the process it starts)");
      ok = false;
    }
  }
  if (entry.definition_required && event_definitions == 0) {
    error(element, node.id,
          tag + " has no event definition (" + std::string(entry.supported_events) + ")");
    ok = false;
  }
  if (!ok) {
    skipped_ids_.insert(node.id);
    return kNone;
  }
  NodeIndex index = static_cast<NodeIndex>(def_.nodes.size());
  node_by_id_.emplace(node.id, index);
  if (entry.default_flow && has_default) defaults_.emplace_back(index, element);
  if (is_boundary_event(node.kind)) boundaries_.emplace_back(index, element);
  const bool container =
      node.kind == NodeKind::kSubProcess || node.kind == NodeKind::kEventSubProcess;
  if (container) def_.has_subprocesses = true;
  if (node.kind == NodeKind::kInclusiveGateway) def_.has_inclusive_gateways = true;
  if (node.loop) def_.has_multi_instance = true;
  if (node.kind == NodeKind::kEventSubProcess) {
    (parent == kNone ? def_.event_subprocesses : def_.nodes[parent].event_subprocesses)
        .push_back(index);
  }
  def_.nodes.push_back(std::move(node));
  if (entry.kind == NodeKind::kNoneStartEvent) register_start_event(element, index, parent);
  return container ? index : kNone;
}

void Parser::register_start_event(pugi::xml_node element, NodeIndex index, NodeIndex parent) {
  FlowNode& node = def_.nodes[index];
  const bool in_event_subprocess =
      parent != kNone && def_.nodes[parent].kind == NodeKind::kEventSubProcess;
  auto refuse = [&](const std::string& message) { error(element, node.id, message); };
  if (in_event_subprocess) {
    FlowNode& container = def_.nodes[parent];
    if (container.start_event != kNone) {
      return refuse("event subprocess '" + container.id + "' has more than one start event");
    }
    container.start_event = index;  // also when refused below: the container has its start
    if (!node.outputs.empty()) {
      return refuse("zeebe:output on the start event of event subprocess '" + container.id +
                    "' is not supported (map the variables in the event subprocess's tasks)");
    }
    if (node.kind == NodeKind::kNoneStartEvent) {
      return refuse("event subprocess '" + container.id +
                    "' has a none start event: it needs a timer, message or error start event");
    }
    if (node.kind == NodeKind::kErrorStartEvent && !node.cancel_activity) {
      return refuse(
          "an error start event always interrupts its scope (isInterrupting=\"false\" "
          "is not allowed)");
    }
    return;
  }
  if (node.kind == NodeKind::kTimerStartEvent || node.kind == NodeKind::kErrorStartEvent) {
    return refuse(std::string("a ") +
                  (node.kind == NodeKind::kTimerStartEvent ? "timer" : "error") +
                  " start event is supported only in an event subprocess "
                  "(a subProcess with triggeredByEvent=\"true\")");
  }
  if (node.kind == NodeKind::kMessageStartEvent) {
    if (parent != kNone) {
      return refuse("a message start event inside subProcess '" + def_.nodes[parent].id +
                    "' (message starts are supported on the process and in event "
                    "subprocesses)");
    }
    def_.message_start_events.push_back(index);
    return;
  }
  if (parent == kNone) {
    def_.start_events.push_back(index);
  } else if (def_.nodes[parent].start_event == kNone) {
    def_.nodes[parent].start_event = index;
  } else {
    refuse("subProcess '" + def_.nodes[parent].id + "' has more than one start event");
  }
}

void Parser::parse_flow(pugi::xml_node element) {
  SequenceFlow flow;
  flow.id = id_of(element);
  flow.name = element.attribute("name").value();
  flow.location = location(element);
  if (flow.id.empty()) {
    error(element, "", "<sequenceFlow> has no id");
    return;
  }
  bool ok = true;
  bool dropped_silently = false;
  auto resolve = [&](const char* attribute, NodeIndex& out) {
    std::string ref(trim(element.attribute(attribute).value()));
    if (ref.empty()) {
      error(element, flow.id, "sequence flow has no " + std::string(attribute));
      ok = false;
      return;
    }
    auto it = node_by_id_.find(ref);
    if (it != node_by_id_.end()) {
      out = it->second;
    } else if (skipped_ids_.count(ref) != 0) {
      dropped_silently = true;  // its end was reported already
    } else {
      error(element, flow.id,
            std::string(attribute) + " '" + ref + "' names no flow node of this process");
      ok = false;
    }
  };
  resolve("sourceRef", flow.source);
  resolve("targetRef", flow.target);

  bool has_condition = false;
  for (pugi::xml_node child : element.children()) {
    if (child.type() != pugi::node_element || !is_bpmn(child)) continue;
    std::string_view name = local_name(child);
    if (name == "documentation" || name == "extensionElements") continue;
    if (name == "conditionExpression" && !has_condition) {
      has_condition = true;
      if (!parse_condition(child, flow.id, flow.condition)) ok = false;
      continue;
    }
    error(child, flow.id, "unsupported element <" + std::string(name) + "> in <sequenceFlow>");
    ok = false;
  }
  if (ok && !dropped_silently && def_.nodes[flow.source].parent != def_.nodes[flow.target].parent) {
    error(element, flow.id, crossing_flow_message(def_, flow));
    ok = false;
  }
  if (!ok || dropped_silently) {
    skipped_ids_.insert(flow.id);
    return;
  }
  FlowIndex index = static_cast<FlowIndex>(def_.flows.size());
  def_.nodes[flow.source].outgoing.push_back(index);
  def_.nodes[flow.target].incoming.push_back(index);
  def_.flows.push_back(std::move(flow));
}

// Compiles the FEEL text of a <conditionExpression>. A compile error is reported at the exact
// file position of the offending character.
bool Parser::parse_condition(pugi::xml_node condition, const std::string& flow_id,
                             std::optional<feel::Expression>& out) {
  std::string_view language = trim(condition.attribute("language").value());
  if (!language.empty() && lower(language).find("feel") == std::string::npos) {
    error(condition, flow_id,
          "condition language '" + std::string(language) +
              "' is not supported (conditions are FEEL)");
    return false;
  }
  struct Segment {
    pugi::xml_node node;
    std::size_t begin;  // offset of its value in `text`
    bool cdata;
  };
  std::vector<Segment> segments;
  std::string text;
  for (pugi::xml_node child : condition.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      segments.push_back({child, text.size(), child.type() == pugi::node_cdata});
      text += child.value();
    } else if (child.type() == pugi::node_element) {
      error(child, flow_id,
            "a condition must be text; found element <" + std::string(qualified_name(child)) + ">");
      return false;
    }
  }
  std::size_t lead = 0;
  while (lead < text.size() && is_space(text[lead])) ++lead;
  std::size_t end = text.size();
  while (end > lead && is_space(text[end - 1])) --end;
  if (lead == end) {
    error(condition, flow_id, "condition is empty");
    return false;
  }
  std::string_view expression_text = std::string_view(text).substr(lead, end - lead);
  feel::Expression expression;
  feel::CompileError compile_error;
  if (feel::compile(expression_text, expression, compile_error)) {
    out = std::move(expression);
    return true;
  }
  // Position of the error: decoded index -> segment -> raw buffer offset -> line:col.
  std::size_t column =
      compile_error.column < 1 ? 0 : static_cast<std::size_t>(compile_error.column - 1);
  std::size_t index = std::min(lead + column, text.size());
  const Segment* segment = &segments.front();
  for (const Segment& s : segments) {
    if (s.begin <= index) segment = &s;
  }
  SourceLocation where = location(condition);
  std::ptrdiff_t start = segment->node.offset_debug();
  if (start >= 0) {
    std::size_t raw = raw_offset_of(buffer_, static_cast<std::size_t>(start),
                                    index - segment->begin, segment->cdata);
    where = lines_.at(static_cast<std::ptrdiff_t>(raw));
  }
  report(Severity::kError, where, flow_id, "condition does not parse: " + compile_error.message);
  return false;
}

void Parser::resolve_defaults() {
  if (defaults_.empty()) return;
  std::unordered_map<std::string_view, FlowIndex> flow_by_id;
  for (FlowIndex f = 0; f < def_.flows.size(); ++f) flow_by_id.emplace(def_.flows[f].id, f);
  for (const auto& [gateway, element] : defaults_) {
    std::string ref(trim(element.attribute("default").value()));
    auto it = flow_by_id.find(ref);
    if (it != flow_by_id.end()) {
      def_.nodes[gateway].default_flow = it->second;  // validate() checks that it is outgoing
    } else if (skipped_ids_.count(ref) == 0) {
      error(element, def_.nodes[gateway].id,
            "default flow '" + ref + "' is not an outgoing flow of this gateway");
    }
  }
}

}  // namespace detail

namespace {

using detail::BadReference;
using detail::declared_encoding;
using detail::decode_utf16_or_utf32;
using detail::find_bad_character_reference;
using detail::has_utf16_or_utf32_bom;
using detail::id_of;
using detail::is_latin1_name;
using detail::latin1_to_utf8;
using detail::LineTable;
using detail::location_of;
using detail::Parser;
using detail::ParseResult;

ParseResult parse_impl(std::string_view xml, const std::string& file) {
  ParseResult refused;
  auto refuse = [&](SourceLocation at, std::string message) {
    refused.diagnostics.push_back(
        Diagnostic{file, at.line, at.column, Severity::kError, "", std::move(message)});
    return std::move(refused);
  };
  if (xml.size() > limits::kMaxBpmnBytes) {
    return refuse({1, 1}, "the file is " + std::to_string(xml.size()) +
                              " bytes, more than the limit for a BPMN file (" +
                              limits::bytes_text(limits::kMaxBpmnBytes) + ")");
  }
  // Every string of the model must be UTF-8 (the store and the JSON output need it): decode
  // UTF-16, UTF-32 and Latin-1 into UTF-8 here, then refuse what is still not UTF-8.
  std::string converted;
  std::string_view buffer = xml;
  if (has_utf16_or_utf32_bom(xml)) {
    std::size_t bad = 0;
    if (!decode_utf16_or_utf32(xml, converted, bad)) {
      return refuse(
          LineTable(converted).at(static_cast<std::ptrdiff_t>(converted.size())),
          "the file is not valid UTF-16 or UTF-32 (at byte offset " + std::to_string(bad) + ")");
    }
    buffer = converted;
  } else if (is_latin1_name(declared_encoding(xml))) {
    converted = latin1_to_utf8(xml);
    buffer = converted;
  }
  if (const std::size_t bad = find_invalid_utf8(buffer); bad != std::string_view::npos) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X",
                  static_cast<unsigned>(static_cast<unsigned char>(buffer[bad])));
    return refuse(LineTable(buffer).at(static_cast<std::ptrdiff_t>(bad)),
                  std::string("the file is not valid UTF-8: byte ") + byte +
                      " (save it as UTF-8, or declare its encoding, e.g. encoding=\"ISO-8859-1\")");
  }
  pugi::xml_document doc;
  pugi::xml_parse_result result =
      doc.load_buffer(buffer.data(), buffer.size(), pugi::parse_default, pugi::encoding_utf8);
  if (result) {
    if (auto bad = find_bad_character_reference(doc)) {
      pugi::xml_node element =
          bad->node.type() == pugi::node_element ? bad->node : bad->node.parent();
      std::string id = id_of(element);
      if (find_invalid_utf8(id) != std::string_view::npos) id.clear();
      const SourceLocation at = location_of(LineTable(buffer), bad->node);
      refused.diagnostics.push_back(
          Diagnostic{file, at.line, at.column, Severity::kError, std::move(id),
                     "the " + bad->what +
                         " has a character reference to a code point that is not an XML "
                         "character (a surrogate such as &#xD800;, or beyond &#x10FFFF;)"});
      return refused;
    }
  }
  Parser parser(buffer, file);
  return parser.run(result, doc);
}

}  // namespace

ParseOutput parse_bpmn(std::string_view xml, const std::string& file) {
  ParseOutput out;
  try {
    ParseResult result = parse_impl(xml, file);
    out.definition = std::move(result.definition);
    out.diagnostics = std::move(result.diagnostics);
    sort_diagnostics(out.diagnostics);
  } catch (const std::exception& e) {
    out.definition.reset();
    out.diagnostics.push_back(internal_error(file, e.what()));
  } catch (...) {
    out.definition.reset();
    out.diagnostics.push_back(internal_error(file, "unknown exception"));
  }
  return out;
}

LoadOutput load_bpmn(std::string_view xml, const std::string& file,
                     const ValidationOptions& options) {
  LoadOutput out;
  try {
    ParseResult parsed = parse_impl(xml, file);
    out.diagnostics = std::move(parsed.diagnostics);
    if (parsed.definition) {
      const bool parse_clean = !has_errors(out.diagnostics);
      for (Diagnostic& d : detail::check_definition(*parsed.definition, options, parse_clean)) {
        // Process-level diagnostics have no element location: use the <process> element's.
        if (d.line == 0 && d.element_id == parsed.definition->key) {
          d.line = parsed.process_location.line;
          d.column = parsed.process_location.column;
        }
        out.diagnostics.push_back(std::move(d));
      }
      if (!has_errors(out.diagnostics)) out.definition = std::move(parsed.definition);
    }
    sort_diagnostics(out.diagnostics);
  } catch (const std::exception& e) {
    out.definition.reset();
    out.diagnostics.push_back(internal_error(file, e.what()));
  } catch (...) {
    out.definition.reset();
    out.diagnostics.push_back(internal_error(file, "unknown exception"));
  }
  return out;
}

}  // namespace pmiflow::model
