// BPMN 2.0 XML -> ProcessDefinition, and the semantic checks on a definition.
//
// The only file that uses pugixml (tests/check_layering.cmake). Rules that this file applies:
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

#include <pugixml.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/common/limits.h"
#include "engine/common/utf8.h"
#include "engine/model/xml_text.h"
#include "engine/model/zeebe_values.h"

namespace pmiflow::model {
namespace {

using detail::declared_encoding;
using detail::decode_utf16_or_utf32;
using detail::has_utf16_or_utf32_bom;
using detail::is_latin1_name;
using detail::is_space;
using detail::latin1_to_utf8;
using detail::lower;
using detail::parse_candidate_groups;
using detail::parse_retries;
using detail::trim;

constexpr std::string_view kBpmnNamespace = "http://www.omg.org/spec/BPMN/20100524/MODEL";
constexpr std::string_view kZeebeNamespace = "http://camunda.org/schema/zeebe/1.0";
constexpr std::string_view kXmlNamespace = "http://www.w3.org/XML/1998/namespace";
// The parser entry of each flow node kind: the one row a new element kind adds here
// (docs/architecture.md, "What a new element kind touches"). What the parser reads of an
// element follows from its family; the row says what else the kind accepts.
enum class Family { kEvent, kTask, kGateway, kContainer };
struct ElementEntry {
  std::string_view bpmn_name;  // its local name in the BPMN namespace
  NodeKind kind;
  Family family;
  bool default_flow;  // may name a default flow (attribute default)
  // The one event definition the kind accepts, and the kind it makes: e.g. an end event with
  // <terminateEventDefinition> is a terminate end event. Empty: none.
  std::string_view event_definition;
  NodeKind kind_with_definition;
  std::string_view supported_events;  // said when another event definition is found
  bool definition_required = false;   // the event needs its definition (a catch event)
};
constexpr ElementEntry kElements[] = {
    {"startEvent", NodeKind::kNoneStartEvent, Family::kEvent, false, "", NodeKind::kNoneStartEvent,
     "only none start events are supported"},
    {"endEvent", NodeKind::kNoneEndEvent, Family::kEvent, false, "terminateEventDefinition",
     NodeKind::kTerminateEndEvent, "only none and terminate end events are supported"},
    {"intermediateCatchEvent", NodeKind::kIntermediateTimerCatchEvent, Family::kEvent, false,
     "timerEventDefinition", NodeKind::kIntermediateTimerCatchEvent,
     "only timer intermediate catch events are supported", true},
    {"intermediateThrowEvent", NodeKind::kIntermediateThrowEvent, Family::kEvent, false, "",
     NodeKind::kIntermediateThrowEvent, "only none intermediate throw events are supported"},
    {"boundaryEvent", NodeKind::kTimerBoundaryEvent, Family::kEvent, false, "timerEventDefinition",
     NodeKind::kTimerBoundaryEvent, "only timer boundary events are supported", true},
    {"userTask", NodeKind::kUserTask, Family::kTask, false, "", NodeKind::kUserTask, ""},
    {"serviceTask", NodeKind::kServiceTask, Family::kTask, false, "", NodeKind::kServiceTask, ""},
    {"manualTask", NodeKind::kManualTask, Family::kTask, false, "", NodeKind::kManualTask, ""},
    {"task", NodeKind::kTask, Family::kTask, false, "", NodeKind::kTask, ""},
    {"subProcess", NodeKind::kSubProcess, Family::kContainer, false, "", NodeKind::kSubProcess, ""},
    {"exclusiveGateway", NodeKind::kExclusiveGateway, Family::kGateway, true, "",
     NodeKind::kExclusiveGateway, ""},
    {"parallelGateway", NodeKind::kParallelGateway, Family::kGateway, false, "",
     NodeKind::kParallelGateway, ""},
};

const ElementEntry* element_entry(std::string_view bpmn_name) {
  for (const ElementEntry& e : kElements) {
    if (e.bpmn_name == bpmn_name) return &e;
  }
  return nullptr;
}

// "startEvent, endEvent, ..., sequenceFlow": what an unsupported element's message lists.
const std::string& supported_elements() {
  static const std::string text = [] {
    std::string out;
    for (const ElementEntry& e : kElements) out.append(e.bpmn_name).append(", ");
    return out + "sequenceFlow";
  }();
  return text;
}
constexpr int kDefaultRetries = 3;

// Maps byte offsets of the parsed buffer to 1-based line:column (columns count bytes).
class LineTable {
 public:
  explicit LineTable(std::string_view text) : size_(text.size()) {
    starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
        starts_.push_back(i + 1);
      }
    }
  }

