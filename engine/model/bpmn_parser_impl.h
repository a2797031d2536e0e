// The BPMN parser's own declarations, shared by the files that implement it (bpmn_parser*.cpp,
// private to engine/model): the table of element kinds and the Parser, whose methods are split
// by concern: the process and its flow nodes and flows (bpmn_parser.cpp), event definitions
// (bpmn_parser_events.cpp), Zeebe extensions (bpmn_parser_extensions.cpp).
#pragma once

#include <pugixml.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/model/bpmn_parser.h"
#include "engine/model/bpmn_parser_xml.h"

namespace pmiflow::model::detail {

// The parser entry of each flow node kind: the one row a new element kind adds here
// (docs/architecture.md, "What a new element kind touches"). What the parser reads of an
// element follows from its family; the row says what else the kind accepts.
enum class Family { kEvent, kTask, kGateway, kContainer };
struct ElementEntry {
  std::string_view bpmn_name;  // its local name in the BPMN namespace
  NodeKind kind;
  Family family;
  bool default_flow;  // may name a default flow (attribute default)
  // The event definitions the kind accepts (one at a time), each with the kind it makes: e.g.
  // an end event with <terminateEventDefinition> is a terminate end event. Unused rows have
  // an empty name.
  struct Definition {
    std::string_view name;  // e.g. "timerEventDefinition"
    NodeKind kind;
  };
  Definition definitions[3];
  std::string_view supported_events;  // said when another event definition is found
  bool definition_required = false;   // the event needs its definition (a catch event)
};

// The entry of a BPMN element name; nullptr when it is not a flow node kind pmiflow runs.
const ElementEntry* element_entry(std::string_view bpmn_name);
// "startEvent, endEvent, ..., sequenceFlow": what an unsupported element's message lists.
const std::string& supported_elements();

inline constexpr int kDefaultRetries = 3;

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
  // Reads the <message> that `at`'s messageRef names into node.message; `catching`: the node
  // waits for it (a start event does not), so it needs a correlation key.
  bool parse_message_ref(pugi::xml_node at, const std::string& id, FlowNode& node, bool catching);
  // Indexes the <message> and <error> elements of <definitions> by id (read when a node names
  // one).
  void index_messages(pugi::xml_node definitions);
  // Reads the <error> that <errorEventDefinition> `at` names into node.error; `throwing`: an
  // error end event, which needs one with an errorCode (a catch event without one catches
  // every error).
  bool parse_error_ref(pugi::xml_node at, const std::string& id, FlowNode& node, bool throwing);
  // Files a start event under its container: the process's none and message starts, a
  // subProcess's none start, an event subprocess's timer, message or error start.
  void register_start_event(pugi::xml_node element, NodeIndex index, NodeIndex parent);
  void resolve_attachments();
  void resolve_links();
  bool parse_properties(pugi::xml_node properties, const std::string& id, FlowNode& node);
  bool parse_task_headers(pugi::xml_node headers, const std::string& id, FlowNode& node);
  bool parse_script(pugi::xml_node script, const std::string& id, FlowNode& node);
  // Compiles FEEL `text` into `out`; else reports it at `at` as `what` (e.g. "zeebe:script
  // expression").
  bool compile_expression(pugi::xml_node at, const std::string& id, const std::string& what,
                          std::string_view text, feel::Expression& out);
  bool parse_called_element(pugi::xml_node called, const std::string& id, FlowNode& node);
  bool parse_io_mapping(pugi::xml_node mapping, const std::string& id, FlowNode& node);
  bool parse_element_io_mapping(pugi::xml_node mapping, const std::string& id, FlowNode& node);
  // <multiInstanceLoopCharacteristics> with its zeebe:loopCharacteristics and
  // completionCondition (bpmn_parser_loops.cpp).
  bool parse_multi_instance(pugi::xml_node loop, const std::string& id, FlowNode& node);
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
  // <message> elements by id, and those whose errors were reported already.
  std::unordered_map<std::string, pugi::xml_node> messages_;
  std::unordered_set<std::string> bad_messages_;
  std::unordered_map<std::string, pugi::xml_node> errors_;  // <error> elements by id
};

}  // namespace pmiflow::model::detail
