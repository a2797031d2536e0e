#include "persistence/memory/memory_store.h"

#include <algorithm>
#include <tuple>

#include "engine/engine/audit.h"
#include "engine/runtime/event_codec.h"

namespace pmiflow {

using runtime::InstanceStatus;

Result<DeployOutcome> MemoryStore::deploy(const std::string& key, const std::string& xml,
                                          const std::string& sha256,
                                          const std::string& resource_name,
                                          const std::vector<FormSource>& forms,
                                          std::int64_t now_ms) {
  MutexLock lock(mu_);
  DeployOutcome outcome;
  std::map<std::string, std::int32_t> bound;
  for (const auto& f : forms) {
    const DeployedForm* latest = nullptr;
    for (const auto& d : forms_) {
      if (d.id == f.id && (latest == nullptr || d.version > latest->version)) latest = &d;
    }
    if (latest != nullptr && latest->sha256 == f.sha256) {
      outcome.forms.push_back(FormOutcome{*latest, false});
    } else {
      forms_.push_back(DeployedForm{f.id, latest == nullptr ? 1 : latest->version + 1, f.sha256,
                                    f.json, f.resource_name, now_ms});
      outcome.forms.push_back(FormOutcome{forms_.back(), true});
    }
    bound[f.id] = outcome.forms.back().form.version;
  }
  const DeployedDefinition* latest = nullptr;
  for (const auto& d : definitions_) {
    if (d.key == key && (latest == nullptr || d.version > latest->version)) latest = &d;
  }
  if (latest != nullptr && latest->sha256 == sha256 && latest->forms == bound) {
    outcome.definition = *latest;
    return outcome;
  }
  definitions_.push_back(DeployedDefinition{key, latest == nullptr ? 1 : latest->version + 1,
                                            sha256, xml, resource_name, now_ms, std::move(bound)});
  outcome.definition = definitions_.back();
  outcome.created = true;
  return outcome;
}

Result<DeployedForm> MemoryStore::form(const std::string& id, std::int32_t version) {
  MutexLock lock(mu_);
  const DeployedForm* found = nullptr;
  for (const auto& f : forms_) {
    if (f.id != id) continue;
    if (version == 0 ? (found == nullptr || f.version > found->version) : f.version == version) {
      found = &f;
    }
  }
  if (found == nullptr) {
    return make_error(ErrorCode::kNotFound,
                      "no form '" + id + "'" +
                          (version == 0 ? std::string() : " version " + std::to_string(version)));
  }
  return *found;
}

Result<DeployedDefinition> MemoryStore::definition(const std::string& key, std::int32_t version) {
  MutexLock lock(mu_);
  const DeployedDefinition* found = nullptr;
  for (const auto& d : definitions_) {
    if (d.key != key) continue;
    if (version == 0 ? (found == nullptr || d.version > found->version) : d.version == version) {
      found = &d;
    }
  }
  if (found == nullptr) {
    return make_error(ErrorCode::kNotFound,
                      "no definition '" + key + "'" +
                          (version == 0 ? std::string() : " version " + std::to_string(version)));
  }
  return *found;
}

Result<std::vector<DeployedDefinition>> MemoryStore::definitions() {
  MutexLock lock(mu_);
  return definitions_;
}

Result<std::int64_t> MemoryStore::reserve_instance_id() {
  MutexLock lock(mu_);
  return ++last_id_;
}

Status MemoryStore::check(const AppendRequest& req, AppendResult& r) {
  r.instance_id = req.instance_id;
  if (req.new_state == nullptr || req.changes == nullptr) {
    return make_error(ErrorCode::kInternal, "append request without its state or changes");
  }
  if (req.create) {
    for (const auto& [id, inst] : instances_) {
      if (inst.state.business_key == req.business_key) {  // idempotent start: nothing written
        r.instance_id = id;
        return {};
      }
    }
    if (instances_.count(req.instance_id) != 0) {
      return make_error(ErrorCode::kInternal,
                        "instance id " + std::to_string(req.instance_id) + " is taken");
    }
  } else {
    auto it = instances_.find(req.instance_id);
    if (it == instances_.end()) {
      return make_error(ErrorCode::kNotFound,
                        "instance " + std::to_string(req.instance_id) + " does not exist");
    }
    if (it->second.state.last_seq != req.expected_seq) {
      return make_error(ErrorCode::kConflict, "instance " + std::to_string(req.instance_id) +
                                                  " changed concurrently (expected seq " +
                                                  std::to_string(req.expected_seq) + ", found " +
                                                  std::to_string(it->second.state.last_seq) + ")");
    }
  }
  PMIFLOW_TRY(check_correlations(req));
  if (req.message != nullptr) {
    if (const MessageRow* first = duplicate_of(*req.message); first != nullptr) {
      return make_error(ErrorCode::kInvalidState, "message id '" + first->message_id +
                                                      "' was already published (message " +
                                                      std::to_string(first->key) + ")");
    }
  }
  r.created = req.create;
  return {};
}

void MemoryStore::write(const AppendRequest& req, AppendResult& r) {
  Instance& inst = instances_[req.instance_id];
  if (req.message != nullptr) messages_.emplace(req.message->key, *req.message);
  const std::string head = inst.events.empty() ? audit::kGenesisHash : inst.events.back().hash;
  std::vector<runtime::Event> events = req.events;
  r.head_hash = audit::seal(req.instance_id, head, events);
  for (auto& e : events) {
    e.stored_payload = runtime::payload_text(e);
    inst.events.push_back(std::move(e));
  }
  inst.state = *req.new_state;
  inst.state.head_hash = r.head_hash;
  project(req);
}

AppendResult MemoryStore::append(AppendRequest& req) {
  MutexLock lock(mu_);
  AppendResult r;
  r.status = check(req, r);
  if (r.status.ok() && (!req.create || r.created)) write(req, r);
  return r;
}

std::vector<AppendResult> MemoryStore::append_all(std::vector<AppendRequest>& requests) {
  MutexLock lock(mu_);
  std::vector<AppendResult> results(requests.size());
  Status failed;
  for (std::size_t i = 0; i < requests.size() && failed.ok(); ++i) {
    const AppendRequest& req = requests[i];
    failed = check(req, results[i]);
    if (failed.ok() && req.create && !results[i].created) {
      failed = business_key_taken(req.business_key, results[i].instance_id);
    }
  }
  if (!failed.ok()) {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      results[i] = AppendResult{failed, requests[i].instance_id, false, {}};
    }
    return results;
  }
  for (std::size_t i = 0; i < requests.size(); ++i) write(requests[i], results[i]);
  return results;
}