  // An offset outside the buffer (pugixml gives -1 when it does not know) is clamped.
  SourceLocation at(std::ptrdiff_t offset) const {
    if (offset < 0) return {};
    std::size_t off = std::min(static_cast<std::size_t>(offset), size_);
    auto it = std::upper_bound(starts_.begin(), starts_.end(), off);
    std::size_t line = static_cast<std::size_t>(it - starts_.begin());  // >= 1
    std::size_t column = off - starts_[line - 1] + 1;
    return {clamp_int(line), clamp_int(column)};
  }

 private:
  static int clamp_int(std::size_t v) {
    return v > static_cast<std::size_t>(INT32_MAX) ? INT32_MAX : static_cast<int>(v);
  }
  std::size_t size_;
  std::vector<std::size_t> starts_;
};

// Where `node` is: an element at its '<', a text at its first character.
SourceLocation location_of(const LineTable& lines, pugi::xml_node node) {
  std::ptrdiff_t off = node.offset_debug();
  if (off < 0) return {};
  if (node.type() == pugi::node_element && off > 0) --off;
  return lines.at(off);
}

// ---------------------------------------------------------------------------------------------
// Names and namespaces.

std::string_view qualified_name(pugi::xml_node node) {
  return node.name();
}

std::string_view local_name(pugi::xml_node node) {
  std::string_view name = qualified_name(node);
  std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// Resolves element namespaces (prefix -> URI from xmlns declarations in scope). Each element's
// own declarations are read once and cached, so resolving many siblings costs time linear in
// the document, whatever the number of declarations. Lookup walks the ancestors: call it only
// on shallow elements (the parser never resolves below definitions/process/node/extension).
class NamespaceResolver {
 public:
  std::string_view of(pugi::xml_node node) {
    std::string_view name = node.name();
    std::size_t colon = name.find(':');
    std::string_view prefix = colon == std::string_view::npos ? "" : name.substr(0, colon);
    if (prefix == "xml") return kXmlNamespace;
    // The element itself: scanned, not cached (each element is resolved O(1) times).
    const std::string_view own = prefix.empty() ? std::string_view("xmlns") : std::string_view();
    for (pugi::xml_attribute a : node.attributes()) {
      std::string_view attribute = a.name();
      if (prefix.empty() ? attribute == own
                         : (attribute.size() == prefix.size() + 6 &&
                            attribute.substr(0, 6) == "xmlns:" && attribute.substr(6) == prefix)) {
        return a.value();
      }
    }
    for (pugi::xml_node n = node.parent(); n && n.type() == pugi::node_element; n = n.parent()) {
      const Declarations& declarations = declarations_of(n);
      auto it = declarations.find(prefix);
      if (it != declarations.end()) return it->second;
    }
    return {};
  }

 private:
  using Declarations = std::unordered_map<std::string_view, std::string_view>;

  const Declarations& declarations_of(pugi::xml_node n) {
    auto [it, inserted] = cache_.try_emplace(n.internal_object());
    if (inserted) {
      for (pugi::xml_attribute a : n.attributes()) {
        std::string_view attribute = a.name();
        if (attribute == "xmlns") {
          it->second.emplace("", a.value());
        } else if (attribute.substr(0, 6) == "xmlns:") {
          it->second.emplace(attribute.substr(6), a.value());
        }
      }
    }
    return it->second;
  }

  std::unordered_map<const void*, Declarations> cache_;
};

std::string id_of(pugi::xml_node node) {
  return node.attribute("id").value();
}

// ---------------------------------------------------------------------------------------------
// Mapping a position inside decoded text back to the raw buffer.

std::size_t utf8_length(std::uint32_t code_point) {
  if (code_point < 0x80) return 1;
  if (code_point < 0x800) return 2;
  if (code_point < 0x10000) return 3;
  return 4;
}

// Starting at raw offset `start` (the first byte of a text or CDATA node as pugixml saw it),
// returns the raw offset where decoded byte `k` of the node's value comes from. Undoes what
// parse_default decodes: entity references (text only) and CR LF -> LF.
std::size_t raw_offset_of(std::string_view buffer, std::size_t start, std::size_t k, bool cdata) {
  std::size_t decoded = 0;
  std::size_t i = start;
  while (decoded < k && i < buffer.size()) {
    std::size_t raw_len = 1;
    std::size_t dec_len = 1;
    if (buffer[i] == '\r' && i + 1 < buffer.size() && buffer[i + 1] == '\n') {
      raw_len = 2;
    } else if (!cdata && buffer[i] == '&') {
      std::size_t semi = buffer.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 12) {
        raw_len = semi - i + 1;
        std::string_view ref = buffer.substr(i + 1, semi - i - 1);
        if (!ref.empty() && ref.front() == '#') {
          std::uint32_t cp = 0;
          bool hex = ref.size() > 1 && (ref[1] == 'x' || ref[1] == 'X');
          for (std::size_t j = hex ? 2 : 1; j < ref.size(); ++j) {
            char c = ref[j];
            std::uint32_t d = 0;
            if (c >= '0' && c <= '9') {
              d = static_cast<std::uint32_t>(c - '0');
            } else if (hex && c >= 'a' && c <= 'f') {
              d = static_cast<std::uint32_t>(c - 'a' + 10);
            } else if (hex && c >= 'A' && c <= 'F') {
              d = static_cast<std::uint32_t>(c - 'A' + 10);
            }
            cp = std::min<std::uint32_t>(cp * (hex ? 16U : 10U) + d, 0x10FFFF);
          }
          dec_len = utf8_length(cp);
        }
      }
    }
    if (decoded + dec_len > k) break;
    decoded += dec_len;
    i += raw_len;
  }
  return i;
}

