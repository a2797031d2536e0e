#include "engine/runtime/interpreter.h"

#include <algorithm>
#include <deque>
#include <string>
#include <utility>

#include "engine/runtime/applier.h"

namespace pmiflow::runtime {
namespace {

using model::FlowIndex;
using model::FlowNode;
using model::kNone;
using model::NodeIndex;
using model::NodeKind;
using model::ProcessDefinition;

const char* json_type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::string:
      return "string";
    case Json::value_t::array:
      return "list";
    case Json::value_t::object:
      return "context";
    default:
      return v.is_number() ? "number" : "value";
  }
}

// One command's run: a working copy of the state that every emitted event is applied to, so
// that the processors always read the state the events so far have produced.
class Run {
 public:
  Run(const ProcessDefinition& def, std::int32_t version, InstanceState state, std::int64_t now)
      : def_(def), version_(version), state_(std::move(state)), now_(now) {}

  std::vector<Event> take_events() { return std::move(events_); }
  InstanceState& state() { return state_; }
  void set_actor(Actor actor) { actor_ = std::move(actor); }

  void emit(EventType type, Json payload) {
    Event e;
    e.instance_id = state_.id;
    e.seq = state_.last_seq + 1;
    e.type = type;
    e.time_ms = now_;
    e.actor = actor_;
    e.definition_version = version_;
    e.payload = std::move(payload);
    apply(state_, e);
    events_.push_back(std::move(e));
  }

  // Emits VariablesSet for the variables whose value changes.
  void set_variables(const Variables& vars, const std::string& element) {
    Json changes = Json::array();
    for (const auto& [name, value] : vars) {
      auto it = state_.variables.find(name);
      if (it != state_.variables.end() && it->second == value) continue;
      Json change = {{"name", name}, {"new", value}};
      if (it != state_.variables.end()) change["old"] = it->second;
      changes.push_back(std::move(change));
    }
    if (changes.empty()) return;
    Json payload = {{"changes", std::move(changes)}};
    if (!element.empty()) payload["element"] = element;
    emit(EventType::kVariablesSet, std::move(payload));
  }

  void activate_start() { queue_.push_back(Step{def_.start_events.front(), kNone, {}}); }

  // What a task's completion writes besides variables: its record and its outbound messages
  // (model: pmiflow.record / pmiflow.notify), carrying the variables the completion set.
  void write_outputs(const FlowNode& node, std::int64_t key, const Variables& vars) {
    if (node.record.empty() && node.notify.empty()) return;
    Json data = Json::object();
    for (const auto& [name, value] : vars) data[name] = value;
    const BusinessKey& bk = state_.business_key;
    if (!node.record.empty()) {
      emit(EventType::kRecordWritten, {{"record", node.record},
                                       {"element", node.id},
                                       {"key", key},
                                       {"school", bk.school},
                                       {"period", bk.period},
                                       {"data", data}});
    }
    for (const auto& subprocess : node.notify) {
      emit(EventType::kMessageQueued, {{"subprocess", subprocess},
                                       {"element", node.id},
                                       {"key", key},
                                       {"school", bk.school},
                                       {"period", bk.period},
                                       {"data", data}});
    }
  }

  // Completes an active element instance and, as the engine, moves its token on.
  void complete(std::int64_t key, NodeIndex node) {
    emit(EventType::kElementCompleted, {{"element", def_.node(node).id}, {"key", key}});
    actor_ = Actor::engine();
    for (FlowIndex f : def_.node(node).outgoing) take(f);
  }

  void raise_incident(std::int64_t element_key, const std::string& element, const std::string& kind,
                      const std::string& message) {
    emit(EventType::kIncidentRaised, {{"key", state_.next_key},
                                      {"element", element},
                                      {"element_key", element_key},
                                      {"kind", kind},
                                      {"message", message}});
  }

