// The parser's reading of call activities (bpmn_parser_impl.h): zeebe:calledElement, the
// zeebe:ioMapping of what the child gets and gives back, and the child's business id.
#include <string>
#include <string_view>

#include "engine/model/bpmn_parser_impl.h"
#include "engine/model/xml_text.h"

namespace pmiflow::model::detail {

bool Parser::compile_expression(pugi::xml_node at, const std::string& id, const std::string& what,
                                std::string_view text, feel::Expression& out) {
  feel::CompileError compile_error;
  if (feel::compile(text, out, compile_error)) return true;
  error(at, id,
        what + " does not parse: " + compile_error.message + " (column " +
            std::to_string(compile_error.column) + " of `" + std::string(text) + "`)");
  return false;
}

// <zeebe:calledElement processId="..." propagateAllChildVariables="..."
// propagateAllParentVariables="..." bindingType="latest"/>.
bool Parser::parse_called_element(pugi::xml_node called, const std::string& id, FlowNode& node) {
  if (!node.called_process.empty() || node.called_process_expression) {
    error(called, id, "more than one zeebe:calledElement");
    return false;
  }
  bool ok = true;
  const std::string_view process = trim(called.attribute("processId").value());
  if (process.empty()) {
    error(called, id, "zeebe:calledElement has no processId (the process the activity starts)");
    ok = false;
  } else if (process.front() == '=') {
    feel::Expression expression;
    if (compile_expression(called, id, "zeebe:calledElement processId", process, expression)) {
      node.called_process_expression = std::move(expression);
    } else {
      ok = false;
    }
  } else {
    node.called_process = std::string(process);
  }
  for (const char* flag : {"propagateAllChildVariables", "propagateAllParentVariables"}) {
    const std::string_view value = trim(called.attribute(flag).value());
    if (value.empty()) continue;
    if (value != "true" && value != "false") {
      error(called, id,
            "zeebe:calledElement " + std::string(flag) + " is '" + std::string(value) +
                "', not true or false");
      ok = false;
      continue;
    }
    (std::string_view(flag) == "propagateAllChildVariables" ? node.propagate_all_child_variables
                                                            : node.propagate_all_parent_variables) =
        value == "true";
  }
  const std::string_view binding = trim(called.attribute("bindingType").value());
  if (!binding.empty() && binding != "latest") {
    error(called, id,
          "zeebe:calledElement bindingType '" + std::string(binding) +
              "' is not supported (only latest: the newest version deployed when the activity "
              "starts)");
    ok = false;
  }
  return ok;
}

// A zeebe:ioMapping where Camunda 8 accepts one (docs/bpmn-support.md, "Variable mappings"):
// not on a gateway; no inputs on a start or boundary event (nothing runs before they happen).
bool Parser::parse_element_io_mapping(pugi::xml_node mapping, const std::string& id,
                                      FlowNode& node) {
  const std::string tag = "<" + std::string(node_kind_name(node.kind)) + ">";
  switch (node.kind) {
    case NodeKind::kExclusiveGateway:
    case NodeKind::kParallelGateway:
    case NodeKind::kEventBasedGateway:
    case NodeKind::kInclusiveGateway:
      error(mapping, id, "zeebe:ioMapping on " + tag + ": a gateway has no variable mappings");
      return false;
    default:
      break;
  }
  const std::size_t inputs_before = node.inputs.size();
  if (!parse_io_mapping(mapping, id, node)) return false;
  const bool starts = node.kind == NodeKind::kNoneStartEvent ||
                      node.kind == NodeKind::kMessageStartEvent ||
                      node.kind == NodeKind::kTimerStartEvent ||
                      node.kind == NodeKind::kErrorStartEvent || is_boundary_event(node.kind);
  if (starts && node.inputs.size() > inputs_before) {
    error(mapping, id,
          "zeebe:input on " + tag +
              ": an event that starts a flow has no input mappings (use zeebe:output)");
    return false;
  }
  return true;
}

// <zeebe:ioMapping> with <zeebe:input source="=..." target="name"/> and <zeebe:output .../>.
bool Parser::parse_io_mapping(pugi::xml_node mapping, const std::string& id, FlowNode& node) {
  bool ok = true;
  for (pugi::xml_node entry : mapping.children()) {
    if (entry.type() != pugi::node_element) continue;
    const std::string_view kind = local_name(entry);
    if (kind != "input" && kind != "output") {
      error(entry, id, "unsupported element <zeebe:" + std::string(kind) + "> in zeebe:ioMapping");
      ok = false;
      continue;
    }
    const std::string what = "zeebe:" + std::string(kind);
    std::string target(trim(entry.attribute("target").value()));
    std::string_view source = trim(entry.attribute("source").value());
    if (target.empty()) {
      error(entry, id, what + " has no target (the variable it sets)");
      ok = false;
      continue;
    }
    if (target.find('.') != std::string::npos) {
      error(entry, id,
            what + " target '" + target + "' is a path; only a variable name is supported");
      ok = false;
      continue;
    }
    // Zeebe reads a source without '=' as a static value: a string; FEEL writes it quoted.
    std::string text = source.empty() || source.front() == '=' ? std::string(source) : "";
    if (source.empty()) text = "null";
    if (!source.empty() && source.front() != '=') {
      text = "\"";
      for (char c : source) {
        if (c == '"' || c == '\\') text += '\\';
        text += c;
      }
      text += '"';
    }
    VariableMapping m{std::move(target), {}};
    if (!compile_expression(entry, id, what + " source of '" + m.target + "'", text, m.source)) {
      ok = false;
      continue;
    }
    (kind == "input" ? node.inputs : node.outputs).push_back(std::move(m));
  }
  return ok;
}

}  // namespace pmiflow::model::detail