Status MemoryStore::check_correlations(const AppendRequest& req) {
  const std::int64_t first = req.events.empty() ? 0 : req.events.front().seq;
  for (std::int64_t seq : req.changes->correlations) {
    const auto& p =
        req.events[static_cast<std::size_t>(seq - first)].as<runtime::MessageCorrelated>();
    for (const CorrelationRow& c : correlations_) {
      if (c.message_key == p.message_key && c.process == req.business_key.process) {
        return make_error(ErrorCode::kInvalidState, "message " + std::to_string(p.message_key) +
                                                        " already reached instance " +
                                                        std::to_string(c.instance_id) + " of " +
                                                        c.process);
      }
    }
  }
  return {};
}

void MemoryStore::project(const AppendRequest& req) {
  const runtime::InstanceState& s = *req.new_state;
  const std::int64_t first = req.events.empty() ? 0 : req.events.front().seq;
  auto event_at = [&](std::int64_t seq) -> const runtime::Event& {
    return req.events[static_cast<std::size_t>(seq - first)];
  };
  for (std::int64_t seq : req.changes->records) {
    const runtime::Event& e = event_at(seq);
    const auto& p = e.as<runtime::RecordWritten>();
    Json data = Json::object();
    for (const auto& [name, value] : p.data) data[name] = value;
    records_.push_back(RecordRow{s.id, e.seq, p.record, p.element, s.business_key, s.tags,
                                 std::move(data), e.time_ms, p.responsible});
  }
  for (std::int64_t seq : req.changes->messages) {
    const runtime::Event& e = event_at(seq);
    const auto& p = e.as<runtime::MessageQueued>();
    Json data = Json::object();
    for (const auto& [name, value] : p.data) data[name] = value;
    outbox_.push_back(OutboxRow{outbox_id_for(s.id, p.key, p.subprocess), s.id, e.seq, p.subprocess,
                                p.element, s.business_key, s.tags, std::move(data), e.time_ms, 0});
  }
  for (std::int64_t seq : req.changes->correlations) {
    const runtime::Event& e = event_at(seq);
    const auto& p = e.as<runtime::MessageCorrelated>();
    correlations_.push_back(
        CorrelationRow{p.message_key, s.business_key.process, s.id, p.element, e.time_ms});
  }
}