  // Decides an exclusive gateway whose element instance is active under `key`.
  void decide(std::int64_t key, NodeIndex index) {
    const FlowNode& node = def_.node(index);
    Json inputs = Json::object();
    Json evaluated = Json::array();
    FlowIndex chosen = kNone;
    for (FlowIndex f : node.outgoing) {
      if (f == node.default_flow) continue;
      const auto& flow = def_.flow(f);
      if (!flow.condition) {  // an unconditioned flow always holds
        chosen = f;
        break;
      }
      const feel::Expression& cond = *flow.condition;
      for (const auto& name : cond.variables()) {
        auto it = state_.variables.find(name);
        inputs[name] = it == state_.variables.end() ? Json() : it->second;
      }
      Json out;
      feel::EvalError error;
      if (!cond.evaluate(state_.variables, out, error)) {
        raise_incident(
            key, node.id, "condition",
            "condition of flow " + flow.id + " `" + cond.text() + "` failed: " + error.message);
        return;
      }
      evaluated.push_back({{"flow", flow.id}, {"condition", cond.text()}, {"result", out}});
      if (out.is_boolean()) {
        if (out.get<bool>()) {
          chosen = f;
          break;
        }
      } else if (!out.is_null()) {
        raise_incident(key, node.id, "condition",
                       "condition of flow " + flow.id + " `" + cond.text() + "` gave a " +
                           json_type_name(out) + " (" + out.dump() + "), expected a boolean");
        return;
      }
    }
    bool is_default = false;
    if (chosen == kNone && node.default_flow != kNone) {
      chosen = node.default_flow;
      is_default = true;
    }
    if (chosen == kNone) {
      raise_incident(key, node.id, "no-flow",
                     "no outgoing flow's condition is true and there is no default flow "
                     "(variables seen: " +
                         inputs.dump() + ")");
      return;
    }
    const auto& flow = def_.flow(chosen);
    emit(EventType::kDecisionTaken,
         {{"element", node.id},
          {"key", key},
          {"flow", flow.id},
          {"condition", is_default || !flow.condition ? "" : flow.condition->text()},
          {"default", is_default},
          {"inputs", std::move(inputs)},
          {"evaluated", std::move(evaluated)}});
    emit(EventType::kElementCompleted, {{"element", node.id}, {"key", key}});
    take(chosen);
  }

  // Terminates every token: open tasks and jobs are canceled, open incidents resolved.
  void terminate_all(std::int64_t except_key) {
    std::vector<std::pair<std::int64_t, std::string>> keys;
    for (const auto& [key, el] : state_.elements) {
      if (key != except_key) keys.emplace_back(key, el.element_id);
    }
    std::vector<std::int64_t> incidents;
    for (const auto& [id, inc] : state_.incidents) incidents.push_back(inc.key);
    for (std::int64_t key : incidents) emit(EventType::kIncidentResolved, {{"key", key}});
    for (const auto& [key, element] : keys) {
      Json ref = {{"element", element}, {"key", key}};
      std::string id = task_id_for(state_.id, key);
      if (state_.tasks.count(id) != 0) emit(EventType::kUserTaskCanceled, ref);
      if (state_.jobs.count(id) != 0) emit(EventType::kJobCanceled, ref);
      emit(EventType::kElementTerminated, ref);
    }
    queue_.clear();
  }

  // Runs queued activations until every token waits (or the step limit raises an incident).
  void drain() {
    int steps = 0;
    while (!queue_.empty() && state_.status == InstanceStatus::kActive) {
      Step step = std::move(queue_.front());
      queue_.pop_front();
      if (++steps > kMaxStepsPerCommand) {
        raise_incident(0, def_.node(step.node).id, "step-limit",
                       "more than " + std::to_string(kMaxStepsPerCommand) +
                           " steps in one command: a cycle with no wait state?");
        queue_.clear();
        return;
      }
      activate(step);
    }
    if (state_.status == InstanceStatus::kActive && state_.elements.empty() &&
        state_.join_arrivals.empty() && state_.incidents.empty()) {
      emit(EventType::kInstanceCompleted, Json::object());
    }
  }

 private:
  struct Step {
    NodeIndex node;
    FlowIndex via;
    std::vector<std::string> joined;
  };

  void take(FlowIndex f) {
    const auto& flow = def_.flow(f);
    const FlowNode& target = def_.node(flow.target);
    bool join = target.kind == NodeKind::kParallelGateway && target.incoming.size() > 1;
    Json payload = {{"flow", flow.id}, {"from", def_.node(flow.source).id}, {"to", target.id}};
    if (join) payload["join"] = true;
    emit(EventType::kFlowTaken, std::move(payload));
    if (!join) {
      queue_.push_back(Step{flow.target, f, {}});
      return;
    }
    auto it = state_.join_arrivals.find(target.id);
    std::vector<std::string> joined;
    for (FlowIndex in : target.incoming) {
      const std::string& id = def_.flow(in).id;
      if (it == state_.join_arrivals.end() || it->second.count(id) == 0) return;  // waits
      joined.push_back(id);
    }
    queue_.push_back(Step{flow.target, f, std::move(joined)});
  }

