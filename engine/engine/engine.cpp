#include "engine/engine/engine.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>

#include "engine/engine/audit.h"
#include "engine/engine/business_key.h"
#include "engine/engine/job_attempt.h"
#include "engine/runtime/applier.h"
#include "engine/runtime/interpreter.h"

namespace pmiflow {

using runtime::Actor;
using runtime::Event;
using runtime::InstanceState;

namespace {

constexpr int kMaxConflictRetries = 5;
constexpr int kMaxJobRunsPerCall = 10000;
// Threads that write group commits: one writes the next group while another waits for its
// group to become durable.
constexpr int kGroupWriters = 2;

}  // namespace

struct Engine::Writer {
  AppendRequest* request;  // handed back to its caller after the commit
  AppendResult result;
  bool done = false;
  // Its own condition variable: a commit wakes the writers it completed, not every waiting
  // thread. Shared, so that the group writer can notify it after unlocking (the writer may
  // return as soon as it sees `done`): woken under the lock, each writer of the group would at
  // once block on commit_mu_ again, one more sleep and wake per command.
  std::shared_ptr<std::condition_variable> cv = std::make_shared<std::condition_variable>();
};

Engine::Engine(Store& store, const HandlerRegistry& handlers, Clock& clock, EngineOptions options)
    : store_(store), handlers_(handlers), clock_(clock), options_(options) {
  for (int i = 0; i < kGroupWriters; ++i) group_writers_.emplace_back([this] { write_groups(); });
}

Engine::~Engine() {
  {
    std::lock_guard lock(commit_mu_);
    stopping_ = true;
  }
  group_writer_cv_.notify_all();
  for (std::thread& t : group_writers_) t.join();
}

Result<DeployOutcome> Engine::deploy(const std::string& xml, const std::string& resource_name,
                                     const FormResolver& resolve_form) {
  model::ValidationOptions validation{handlers_.types()};
  auto checked = check_deployment(xml, resource_name, validation, resolve_form);
  if (!checked.definition) {
    return make_error(ErrorCode::kValidation, diagnostics_text(checked.diagnostics));
  }
  return store_.deploy(checked.definition->key, xml, audit::sha256_hex(xml), resource_name,
                       checked.forms, clock_.now_ms());
}

Result<model::ProcessDefinitionPtr> Engine::definition(const std::string& key,
                                                       std::int32_t version) {
  auto loaded = load_definition(key, version);
  if (!loaded.ok()) return loaded.error();
  return (*loaded)->model;
}

Result<Engine::LoadedPtr> Engine::load_definition(const std::string& key, std::int32_t version) {
  if (version != 0) {
    std::lock_guard lock(cache_mu_);
    auto it = definitions_.find({key, version});
    if (it != definitions_.end()) return it->second;
  }
  auto deployed = store_.definition(key, version);
  if (!deployed.ok()) return deployed.error();
  {
    std::lock_guard lock(cache_mu_);
    auto it = definitions_.find({key, deployed->version});
    if (it != definitions_.end()) return it->second;
  }
  model::ValidationOptions validation{handlers_.types()};
  auto loaded = model::load_bpmn(deployed->xml, deployed->resource_name, validation);
  if (!loaded.definition) {
    return make_error(ErrorCode::kValidation,
                      key + " version " + std::to_string(deployed->version) +
                          " does not load: " + diagnostics_text(loaded.diagnostics));
  }
  auto ptr = std::make_shared<const LoadedDefinition>(LoadedDefinition{
      std::make_shared<const model::ProcessDefinition>(std::move(*loaded.definition)),
      std::move(deployed->forms)});
  std::lock_guard lock(cache_mu_);
  definitions_[{key, deployed->version}] = ptr;
  return ptr;
}

Result<std::shared_ptr<const Form>> Engine::form(const std::string& form_id, std::int32_t version) {
  {
    std::lock_guard lock(cache_mu_);
    auto it = forms_.find({form_id, version});
    if (it != forms_.end()) return it->second;
  }
  auto deployed = store_.form(form_id, version);
  if (!deployed.ok()) return deployed.error();
  Json json = Json::parse(deployed->json, nullptr, /*allow_exceptions=*/false);
  auto parsed = Form::parse(json, deployed->resource_name);
  if (!parsed.ok()) {
    return make_error(ErrorCode::kInternal, "form '" + form_id + "' version " +
                                                std::to_string(deployed->version) +
                                                " does not load: " + parsed.error().message);
  }
  auto ptr = std::make_shared<const Form>(std::move(*parsed));
  std::lock_guard lock(cache_mu_);
  forms_[{form_id, deployed->version}] = ptr;
  return ptr;
}

Result<DeployedForm> Engine::task_form(const std::string& task_id) {
  std::int64_t instance_id = 0;
  std::int64_t key = 0;
  if (!runtime::parse_task_id(task_id, instance_id, key)) {
    return make_error(ErrorCode::kNotFound,
                      "'" + task_id + "' is not a task id (expected INSTANCE-KEY, e.g. 12-7)");
  }
  auto state = load(instance_id);
  if (!state.ok()) return state.error();
  auto task = (*state)->tasks.find(task_id);
  if (task == (*state)->tasks.end()) {
    return make_error(ErrorCode::kNotFound, "task " + task_id + " is not open");
  }
  const runtime::UserTask& t = task->second;
  if (t.form.empty()) {
    return make_error(ErrorCode::kNotFound,
                      "task " + task_id + " (" + t.element_id + ") has no form");
  }
  const auto& process = (*state)->business_key.process;
  const std::int32_t def_version = (*state)->definition_version;
  auto def = load_definition(process, def_version);
  if (!def.ok()) return def.error();
  auto bound = (*def)->forms.find(t.form);
  if (bound == (*def)->forms.end()) {
    return make_error(ErrorCode::kNotFound, "form '" + t.form + "' of task " + task_id +
                                                " was not deployed with " + process + " version " +
                                                std::to_string(def_version));
  }
  return store_.form(t.form, bound->second);
}

AppendResult Engine::commit(AppendRequest& request) {
  Writer w{&request, {}, false};
  std::unique_lock lock(commit_mu_);
  writers_.push_back(&w);
  wake_group_writer();
  w.cv->wait(lock, [&] { return w.done; });
  return std::move(w.result);
}

// A group writer returns only when stopping and no group may be taken: then either the queue
// is empty or another group writer is busy and takes what is queued once it is done.
void Engine::write_groups() {
  std::unique_lock lock(commit_mu_);
  for (;;) {
    group_writer_cv_.wait(lock, [&] { return stopping_ || may_take_group(); });
    if (may_take_group()) {
      write_group(lock);
    } else {
      return;
    }
  }
}

void Engine::write_group(std::unique_lock<std::mutex>& lock) {
  // Everything queued so far goes into one transaction.
  std::size_t n = std::min(writers_.size(), options_.max_batch);
  std::vector<Writer*> group(writers_.begin(), writers_.begin() + static_cast<long>(n));
  writers_.erase(writers_.begin(), writers_.begin() + static_cast<long>(n));
  writing_ = true;
  last_group_ = n;
  lock.unlock();
  const auto started = std::chrono::steady_clock::now();
  // The store calls this once the group has committed, before it is durable.
  bool syncing = false;  // guarded by commit_mu_
  auto release = [&] {
    const auto written = std::chrono::steady_clock::now() - started;
    std::lock_guard guard(commit_mu_);
    if (syncing) return;
    syncing = true;
    writing_ = false;
    ++syncing_;
    stats_.store_write_ns += static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(written).count());
    wake_group_writer();
  };
  std::vector<AppendRequest> batch;
  batch.reserve(n);
  for (Writer* g : group) batch.push_back(std::move(*g->request));
  std::vector<AppendResult> results;
  try {
    results = store_.append(batch, release);
  } catch (const std::exception& e) {
    results.assign(n, AppendResult{make_error(ErrorCode::kInternal, e.what()), 0, false, {}});
  }
  if (results.size() != n) {
    results.assign(
        n, AppendResult{
               make_error(ErrorCode::kInternal, "store returned a short batch"), 0, false, {}});
  }
  auto elapsed = std::chrono::steady_clock::now() - started;
  release();  // when the store did not
  lock.lock();
  --syncing_;
  stats_.store_append_ns += static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
  ++stats_.group_commits;
  std::vector<std::shared_ptr<std::condition_variable>> done;  // the writers of the group
  done.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (results[i].status.ok()) {
      ++stats_.commands;
      for (const auto& e : batch[i].events) {
        ++stats_.events;
        if (e.type == runtime::EventType::kElementActivated) ++stats_.activations;
      }
    }
    *group[i]->request = std::move(batch[i]);
    group[i]->result = std::move(results[i]);
    group[i]->done = true;
    done.push_back(group[i]->cv);
  }
  wake_group_writer();
  lock.unlock();
  for (const auto& cv : done) cv->notify_one();
  lock.lock();
}