// ---------------------------------------------------------------------------------------------
// The parser proper.

struct ParseResult {
  std::optional<ProcessDefinition> definition;
  std::vector<Diagnostic> diagnostics;
  SourceLocation process_location;  // of the chosen <process>, for process-level diagnostics
};

class Parser {
 public:
  Parser(std::string_view buffer, const std::string& file)
      : buffer_(buffer), file_(file), lines_(buffer) {}

  ParseResult run(pugi::xml_parse_result result, const pugi::xml_document& doc);

 private:
  // Location of an element's `<`, or of the first byte of a text node.
  SourceLocation location(pugi::xml_node node) const { return location_of(lines_, node); }

  void report(Severity severity, SourceLocation where, std::string element_id,
              std::string message) {
    Diagnostic d;
    d.file = file_;
    d.line = where.line;
    d.column = where.column;
    d.severity = severity;
    d.element_id = std::move(element_id);
    d.message = std::move(message);
    out_.diagnostics.push_back(std::move(d));
  }
  void error(pugi::xml_node at, std::string element_id, std::string message) {
    report(Severity::kError, location(at), std::move(element_id), std::move(message));
  }
  void warning(pugi::xml_node at, std::string element_id, std::string message) {
    report(Severity::kWarning, location(at), std::move(element_id), std::move(message));
  }

  pugi::xml_node choose_process(pugi::xml_node definitions);
  void register_ids(pugi::xml_node process);
  void parse_process(pugi::xml_node process);
  // Parses a flow node in container `parent` (kNone: the process); a subProcess's index is
  // returned so that its children are parsed in it (kNone: left out, or not a container).
  NodeIndex parse_node(pugi::xml_node element, const ElementEntry& entry, NodeIndex parent);
  bool parse_timer(pugi::xml_node definition, const std::string& id, FlowNode& node);
  void resolve_attachments();
  bool parse_properties(pugi::xml_node properties, const std::string& id, FlowNode& node);
  bool parse_extensions(pugi::xml_node extension_elements, const std::string& id, FlowNode& node,
                        bool& has_task_definition);
  void check_process_extensions(pugi::xml_node extension_elements, const std::string& id);
  void parse_flow(pugi::xml_node element);
  bool parse_condition(pugi::xml_node condition, const std::string& flow_id,
                       std::optional<feel::Expression>& out);
  void resolve_defaults();
  std::string_view namespace_of(pugi::xml_node node) { return namespaces_.of(node); }
  bool is_bpmn(pugi::xml_node node) { return namespaces_.of(node) == kBpmnNamespace; }
  bool is_duplicate(pugi::xml_node element) const {
    return duplicates_.count(element.internal_object()) != 0;
  }

  std::string_view buffer_;
  const std::string& file_;
  LineTable lines_;
  NamespaceResolver namespaces_;
  ParseResult out_;
  ProcessDefinition def_;

