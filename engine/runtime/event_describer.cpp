#include "engine/runtime/event_describer.h"

#include <vector>

#include "engine/common/time_text.h"

namespace pmiflow::runtime {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

const model::FlowNode* find_node(const model::ProcessDefinition* def, const std::string& id) {
  if (def == nullptr || id.empty()) return nullptr;
  auto n = def->find_node(id);
  return n == model::kNone ? nullptr : &def->node(n);
}

// Describes one event's body: one member per event type.
class Describer {
 public:
  Describer(const Event& e, const model::ProcessDefinition* def, Detail detail)
      : e_(e), def_(def), detail_(detail) {}

  std::string operator()(const InstanceCreated& p) const {
    std::vector<std::string> vars;
    for (const auto& [name, value] : p.variables) vars.push_back(name + " = " + value_text(value));
    std::vector<std::string> tags;
    for (const auto& [name, value] : p.tags) tags.push_back(name + " " + value);
    return "instance started: " + p.process + " v" + std::to_string(e_.definition_version) +
           ", business id " + p.business_id + (tags.empty() ? "" : " (" + join(tags) + ")") +
           (vars.empty() ? "" : "; variables: " + join(vars)) +
           (p.parent_instance == 0 ? ""
                                   : "; called by instance " + std::to_string(p.parent_instance) +
                                         " at " + p.parent_element + " (element instance " +
                                         std::to_string(p.parent_key) + ")");
  }
  std::string operator()(const ChildInstanceCreated& p) const {
    return "started instance " + std::to_string(p.child) + " of " + p.process + ", business id " +
           p.business_id + ": " + label(p.element);
  }
  std::string operator()(const ElementActivated& p) const {
    if (p.kind == kMultiInstanceBodyKind) return "multi-instance entered: " + label(p.element);
    return node_word(p.element, p.kind, true) + ": " + label(p.element);
  }
  std::string operator()(const MultiInstanceStarted& p) const {
    const std::size_t n = p.items.is_array() ? p.items.size() : 0;
    return "multi-instance runs " + std::to_string(n) + (n == 1 ? " time" : " times") + ": " +
           label(p.element);
  }
  std::string operator()(const MultiInstanceOutput& p) const {
    return "multi-instance output " + std::to_string(p.index) + " = " + value_text(p.value) + ": " +
           label(p.element);
  }
  std::string operator()(const ElementCompleted& p) const {
    return node_word(p.element, "", false) + ": " + label(p.element);
  }
  std::string operator()(const ElementTerminated& p) const {
    return "terminated: " + label(p.element);
  }
  std::string operator()(const FlowTaken& p) const {
    return "flow " + p.flow + ": " + short_label(def_, p.from) + " -> " + short_label(def_, p.to);
  }
  std::string operator()(const UserTaskCreated& p) const {
    return "task " + id(p.key) + " opened for " + join(p.candidate_groups) + ": " +
           label(p.element);
  }
  std::string operator()(const UserTaskCompleted& p) const {
    return "task " + id(p.key) + " completed: " + label(p.element);
  }
  std::string operator()(const UserTaskCanceled& p) const {
    return "task " + id(p.key) + " canceled: " + label(p.element);
  }
  std::string operator()(const VariablesSet& p) const {
    std::vector<std::string> parts;
    for (const auto& c : p.changes) {
      parts.push_back(c.name + ": " + (c.old ? value_text(*c.old) : "(unset)") + " -> " +
                      value_text(c.value));
    }
    std::string out = p.scope == kProcessScope ? "variables changed"
                                               : "local variables of element instance " +
                                                     std::to_string(p.scope) + " changed";
    if (!p.element.empty()) out += " at " + short_label(def_, p.element);
    out += ": ";
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : "; ") + parts[i];
    return out;
  }
  std::string operator()(const JobCreated& p) const {
    return "job " + id(p.key) + " created for handler " + p.type + " (retries " +
           std::to_string(p.retries) + "): " + label(p.element);
  }
  std::string operator()(const JobCompleted& p) const {
    return "job " + id(p.key) + " completed: " + label(p.element);
  }
  std::string operator()(const JobFailed& p) const {
    return "job " + id(p.key) + " failed (" + std::to_string(p.retries_left) + " retries left" +
           (p.retry_at != 0 ? ", retried from " + format_time(p.retry_at) : std::string()) +
           "): " + p.message;
  }
  std::string operator()(const JobRetriesUpdated& p) const {
    return "job " + id(p.key) + " given " + std::to_string(p.retries) +
           " retries: " + label(p.element);
  }
  std::string operator()(const JobActivated& p) const {
    return "job " + id(p.key) + " activated by worker " + p.worker + " until " +
           format_time(p.deadline) + " (token " + std::to_string(p.token) +
           "): " + label(p.element);
  }
  std::string operator()(const JobLeaseExtended& p) const {
    return "job " + id(p.key) + " lease extended until " + format_time(p.deadline) + " (token " +
           std::to_string(p.token) + ")";
  }
  std::string operator()(const JobCanceled& p) const {
    return "job " + id(p.key) + " canceled: " + label(p.element);
  }
  std::string operator()(const IncidentRaised& p) const {
    return "INCIDENT " + id(p.key) + " (" + p.kind + ") at " + label(p.element) + ": " + p.message;
  }
  std::string operator()(const IncidentResolved& p) const {
    return "incident " + id(p.key) + " resolved";
  }
  std::string operator()(const DecisionTaken& p) const {
    std::string target;
    if (def_ != nullptr) {
      auto f = def_->find_flow(p.flow);
      if (f != model::kNone && def_->flow(f).target != model::kNone) {
        target = " to " + short_label(def_, def_->node(def_->flow(f).target).id);
      }
    }
    std::string out = "decision at " + label(p.element) + ": ";
    std::vector<std::string> evaluated;
    for (const auto& r : p.evaluated) {
      evaluated.push_back("`" + r.condition + "` gave " + value_text(r.result));
    }
    if (p.is_default) {
      out += "took the default flow " + p.flow + target;
      if (!evaluated.empty()) out += " (" + join(evaluated) + ")";
    } else if (!p.condition.empty()) {
      out += "took flow " + p.flow + target + " because `" + p.condition + "` is true";
    } else {
      out += "took flow " + p.flow + target;
    }
    std::vector<std::string> seen;
    for (const auto& [name, value] : p.inputs) seen.push_back(name + " = " + value_text(value));
    if (!seen.empty()) out += "; values seen: " + join(seen);
    return out;
  }
  std::string operator()(const InstanceCompleted& p) const {
    return "instance completed" + (p.element.empty() ? "" : " at " + label(p.element));
  }
  std::string operator()(const InstanceTerminated& p) const {
    return "instance terminated" + (p.element.empty() ? "" : " by " + label(p.element));
  }
  std::string operator()(const RecordWritten& p) const {
    return "record \"" + p.record + "\" written at " + label(p.element);
  }
  std::string operator()(const MessageQueued& p) const {
    return "message to " + p.subprocess + " queued in the outbox (" + id(p.key) + "-" +
           p.subprocess + ") at " + label(p.element);
  }
  std::string operator()(const TimerCreated& p) const {
    return "timer " + id(p.key) + " set for " + format_time(p.due) +
           (p.cycle.empty() ? ""
                            : " (cycle " + p.cycle + ", fire " + std::to_string(p.fire + 1) + ")") +
           ": " + label(p.element);
  }
  std::string operator()(const TimerTriggered& p) const {
    return "timer " + id(p.key) + " fired: " + label(p.element);
  }
  std::string operator()(const TimerCanceled& p) const {
    return "timer " + id(p.key) + " canceled: " + label(p.element);
  }
  std::string operator()(const MessageSubscriptionOpened& p) const {
    return "waiting for message \"" + p.name + "\" with key \"" + p.correlation_key + "\" (" +
           id(p.key) + "): " + label(p.element);
  }
  std::string operator()(const MessageCorrelated& p) const {
    return "message \"" + p.name + "\"" +
           (p.correlation_key.empty() ? "" : " with key \"" + p.correlation_key + "\"") +
           " received (message " + std::to_string(p.message_key) +
           (p.message_id.empty() ? "" : ", id \"" + p.message_id + "\"") + "): " + label(p.element);
  }
  std::string operator()(const MessageSubscriptionClosed& p) const {
    return "message subscription " + id(p.key) + " closed: " + label(p.element);
  }
  std::string operator()(const ErrorThrown& p) const {
    return "error \"" + p.code + "\" thrown" + (p.message.empty() ? "" : " (" + p.message + ")") +
           ": " + label(p.element) +
           (p.caught_by.empty() ? ", caught by nothing" : ", caught by " + label(p.caught_by));
  }