// A group is taken once no group is being written, and either none is being made durable or
// as many requests wait as the last group held: while a group syncs, the next one is written
// only when that is worth a transaction of its own (each commit writes every page it touched,
// so tiny groups cost CPU); otherwise it waits and grows.
bool Engine::may_take_group() const {
  return !writers_.empty() && !writing_ && (syncing_ == 0 || writers_.size() >= last_group_);
}

// Called after each change of what may_take_group() reads (an arrival, a group committed, a
// group durable). A group writer is woken only when it may take a group: waking one at every
// arrival while a group syncs made about one futex wake and context switch per command for
// nothing.
void Engine::wake_group_writer() {
  if (may_take_group()) group_writer_cv_.notify_one();
}

Result<Engine::StatePtr> Engine::load(std::int64_t instance_id) {
  {
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(instance_id);
    if (it != cache_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return *it->second;
    }
  }
  auto events = store_.events(instance_id);
  if (!events.ok()) return events.error();
  if (events->empty()) {
    return make_error(ErrorCode::kNotFound,
                      "instance " + std::to_string(instance_id) + " does not exist");
  }
  StatePtr state;
  try {
    state = std::make_shared<InstanceState>(runtime::fold(*events));
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal,
                      "instance " + std::to_string(instance_id) + " does not replay: " + e.what());
  }
  remember(state);
  return state;
}