  std::unordered_map<std::string, int> first_line_of_id_;         // every id in the process
  std::unordered_set<const void*> duplicates_;                    // second occurrences
  std::unordered_set<std::string> skipped_ids_;                   // left out because of errors
  std::unordered_map<std::string, NodeIndex> node_by_id_;         // nodes added so far
  std::vector<pugi::xml_node> flow_elements_;                     // document order
  std::vector<std::pair<NodeIndex, pugi::xml_node>> defaults_;    // gateways with `default`
  std::vector<std::pair<NodeIndex, pugi::xml_node>> boundaries_;  // boundary events
};

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
}

// Process-level zeebe extensions: forms, properties and the version tag are inert here; the
// others (e.g. execution listeners) would run code and are not supported.
void Parser::check_process_extensions(pugi::xml_node extension_elements, const std::string& id) {
  for (pugi::xml_node ext : extension_elements.children()) {
    if (ext.type() != pugi::node_element || namespace_of(ext) != kZeebeNamespace) continue;
    std::string_view name = local_name(ext);
    if (name == "userTaskForm" || name == "properties" || name == "versionTag") continue;
    error(ext, id, "unsupported Camunda extension <zeebe:" + std::string(name) + "> on <process>");
  }
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
    error(element, node.id, "event subprocesses (triggeredByEvent=\"true\") are not supported yet");
    ok = false;
  }
  if (entry.kind == NodeKind::kTimerBoundaryEvent) {
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
      if (!entry.event_definition.empty() && name == entry.event_definition &&
          event_definitions == 1) {
        node.kind = entry.kind_with_definition;
        if (name == "timerEventDefinition" && !parse_timer(child, node.id, node)) ok = false;
        continue;
      }
      std::string what = event_definitions > 1 ? " with more than one event definition"
                                               : " with <" + std::string(name) + ">";
      error(child, node.id,
            "unsupported element " + tag + what + " (" + std::string(entry.supported_events) + ")");
      ok = false;
      continue;
    }
    if (is_loop) {
      error(child, node.id,
            "unsupported element <" + std::string(name) + "> in " + tag +
                " (loops and multi-instance are not supported)");
      ok = false;
      continue;
    }
    error(child, node.id, "unsupported element <" + std::string(name) + "> in " + tag);
    ok = false;
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
  if (node.kind == NodeKind::kNoneStartEvent) {
    if (parent == kNone) {
      def_.start_events.push_back(index);
    } else if (def_.nodes[parent].start_event == kNone) {
      def_.nodes[parent].start_event = index;
    } else {
      error(element, node.id,
            "subProcess '" + def_.nodes[parent].id + "' has more than one start event");
    }
  }
  if (entry.default_flow && has_default) defaults_.emplace_back(index, element);
  if (node.kind == NodeKind::kTimerBoundaryEvent) boundaries_.emplace_back(index, element);
  if (node.kind == NodeKind::kSubProcess) def_.has_subprocesses = true;
  const bool container = node.kind == NodeKind::kSubProcess;
  def_.nodes.push_back(std::move(node));
  return container ? index : kNone;
}

// Reads a <timerEventDefinition>: exactly one of timeDate, timeDuration, timeCycle, whose text
// is a literal (checked here) or a FEEL expression (compiled here, its value checked when the
// timer is armed).
bool Parser::parse_timer(pugi::xml_node definition, const std::string& id, FlowNode& node) {
  static constexpr std::pair<std::string_view, TimerDefinition::Kind> kKinds[] = {
      {"timeDate", TimerDefinition::Kind::kDate},
      {"timeDuration", TimerDefinition::Kind::kDuration},
      {"timeCycle", TimerDefinition::Kind::kCycle}};
  pugi::xml_node found;
  TimerDefinition timer;
  for (pugi::xml_node child : definition.children()) {
    if (child.type() != pugi::node_element || !is_bpmn(child)) continue;
    std::string_view name = local_name(child);
    if (name == "documentation" || name == "extensionElements") continue;
    const auto* kind = std::find_if(std::begin(kKinds), std::end(kKinds),
                                    [&](const auto& k) { return k.first == name; });
    if (kind == std::end(kKinds)) {
      error(child, id, "unsupported element <" + std::string(name) + "> in <timerEventDefinition>");
      return false;
    }
    if (found) {
      error(child, id,
            "<timerEventDefinition> has more than one of timeDate, timeDuration, timeCycle");
      return false;
    }
    found = child;
    timer.kind = kind->second;
  }
  if (!found) {
    error(definition, id, "<timerEventDefinition> has none of timeDate, timeDuration, timeCycle");
    return false;
  }
  const std::string where = std::string("<") + timer_kind_name(timer.kind) + ">";
  std::string_view text = trim(found.child_value());
  if (text.empty()) {
    error(found, id, where + " is empty");
    return false;
  }
  if (text.front() == '=') {
    feel::Expression expression;
    feel::CompileError compile_error;
    if (!feel::compile(text, expression, compile_error)) {
      error(found, id, where + " expression does not parse: " + compile_error.message);
      return false;
    }
    timer.text = std::string(trim(text.substr(1)));
    timer.expression = std::move(expression);
  } else {
    timer.text = std::string(text);
    auto literal = schedule_timer(timer.kind, timer.text, 0, time::Zone::utc());
    if (!literal.ok()) {
      error(found, id, where + ": " + literal.error().message);
      return false;
    }
  }
  node.timer = std::move(timer);
  return true;
}

