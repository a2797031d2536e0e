// The parser's reading of multi-instance activities (bpmn_parser_impl.h): BPMN's
// multiInstanceLoopCharacteristics with Camunda 8's zeebe:loopCharacteristics and a FEEL
// completionCondition.
#include <cctype>
#include <string>
#include <string_view>

#include "engine/model/bpmn_parser_impl.h"
#include "engine/model/xml_text.h"

namespace pmiflow::model::detail {
namespace {

// Whether `text` is a variable's name (a FEEL name of letters, digits and '_').
bool is_name(std::string_view text) {
  if (text.empty() ||
      !(std::isalpha(static_cast<unsigned char>(text.front())) || text.front() == '_')) {
    return false;
  }
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// An expression's text without its leading '=' (Camunda writes `=items`, FEEL reads `items`).
std::string_view unmarked(std::string_view text) {
  return !text.empty() && text.front() == '=' ? trim(text.substr(1)) : text;
}

}  // namespace

// <multiInstanceLoopCharacteristics isSequential="...">
//   <extensionElements><zeebe:loopCharacteristics inputCollection="=..." inputElement="..."
//     outputCollection="..." outputElement="=..."/></extensionElements>
//   <completionCondition>=...</completionCondition>
// </multiInstanceLoopCharacteristics>
bool Parser::parse_multi_instance(pugi::xml_node loop, const std::string& id, FlowNode& node) {
  if (node.loop) {
    error(loop, id, "more than one <multiInstanceLoopCharacteristics>");
    return false;
  }
  MultiInstance mi;
  bool ok = true;
  const std::string_view sequential = trim(loop.attribute("isSequential").value());
  if (!sequential.empty() && sequential != "true" && sequential != "false") {
    error(loop, id, "isSequential is '" + std::string(sequential) + "', not true or false");
    ok = false;
  }
  mi.sequential = sequential == "true";
  bool has_characteristics = false;
  for (pugi::xml_node child : loop.children()) {
    if (child.type() != pugi::node_element || !is_bpmn(child)) continue;
    const std::string_view name = local_name(child);
    if (name == "documentation") continue;
    if (name == "completionCondition") {
      const std::string_view text = trim(child.child_value());
      if (text.empty()) continue;
      feel::Expression condition;
      if (text.front() != '=') {
        error(child, id,
              "completionCondition '" + std::string(text) +
                  "' is not a FEEL expression (it starts with '=')");
        ok = false;
      } else if (compile_expression(child, id, "completionCondition", text, condition)) {
        mi.completion_condition = std::move(condition);
      } else {
        ok = false;
      }
      continue;
    }
    if (name == "extensionElements") {
      for (pugi::xml_node ext : child.children()) {
        if (ext.type() != pugi::node_element || namespace_of(ext) != kZeebeNamespace ||
            local_name(ext) != "loopCharacteristics") {
          continue;
        }
        if (has_characteristics) {
          error(ext, id, "more than one zeebe:loopCharacteristics");
          ok = false;
          continue;
        }
        has_characteristics = true;
        const std::string_view input = trim(ext.attribute("inputCollection").value());
        if (input.empty()) {
          error(ext, id,
                "zeebe:loopCharacteristics has no inputCollection (the list the activity runs "
                "once per element of)");
          ok = false;
        } else if (!compile_expression(ext, id, "zeebe:loopCharacteristics inputCollection", input,
                                       mi.input_collection)) {
          ok = false;
        }
        mi.input_element = std::string(trim(ext.attribute("inputElement").value()));
        mi.output_collection = std::string(trim(ext.attribute("outputCollection").value()));
        for (const std::string* variable : {&mi.input_element, &mi.output_collection}) {
          if (!variable->empty() && !is_name(*variable)) {
            error(ext, id,
                  "zeebe:loopCharacteristics " +
                      std::string(variable == &mi.input_element ? "inputElement"
                                                                : "outputCollection") +
                      " '" + *variable + "' is not a variable's name");
            ok = false;
          }
        }
        const std::string_view output = trim(ext.attribute("outputElement").value());
        if (!output.empty()) {
          feel::Expression expression;
          if (compile_expression(ext, id, "zeebe:loopCharacteristics outputElement", output,
                                 expression)) {
            mi.output_element = std::move(expression);
            if (is_name(unmarked(output))) mi.output_variable = std::string(unmarked(output));
          } else {
            ok = false;
          }
        }
        if (mi.output_element.has_value() != !mi.output_collection.empty()) {
          error(ext, id,
                "zeebe:loopCharacteristics has an " +
                    std::string(mi.output_element ? "outputElement without an outputCollection"
                                                  : "outputCollection without an outputElement") +
                    " (the two go together)");
          ok = false;
        }
      }
      continue;
    }
    // loopCardinality, loopDataInputRef, inputDataItem, complexBehaviorDefinition, ...
    error(child, id,
          "unsupported element <" + std::string(name) +
              "> in <multiInstanceLoopCharacteristics> (a multi-instance runs over a "
              "zeebe:loopCharacteristics inputCollection)");
    ok = false;
  }
  if (!has_characteristics && ok) {
    error(loop, id,
          "<multiInstanceLoopCharacteristics> needs a zeebe:loopCharacteristics with an "
          "inputCollection (the list the activity runs once per element of)");
    ok = false;
  }
  if (ok) node.loop = std::move(mi);
  return ok;
}

}  // namespace pmiflow::model::detail
