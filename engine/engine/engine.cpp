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

std::string diagnostics_text(const std::vector<model::Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) {
    if (!out.empty()) out += '\n';
    out += d.to_string();
  }
  return out;
}

}  // namespace

struct Engine::Writer {
  AppendRequest request;
  AppendResult result;
  bool done = false;
};

Engine::Engine(Store& store, const HandlerRegistry& handlers, Clock& clock, EngineOptions options)
    : store_(store), handlers_(handlers), clock_(clock), options_(options) {}

Result<DeployOutcome> Engine::deploy(const std::string& xml, const std::string& resource_name) {
  model::ValidationOptions validation{handlers_.types()};
  auto loaded = model::load_bpmn(xml, resource_name, validation);
  if (!loaded.definition) {
    return make_error(ErrorCode::kValidation, diagnostics_text(loaded.diagnostics));
  }
  return store_.deploy(loaded.definition->key, xml, audit::sha256_hex(xml), resource_name,
                       clock_.now_ms());
}

Result<model::ProcessDefinitionPtr> Engine::definition(const std::string& key,
                                                       std::int32_t version) {
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
  auto ptr = std::make_shared<const model::ProcessDefinition>(std::move(*loaded.definition));
  std::lock_guard lock(cache_mu_);
  definitions_[{key, deployed->version}] = ptr;
  return ptr;
}

AppendResult Engine::commit(AppendRequest request) {
  Writer w{std::move(request), {}, false};
  std::unique_lock lock(commit_mu_);
  writers_.push_back(&w);
  commit_cv_.wait(lock, [&] { return w.done || writers_.front() == &w; });
  if (w.done) return w.result;

  // This writer leads: it commits everything queued so far in one transaction.
  std::size_t n = std::min(writers_.size(), options_.max_batch);
  std::vector<Writer*> group(writers_.begin(), writers_.begin() + static_cast<long>(n));
  lock.unlock();
  std::vector<AppendRequest> batch;
  batch.reserve(n);
  for (Writer* g : group) batch.push_back(std::move(g->request));
  std::vector<AppendResult> results;
  auto started = std::chrono::steady_clock::now();
  try {
    results = store_.append(batch);
  } catch (const std::exception& e) {
    results.assign(n, AppendResult{make_error(ErrorCode::kInternal, e.what()), 0, false});
  }
  if (results.size() != n) {
    results.assign(n, AppendResult{make_error(ErrorCode::kInternal, "store returned a short batch"),
                                   0, false});
  }
  auto elapsed = std::chrono::steady_clock::now() - started;
  lock.lock();
  stats_.store_append_ns += static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
  ++stats_.group_commits;
  for (std::size_t i = 0; i < n; ++i) {
    if (results[i].status.ok()) {
      ++stats_.commands;
      for (const auto& e : batch[i].events) {
        ++stats_.events;
        if (e.type == runtime::EventType::kElementActivated) ++stats_.activations;
      }
    }
    group[i]->result = std::move(results[i]);
    group[i]->done = true;
    writers_.pop_front();
  }
  commit_cv_.notify_all();
  return w.result;
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
    state = std::make_shared<const InstanceState>(runtime::fold(*events));
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal,
                      "instance " + std::to_string(instance_id) + " does not replay: " + e.what());
  }
  remember(state);
  return state;
}