// Attaches each boundary event to its activity, which must be in the same container.
void Parser::resolve_attachments() {
  for (const auto& [index, element] : boundaries_) {
    FlowNode& boundary = def_.nodes[index];
    std::string ref(trim(element.attribute("attachedToRef").value()));
    auto it = node_by_id_.find(ref);
    if (it == node_by_id_.end()) {
      if (skipped_ids_.count(ref) == 0) {
        error(element, boundary.id,
              "attachedToRef '" + ref + "' names no activity of this process");
      }
      continue;
    }
    FlowNode& host = def_.nodes[it->second];
    if (!is_activity(host.kind)) {
      error(element, boundary.id,
            "attachedToRef '" + ref + "' is a <" + node_kind_name(host.kind) +
                ">: boundary events attach to tasks and subprocesses");
    } else if (host.parent != boundary.parent) {
      error(element, boundary.id,
            "boundary event and its activity '" + ref + "' are not in the same (sub)process");
    } else {
      boundary.attached_to = it->second;
      host.boundary_events.push_back(index);
    }
  }
}

// Reads zeebe:property entries named pmiflow.*; other properties are the modeler's metadata and
// are ignored. Returns false on an unknown pmiflow.* name or a misplaced one.
bool Parser::parse_properties(pugi::xml_node properties, const std::string& id, FlowNode& node) {
  bool ok = true;
  for (pugi::xml_node property : properties.children()) {
    if (property.type() != pugi::node_element || local_name(property) != "property") continue;
    std::string name(trim(property.attribute("name").value()));
    std::string value(trim(property.attribute("value").value()));
    if (name.rfind("pmiflow.", 0) != 0) continue;
    bool is_task = node.kind == NodeKind::kUserTask || node.kind == NodeKind::kServiceTask;
    if ((name == "pmiflow.record" || name == "pmiflow.notify") && !is_task) {
      error(property, id, "zeebe:property " + name + " is supported on tasks only");
      ok = false;
    } else if (name == "pmiflow.record") {
      if (value.empty()) {
        error(property, id, "zeebe:property pmiflow.record needs a value (the record kind)");
        ok = false;
      }
      node.record = value;
    } else if (name == "pmiflow.notify") {
      std::size_t start = 0;
      while (start <= value.size()) {
        std::size_t comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        std::string item(trim(std::string_view(value).substr(start, comma - start)));
        if (!item.empty()) node.notify.push_back(item);
        start = comma + 1;
      }
      if (node.notify.empty()) {
        error(property, id, "zeebe:property pmiflow.notify needs a value (subprocess codes)");
        ok = false;
      }
    } else {
      error(property, id,
            "unknown zeebe:property " + name + " (supported: pmiflow.record, pmiflow.notify)");
      ok = false;
    }
  }
  return ok;
}

