#include "engine/engine/engine_request.h"

#include <string>
#include <utility>
#include <variant>

#include "engine/engine/audit.h"
#include "engine/runtime/interpreter.h"

namespace pmiflow {

using runtime::InstanceState;

namespace {

constexpr int kMaxJobRunsPerCall = 10000;

// The job an in-process handler runs next in the request: the activatable one with the lowest
// element key among those whose type has a handler, whose backoff is over at `now_ms` and whose
// task does not ask for asynchronous continuation (the others wait for a worker, or for the
// runner's in-process workers: docs/jobs.md).
const runtime::Job* next_job(const InstanceState& state, const model::ProcessDefinition& model,
                             const HandlerRegistry& handlers, std::int64_t now_ms) {
  const runtime::Job* job = nullptr;
  for (const auto& [id, j] : state.jobs) {
    if (j.state != runtime::JobState::kActivatable || j.retry_at_ms > now_ms ||
        (job != nullptr && job->element_key < j.element_key) || handlers.find(j.type) == nullptr) {
      continue;
    }
    const model::NodeIndex node = model.find_node(j.element_id);
    if (node != model::kNone && model.node(node).async) continue;
    job = &j;
  }
  return job;
}

}  // namespace

Engine::Request::Request(Engine& engine, int budget) : engine_(engine), budget_(budget) {
  preparer_ = [this](runtime::ChildStart& start) { return prepare_child(start); };
}

Status Engine::Request::create(std::int64_t id, DefinitionCache::LoadedPtr definition,
                               const runtime::CreateInstance& command) {
  auto w = std::make_unique<Work>();
  w->definition = std::move(definition);
  w->forms = engine_.forms_of(*w->definition);
  w->state = std::make_shared<InstanceState>();
  w->state->id = id;
  w->create = true;
  w->head_hash = audit::kGenesisHash;
  w->key = command.business_key;
  creating_.emplace(w->key.process, w->key.id);
  Work& work = *w;
  works_.emplace(id, std::move(w));
  order_.push_back(id);
  PMIFLOW_TRY(step(work, command));
  return settle_jobs(work);
}

Result<Engine::Request::Work*> Engine::Request::reach(std::int64_t id) {
  if (auto it = works_.find(id); it != works_.end()) return it->second.get();
  // Taken out of the cache to be changed in place when no snapshot shares it (no copy, and the
  // previous state is not destroyed), else copied.
  std::shared_ptr<InstanceState> state = engine_.states_.take(id);
  if (!state) {
    auto loaded = engine_.load(id);
    if (!loaded.ok()) return loaded.error();
    state = std::make_shared<InstanceState>(**loaded);
  }
  auto definition =
      engine_.definitions_.definition(state->business_key.process, state->definition_version);
  if (!definition.ok()) {
    engine_.states_.remember(std::move(state));
    return definition.error();
  }
  auto w = std::make_unique<Work>();
  w->definition = std::move(*definition);
  w->forms = engine_.forms_of(*w->definition);
  w->expected_seq = state->last_seq;
  w->head_hash = state->head_hash;
  w->key = state->business_key;
  w->state = std::move(state);
  Work* out = w.get();
  works_.emplace(id, std::move(w));
  order_.push_back(id);
  return out;
}

Status Engine::Request::run(std::int64_t id, const runtime::Command* command, bool with_jobs) {
  auto w = reach(id);
  if (!w.ok()) return w.error();
  if (command != nullptr) PMIFLOW_TRY(step(**w, *command));
  if (with_jobs) PMIFLOW_TRY(settle_jobs(**w));
  return {};
}

Status Engine::Request::step(Work& w, const runtime::Command& command) {
  runtime::ExecuteOptions options{&w.forms, &w.changes, budget_, &preparer_};
  auto execution =
      runtime::execute_with_state(*w.definition->model, w.definition->version, std::move(*w.state),
                                  command, engine_.clock_.now_ms(), options);
  if (!execution.ok()) return execution.error();
  for (const runtime::Event& e : execution->events) {  // the request's budget (runaway guard)
    if (e.type() == runtime::EventType::kElementActivated) --budget_;
  }
  w.events.insert(w.events.end(), std::make_move_iterator(execution->events.begin()),
                  std::make_move_iterator(execution->events.end()));
  *w.state = std::move(execution->state);
  for (runtime::Effect& effect : execution->effects) effects_.push_back(std::move(effect));
  return {};
}

Status Engine::Request::settle_jobs(Work& w) {
  const model::ProcessDefinition& model = *w.definition->model;
  for (int run = 0;; ++run) {
    const runtime::Job* job = next_job(*w.state, model, engine_.handlers_, engine_.clock_.now_ms());
    if (job == nullptr) return {};
    if (run >= kMaxJobRunsPerCall) {
      return make_error(ErrorCode::kInternal, "jobs of instance " + std::to_string(w.state->id) +
                                                  " did not settle after " +
                                                  std::to_string(kMaxJobRunsPerCall) + " runs");
    }
    PMIFLOW_TRY(
        step(w, engine_.attempt_job(*w.state, *job, model, *engine_.handlers_.find(job->type))));
  }
}

Status Engine::Request::prepare_child(runtime::ChildStart& start) {
  StartRequest r =
      engine_.handlers_.prepare_start(StartRequest{start.key, start.tags, start.variables, {}});
  PMIFLOW_TRY(check_start_request(r));
  PMIFLOW_TRY(engine_.handlers_.check_start_data(r));
  if (creating_.count({r.key.process, r.key.id}) != 0) {
    return make_error(ErrorCode::kConflict, "this request starts an instance of " + r.key.process +
                                                " with business id " + r.key.id + " already");
  }
  auto existing = engine_.log_.find_instance(r.key);
  if (!existing.ok()) return existing.error();
  if (*existing) {
    return business_key_taken(r.key, **existing);
  }
  auto version = engine_.definition_store_.latest_version(r.key.process);
  if (!version.ok()) return version.error();
  auto id = engine_.log_.reserve_instance_id();
  if (!id.ok()) return id.error();
  start.id = *id;
  start.version = *version;
  start.tags = std::move(r.tags);
  start.variables = std::move(r.variables);
  return {};
}

Status Engine::Request::settle_effects() {
  while (!effects_.empty()) {
    runtime::Effect effect = std::move(effects_.front());
    effects_.pop_front();
    Status st;
    if (auto* start = std::get_if<runtime::StartChild>(&effect)) {
      const runtime::ChildStart& c = start->start;
      auto definition = engine_.definitions_.definition(c.key.process, c.version);
      if (!definition.ok()) return definition.error();
      st = create(c.id, std::move(*definition),
                  runtime::CreateInstance{c.key, c.tags, c.variables, runtime::Actor::engine(),
                                          std::nullopt, c.parent});
    } else if (auto* done = std::get_if<runtime::ChildCompleted>(&effect)) {
      const runtime::Command command =
          runtime::CompleteCallActivity{done->parent.element_key, done->child_id, done->variables};
      st = run(done->parent.instance_id, &command, true);
    } else if (auto* thrown = std::get_if<runtime::ChildErrorThrown>(&effect)) {
      const runtime::Command command = runtime::ThrowFromCallActivity{
          thrown->parent.element_key, thrown->child_id, thrown->code, thrown->message};
      st = run(thrown->parent.instance_id, &command, true);
    } else if (auto* more = std::get_if<runtime::ContinueLoop>(&effect)) {
      continuations_.push_back(*more);
    } else if (auto* cancel = std::get_if<runtime::CancelChild>(&effect)) {
      auto w = reach(cancel->child_id);
      if (!w.ok()) return w.error();
      if ((*w)->state->status != runtime::InstanceStatus::kActive) continue;  // it ended first
      const runtime::Command command = runtime::CancelInstance{runtime::Actor::engine(), true};
      st = run(cancel->child_id, &command, false);
    }
    PMIFLOW_TRY(st);
  }
  return {};
}

std::vector<std::pair<std::int64_t, AppendResult>> Engine::Request::commit(
    const MessageRow* message) {
  std::vector<AppendRequest> requests;
  std::vector<std::int64_t> ids;
  for (std::int64_t id : order_) {
    Work& w = *works_.at(id);
    if (w.events.empty()) continue;
    AppendRequest request;
    request.instance_id = id;
    request.create = w.create;
    request.business_key = w.key;
    request.expected_seq = w.expected_seq;
    request.events = std::move(w.events);
    request.head_hash = w.head_hash;
    request.new_state = w.state.get();
    request.changes = &w.changes;
    request.message = requests.empty() ? message : nullptr;
    requests.push_back(std::move(request));
    ids.push_back(id);
  }
  std::vector<AppendResult> results;
  if (requests.size() == 1) {
    results.push_back(engine_.log_.append(requests.front()));
  } else if (!requests.empty()) {
    results = engine_.log_.append_all(requests);
  }
  bool ok = true;
  for (const AppendResult& r : results) ok = ok && r.status.ok();
  std::vector<std::pair<std::int64_t, AppendResult>> out;
  std::set<std::int64_t> written;  // instances whose events are in the log now
  for (std::size_t i = 0; i < results.size(); ++i) {
    Work& w = *works_.at(ids[i]);
    w.events = std::move(requests[i].events);        // what was written
    if (ok && !(w.create && !results[i].created)) {  // a creation whose key existed wrote nothing
      engine_.count(w.events, written.empty());
      w.state->head_hash = results[i].head_hash;
      written.insert(ids[i]);
    }
    out.emplace_back(ids[i], std::move(results[i]));
  }
  for (std::int64_t id : order_) {
    const Work& w = *works_.at(id);
    // Cached when active and in the log: changed by this request, or reached and left as it was.
    const bool in_log = !w.create || written.count(id) != 0;
    if (ok && in_log && w.state->status == runtime::InstanceStatus::kActive) {
      engine_.states_.remember(w.state);
    } else if (!ok && !w.create) {
      // A lost race: the cache may hold the winner's newer state (kept, or every loser would
      // fold the instance again from the log); a state no newer than the one this request
      // started from may be stale, and is dropped.
      StatePtr cached = engine_.states_.find(id);
      if (cached != nullptr && cached->last_seq <= w.expected_seq) engine_.states_.forget(id);
    } else {
      engine_.states_.forget(id);
    }
  }
  return out;
}

}  // namespace pmiflow