  void activate(const Step& step) {
    const FlowNode& node = def_.node(step.node);
    std::int64_t key = state_.next_key;
    Json payload = {{"element", node.id}, {"key", key}, {"kind", model::node_kind_name(node.kind)}};
    if (step.via != kNone) payload["flow"] = def_.flow(step.via).id;
    if (!step.joined.empty()) payload["joined"] = step.joined;
    emit(EventType::kElementActivated, std::move(payload));
    switch (node.kind) {
      case NodeKind::kNoneStartEvent:
      case NodeKind::kParallelGateway:
        complete(key, step.node);
        break;
      case NodeKind::kNoneEndEvent:
        emit(EventType::kElementCompleted, {{"element", node.id}, {"key", key}});
        break;
      case NodeKind::kTerminateEndEvent:
        emit(EventType::kElementCompleted, {{"element", node.id}, {"key", key}});
        terminate_all(key);
        emit(EventType::kInstanceCompleted, {{"element", node.id}});
        break;
      case NodeKind::kUserTask:
        emit(EventType::kUserTaskCreated, {{"element", node.id},
                                           {"key", key},
                                           {"name", node.name},
                                           {"candidate_groups", node.candidate_groups},
                                           {"form", node.form_id}});
        break;
      case NodeKind::kServiceTask:
        emit(EventType::kJobCreated, {{"element", node.id},
                                      {"key", key},
                                      {"type", node.task_type},
                                      {"retries", node.retries}});
        break;
      case NodeKind::kExclusiveGateway:
        decide(key, step.node);
        break;
    }
  }

  const ProcessDefinition& def_;
  std::int32_t version_;
  InstanceState state_;
  std::int64_t now_;
  Actor actor_ = Actor::engine();
  std::vector<Event> events_;
  std::deque<Step> queue_;
};

