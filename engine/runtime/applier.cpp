#include "engine/runtime/applier.h"

#include <stdexcept>
#include <string>

namespace pmiflow::runtime {
namespace {

std::int64_t key_of(const Json& p) {
  return p.at("key").get<std::int64_t>();
}

void bump_key(InstanceState& s, std::int64_t key) {
  if (key >= s.next_key) s.next_key = key + 1;
}

void apply_element_end(InstanceState& s, const Json& p, ElementState to) {
  auto it = s.elements.find(key_of(p));
  if (it == s.elements.end()) {
    throw std::logic_error("no active element instance with key " + std::to_string(key_of(p)));
  }
  check_transition(it->second.state, to);
  s.elements.erase(it);
}

}  // namespace

void apply(InstanceState& s, const Event& e) {
  if (e.seq != s.last_seq + 1) {
    throw std::logic_error("event seq " + std::to_string(e.seq) + " does not follow " +
                           std::to_string(s.last_seq));
  }
  const Json& p = e.payload;
  switch (e.type) {
    case EventType::kInstanceCreated: {
      check_transition(s.status, InstanceStatus::kActive);
      s.status = InstanceStatus::kActive;
      s.id = e.instance_id;
      s.business_key = {p.at("process").get<std::string>(), p.at("school").get<std::string>(),
                        p.at("period").get<std::string>()};
      s.definition_version = e.definition_version;
      s.created_ms = e.time_ms;
      if (p.contains("variables")) {
        for (const auto& [name, value] : p.at("variables").items()) s.variables[name] = value;
      }
      break;
    }
    case EventType::kElementActivated: {
      std::int64_t key = key_of(p);
      check_transition(ElementState::kNone, ElementState::kActivated);
      if (s.elements.count(key) != 0) {
        throw std::logic_error("element key " + std::to_string(key) + " activated twice");
      }
      const std::string element = p.at("element").get<std::string>();
      s.elements[key] = ElementInstance{key, element, ElementState::kActivated};
      ++s.activation_counts[element];
      bump_key(s, key);
      if (p.contains("joined")) {
        auto& arrivals = s.join_arrivals[element];
        for (const auto& flow : p.at("joined")) {
          auto it = arrivals.find(flow.get<std::string>());
          if (it == arrivals.end() || it->second <= 0) {
            throw std::logic_error("join " + element + " consumed a token that did not arrive");
          }
          if (--it->second == 0) arrivals.erase(it);
        }
        if (arrivals.empty()) s.join_arrivals.erase(element);
      }
      break;
    }
    case EventType::kElementCompleted:
      apply_element_end(s, p, ElementState::kCompleted);
      break;
    case EventType::kElementTerminated:
      apply_element_end(s, p, ElementState::kTerminated);
      break;
    case EventType::kFlowTaken:
      if (p.value("join", false)) {
        ++s.join_arrivals[p.at("to").get<std::string>()][p.at("flow").get<std::string>()];
      }
      break;
    case EventType::kUserTaskCreated: {
      UserTask t;
      t.element_key = key_of(p);
      t.id = task_id_for(s.id, t.element_key);
      t.element_id = p.at("element").get<std::string>();
      t.name = p.value("name", "");
      t.candidate_groups = p.at("candidate_groups").get<std::vector<std::string>>();
      t.form = p.value("form", "");
      t.created_ms = e.time_ms;
      s.tasks[t.id] = std::move(t);
      break;
    }
    case EventType::kUserTaskCompleted:
    case EventType::kUserTaskCanceled: {
      if (s.tasks.erase(task_id_for(s.id, key_of(p))) == 0) {
        throw std::logic_error("no open user task with key " + std::to_string(key_of(p)));
      }
      break;
    }
    case EventType::kVariablesSet:
      for (const auto& change : p.at("changes")) {
        s.variables[change.at("name").get<std::string>()] = change.at("new");
      }
      break;
    case EventType::kJobCreated: {
      Job j;
      j.element_key = key_of(p);
      j.id = task_id_for(s.id, j.element_key);
      j.element_id = p.at("element").get<std::string>();
      j.type = p.at("type").get<std::string>();
      j.retries_left = p.at("retries").get<int>();
      check_transition(JobState::kNone, JobState::kActivatable);
      j.state = JobState::kActivatable;
      s.jobs[j.id] = std::move(j);
      break;
    }
    case EventType::kJobCompleted:
    case EventType::kJobCanceled:
    case EventType::kJobFailed: {
      auto it = s.jobs.find(task_id_for(s.id, key_of(p)));
      if (it == s.jobs.end()) {
        throw std::logic_error("no open job with key " + std::to_string(key_of(p)));
      }
      Job& j = it->second;
      if (e.type == EventType::kJobFailed) {
        j.retries_left = p.at("retries_left").get<int>();
        j.last_error = p.value("message", "");
        JobState to = j.retries_left > 0 ? JobState::kActivatable : JobState::kFailed;
        check_transition(j.state, to);
        j.state = to;
      } else {
        check_transition(j.state, e.type == EventType::kJobCompleted ? JobState::kCompleted
                                                                     : JobState::kCanceled);
        s.jobs.erase(it);
      }
      break;
    }
    case EventType::kIncidentRaised: {
      Incident i;
      std::int64_t key = key_of(p);
      i.id = task_id_for(s.id, key);
      i.key = key;
      i.element_key = p.value("element_key", std::int64_t{0});
      i.element_id = p.value("element", "");
      i.kind = p.value("kind", "");
      i.message = p.value("message", "");
      bump_key(s, key);
      s.incidents[i.id] = std::move(i);
      break;
    }
    case EventType::kIncidentResolved:
      if (s.incidents.erase(task_id_for(s.id, key_of(p))) == 0) {
        throw std::logic_error("no open incident with key " + std::to_string(key_of(p)));
      }
      break;
    case EventType::kDecisionTaken:
    case EventType::kRecordWritten:  // records and the outbox are projections only
    case EventType::kMessageQueued:
      break;
    case EventType::kInstanceCompleted:
    case EventType::kInstanceTerminated: {
      InstanceStatus to = e.type == EventType::kInstanceCompleted ? InstanceStatus::kCompleted
                                                                  : InstanceStatus::kTerminated;
      check_transition(s.status, to);
      s.status = to;
      s.ended_ms = e.time_ms;
      s.join_arrivals.clear();  // tokens waiting at joins end with the instance
      break;
    }
  }
  s.last_seq = e.seq;
  s.head_hash = e.hash;
}

InstanceState fold(const std::vector<Event>& events) {
  InstanceState s;
  for (const auto& e : events) apply(s, e);
  return s;
}

}  // namespace pmiflow::runtime