 private:
  std::string id(std::int64_t key) const {
    return std::to_string(e_.instance_id) + "-" + std::to_string(key);
  }
  std::string label(const std::string& element) const { return element_label(def_, element); }

  std::string value_text(const Json& v) const {
    std::string s = json_text(v);
    if (detail_ == Detail::kBrief && s.size() > 80) {
      std::size_t cut = 77;
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
      s = s.substr(0, cut) + "...";
    }
    return s;
  }

  // "activity entered", "gateway passed", ...: by the node's kind in the definition, else the
  // kind the event recorded.
  std::string node_word(const std::string& element, std::string kind, bool entered) const {
    if (const model::FlowNode* node = find_node(def_, element)) {
      kind = model::node_kind_name(node->kind);
    }
    if (kind == "userTask" || kind == "serviceTask" || kind == "subProcess" ||
        kind == "manualTask" || kind == "task") {
      return entered ? "activity entered" : "activity completed";
    }
    if (kind == "exclusiveGateway" || kind == "parallelGateway") {
      return entered ? "gateway reached" : "gateway passed";
    }
    if (kind == "startEvent" || kind == "endEvent" || kind == "intermediateCatchEvent" ||
        kind == "intermediateThrowEvent" || kind == "boundaryEvent") {
      return entered ? "event reached" : "event passed";
    }
    return entered ? "entered" : "completed";
  }

