// The parser's event definitions (bpmn_parser_impl.h): timers, messages, errors, boundary
// events' attachments and links.
#include <algorithm>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "engine/model/bpmn_parser_impl.h"
#include "engine/model/xml_text.h"

namespace pmiflow::model::detail {

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

void Parser::index_messages(pugi::xml_node definitions) {
  for (pugi::xml_node child : definitions.children()) {
    if (child.type() != pugi::node_element || !is_bpmn(child)) continue;
    const std::string_view name = local_name(child);
    if (name != "message" && name != "error") continue;
    std::string id = id_of(child);
    if (id.empty()) continue;
    // The first of a duplicate id is kept.
    (name == "message" ? messages_ : errors_).emplace(std::move(id), child);
  }
}

// An <errorEventDefinition>'s errorRef: the <error> with its errorCode (a literal: Zeebe's
// `=expression` codes are not supported). A catch event may name none (it catches every
// error); a throw event must name one with a code.
bool Parser::parse_error_ref(pugi::xml_node at, const std::string& id, FlowNode& node,
                             bool throwing) {
  ErrorDefinition error_definition;
  const std::string ref(trim(at.attribute("errorRef").value()));
  if (ref.empty()) {
    if (!throwing) {
      node.error = std::move(error_definition);
      return true;
    }
    error(at, id, "error end event has no errorRef (the <error> whose code it throws)");
    return false;
  }
  auto found = errors_.find(ref);
  if (found == errors_.end()) {
    error(at, id, "errorRef '" + ref + "' names no <error> of the definitions");
    return false;
  }
  error_definition.id = ref;
  error_definition.name = std::string(trim(found->second.attribute("name").value()));
  error_definition.code = std::string(trim(found->second.attribute("errorCode").value()));
  if (!error_definition.code.empty() && error_definition.code.front() == '=') {
    error(found->second, id,
          "<error> '" + ref + "' errorCode '" + error_definition.code +
              "' is an expression; only a literal error code is supported");
    return false;
  }
  if (throwing && error_definition.code.empty()) {
    error(found->second, id,
          "<error> '" + ref + "' has no errorCode: the error end event '" + id +
              "' throws no code a boundary event or an event subprocess could catch");
    return false;
  }
  node.error = std::move(error_definition);
  return true;
}

// A <message>: its name (a literal: Zeebe's `=expression` names are not supported) and its
// zeebe:subscription correlationKey (a FEEL expression, with or without the leading '=', as
// Camunda Modeler writes it). Its errors are reported at the <message>, once.
bool Parser::parse_message_ref(pugi::xml_node at, const std::string& id, FlowNode& node,
                               bool catching) {
  const std::string tag = "<" + std::string(local_name(at)) + ">";
  const std::string node_tag = std::string("<") + node_kind_name(node.kind) + ">";
  const std::string ref(trim(at.attribute("messageRef").value()));
  if (ref.empty()) {
    error(at, id,
          tag + (catching || node.kind == NodeKind::kMessageStartEvent
                     ? " has no messageRef (the <message> it waits for)"
                     : " has no messageRef (the <message> it sends)"));
    return false;
  }
  auto found = messages_.find(ref);
  if (found == messages_.end()) {
    error(at, id, "messageRef '" + ref + "' names no <message> of the definitions");
    return false;
  }
  const pugi::xml_node element = found->second;
  if (bad_messages_.count(ref) != 0) return false;
  auto bad = [&](pugi::xml_node where, const std::string& message) {
    bad_messages_.insert(ref);
    error(where, ref, message);
    return false;
  };
  MessageDefinition message;
  message.id = ref;
  message.name = std::string(trim(element.attribute("name").value()));
  if (message.name.empty()) return bad(element, "<message> has no name");
  if (message.name.front() == '=') {
    return bad(element, "<message> name '" + message.name +
                            "' is an expression; only a literal message name is supported");
  }
  for (pugi::xml_node child : element.children()) {
    if (child.type() != pugi::node_element || local_name(child) != "extensionElements") continue;
    for (pugi::xml_node ext : child.children()) {
      if (ext.type() != pugi::node_element || namespace_of(ext) != kZeebeNamespace ||
          local_name(ext) != "subscription") {
        continue;
      }
      std::string_view text = trim(ext.attribute("correlationKey").value());
      if (!text.empty() && text.front() == '=') text = trim(text.substr(1));
      if (text.empty()) continue;
      feel::Expression expression;
      feel::CompileError compile_error;
      if (!feel::compile(text, expression, compile_error)) {
        return bad(ext, "zeebe:subscription correlationKey `" + std::string(text) +
                            "` does not parse: " + compile_error.message);
      }
      message.correlation_key_text = std::string(text);
      message.correlation_key = std::move(expression);
    }
  }
  if (catching && !message.correlation_key) {
    error(element, id,
          "message '" + message.name + "' (" + ref +
              ") has no zeebe:subscription correlationKey: the " + node_tag +
              " waits for the message with the key it gives");
    return false;
  }
  node.message = std::move(message);
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

// Joins each link throw event to the link catch event of the same name in its (sub)process:
// one catch per name and scope, and a throw whose name no catch of its scope has is an error.
void Parser::resolve_links() {
  std::map<std::pair<NodeIndex, std::string>, NodeIndex> catches;  // (scope, name) -> catch
  for (NodeIndex i = 0; i < def_.nodes.size(); ++i) {
    const FlowNode& node = def_.nodes[i];
    if (node.kind != NodeKind::kLinkCatchEvent) continue;
    auto [it, inserted] = catches.emplace(std::pair{node.parent, node.link_name}, i);
    if (!inserted) {
      report(Severity::kError, node.location, node.id,
             "another link catch event, '" + def_.nodes[it->second].id + "', has the link name '" +
                 node.link_name + "' in this (sub)process");
    }
  }
  for (FlowNode& node : def_.nodes) {
    if (node.kind != NodeKind::kLinkThrowEvent) continue;
    auto it = catches.find({node.parent, node.link_name});
    if (it == catches.end()) {
      report(Severity::kError, node.location, node.id,
             "no link catch event named '" + node.link_name +
                 "' in this (sub)process (a link jumps within its scope)");
    } else {
      node.link_target = it->second;
    }
  }
}

}  // namespace pmiflow::model::detail