std::shared_ptr<InstanceState> Engine::take(std::int64_t instance_id) {
  std::lock_guard lock(cache_mu_);
  auto it = cache_.find(instance_id);
  // Under cache_mu_ no new reference can be made, so a count of one is the cache's own.
  if (it == cache_.end() || it->second->use_count() != 1) return nullptr;
  auto state = std::const_pointer_cast<InstanceState>(std::move(*it->second));
  lru_.erase(it->second);
  cache_.erase(it);
  return state;
}

void Engine::remember(StatePtr state) {
  std::lock_guard lock(cache_mu_);
  auto it = cache_.find(state->id);
  if (it != cache_.end()) {
    // A state put back by a refused command must not replace the newer one that another
    // command committed meanwhile.
    if ((*it->second)->last_seq > state->last_seq) return;
    *it->second = std::move(state);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  std::int64_t id = state->id;
  lru_.push_front(std::move(state));
  cache_[id] = lru_.begin();
  while (cache_.size() > options_.state_cache_capacity) {
    cache_.erase(lru_.back()->id);
    lru_.pop_back();
  }
}

void Engine::forget(std::int64_t instance_id) {
  std::lock_guard lock(cache_mu_);
  auto it = cache_.find(instance_id);
  if (it == cache_.end()) return;
  lru_.erase(it->second);
  cache_.erase(it);
}

EngineStats Engine::stats() const {
  std::lock_guard lock(commit_mu_);
  return stats_;
}

Result<InstanceState> Engine::state(std::int64_t instance_id) {
  auto state = load(instance_id);
  if (!state.ok()) return state.error();
  return **state;
}

Result<Engine::StatePtr> Engine::snapshot(std::int64_t instance_id) {
  return load(instance_id);
}

Result<StartOutcome> Engine::start(const runtime::BusinessKey& key, const Variables& variables,
                                   const Actor& actor) {
  PMIFLOW_TRY(validate_business_key(key));
  PMIFLOW_TRY(handlers_.check_start_data(key, variables));
  auto existing = store_.find_instance(key);
  if (!existing.ok()) return existing.error();
  if (*existing) return StartOutcome{**existing, false};
  auto version = store_.latest_version(key.process);
  if (!version.ok()) return version.error();
  auto def = definition(key.process, *version);
  if (!def.ok()) return def.error();
  auto execution =
      runtime::execute_with_state(**def, *version, InstanceState{},
                                  runtime::CreateInstance{key, variables, actor}, clock_.now_ms());
  if (!execution.ok()) return execution.error();
  AppendRequest request;
  request.business_key = key;
  request.events = std::move(execution->events);
  request.new_state = &execution->state;
  AppendResult result = commit(request);
  if (!result.status.ok()) return result.status.error();
  if (!result.created) return StartOutcome{result.instance_id, false};
  // The store assigned the id: fold again so that task and job ids carry it.
  for (auto& e : request.events) e.instance_id = result.instance_id;
  auto state = std::make_shared<InstanceState>(runtime::fold(request.events));
  state->head_hash = result.head_hash;
  remember(std::move(state));
  PMIFLOW_TRY(run_jobs(result.instance_id));
  return StartOutcome{result.instance_id, true};
}

namespace {

// The job a handler runs next: the activatable one with the lowest element key.
const runtime::Job* next_job(const InstanceState& state) {
  const runtime::Job* job = nullptr;
  for (const auto& [id, j] : state.jobs) {
    if (j.state == runtime::JobState::kActivatable &&
        (job == nullptr || j.element_key < job->element_key)) {
      job = &j;
    }
  }
  return job;
}

}  // namespace

runtime::Command Engine::attempt_job(std::int64_t instance_id, const InstanceState& state,
                                     const runtime::Job& job) {
  JobAttempt attempt;
  attempt.start();
  const TaskHandler* handler = handlers_.find(job.type);
  if (handler == nullptr) {
    attempt.fail("no handler is registered for task type '" + job.type + "'");
  } else {
    HandlerContext ctx;
    ctx.instance_id = instance_id;
    ctx.process = state.business_key.process;
    ctx.school = state.business_key.school;
    ctx.period = state.business_key.period;
    ctx.element_id = job.element_id;
    ctx.job_id = job.id;
    ctx.now_ms = clock_.now_ms();
    ctx.variables = &state.variables;
    ctx.activation_counts = &state.activation_counts;
    try {
      HandlerResult r = handler->handle(ctx);
      if (r.ok) {
        attempt.succeed(std::move(r.variables));
      } else {
        attempt.fail(std::move(r.error));
      }
    } catch (const std::exception& e) {
      attempt.fail(std::string("handler threw: ") + e.what());
    }
  }
  return std::string(attempt.state()) == "succeeded"
             ? runtime::Command(runtime::CompleteJob{job.id, attempt.variables()})
             : runtime::Command(runtime::FailJob{job.id, attempt.failure()});
}

Result<CommandOutcome> Engine::submit(std::int64_t instance_id, const runtime::Command* command,
                                      bool with_jobs, const Precheck& precheck) {
  for (int attempt = 0;; ++attempt) {
    // The state the command starts from: taken out of the cache to be changed in place when
    // no snapshot shares it (no copy, and the previous state is not destroyed), else shared.
    std::shared_ptr<InstanceState> owned = take(instance_id);
    StatePtr shared = owned;
    if (!owned) {
      auto loaded = load(instance_id);
      if (!loaded.ok()) return loaded.error();
      shared = std::move(*loaded);
    }
    // An owned state not consumed by a step goes back to the cache on every return.
    struct PutBack {
      Engine& engine;
      std::shared_ptr<InstanceState>& state;
      ~PutBack() {
        if (state) engine.remember(std::move(state));
      }
    } put_back{*this, owned};
    const runtime::BusinessKey business_key = shared->business_key;
    const std::int32_t version = shared->definition_version;
    const std::int64_t expected_seq = shared->last_seq;
    const std::string head_hash = shared->head_hash;
    auto def = load_definition(business_key.process, version);
    if (!def.ok()) return def.error();
    const model::ProcessDefinition& model = *(*def)->model;
    std::vector<Event> events;
    std::shared_ptr<InstanceState> next;  // the state after `events`
    auto step = [&](const runtime::Command& c) -> Status {
      // The first step consumes the owned state or copies the shared one; the later ones
      // consume the state before them.
      if (!next && owned) next = std::move(owned);
      auto execution =
          next ? runtime::execute_with_state(model, version, std::move(*next), c, clock_.now_ms())
               : runtime::execute_with_state(model, version, *shared, c, clock_.now_ms());
      shared.reset();
      if (!execution.ok()) return execution.error();
      events.insert(events.end(), std::make_move_iterator(execution->events.begin()),
                    std::make_move_iterator(execution->events.end()));
      if (next) {
        *next = std::move(execution->state);
      } else {
        next = std::make_shared<InstanceState>(std::move(execution->state));
      }
      return {};
    };
    // After a lost race, a command that no longer applies (its task or job is gone, or the
    // winner ended the instance) lost to the other command: a conflict.
    auto refused = [&](const Error& error) -> Error {
      if (attempt > 0 &&
          (error.code == ErrorCode::kNotFound || error.code == ErrorCode::kInvalidState)) {
        return make_error(ErrorCode::kConflict,
                          error.message + ": it was changed concurrently by another command");
      }
      return error;
    };
    if (command != nullptr) {
      // The precheck reads the state before the command. When it fails, the command's own
      // error (unknown task, wrong role) still comes first: the command is tried on a copy.
      if (precheck) {
        if (Status checked = precheck(*shared, **def); !checked.ok()) {
          auto tried =
              runtime::execute_with_state(model, version, *shared, *command, clock_.now_ms());
          return tried.ok() ? checked.error() : refused(tried.error());
        }
      }
      if (Status st = step(*command); !st.ok()) return refused(st.error());
    }
    // The handlers of the jobs the command made activatable run on the state it leaves, and
    // their results commit in the same request (Camunda's synchronous continuation): one
    // transaction until the instance waits again.
    for (int run = 0; with_jobs; ++run) {
      const InstanceState& at = next ? *next : owned ? *owned : *shared;
      const runtime::Job* job = next_job(at);
      if (job == nullptr) break;
      if (run >= kMaxJobRunsPerCall) {
        return make_error(ErrorCode::kInternal, "jobs of instance " + std::to_string(instance_id) +
                                                    " did not settle after " +
                                                    std::to_string(kMaxJobRunsPerCall) + " runs");
      }
      PMIFLOW_TRY(step(attempt_job(instance_id, at, *job)));
    }
    if (events.empty()) return CommandOutcome{instance_id, {}};
    AppendRequest request;
    request.instance_id = instance_id;
    request.business_key = business_key;
    request.expected_seq = expected_seq;
    request.events = std::move(events);
    request.new_state = next.get();
    // Hashing and JSON text are most of an append's CPU: done here, in parallel with the other
    // callers, rather than in the store's serial turn.
    if (!head_hash.empty()) {
      request.encoded = audit::encode_all(instance_id, head_hash, request.events);
      store_.prepare(request);
    }
    AppendResult result = commit(request);
    if (result.status.ok()) {
      CommandOutcome outcome{instance_id, std::move(request.events)};
      next->head_hash = result.head_hash;
      if (next->status == runtime::InstanceStatus::kActive) {
        remember(std::move(next));
      } else {
        forget(instance_id);
      }
      return outcome;
    }
    forget(instance_id);
    if (result.status.error().code != ErrorCode::kConflict || attempt >= kMaxConflictRetries) {
      return result.status.error();
    }
  }
}

Result<CommandOutcome> Engine::complete_task(const std::string& task_id, const Actor& actor,
                                             const Variables& variables) {
  std::int64_t instance_id = 0;
  std::int64_t key = 0;
  if (!runtime::parse_task_id(task_id, instance_id, key)) {
    return make_error(ErrorCode::kNotFound,
                      "'" + task_id + "' is not a task id (expected INSTANCE-KEY, e.g. 12-7)");
  }
  auto check_form = [&](const InstanceState& state, const LoadedDefinition& def) -> Status {
    auto task = state.tasks.find(task_id);
    if (task == state.tasks.end() || task->second.form.empty()) return {};
    const runtime::UserTask& t = task->second;
    auto bound = def.forms.find(t.form);
    if (bound == def.forms.end()) return {};  // deployed before forms were kept
    auto form = this->form(t.form, bound->second);
    if (!form.ok()) return form.error();
    const auto errors = (*form)->check(variables, state.variables);
    if (errors.empty()) return {};
    return make_error(ErrorCode::kValidation, "task " + task_id + " (" + t.element_id +
                                                  ") was not completed: the variables do not "
                                                  "pass form '" +
                                                  t.form + "': " + join_field_errors(errors));
  };
  const runtime::Command command = runtime::CompleteUserTask{task_id, actor, variables};
  return submit(instance_id, &command, true, check_form);
}

Result<CommandOutcome> Engine::set_variables(std::int64_t instance_id, const Actor& actor,
                                             const Variables& variables) {
  const runtime::Command command = runtime::SetVariables{actor, variables};
  return submit(instance_id, &command, false);
}

Result<CommandOutcome> Engine::resolve_incident(const std::string& incident_id,
                                                const Actor& actor) {
  std::int64_t instance_id = 0;
  std::int64_t key = 0;
  if (!runtime::parse_task_id(incident_id, instance_id, key)) {
    return make_error(ErrorCode::kNotFound, "'" + incident_id + "' is not an incident id");
  }
  const runtime::Command command = runtime::ResolveIncident{incident_id, actor};
  return submit(instance_id, &command, true);
}

Result<CommandOutcome> Engine::cancel(std::int64_t instance_id, const Actor& actor) {
  const runtime::Command command = runtime::CancelInstance{actor};
  return submit(instance_id, &command, false);
}

Status Engine::run_jobs(std::int64_t instance_id, std::vector<Event>* out) {
  auto outcome = submit(instance_id, nullptr, true);
  if (!outcome.ok()) return outcome.error();
  if (out != nullptr) {
    out->insert(out->end(), std::make_move_iterator(outcome->events.begin()),
                std::make_move_iterator(outcome->events.end()));
  }
  return {};
}

}  // namespace pmiflow