namespace {

JobRow job_row(std::int64_t instance_id, const runtime::Job& j) {
  return JobRow{j.id,         instance_id,    j.element_id,
                j.type,       j.retries_left, runtime::to_string(j.state),
                j.worker,     j.deadline_ms,  j.token,
                j.retry_at_ms};
}

bool has_tags(const runtime::Tags& tags, const runtime::Tags& wanted) {
  for (const auto& [name, value] : wanted) {
    auto it = tags.find(name);
    if (it == tags.end() || it->second != value) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<RecordRow>> MemoryStore::records(const RecordQuery& q) {
  MutexLock lock(mu_);
  std::vector<RecordRow> out;
  for (const auto& r : records_) {
    if ((q.kind && r.kind != *q.kind) || !has_tags(r.tags, q.tags)) continue;
    out.push_back(r);
  }
  std::sort(out.begin(), out.end(), [](const RecordRow& a, const RecordRow& b) {
    return std::tie(a.instance_id, a.seq) < std::tie(b.instance_id, b.seq);
  });
  return out;
}

Result<std::vector<OutboxRow>> MemoryStore::outbox(std::optional<std::string> subprocess,
                                                   bool include_acked) {
  MutexLock lock(mu_);
  std::vector<OutboxRow> out;
  for (const auto& m : outbox_) {
    if ((subprocess && m.subprocess != *subprocess) || (!include_acked && m.acked_ms != 0)) {
      continue;
    }
    out.push_back(m);
  }
  return out;
}

Status MemoryStore::ack_outbox(const std::string& id, std::int64_t now_ms) {
  MutexLock lock(mu_);
  for (auto& m : outbox_) {
    if (m.id == id) {
      if (m.acked_ms == 0) m.acked_ms = now_ms;
      return {};
    }
  }
  return make_error(ErrorCode::kNotFound, "no outbox message " + id);
}

Result<std::optional<std::int64_t>> MemoryStore::find_instance(const runtime::BusinessKey& key) {
  MutexLock lock(mu_);
  for (const auto& [id, inst] : instances_) {
    if (inst.state.business_key == key) return std::optional<std::int64_t>(id);
  }
  return std::optional<std::int64_t>();
}

InstanceRow MemoryStore::row_of(const Instance& inst) const {
  const auto& s = inst.state;
  InstanceRow row;
  row.id = s.id;
  row.business_key = s.business_key;
  row.tags = s.tags;
  row.version = s.definition_version;
  row.status = runtime::to_string(s.status);
  row.last_seq = s.last_seq;
  row.head_hash = s.head_hash;
  row.created_ms = s.created_ms;
  row.ended_ms = s.ended_ms;
  row.open_incidents = static_cast<int>(s.incidents.size());
  for (const auto& [key, el] : s.elements) {
    if (!runtime::is_inner_instance(s, el)) row.active_elements.push_back(el.element_id);
  }
  row.parent = s.parent;
  return row;
}

Result<InstanceRow> MemoryStore::instance(std::int64_t id) {
  MutexLock lock(mu_);
  auto it = instances_.find(id);
  if (it == instances_.end()) {
    return make_error(ErrorCode::kNotFound, "instance " + std::to_string(id) + " does not exist");
  }
  return row_of(it->second);
}

Result<std::vector<InstanceRow>> MemoryStore::instances(const InstanceQuery& q) {
  MutexLock lock(mu_);
  std::vector<InstanceRow> out;
  for (const auto& [id, inst] : instances_) {
    InstanceRow row = row_of(inst);
    if ((q.process && row.business_key.process != *q.process) ||
        (q.status && row.status != *q.status) || !has_tags(row.tags, q.tags) ||
        (q.parent_id && row.parent.instance_id != *q.parent_id)) {
      continue;
    }
    out.push_back(std::move(row));
  }
  return out;
}

Result<std::vector<runtime::Event>> MemoryStore::events(std::int64_t instance_id,
                                                        std::int64_t from_seq,
                                                        std::int64_t to_seq) {
  MutexLock lock(mu_);
  auto it = instances_.find(instance_id);
  if (it == instances_.end()) {
    return make_error(ErrorCode::kNotFound,
                      "instance " + std::to_string(instance_id) + " does not exist");
  }
  std::vector<runtime::Event> out;
  for (const auto& e : it->second.events) {
    if (e.seq >= from_seq && e.seq <= to_seq) out.push_back(e);
  }
  return out;
}

namespace {

TaskRow task_row(const runtime::InstanceState& s, const runtime::UserTask& t) {
  return TaskRow{t.id,   s.id,           t.element_id, t.name,      t.candidate_groups,
                 t.form, s.business_key, s.tags,       t.created_ms};
}

}  // namespace

Result<std::vector<TaskRow>> MemoryStore::tasks(const TaskQuery& q) {
  MutexLock lock(mu_);
  std::vector<TaskRow> out;
  for (const auto& [id, inst] : instances_) {
    const auto& s = inst.state;
    if ((q.instance_id && id != *q.instance_id) || !has_tags(s.tags, q.tags)) {
      continue;
    }
    for (const auto& [task_id, t] : s.tasks) {
      if (q.role && std::find(t.candidate_groups.begin(), t.candidate_groups.end(), *q.role) ==
                        t.candidate_groups.end()) {
        continue;
      }
      out.push_back(task_row(s, t));
    }
  }
  // The SQLite store's order: oldest first, then by instance and element key.
  auto order = [](const TaskRow& t) {
    std::int64_t instance = 0;
    std::int64_t key = 0;
    runtime::parse_task_id(t.id, instance, key);
    return std::tuple(t.created_ms, instance, key);
  };
  std::sort(out.begin(), out.end(),
            [&](const TaskRow& a, const TaskRow& b) { return order(a) < order(b); });
  return out;
}

Result<TaskRow> MemoryStore::task(const std::string& id) {
  MutexLock lock(mu_);
  std::int64_t instance_id = 0;
  std::int64_t key = 0;
  if (runtime::parse_task_id(id, instance_id, key)) {
    auto it = instances_.find(instance_id);
    if (it != instances_.end()) {
      auto t = it->second.state.tasks.find(id);
      if (t != it->second.state.tasks.end()) return task_row(it->second.state, t->second);
    }
  }
  return make_error(ErrorCode::kNotFound, "task " + id + " is not open");
}

Result<Variables> MemoryStore::variables(std::int64_t instance_id) {
  MutexLock lock(mu_);
  auto it = instances_.find(instance_id);
  if (it == instances_.end()) {
    return make_error(ErrorCode::kNotFound,
                      "instance " + std::to_string(instance_id) + " does not exist");
  }
  return it->second.state.variables;
}

Result<std::vector<JobRow>> MemoryStore::jobs(std::optional<std::int64_t> instance_id) {
  MutexLock lock(mu_);
  std::vector<JobRow> out;
  for (const auto& [id, inst] : instances_) {
    if (instance_id && id != *instance_id) continue;
    for (const auto& [job_id, j] : inst.state.jobs) out.push_back(job_row(id, j));
  }
  return out;
}

Result<std::vector<JobRow>> MemoryStore::activatable_jobs(const std::string& type,
                                                          std::int64_t now_ms, std::size_t limit) {
  MutexLock lock(mu_);
  std::vector<JobRow> out;
  for (const auto& [id, inst] : instances_) {
    std::vector<const runtime::Job*> jobs;  // by element key
    for (const auto& [job_id, j] : inst.state.jobs) jobs.push_back(&j);
    std::sort(jobs.begin(), jobs.end(),
              [](const auto* a, const auto* b) { return a->element_key < b->element_key; });
    for (const runtime::Job* j : jobs) {
      const bool free = (j->state == runtime::JobState::kActivatable && j->retry_at_ms <= now_ms) ||
                        (j->state == runtime::JobState::kActivated && j->deadline_ms <= now_ms);
      if (j->type != type || !free) continue;
      if (out.size() == limit) return out;
      out.push_back(job_row(id, *j));
    }
  }
  return out;
}

Result<std::vector<IncidentRow>> MemoryStore::incidents(const IncidentQuery& query) {
  MutexLock lock(mu_);
  std::vector<IncidentRow> out;
  for (const auto& [id, inst] : instances_) {
    if ((query.instance_id && id != *query.instance_id) || !has_tags(inst.state.tags, query.tags)) {
      continue;
    }
    const std::size_t first = out.size();
    for (const auto& [inc_id, i] : inst.state.incidents) {
      if (query.kind && i.kind != *query.kind) continue;
      out.push_back(IncidentRow{i.id, id, i.element_id, i.kind, i.message, i.raised_ms});
    }
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
              [](const IncidentRow& a, const IncidentRow& b) { return a.raised_ms < b.raised_ms; });
  }
  return out;
}

Result<std::vector<TimerRow>> MemoryStore::timers(const TimerQuery& query) {
  MutexLock lock(mu_);
  std::vector<TimerRow> out;
  for (const auto& [id, inst] : instances_) {
    if (query.instance_id && id != *query.instance_id) continue;
    for (const auto& [key, t] : inst.state.timers) {
      if (query.due_by && t.due_ms > *query.due_by) continue;
      out.push_back(
          TimerRow{runtime::task_id_for(id, key), id, key, t.element_key, t.element_id, t.due_ms});
    }
  }
  std::sort(out.begin(), out.end(), [](const TimerRow& a, const TimerRow& b) {
    return std::tie(a.due_ms, a.instance_id, a.key) < std::tie(b.due_ms, b.instance_id, b.key);
  });
  if (query.limit != 0 && out.size() > query.limit) out.resize(query.limit);
  return out;
}

Result<std::vector<SubscriptionRow>> MemoryStore::subscriptions(const SubscriptionQuery& query) {
  MutexLock lock(mu_);
  std::vector<SubscriptionRow> out;
  for (const auto& [id, inst] : instances_) {
    if (query.instance_id && id != *query.instance_id) continue;
    for (const auto& [key, sub] : inst.state.subscriptions) {
      if (query.name && sub.name != *query.name) continue;
      if (query.correlation_key && sub.correlation_key != *query.correlation_key) continue;
      out.push_back(SubscriptionRow{runtime::task_id_for(id, key), id,
                                    inst.state.business_key.process, key, sub.element_key,
                                    sub.element_id, sub.name, sub.correlation_key});
    }
  }
  return out;
}

Result<std::int64_t> MemoryStore::reserve_message_key() {
  MutexLock lock(mu_);
  return ++last_message_key_;
}

const MessageRow* MemoryStore::duplicate_of(const MessageRow& message) const {
  if (message.message_id.empty()) return nullptr;
  for (const auto& [key, m] : messages_) {
    if (m.message_id == message.message_id && m.name == message.name &&
        m.correlation_key == message.correlation_key && m.dedup_until_ms > message.published_ms) {
      return &m;
    }
  }
  return nullptr;
}

Result<PublishResult> MemoryStore::publish(const MessageRow& message) {
  MutexLock lock(mu_);
  if (const MessageRow* first = duplicate_of(message); first != nullptr) {
    return PublishResult{*first, false};
  }
  messages_.emplace(message.key, message);
  return PublishResult{message, true};
}

Result<std::vector<MessageRow>> MemoryStore::messages(const MessageQuery& query) {
  MutexLock lock(mu_);
  std::vector<MessageRow> out;
  for (const auto& entry : messages_) {
    const MessageRow& m = entry.second;
    if (query.name && m.name != *query.name) continue;
    if (query.correlation_key && m.correlation_key != *query.correlation_key) continue;
    if (query.buffered_at && m.expires_ms <= *query.buffered_at) continue;
    if (query.not_correlated_to) {
      const bool reached =
          std::any_of(correlations_.begin(), correlations_.end(), [&](const auto& c) {
            return c.message_key == m.key && c.process == *query.not_correlated_to;
          });
      if (reached) continue;
    }
    out.push_back(m);
  }
  std::sort(out.begin(), out.end(), [](const MessageRow& a, const MessageRow& b) {
    return std::tie(a.published_ms, a.key) < std::tie(b.published_ms, b.key);
  });
  if (query.limit != 0 && out.size() > query.limit) out.resize(query.limit);
  return out;
}

Result<std::vector<CorrelationRow>> MemoryStore::correlations(std::int64_t message_key) {
  MutexLock lock(mu_);
  std::vector<CorrelationRow> out;
  for (const CorrelationRow& c : correlations_) {
    if (c.message_key == message_key) out.push_back(c);
  }
  return out;
}

Result<std::size_t> MemoryStore::expire_messages(std::int64_t now_ms) {
  MutexLock lock(mu_);
  return static_cast<std::size_t>(std::erase_if(messages_, [now_ms](const auto& entry) {
    return entry.second.expires_ms <= now_ms && entry.second.dedup_until_ms <= now_ms;
  }));
}

}  // namespace pmiflow
