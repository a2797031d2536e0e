#include "engine/runtime/event_applier.h"

#include <stdexcept>
#include <string>

namespace pmiflow::runtime {
namespace {

// Applies one event's body: one member per event type.
class Applier {
 public:
  Applier(InstanceState& state, const Event& event, ProjectionChanges* changes)
      : s_(state), e_(event), c_(changes) {}

  void operator()(const InstanceCreated& p) {
    check_transition(s_.status, InstanceStatus::kActive);
    s_.status = InstanceStatus::kActive;
    s_.id = e_.instance_id;
    s_.business_key = {p.process, p.business_id};
    s_.tags = p.tags;
    s_.parent = ParentRef{p.parent_instance, p.parent_key, p.parent_element};
    s_.definition_version = e_.definition_version;
    s_.created_ms = e_.time_ms;
    for (const auto& [name, value] : p.variables) {
      s_.variables[name] = value;
      if (c_ != nullptr) c_->variables.insert(name);
    }
  }

  void operator()(const ElementActivated& p) {
    check_transition(ElementState::kNone, ElementState::kActivated);
    std::optional<Loop> loop;
    if (p.kind == kMultiInstanceBodyKind) loop.emplace();
    const bool inserted =
        s_.elements
            .try_emplace(
                p.key,
                ElementInstance{
                    p.key, p.element, ElementState::kActivated, p.scope, 0, {}, std::move(loop)})
            .second;
    if (!inserted) {
      throw std::logic_error("element key " + std::to_string(p.key) + " activated twice");
    }
    if (Loop* body = loop_of(p.scope)) {  // an inner instance
      ++body->started;
      ++body->active;
    }
    ++s_.activation_counts[p.element];
    bump_key(p.key);
    if (c_ != nullptr) c_->elements = true;
    if (p.joined.empty()) return;
    auto arrivals = s_.join_arrivals.find(JoinKey{p.scope, p.element});
    for (const auto& flow : p.joined) {
      auto it = arrivals != s_.join_arrivals.end() ? arrivals->second.find(flow)
                                                   : std::map<std::string, int>::iterator();
      if (arrivals == s_.join_arrivals.end() || it == arrivals->second.end() || it->second <= 0) {
        throw std::logic_error("join " + p.element + " consumed a token that did not arrive");
      }
      if (--it->second == 0) arrivals->second.erase(it);
    }
    if (arrivals->second.empty()) s_.join_arrivals.erase(arrivals);
    if (c_ != nullptr) c_->joins = true;
  }

  void operator()(const ElementCompleted& p) { end_element(p.key, ElementState::kCompleted); }
  void operator()(const ElementTerminated& p) { end_element(p.key, ElementState::kTerminated); }

  void operator()(const FlowTaken& p) {
    if (!p.join) return;
    ++s_.join_arrivals[JoinKey{p.scope, p.to}][p.flow];
    if (c_ != nullptr) c_->joins = true;
  }

  void operator()(const UserTaskCreated& p) {
    UserTask t;
    t.element_key = p.key;
    t.id = task_id_for(s_.id, p.key);
    t.element_id = p.element;
    t.name = p.name;
    t.candidate_groups = p.candidate_groups;
    t.form = p.form;
    t.created_ms = e_.time_ms;
    if (c_ != nullptr) c_->tasks.create(t.id);
    s_.tasks[t.id] = std::move(t);
  }

  void operator()(const UserTaskCompleted& p) { end_task(p.key); }
  void operator()(const UserTaskCanceled& p) { end_task(p.key); }

  void operator()(const VariablesSet& p) {
    if (p.scope != kProcessScope) {  // an element instance's local variables
      auto it = s_.elements.find(p.scope);
      if (it == s_.elements.end()) {
        throw std::logic_error("variables set in element instance " + std::to_string(p.scope) +
                               ", which is not active");
      }
      for (const auto& change : p.changes) it->second.variables[change.name] = change.value;
      return;
    }
    for (const auto& change : p.changes) {
      s_.variables[change.name] = change.value;
      if (c_ != nullptr) c_->variables.insert(change.name);
    }
  }

  void operator()(const MultiInstanceStarted& p) {
    Loop* loop = loop_of(p.key);
    if (loop == nullptr || !p.items.is_array()) {
      throw std::logic_error("multi-instance " + p.element + " (key " + std::to_string(p.key) +
                             ") is not an active body, or its items are not a list");
    }
    loop->items = p.items;
    loop->outputs.assign(p.items.size(), Json());
  }

