#include "app/replay.h"

#include <algorithm>
#include <exception>
#include <set>
#include <utility>

#include "engine/common/time_text.h"
#include "engine/runtime/event_applier.h"

namespace pmiflow::app {
namespace {

std::string list_text(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return "[" + out + "]";
}

using Diff = std::optional<std::string>;

std::string tags_text(const runtime::Tags& tags) {
  std::vector<std::string> items;
  for (const auto& [name, value] : tags) items.push_back(name + "=" + value);
  return list_text(items);
}

// Keeps the events up to the point (by time; `until` was applied when they were read).
void cut(AuditedInstance& a, const ReplayPoint& point) {
  if (!point.at_ms) return;
  auto end = std::find_if(a.events.begin(), a.events.end(),
                          [&](const runtime::Event& e) { return e.time_ms > *point.at_ms; });
  a.events.erase(end, a.events.end());
}

}  // namespace

Result<runtime::InstanceState> fold_events(std::int64_t id,
                                           const std::vector<runtime::Event>& events) {
  runtime::InstanceState state;
  for (const auto& e : events) {
    try {
      runtime::apply(state, e);
    } catch (const std::exception& x) {
      return make_error(ErrorCode::kValidation,
                        "instance " + std::to_string(id) + ": event " + std::to_string(e.seq) +
                            " (" + runtime::event_type_name(e.type()) + ") does not replay: " +
                            x.what() + " (the log was changed; `pmiflow verify` names how)");
    }
  }
  return state;
}

Result<std::optional<std::string>> first_difference(Store& read_model, const InstanceRow& row,
                                                    const runtime::InstanceState& s) {
  auto differ = [](const std::string& what, const std::string& events,
                   const std::string& projection) -> std::optional<std::string> {
    return what + ": events say " + events + ", projection says " + projection;
  };
  if (row.status != runtime::to_string(s.status)) {
    return differ("status", runtime::to_string(s.status), row.status);
  }
  if (row.last_seq != s.last_seq) {
    return differ("last seq", std::to_string(s.last_seq), std::to_string(row.last_seq));
  }
  if (row.version != s.definition_version) {
    return differ("definition version", std::to_string(s.definition_version),
                  std::to_string(row.version));
  }
  if (row.business_key != s.business_key) {
    return differ("business key", s.business_key.process + " " + s.business_key.id,
                  row.business_key.process + " " + row.business_key.id);
  }
  if (row.tags != s.tags) return differ("tags", tags_text(s.tags), tags_text(row.tags));
  if (row.ended_ms != s.ended_ms) {
    return differ("end time", format_time(s.ended_ms), format_time(row.ended_ms));
  }
  std::vector<std::string> active;
  for (const auto& [key, el] : s.elements) {
    if (!runtime::is_inner_instance(s, el)) active.push_back(el.element_id);
  }
  if (row.active_elements != active) {
    return differ("active activities", list_text(active), list_text(row.active_elements));
  }

  auto tasks = read_model.tasks(TaskQuery{{}, row.id, {}});
  if (!tasks.ok()) return tasks.error();
  std::set<std::string> projected_tasks;
  for (const auto& t : *tasks) {
    projected_tasks.insert(t.id);
    auto it = s.tasks.find(t.id);
    if (it == s.tasks.end()) {
      return Diff("task " + t.id + " (" + t.element_id +
                  "): open in the projection, not in the events");
    }
    const runtime::UserTask& f = it->second;
    if (t.element_id != f.element_id) {
      return differ("task " + t.id + " element", f.element_id, t.element_id);
    }
    if (t.name != f.name) return differ("task " + t.id + " name", f.name, t.name);
    if (t.candidate_groups != f.candidate_groups) {
      return differ("task " + t.id + " roles", list_text(f.candidate_groups),
                    list_text(t.candidate_groups));
    }
    if (t.form != f.form) return differ("task " + t.id + " form", f.form, t.form);
  }
  for (const auto& [id, t] : s.tasks) {
    if (projected_tasks.count(id) == 0) {
      return Diff("task " + id + " (" + t.element_id +
                  "): open in the events, not in the projection");
    }
  }

  auto vars = read_model.variables(row.id);
  if (!vars.ok()) return vars.error();
  for (const auto& [name, value] : s.variables) {
    auto it = vars->find(name);
    if (it == vars->end()) {
      return Diff("variable " + name + ": events say " + json_text(value) +
                  ", projection has no such variable");
    }
    if (it->second != value)
      return differ("variable " + name, json_text(value), json_text(it->second));
  }
  for (const auto& [name, value] : *vars) {
    if (s.variables.count(name) == 0) {
      return Diff("variable " + name + ": projection says " + json_text(value) +
                  ", the events never set it");
    }
  }

  auto jobs = read_model.jobs(row.id);
  if (!jobs.ok()) return jobs.error();
  std::set<std::string> projected_jobs;
  for (const auto& j : *jobs) {
    projected_jobs.insert(j.id);
    auto it = s.jobs.find(j.id);
    if (it == s.jobs.end()) {
      return Diff("job " + j.id + " (" + j.type + "): open in the projection, not in the events");
    }
    const runtime::Job& f = it->second;
    if (j.element_id != f.element_id) {
      return differ("job " + j.id + " element", f.element_id, j.element_id);
    }
    if (j.type != f.type) return differ("job " + j.id + " type", f.type, j.type);
    if (j.retries_left != f.retries_left) {
      return differ("job " + j.id + " retries left", std::to_string(f.retries_left),
                    std::to_string(j.retries_left));
    }
    if (j.state != runtime::to_string(f.state)) {
      return differ("job " + j.id + " state", runtime::to_string(f.state), j.state);
    }
  }
  for (const auto& [id, j] : s.jobs) {
    if (projected_jobs.count(id) == 0) {
      return Diff("job " + id + " (" + j.type + "): open in the events, not in the projection");
    }
  }

  auto incidents = read_model.incidents(IncidentQuery::of_instance(row.id));
  if (!incidents.ok()) return incidents.error();
  std::set<std::string> projected_incidents;
  for (const auto& i : *incidents) {
    projected_incidents.insert(i.id);
    auto it = s.incidents.find(i.id);
    if (it == s.incidents.end()) {
      return Diff("incident " + i.id + ": open in the projection, not in the events");
    }
    const runtime::Incident& f = it->second;
    if (i.element_id != f.element_id) {
      return differ("incident " + i.id + " element", f.element_id, i.element_id);
    }
    if (i.kind != f.kind) return differ("incident " + i.id + " kind", f.kind, i.kind);
    if (i.message != f.message) {
      return differ("incident " + i.id + " message", f.message, i.message);
    }
  }
  for (const auto& [id, i] : s.incidents) {
    if (projected_incidents.count(id) == 0) {
      return Diff("incident " + id + ": open in the events, not in the projection");
    }
  }

  TimerQuery timer_query;
  timer_query.instance_id = row.id;
  auto timers = read_model.timers(timer_query);
  if (!timers.ok()) return timers.error();
  std::set<std::int64_t> projected_timers;
  for (const auto& t : *timers) {
    projected_timers.insert(t.key);
    auto it = s.timers.find(t.key);
    if (it == s.timers.end()) {
      return Diff("timer " + t.id + ": waiting in the projection, not in the events");
    }
    if (t.due_ms != it->second.due_ms) {
      return differ("timer " + t.id + " due", std::to_string(it->second.due_ms),
                    std::to_string(t.due_ms));
    }
    if (t.element_id != it->second.element_id) {
      return differ("timer " + t.id + " element", it->second.element_id, t.element_id);
    }
  }
  for (const auto& [key, t] : s.timers) {
    if (projected_timers.count(key) == 0) {
      return Diff("timer " + runtime::task_id_for(row.id, key) + " (" + t.element_id +
                  "): waiting in the events, not in the projection");
    }
  }

  SubscriptionQuery subscription_query;
  subscription_query.instance_id = row.id;
  auto subscriptions = read_model.subscriptions(subscription_query);
  if (!subscriptions.ok()) return subscriptions.error();
  std::set<std::int64_t> projected_subscriptions;
  for (const auto& p : *subscriptions) {
    projected_subscriptions.insert(p.key);
    auto it = s.subscriptions.find(p.key);
    if (it == s.subscriptions.end()) {
      return Diff("message subscription " + p.id + ": open in the projection, not in the events");
    }
    const runtime::MessageSubscription& e = it->second;
    if (p.name != e.name || p.correlation_key != e.correlation_key) {
      return differ("message subscription " + p.id, e.name + " / " + e.correlation_key,
                    p.name + " / " + p.correlation_key);
    }
  }
  for (const auto& [key, sub] : s.subscriptions) {
    if (projected_subscriptions.count(key) == 0) {
      return Diff("message subscription " + runtime::task_id_for(row.id, key) + " (" +
                  sub.element_id + "): open in the events, not in the projection");
    }
  }
  return std::optional<std::string>();
}

Result<Replay> replay(Store& store, Engine& engine, std::int64_t id, const ReplayPoint& point) {
  for (int attempt = 0;; ++attempt) {
    auto loaded = load_audited(store, engine, id, point.until.value_or(INT64_MAX));
    if (!loaded.ok()) return loaded.error();
    Replay r;
    r.instance = std::move(*loaded);
    r.events_total = r.instance.row.last_seq;
    r.compared_with = "the projections";
    cut(r.instance, point);
    auto state = fold_events(id, r.instance.events);
    if (!state.ok()) return state.error();
    r.state = std::move(*state);
    if (point.all()) {
      auto difference = first_difference(store, r.instance.row, r.state);
      if (!difference.ok()) return difference.error();
      r.difference = std::move(*difference);
      if (r.difference && attempt < 2) continue;
    }
    return r;
  }
}

Result<Replay> replay_archive(const std::string& path, std::int64_t id, const ReplayPoint& point) {
  auto loaded = load_audited_from_archive(path, id, point.until.value_or(INT64_MAX));
  if (!loaded.ok()) return loaded.error();
  Replay r;
  r.instance = std::move(*loaded);
  r.events_total = r.instance.row.last_seq;
  r.compared_with = "the archive's instance record";
  cut(r.instance, point);
  auto state = fold_events(id, r.instance.events);
  if (!state.ok()) return state.error();
  r.state = std::move(*state);
  if (point.all()) {
    const InstanceRow& row = r.instance.row;
    if (row.status != runtime::to_string(r.state.status)) {
      r.difference = "status: events say " + std::string(runtime::to_string(r.state.status)) +
                     ", the archive's instance record says " + row.status;
    } else if (row.last_seq != r.state.last_seq) {
      r.difference = "last seq: events say " + std::to_string(r.state.last_seq) +
                     ", the archive's instance record says " + std::to_string(row.last_seq);
    }
  }
  return r;
}

}  // namespace pmiflow::app