  const Event& e_;
  const model::ProcessDefinition* def_;
  Detail detail_;
};

}  // namespace

std::string describe_event(const Event& event, const model::ProcessDefinition* def, Detail detail) {
  return std::visit(Describer(event, def, detail), event.body);
}

std::string describe_actor(const Actor& a) {
  if (a.kind == "user") return "user " + a.id + (a.role.empty() ? "" : " (" + a.role + ")");
  if (a.kind == "handler") return "handler " + a.id;
  return a.kind.empty() ? "engine" : a.kind;
}

std::string event_element(const Event& event) {
  if (const auto* flow = event.get_if<FlowTaken>()) return flow->flow;
  return std::visit(
      [](const auto& body) -> std::string {
        if constexpr (requires { body.element; }) {
          return body.element;
        } else {
          return "";
        }
      },
      event.body);
}

std::string element_label(const model::ProcessDefinition* def, const std::string& id) {
  if (const model::FlowNode* node = find_node(def, id); node != nullptr && !node->name.empty()) {
    return node->name + " [" + id + "]";
  }
  return id;
}

std::string bpmn_name(const model::ProcessDefinition* def, const std::string& id) {
  if (const model::FlowNode* node = find_node(def, id)) return node->name;
  if (def != nullptr && !id.empty()) {
    auto f = def->find_flow(id);
    if (f != model::kNone) return def->flow(f).name;
  }
  return "";
}

std::string short_label(const model::ProcessDefinition* def, const std::string& id) {
  std::string name = bpmn_name(def, id);
  return name.empty() ? id : name;
}

}  // namespace pmiflow::runtime