  void operator()(const MultiInstanceOutput& p) {
    Loop* loop = loop_of(p.key);
    if (loop == nullptr || p.index < 1 ||
        p.index > static_cast<std::int64_t>(loop->outputs.size())) {
      throw std::logic_error("multi-instance " + p.element + " (key " + std::to_string(p.key) +
                             ") has no position " + std::to_string(p.index));
    }
    loop->outputs[static_cast<std::size_t>(p.index - 1)] = p.value;
  }

  void operator()(const JobCreated& p) {
    Job j;
    j.element_key = p.key;
    j.id = task_id_for(s_.id, p.key);
    j.element_id = p.element;
    j.type = p.type;
    j.retries_left = static_cast<int>(p.retries);
    check_transition(JobState::kNone, JobState::kActivatable);
    j.state = JobState::kActivatable;
    if (c_ != nullptr) c_->jobs.create(j.id);
    s_.jobs[j.id] = std::move(j);
  }

  void operator()(const JobFailed& p) {
    Job& j = open_job(p.key)->second;
    j.retries_left = static_cast<int>(p.retries_left);
    j.last_error = p.message;
    j.retry_at_ms = p.retry_at;
    ++j.failures;
    const JobState to = j.retries_left > 0 ? JobState::kActivatable : JobState::kFailed;
    check_transition(j.state, to);
    j.state = to;
    if (c_ != nullptr) c_->jobs.change(j.id);
  }

  void operator()(const ChildInstanceCreated& p) {
    auto it = s_.elements.find(p.key);
    if (it == s_.elements.end() || it->second.child != 0) {
      throw std::logic_error("call activity " + p.element + " (key " + std::to_string(p.key) +
                             ") is not active or has its child already");
    }
    it->second.child = p.child;
    if (c_ != nullptr) c_->children = true;
  }

  void operator()(const JobRetriesUpdated& p) {
    Job& j = open_job(p.key)->second;
    j.retries_left = static_cast<int>(p.retries);
    j.retry_at_ms = 0;
    check_transition(j.state, JobState::kActivatable);
    j.state = JobState::kActivatable;
    if (c_ != nullptr) c_->jobs.change(j.id);
  }

  void operator()(const JobActivated& p) {
    Job& j = open_job(p.key)->second;
    check_transition(j.state, JobState::kActivated);
    j.state = JobState::kActivated;
    j.worker = p.worker;
    j.deadline_ms = p.deadline;
    j.token = p.token;
    if (c_ != nullptr) c_->jobs.change(j.id);
  }

  void operator()(const JobLeaseExtended& p) {
    Job& j = open_job(p.key)->second;
    if (j.state != JobState::kActivated || j.token != p.token) {
      throw std::logic_error("lease of job " + j.id + " extended without being held");
    }
    j.deadline_ms = p.deadline;
    if (c_ != nullptr) c_->jobs.change(j.id);
  }

  void operator()(const JobCompleted& p) { end_job(p.key, JobState::kCompleted); }
  void operator()(const JobCanceled& p) { end_job(p.key, JobState::kCanceled); }

  void operator()(const IncidentRaised& p) {
    Incident i;
    i.id = task_id_for(s_.id, p.key);
    i.key = p.key;
    i.element_key = p.element_key;
    i.element_id = p.element;
    i.kind = p.kind;
    i.message = p.message;
    i.raised_ms = e_.time_ms;
    bump_key(p.key);
    if (c_ != nullptr) c_->incidents.create(i.id);
    s_.incidents[i.id] = std::move(i);
  }

  void operator()(const IncidentResolved& p) {
    const std::string id = task_id_for(s_.id, p.key);
    if (s_.incidents.erase(id) == 0) {
      throw std::logic_error("no open incident with key " + std::to_string(p.key));
    }
    if (c_ != nullptr) c_->incidents.change(id);
  }

  void operator()(const DecisionTaken&) {}  // history only

  void operator()(const InstanceCompleted&) { end_instance(InstanceStatus::kCompleted); }
  void operator()(const InstanceTerminated&) { end_instance(InstanceStatus::kTerminated); }

  // Records and the outbox are projections only.
  void operator()(const RecordWritten&) {
    if (c_ != nullptr) c_->records.push_back(e_.seq);
  }
  void operator()(const MessageQueued&) {
    if (c_ != nullptr) c_->messages.push_back(e_.seq);
  }

  void operator()(const TimerCreated& p) {
    Timer t{p.key, p.element_key, p.element, p.due, p.cycle, p.armed, p.fire};
    if (!s_.timers.try_emplace(p.key, std::move(t)).second) {
      throw std::logic_error("timer key " + std::to_string(p.key) + " created twice");
    }
    bump_key(p.key);
    if (c_ != nullptr) c_->timers.create(task_id_for(s_.id, p.key));
  }
  void operator()(const TimerTriggered& p) { end_timer(p.key); }
  void operator()(const TimerCanceled& p) { end_timer(p.key); }

