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
  Describer(const Event& e, const model::ProcessDefinition* def, Detail detail,
            const model::Vocabulary* words)
      : e_(e), def_(def), detail_(detail), words_(words) {}

  std::string operator()(const InstanceCreated& p) const {
    std::vector<std::string> vars;
    for (const auto& [name, value] : p.variables) vars.push_back(named_value(name, value));
    std::vector<std::string> tags;
    for (const auto& [name, value] : p.tags) tags.push_back(field(name) + " " + value);
    return "se inició la instancia: " + p.process + " v" + std::to_string(e_.definition_version) +
           ", id de negocio " + p.business_id + (tags.empty() ? "" : " (" + join(tags) + ")") +
           (vars.empty() ? "" : "; variables: " + join(vars)) +
           (p.parent_instance == 0
                ? ""
                : "; llamada por la instancia " + std::to_string(p.parent_instance) + " en " +
                      p.parent_element + " (instancia de elemento " + std::to_string(p.parent_key) +
                      ")");
  }
  std::string operator()(const ChildInstanceCreated& p) const {
    return "se inició la instancia " + std::to_string(p.child) + " de " + p.process +
           ", id de negocio " + p.business_id + ": " + label(p.element);
  }
  std::string operator()(const ElementActivated& p) const {
    if (p.kind == kMultiInstanceBodyKind) return "entró a la multi-instancia: " + label(p.element);
    return node_word(p.element, p.kind, true) + ": " + label(p.element);
  }
  std::string operator()(const MultiInstanceStarted& p) const {
    const std::size_t n = p.items.is_array() ? p.items.size() : 0;
    return "la multi-instancia se ejecuta " + std::to_string(n) + (n == 1 ? " vez" : " veces") +
           ": " + label(p.element);
  }
  std::string operator()(const MultiInstanceOutput& p) const {
    return "resultado " + std::to_string(p.index) +
           " de la multi-instancia = " + value_text("", p.value) + ": " + label(p.element);
  }
  std::string operator()(const ElementCompleted& p) const {
    return node_word(p.element, "", false) + ": " + label(p.element);
  }
  std::string operator()(const ElementTerminated& p) const {
    return "se interrumpió: " + label(p.element);
  }
  std::string operator()(const FlowTaken& p) const {
    return "flujo " + p.flow + ": " + short_label(def_, p.from) + " → " + short_label(def_, p.to);
  }
  std::string operator()(const UserTaskCreated& p) const {
    std::vector<std::string> roles;
    for (const auto& g : p.candidate_groups) roles.push_back(words_ ? words_->role(g) : g);
    return "tarea " + id(p.key) +
           (roles.empty() ? " abierta para cualquier rol" : " abierta para " + join(roles)) + ": " +
           label(p.element);
  }
  std::string operator()(const UserTaskCompleted& p) const {
    return "tarea " + id(p.key) + " completada: " + label(p.element);
  }
  std::string operator()(const UserTaskCanceled& p) const {
    return "tarea " + id(p.key) + " cancelada: " + label(p.element);
  }
  std::string operator()(const VariablesSet& p) const {
    std::string out = p.scope == kProcessScope ? "cambiaron las variables"
                                               : "cambiaron las variables locales de la "
                                                 "instancia de elemento " +
                                                     std::to_string(p.scope);
    if (!p.element.empty()) out += " en " + short_label(def_, p.element);
    out += ": ";
    bool first = true;
    for (const auto& c : p.changes) {
      out += (first ? "" : "; ") + field(c.name) + ": " +
             (c.old ? value_text(c.name, *c.old) : "(sin valor)") + " → " +
             value_text(c.name, c.value);
      first = false;
    }
    return out;
  }
  std::string operator()(const JobCreated& p) const {
    return "trabajo " + id(p.key) + " creado para el manejador " + p.type + " (" +
           std::to_string(p.retries) + " reintentos): " + label(p.element);
  }
  std::string operator()(const JobCompleted& p) const {
    return "trabajo " + id(p.key) + " completado: " + label(p.element);
  }
  std::string operator()(const JobFailed& p) const {
    return "trabajo " + id(p.key) + " falló (quedan " + std::to_string(p.retries_left) +
           " reintentos" +
           (p.retry_at != 0 ? ", se reintenta desde el " + model::date_time_text(p.retry_at)
                            : std::string()) +
           "): " + p.message;
  }
  std::string operator()(const JobRetriesUpdated& p) const {
    return "trabajo " + id(p.key) + " recibió " + std::to_string(p.retries) +
           " reintentos: " + label(p.element);
  }
  std::string operator()(const JobActivated& p) const {
    return "trabajo " + id(p.key) + " tomado por el worker " + p.worker + " hasta el " +
           model::date_time_text(p.deadline) + " (token " + std::to_string(p.token) +
           "): " + label(p.element);
  }
  std::string operator()(const JobLeaseExtended& p) const {
    return "trabajo " + id(p.key) + ": plazo extendido hasta el " +
           model::date_time_text(p.deadline) + " (token " + std::to_string(p.token) + ")";
  }
  std::string operator()(const JobCanceled& p) const {
    return "trabajo " + id(p.key) + " cancelado: " + label(p.element);
  }
  std::string operator()(const IncidentRaised& p) const {
    return "INCIDENTE " + id(p.key) + " (" + p.kind + ") en " + label(p.element) + ": " + p.message;
  }
  std::string operator()(const IncidentResolved& p) const {
    return "incidente " + id(p.key) + " resuelto";
  }
  std::string operator()(const DecisionTaken& p) const {
    std::string target;
    if (def_ != nullptr) {
      auto f = def_->find_flow(p.flow);
      if (f != model::kNone && def_->flow(f).target != model::kNone) {
        target = " hacia " + short_label(def_, def_->node(def_->flow(f).target).id);
      }
    }
    std::string out = "decisión en " + label(p.element) + ": ";
    std::vector<std::string> evaluated;
    for (const auto& r : p.evaluated) {
      evaluated.push_back("`" + r.condition + "` dio " + truth(r.result));
    }
    if (p.is_default) {
      out += "tomó el flujo por defecto " + p.flow + target;
      if (!evaluated.empty()) out += " (" + join(evaluated) + ")";
    } else if (!p.condition.empty()) {
      out += "tomó el flujo " + p.flow + target + " porque `" + p.condition + "` es verdadero";
    } else {
      out += "tomó el flujo " + p.flow + target;
    }
    std::vector<std::string> seen;
    for (const auto& [name, value] : p.inputs) seen.push_back(named_value(name, value));
    if (!seen.empty()) out += "; valores vistos: " + join(seen);
    return out;
  }
  std::string operator()(const InstanceCompleted& p) const {
    return "la instancia terminó" + (p.element.empty() ? "" : " en " + label(p.element));
  }
  std::string operator()(const InstanceTerminated& p) const {
    return "la instancia fue terminada" + (p.element.empty() ? "" : " por " + label(p.element));
  }
  std::string operator()(const RecordWritten& p) const {
    return "se escribió el registro «" + (words_ ? words_->record(p.record) : p.record) + "» en " +
           label(p.element) +
           (p.responsible.empty()
                ? ""
                : "; responsable: " + (words_ ? words_->role(p.responsible) : p.responsible));
  }
  std::string operator()(const MessageQueued& p) const {
    return "mensaje a " + p.subprocess + " en la bandeja de salida (" + id(p.key) + "-" +
           p.subprocess + ") en " + label(p.element);
  }
  std::string operator()(const TimerCreated& p) const {
    return "temporizador " + id(p.key) + " programado para el " + model::date_time_text(p.due) +
           (p.cycle.empty()
                ? ""
                : " (ciclo " + p.cycle + ", disparo " + std::to_string(p.fire + 1) + ")") +
           ": " + label(p.element);
  }
  std::string operator()(const TimerTriggered& p) const {
    return "temporizador " + id(p.key) + " disparado: " + label(p.element);
  }
  std::string operator()(const TimerCanceled& p) const {
    return "temporizador " + id(p.key) + " cancelado: " + label(p.element);
  }
  std::string operator()(const MessageSubscriptionOpened& p) const {
    return "espera el mensaje «" + p.name + "» con la clave «" + p.correlation_key + "» (" +
           id(p.key) + "): " + label(p.element);
  }
  std::string operator()(const MessageCorrelated& p) const {
    return "se recibió el mensaje «" + p.name + "»" +
           (p.correlation_key.empty() ? "" : " con la clave «" + p.correlation_key + "»") +
           " (mensaje " + std::to_string(p.message_key) +
           (p.message_id.empty() ? "" : ", id «" + p.message_id + "»") + "): " + label(p.element);
  }
  std::string operator()(const MessageSubscriptionClosed& p) const {
    return "se cerró la espera del mensaje " + id(p.key) + ": " + label(p.element);
  }
  std::string operator()(const ErrorThrown& p) const {
    return "se lanzó el error «" + p.code + "»" +
           (p.message.empty() ? "" : " (" + p.message + ")") + ": " + label(p.element) +
           (p.caught_by.empty() ? ", nadie lo captura" : ", lo captura " + label(p.caught_by));
  }

 private:
  std::string id(std::int64_t key) const {
    return std::to_string(e_.instance_id) + "-" + std::to_string(key);
  }
  std::string label(const std::string& element) const { return element_label(def_, element); }
  std::string field(const std::string& name) const { return words_ ? words_->field(name) : name; }
  std::string named_value(const std::string& name, const Json& value) const {
    return field(name) + " = " + value_text(name, value);
  }
  static std::string truth(const Json& v) {
    if (v.is_boolean()) return v.get<bool>() ? "verdadero" : "falso";
    return json_text(v);
  }

  // The value of variable `name` as people read it (with a vocabulary) or as JSON; cut to 80
  // characters in a brief description.
  std::string value_text(const std::string& name, const Json& v) const {
    std::string s = words_ != nullptr ? words_->value(name, v) : json_text(v);
    if (words_ != nullptr && v.is_string()) s = "«" + s + "»";
    if (detail_ == Detail::kBrief && s.size() > 80) {
      std::size_t cut = 77;
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
      s = s.substr(0, cut) + "...";
    }
    return s;
  }

  // "inició la actividad", "pasó la compuerta", ...: by the node's kind in the definition, else
  // the kind the event recorded.
  std::string node_word(const std::string& element, std::string kind, bool entered) const {
    if (const model::FlowNode* node = find_node(def_, element)) {
      kind = model::node_kind_name(node->kind);
    }
    if (kind == "userTask" || kind == "serviceTask" || kind == "subProcess" ||
        kind == "manualTask" || kind == "task" || kind == "scriptTask" || kind == "sendTask" ||
        kind == "receiveTask" || kind == "businessRuleTask" || kind == "callActivity") {
      return entered ? "inició la actividad" : "terminó la actividad";
    }
    if (kind.ends_with("Gateway")) return entered ? "llegó a la compuerta" : "pasó la compuerta";
    if (kind.ends_with("Event")) return entered ? "llegó al evento" : "pasó el evento";
    return entered ? "entró a" : "salió de";
  }

  const Event& e_;
  const model::ProcessDefinition* def_;
  Detail detail_;
  const model::Vocabulary* words_;
};

}  // namespace

std::string describe_event(const Event& event, const model::ProcessDefinition* def, Detail detail,
                           const model::Vocabulary* words) {
  return std::visit(Describer(event, def, detail, words), event.body);
}

std::string describe_actor(const Actor& a, const model::Vocabulary* words) {
  if (a.kind == "user") {
    return "usuario " + a.id +
           (a.role.empty() ? "" : " (" + (words ? words->role(a.role) : a.role) + ")");
  }
  if (a.kind == "handler") return "manejador " + a.id;
  if (a.kind == "message") return "mensaje " + a.id;
  return a.kind.empty() || a.kind == "engine" ? "motor" : a.kind;
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