// Reads the zeebe extensions of a node. Other vendors' extensions are ignored. Returns false
// when an extension that would change behaviour is not supported.
bool Parser::parse_extensions(pugi::xml_node extension_elements, const std::string& id,
                              FlowNode& node, bool& has_task_definition) {
  bool ok = true;
  bool has_assignment = false;
  bool has_form = false;
  const std::string tag = "<" + std::string(node_kind_name(node.kind)) + ">";
  for (pugi::xml_node ext : extension_elements.children()) {
    if (ext.type() != pugi::node_element || namespace_of(ext) != kZeebeNamespace) continue;
    std::string_view name = local_name(ext);
    const std::string zname = "zeebe:" + std::string(name);
    if (name == "versionTag") continue;
    if (name == "properties") {
      ok = parse_properties(ext, id, node) && ok;
      continue;
    }
    if (node.kind == NodeKind::kServiceTask && name == "taskDefinition") {
      if (has_task_definition) {
        error(ext, id, "more than one zeebe:taskDefinition");
        ok = false;
        continue;
      }
      has_task_definition = true;
      std::string type(trim(ext.attribute("type").value()));
      if (!type.empty() && type.front() == '=') {
        error(ext, id,
              "zeebe:taskDefinition type '" + type +
                  "' is an expression; only a static task type is supported");
        ok = false;
      } else {
        node.task_type = type;
      }
      pugi::xml_attribute retries = ext.attribute("retries");
      if (retries) {
        if (!parse_retries(retries.value(), node.retries)) {
          error(ext, id,
                "zeebe:taskDefinition retries '" + std::string(retries.value()) +
                    "' is not a non-negative integer");
          ok = false;
        }
      } else {
        node.retries = kDefaultRetries;
      }
      continue;
    }
    if (node.kind == NodeKind::kServiceTask && name == "taskHeaders") {
      warning(ext, id, "zeebe:taskHeaders are ignored (handlers do not receive headers)");
      continue;
    }
    if (node.kind == NodeKind::kUserTask && name == "assignmentDefinition") {
      if (has_assignment) {
        error(ext, id, "more than one zeebe:assignmentDefinition");
        ok = false;
        continue;
      }
      has_assignment = true;
      pugi::xml_attribute groups = ext.attribute("candidateGroups");
      if (groups && !parse_candidate_groups(groups.value(), node.candidate_groups)) {
        error(ext, id,
              "zeebe:assignmentDefinition candidateGroups '" + std::string(groups.value()) +
                  "' is neither a comma-separated list nor a FEEL list of string literals");
        ok = false;
      }
      for (const char* ignored : {"assignee", "candidateUsers"}) {
        if (!trim(ext.attribute(ignored).value()).empty()) {
          warning(ext, id,
                  "zeebe:assignmentDefinition " + std::string(ignored) +
                      " is ignored (tasks are assigned by candidateGroups)");
        }
      }
      continue;
    }
    if (node.kind == NodeKind::kUserTask && name == "formDefinition") {
      if (has_form) {
        error(ext, id, "more than one zeebe:formDefinition");
        ok = false;
        continue;
      }
      has_form = true;
      for (const char* attribute : {"formId", "formKey", "externalReference"}) {
        std::string value(trim(ext.attribute(attribute).value()));
        if (!value.empty()) {
          node.form_id = value;
          break;
        }
      }
      continue;
    }
    if (node.kind == NodeKind::kUserTask && (name == "userTask" || name == "priorityDefinition")) {
      continue;  // the Camunda user task marker and its priority: no effect here
    }
    if (node.kind == NodeKind::kUserTask && name == "taskSchedule") {
      warning(ext, id, "zeebe:taskSchedule is ignored (no due or follow-up dates)");
      continue;
    }
    if (name == "ioMapping") {
      error(ext, id,
            "unsupported Camunda extension <" + zname + "> on " + tag +
                " (input/output variable mappings are not supported)");
    } else {
      error(ext, id, "unsupported Camunda extension <" + zname + "> on " + tag);
    }
    ok = false;
  }
  return ok;
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

// pugixml decodes a character reference to any number, so &#xD800; or &#x23FFFF; becomes bytes
// that are not UTF-8; XML 1.0 allows references to characters only (sections 2.2 and 4.1). The
// first element with such an attribute value or text, and what it is, found without recursion.
struct BadReference {
  pugi::xml_node node;  // the element, or the text node
  std::string what;     // "attribute name of <bpmn:task>", "text of <bpmn:documentation>"
};
std::optional<BadReference> find_bad_character_reference(pugi::xml_document& doc) {
  struct Walker : pugi::xml_tree_walker {
    std::optional<BadReference> found;
    bool for_each(pugi::xml_node& node) override {
      auto bad = [](const char* value) {
        return find_invalid_utf8(value) != std::string_view::npos;
      };
      if (node.type() == pugi::node_element) {
        for (pugi::xml_attribute a : node.attributes()) {
          if (bad(a.value())) {
            found = BadReference{node, "attribute " + std::string(a.name()) + " of <" +
                                           std::string(node.name()) + ">"};
            return false;
          }
        }
      } else if (node.type() == pugi::node_pcdata && bad(node.value())) {
        found = BadReference{node, "text of <" + std::string(node.parent().name()) + ">"};
        return false;
      }
      return true;
    }
  } walker;
  doc.traverse(walker);
  return walker.found;
}

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