  void operator()(const MessageSubscriptionOpened& p) {
    MessageSubscription sub{p.key, p.element_key, p.element, p.name, p.correlation_key};
    if (!s_.subscriptions.try_emplace(p.key, std::move(sub)).second) {
      throw std::logic_error("message subscription key " + std::to_string(p.key) + " opened twice");
    }
    bump_key(p.key);
    if (c_ != nullptr) c_->subscriptions.create(task_id_for(s_.id, p.key));
  }
  void operator()(const MessageCorrelated& p) {
    if (p.key != 0) end_subscription(p.key);
    if (c_ != nullptr) c_->correlations.push_back(e_.seq);
  }
  void operator()(const MessageSubscriptionClosed& p) { end_subscription(p.key); }
  void operator()(const ErrorThrown& p) {
    if (s_.jobs.count(task_id_for(s_.id, p.key)) != 0) end_job(p.key, JobState::kErrorThrown);
  }

 private:
  void bump_key(std::int64_t key) {
    if (key >= s_.next_key) s_.next_key = key + 1;
  }

  void end_element(std::int64_t key, ElementState to) {
    auto it = s_.elements.find(key);
    if (it == s_.elements.end()) {
      throw std::logic_error("no active element instance with key " + std::to_string(key));
    }
    check_transition(it->second.state, to);
    if (Loop* body = loop_of(it->second.scope_key)) {  // an inner instance
      --body->active;
      if (to == ElementState::kCompleted) ++body->completed;
    }
    s_.elements.erase(it);
    if (c_ != nullptr) c_->elements = true;
    // A container's scope ends with it: tokens waiting at its joins end too.
    const auto erased = std::erase_if(
        s_.join_arrivals, [key](const auto& entry) { return entry.first.scope_key == key; });
    if (erased != 0 && c_ != nullptr) c_->joins = true;
  }

  // The loop of multi-instance body `key`; null when `key` is not an active body.
  Loop* loop_of(std::int64_t key) {
    if (key == kProcessScope) return nullptr;
    auto it = s_.elements.find(key);
    return it != s_.elements.end() && it->second.loop ? &*it->second.loop : nullptr;
  }

  void end_task(std::int64_t key) {
    const std::string id = task_id_for(s_.id, key);
    if (s_.tasks.erase(id) == 0) {
      throw std::logic_error("no open user task with key " + std::to_string(key));
    }
    if (c_ != nullptr) c_->tasks.change(id);
  }

  std::map<std::string, Job>::iterator open_job(std::int64_t key) {
    auto it = s_.jobs.find(task_id_for(s_.id, key));
    if (it == s_.jobs.end()) {
      throw std::logic_error("no open job with key " + std::to_string(key));
    }
    return it;
  }

  void end_job(std::int64_t key, JobState to) {
    auto it = open_job(key);
    check_transition(it->second.state, to);
    if (c_ != nullptr) c_->jobs.change(it->first);
    s_.jobs.erase(it);
  }

  void end_timer(std::int64_t key) {
    if (s_.timers.erase(key) == 0) {
      throw std::logic_error("no waiting timer with key " + std::to_string(key));
    }
    if (c_ != nullptr) c_->timers.change(task_id_for(s_.id, key));
  }

  void end_subscription(std::int64_t key) {
    if (s_.subscriptions.erase(key) == 0) {
      throw std::logic_error("no open message subscription with key " + std::to_string(key));
    }
    if (c_ != nullptr) c_->subscriptions.change(task_id_for(s_.id, key));
  }

  void end_instance(InstanceStatus to) {
    check_transition(s_.status, to);
    s_.status = to;
    s_.ended_ms = e_.time_ms;
    s_.join_arrivals.clear();  // tokens waiting at joins end with the instance
    if (c_ != nullptr) {
      c_->status = true;
      c_->joins = true;
    }
  }

  InstanceState& s_;
  const Event& e_;
  ProjectionChanges* c_;
};

}  // namespace

void apply(InstanceState& state, const Event& event, ProjectionChanges* changes) {
  if (event.seq != state.last_seq + 1) {
    throw std::logic_error("event seq " + std::to_string(event.seq) + " does not follow " +
                           std::to_string(state.last_seq));
  }
  std::visit(Applier(state, event, changes), event.body);
  state.last_seq = event.seq;
  state.head_hash = event.hash;
}

InstanceState fold(const std::vector<Event>& events) {
  InstanceState s;
  for (const auto& e : events) apply(s, e);
  return s;
}

}  // namespace pmiflow::runtime