void Engine::remember(StatePtr state) {
  std::lock_guard lock(cache_mu_);
  auto it = cache_.find(state->id);
  if (it != cache_.end()) {
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
  auto deployed = store_.definition(key.process, 0);
  if (!deployed.ok()) return deployed.error();
  auto def = definition(key.process, deployed->version);
  if (!def.ok()) return def.error();
  auto execution =
      runtime::execute_with_state(**def, deployed->version, InstanceState{},
                                  runtime::CreateInstance{key, variables, actor}, clock_.now_ms());
  if (!execution.ok()) return execution.error();
  AppendRequest request;
  request.business_key = key;
  request.events = execution->events;
  request.new_state = &execution->state;
  AppendResult result = commit(std::move(request));
  if (!result.status.ok()) return result.status.error();
  if (!result.created) return StartOutcome{result.instance_id, false};
  // The store assigned the id: fold again so that task and job ids carry it.
  for (auto& e : execution->events) e.instance_id = result.instance_id;
  remember(std::make_shared<const InstanceState>(runtime::fold(execution->events)));
  PMIFLOW_TRY(run_jobs(result.instance_id));
  return StartOutcome{result.instance_id, true};
}

Result<CommandOutcome> Engine::submit(std::int64_t instance_id, const runtime::Command& command) {
  for (int attempt = 0;; ++attempt) {
    auto state = load(instance_id);
    if (!state.ok()) return state.error();
    const InstanceState& current = **state;
    auto def = definition(current.business_key.process, current.definition_version);
    if (!def.ok()) return def.error();
    auto execution = runtime::execute_with_state(**def, current.definition_version, current,
                                                 command, clock_.now_ms());
    if (!execution.ok()) {
      // After a lost race, a command that no longer applies (its task or job is gone, or the
      // winner ended the instance) lost to the other command: a conflict.
      ErrorCode code = execution.error().code;
      if (attempt > 0 && (code == ErrorCode::kNotFound || code == ErrorCode::kInvalidState)) {
        return make_error(ErrorCode::kConflict, execution.error().message +
                                                    ": it was changed concurrently by another "
                                                    "command");
      }
      return execution.error();
    }
    CommandOutcome outcome{instance_id, execution->events};
    if (outcome.events.empty()) return outcome;
    auto next = std::make_shared<const InstanceState>(std::move(execution->state));
    AppendRequest request;
    request.instance_id = instance_id;
    request.business_key = current.business_key;
    request.expected_seq = current.last_seq;
    request.events = std::move(execution->events);
    request.new_state = next.get();
    AppendResult result = commit(std::move(request));
    if (result.status.ok()) {
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
  auto outcome = submit(instance_id, runtime::CompleteUserTask{task_id, actor, variables});
  if (!outcome.ok()) return outcome;
  PMIFLOW_TRY(run_jobs(instance_id, &outcome->events));
  return outcome;
}

Result<CommandOutcome> Engine::set_variables(std::int64_t instance_id, const Actor& actor,
                                             const Variables& variables) {
  return submit(instance_id, runtime::SetVariables{actor, variables});
}

Result<CommandOutcome> Engine::resolve_incident(const std::string& incident_id,
                                                const Actor& actor) {
  std::int64_t instance_id = 0;
  std::int64_t key = 0;
  if (!runtime::parse_task_id(incident_id, instance_id, key)) {
    return make_error(ErrorCode::kNotFound, "'" + incident_id + "' is not an incident id");
  }
  auto outcome = submit(instance_id, runtime::ResolveIncident{incident_id, actor});
  if (!outcome.ok()) return outcome;
  PMIFLOW_TRY(run_jobs(instance_id, &outcome->events));
  return outcome;
}

Result<CommandOutcome> Engine::cancel(std::int64_t instance_id, const Actor& actor) {
  return submit(instance_id, runtime::CancelInstance{actor});
}

Status Engine::run_jobs(std::int64_t instance_id, std::vector<Event>* out) {
  for (int run = 0; run < kMaxJobRunsPerCall; ++run) {
    auto snapshot = load(instance_id);
    if (!snapshot.ok()) return snapshot.error();
    const InstanceState* state = snapshot->get();
    const runtime::Job* job = nullptr;
    for (const auto& [id, j] : state->jobs) {
      if (j.state == runtime::JobState::kActivatable &&
          (job == nullptr || j.element_key < job->element_key)) {
        job = &j;
      }
    }
    if (job == nullptr) return {};

    JobAttempt attempt;
    attempt.start();
    const TaskHandler* handler = handlers_.find(job->type);
    if (handler == nullptr) {
      attempt.fail("no handler is registered for task type '" + job->type + "'");
    } else {
      HandlerContext ctx;
      ctx.instance_id = instance_id;
      ctx.process = state->business_key.process;
      ctx.school = state->business_key.school;
      ctx.period = state->business_key.period;
      ctx.element_id = job->element_id;
      ctx.job_id = job->id;
      ctx.now_ms = clock_.now_ms();
      ctx.variables = &state->variables;
      ctx.activation_counts = &state->activation_counts;
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
    runtime::Command command =
        std::string(attempt.state()) == "succeeded"
            ? runtime::Command(runtime::CompleteJob{job->id, attempt.variables()})
            : runtime::Command(runtime::FailJob{job->id, attempt.failure()});
    auto outcome = submit(instance_id, command);
    if (!outcome.ok()) {
      if (outcome.error().code == ErrorCode::kConflict) continue;  // another runner had it
      return outcome.error();
    }
    if (out != nullptr) out->insert(out->end(), outcome->events.begin(), outcome->events.end());
  }
  return make_error(ErrorCode::kInternal, "jobs of instance " + std::to_string(instance_id) +
                                              " did not settle after " +
                                              std::to_string(kMaxJobRunsPerCall) + " runs");
}

}  // namespace pmiflow