Error not_active(const InstanceState& s) {
  return make_error(ErrorCode::kInvalidState, "instance " + std::to_string(s.id) + " is " +
                                                  to_string(s.status) + ", not active");
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Resolves the element instance's node; a missing one means the log and definition disagree.
Result<NodeIndex> node_of(const ProcessDefinition& def, const std::string& element_id) {
  NodeIndex n = def.find_node(element_id);
  if (n == kNone) {
    return make_error(ErrorCode::kInternal,
                      "element " + element_id + " is not in definition " + def.key);
  }
  return n;
}

struct Executor {
  const ProcessDefinition& def;
  Run& run;

  Status operator()(const CreateInstance& c) {
    if (run.state().status != InstanceStatus::kNone) {
      return make_error(ErrorCode::kInvalidState, "instance already exists");
    }
    if (def.start_events.empty()) {
      return make_error(ErrorCode::kInvalidState, def.key + " has no none start event");
    }
    Json vars = Json::object();
    for (const auto& [name, value] : c.variables) vars[name] = value;
    run.set_actor(c.actor);
    run.emit(EventType::kInstanceCreated, {{"process", c.business_key.process},
                                           {"school", c.business_key.school},
                                           {"period", c.business_key.period},
                                           {"variables", std::move(vars)}});
    run.set_actor(Actor::engine());
    run.activate_start();
    return {};
  }

  Status operator()(const CompleteUserTask& c) {
    const InstanceState& s = run.state();
    if (s.status != InstanceStatus::kActive) return not_active(s);
    auto it = s.tasks.find(c.task_id);
    if (it == s.tasks.end()) {
      return make_error(ErrorCode::kNotFound, "task " + c.task_id + " is not open");
    }
    const UserTask& task = it->second;
    const auto& groups = task.candidate_groups;
    if (std::find(groups.begin(), groups.end(), c.actor.role) == groups.end()) {
      return make_error(ErrorCode::kForbidden,
                        "role '" + c.actor.role + "' may not complete task " + c.task_id + " (" +
                            task.element_id + "); candidate groups: " + join(groups));
    }
    auto node = node_of(def, task.element_id);
    if (!node.ok()) return node.error();
    std::int64_t key = task.element_key;
    std::string element = task.element_id;
    run.set_actor(c.actor);
    run.set_variables(c.variables, element);
    run.emit(EventType::kUserTaskCompleted, {{"element", element}, {"key", key}});
    run.write_outputs(def.node(*node), key, c.variables);
    run.complete(key, *node);
    return {};
  }

  Result<const Job*> open_job(const std::string& id) {
    const InstanceState& s = run.state();
    if (s.status != InstanceStatus::kActive) return not_active(s);
    auto it = s.jobs.find(id);
    if (it == s.jobs.end()) return make_error(ErrorCode::kNotFound, "job " + id + " is not open");
    if (it->second.state != JobState::kActivatable) {
      return make_error(ErrorCode::kInvalidState,
                        "job " + id + " has no retries left (an incident is open)");
    }
    return &it->second;
  }

  Status operator()(const CompleteJob& c) {
    auto job = open_job(c.job_id);
    if (!job.ok()) return job.error();
    auto node = node_of(def, (*job)->element_id);
    if (!node.ok()) return node.error();
    std::int64_t key = (*job)->element_key;
    std::string element = (*job)->element_id;
    run.set_actor(Actor::handler((*job)->type));
    run.set_variables(c.variables, element);
    run.emit(EventType::kJobCompleted, {{"element", element}, {"key", key}});
    run.write_outputs(def.node(*node), key, c.variables);
    run.complete(key, *node);
    return {};
  }

  Status operator()(const FailJob& c) {
    auto job = open_job(c.job_id);
    if (!job.ok()) return job.error();
    std::int64_t key = (*job)->element_key;
    std::string element = (*job)->element_id;
    int retries_left = (*job)->retries_left - 1;
    run.set_actor(Actor::handler((*job)->type));
    run.emit(EventType::kJobFailed, {{"element", element},
                                     {"key", key},
                                     {"message", c.message},
                                     {"retries_left", retries_left}});
    run.set_actor(Actor::engine());
    if (retries_left <= 0) run.raise_incident(key, element, "job", c.message);
    return {};
  }

  Status operator()(const SetVariables& c) {
    if (run.state().status != InstanceStatus::kActive) return not_active(run.state());
    run.set_actor(c.actor);
    run.set_variables(c.variables, "");
    return {};
  }

  Status operator()(const ResolveIncident& c) {
    const InstanceState& s = run.state();
    if (s.status != InstanceStatus::kActive) return not_active(s);
    auto it = s.incidents.find(c.incident_id);
    if (it == s.incidents.end()) {
      return make_error(ErrorCode::kNotFound, "incident " + c.incident_id + " is not open");
    }
    const Incident inc = it->second;
    if (inc.kind != "condition" && inc.kind != "no-flow") {
      return make_error(ErrorCode::kInvalidState, "incident " + c.incident_id + " of kind '" +
                                                      inc.kind +
                                                      "' cannot be resolved by re-evaluation");
    }
    auto node = node_of(def, inc.element_id);
    if (!node.ok()) return node.error();
    run.set_actor(c.actor);
    run.emit(EventType::kIncidentResolved, {{"key", inc.key}});
    run.set_actor(Actor::engine());
    run.decide(inc.element_key, *node);
    return {};
  }

  Status operator()(const CancelInstance& c) {
    if (run.state().status != InstanceStatus::kActive) return not_active(run.state());
    run.set_actor(c.actor);
    run.terminate_all(0);
    run.emit(EventType::kInstanceTerminated, Json::object());
    return {};
  }
};

}  // namespace

const char* command_name(const Command& command) {
  static constexpr const char* kNames[] = {"CreateInstance", "CompleteUserTask", "CompleteJob",
                                           "FailJob",        "SetVariables",     "ResolveIncident",
                                           "CancelInstance"};
  return kNames[command.index()];
}

Result<Execution> execute_with_state(const ProcessDefinition& definition,
                                     std::int32_t definition_version, const InstanceState& state,
                                     const Command& command, std::int64_t now_ms) {
  return execute_with_state(definition, definition_version, InstanceState(state), command, now_ms);
}

Result<Execution> execute_with_state(const ProcessDefinition& definition,
                                     std::int32_t definition_version, InstanceState&& state,
                                     const Command& command, std::int64_t now_ms) {
  const std::int32_t version =
      state.status == InstanceStatus::kNone ? definition_version : state.definition_version;
  Run run(definition, version, std::move(state), now_ms);
  Executor executor{definition, run};
  Status status = std::visit(executor, command);
  if (!status.ok()) return status.error();
  run.drain();
  return Execution{run.take_events(), std::move(run.state())};
}

Result<std::vector<Event>> execute(const ProcessDefinition& definition,
                                   std::int32_t definition_version, const InstanceState& state,
                                   const Command& command, std::int64_t now_ms) {
  auto execution = execute_with_state(definition, definition_version, state, command, now_ms);
  if (!execution.ok()) return execution.error();
  return std::move(execution->events);
}

}  // namespace pmiflow::runtime
