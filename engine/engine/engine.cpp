#include "engine/engine/engine.h"

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

#include "engine/common/utf8.h"
#include "engine/engine/audit.h"
#include "engine/engine/engine_request.h"
#include "engine/engine/job_attempt.h"
#include "engine/runtime/event_applier.h"
#include "engine/runtime/interpreter.h"
#include "engine/runtime/variable_scope.h"

namespace pmiflow {

using runtime::Actor;
using runtime::Event;
using runtime::InstanceState;

namespace {

// A request that loses the race for an instance's log is computed again on fresh state. Many
// children of one parent (a multi-instance call activity) completing at once all append to the
// parent: each round one wins, so the others may lose several rounds in a row.
constexpr int kMaxConflictRetries = 100;

// Requests that lost the race for an instance's log take turns for it instead of all computing
// again at once: with the many children of one parent completing together, every loser would
// otherwise recompute the parent (and its large variables) each round while one wins, and on
// few cores the losers starve the winner. A retry waits for the turn of the instance it lost to
// (a stripe of it), and so does a first attempt on a child whose parent is contended
// (contended() below); other first attempts never wait, so uncontended requests pay nothing. A turn
// is re-entrant (a request may submit another on its thread) and bounded in time: past
// kTurnWait the request goes on without it (a retry as before), so no wait can deadlock. The
// stripes are shared by every engine of the process: a shared stripe only makes two requests
// wait for each other, never changes what they compute.
constexpr auto kTurnWait = std::chrono::seconds(2);

// A turn: re-entrant on its thread, waited for at most kTurnWait.
class Turn {
 public:
  bool acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    const std::thread::id me = std::this_thread::get_id();
    if (depth_ > 0 && owner_ == me) {
      ++depth_;
      return true;
    }
    if (!cv_.wait_for(lock, kTurnWait, [&] { return depth_ == 0; })) return false;
    owner_ = me;
    depth_ = 1;
    return true;
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu_);
    if (--depth_ == 0) {
      owner_ = {};
      cv_.notify_one();
    }
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread::id owner_;
  int depth_ = 0;
};
std::array<Turn, 64> turn_stripes;

// A stripe whose instance lost a race is contended for kContendedFor: while it is, a child's
// request takes its parent's turn from its first attempt (the next children of a parent whose
// children race are queued at once instead of racing again). Timing only: what a request
// computes never depends on it.
constexpr auto kContendedFor = std::chrono::seconds(5);
std::array<std::atomic<std::int64_t>, 64> contended_until;  // steady-clock ticks

std::size_t stripe_of(std::int64_t instance_id) {
  return static_cast<std::size_t>(instance_id) % turn_stripes.size();
}

// Holds the turn of an instance's stripe while alive; holds nothing when the wait ran out.
class TurnHold {
 public:
  TurnHold() = default;
  explicit TurnHold(std::int64_t instance_id) : turn_(&turn_stripes[stripe_of(instance_id)]) {
    if (!turn_->acquire()) turn_ = nullptr;
  }
  TurnHold(const TurnHold&) = delete;
  TurnHold& operator=(const TurnHold&) = delete;
  TurnHold(TurnHold&& other) noexcept : turn_(std::exchange(other.turn_, nullptr)) {}
  TurnHold& operator=(TurnHold&& other) noexcept {
    reset();
    turn_ = std::exchange(other.turn_, nullptr);
    return *this;
  }
  ~TurnHold() { reset(); }

  bool held() const { return turn_ != nullptr; }
  void reset() {
    if (turn_ != nullptr) turn_->release();
    turn_ = nullptr;
  }

 private:
  Turn* turn_ = nullptr;
};

void mark_contended(std::int64_t instance_id) {
  contended_until[stripe_of(instance_id)] =
      (std::chrono::steady_clock::now() + kContendedFor).time_since_epoch().count();
}

bool contended(std::int64_t instance_id) {
  return contended_until[stripe_of(instance_id)] >
         std::chrono::steady_clock::now().time_since_epoch().count();
}

}  // namespace

Status check_start_request(const StartRequest& r) {
  if (r.key.process.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "process: a process key is required");
  }
  if (r.key.id.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "business id: a business id is required");
  }
  if (r.key.id.size() > kMaxBusinessIdBytes) {
    return make_error(ErrorCode::kInvalidArgument,
                      "business id: " + std::to_string(r.key.id.size()) +
                          " bytes, more than the limit of " + std::to_string(kMaxBusinessIdBytes));
  }
  if (find_invalid_utf8(r.key.id) != std::string_view::npos) {
    return make_error(ErrorCode::kInvalidArgument, "business id: not valid UTF-8");
  }
  for (const auto& [name, value] : r.tags) {
    if (name.empty()) return make_error(ErrorCode::kInvalidArgument, "tag: a name is required");
    if (find_invalid_utf8(name) != std::string_view::npos ||
        find_invalid_utf8(value) != std::string_view::npos) {
      return make_error(ErrorCode::kInvalidArgument, "tag " + name + ": not valid UTF-8");
    }
  }
  return {};
}

Status check_lease_timeout(std::int64_t timeout_ms) {
  if (timeout_ms <= 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "timeout: " + std::to_string(timeout_ms) + " ms is not positive");
  }
  return {};
}

Status check_text_field(const char* what, const std::string& value, bool required) {
  if (required && value.empty()) {
    return make_error(ErrorCode::kInvalidArgument, std::string(what) + ": a name is required");
  }
  if (value.size() > kMaxMessageFieldBytes) {
    return make_error(ErrorCode::kInvalidArgument, std::string(what) + ": " +
                                                       std::to_string(value.size()) +
                                                       " bytes, more than the limit of " +
                                                       std::to_string(kMaxMessageFieldBytes));
  }
  if (find_invalid_utf8(value) != std::string_view::npos) {
    return make_error(ErrorCode::kInvalidArgument, std::string(what) + ": not valid UTF-8");
  }
  return {};
}

Engine::Engine(EventLog& log, DefinitionStore& definitions, MessageStore& messages,
               const HandlerRegistry& handlers, Clock& clock, EngineOptions options)
    : log_(log),
      definition_store_(definitions),
      messages_(messages),
      options_(options),
      handlers_(handlers),
      clock_(clock),
      states_(options.state_cache_capacity),
      definitions_(definitions, model::ValidationOptions{handlers.types()}) {}

Result<DeployOutcome> Engine::deploy(const std::string& xml, const std::string& resource_name,
                                     const FormResolver& resolve_form) {
  model::ValidationOptions validation{handlers_.types()};
  auto checked = check_deployment(xml, resource_name, validation, resolve_form);
  if (!checked.definition) {
    return make_error(ErrorCode::kValidation, diagnostics_text(checked.diagnostics));
  }
  return definition_store_.deploy(checked.definition->key, xml, audit::sha256_hex(xml),
                                  resource_name, checked.forms, clock_.now_ms());
}

Result<model::ProcessDefinitionPtr> Engine::definition(const std::string& key,
                                                       std::int32_t version) {
  auto loaded = definitions_.definition(key, version);
  if (!loaded.ok()) return loaded.error();
  return (*loaded)->model;
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
  auto def = definitions_.definition(process, def_version);
  if (!def.ok()) return def.error();
  auto bound = (*def)->forms.find(t.form);
  if (bound == (*def)->forms.end()) {
    return make_error(ErrorCode::kNotFound, "form '" + t.form + "' of task " + task_id +
                                                " was not deployed with " + process + " version " +
                                                std::to_string(def_version));
  }
  return definition_store_.form(t.form, bound->second);
}

runtime::FormLookup Engine::forms_of(const LoadedDefinition& definition) {
  return [this, &definition](const std::string& form_id) -> Result<const Form*> {
    auto bound = definition.forms.find(form_id);
    if (bound == definition.forms.end()) return nullptr;  // deployed before forms were kept
    auto form = definitions_.form(form_id, bound->second);
    if (!form.ok()) return form.error();
    return form->get();  // the cache keeps it for the engine's life
  };
}

Result<Engine::StatePtr> Engine::load(std::int64_t instance_id) {
  if (StatePtr cached = states_.find(instance_id)) return cached;
  auto events = log_.events(instance_id);
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
  states_.remember(state);
  return state;
}

EngineStats Engine::stats() const {
  return EngineStats{commands_.load(), events_.load(), activations_.load()};
}

void Engine::count(const std::vector<Event>& events, bool new_request) {
  std::uint64_t activations = 0;
  for (const auto& e : events) {
    if (e.type() == runtime::EventType::kElementActivated) ++activations;
  }
  if (new_request) ++commands_;
  events_ += events.size();
  activations_ += activations;
}

Result<InstanceState> Engine::state(std::int64_t instance_id) {
  auto state = load(instance_id);
  if (!state.ok()) return state.error();
  return **state;
}

Result<Engine::StatePtr> Engine::snapshot(std::int64_t instance_id) {
  return load(instance_id);
}

runtime::Command Engine::attempt_job(const InstanceState& state, const runtime::Job& job,
                                     const model::ProcessDefinition& model,
                                     const TaskHandler& handler) {
  JobAttempt attempt;
  attempt.start();
  std::string error_code;
  HandlerContext ctx;
  ctx.instance_id = state.id;
  ctx.business_key = state.business_key;
  ctx.tags = &state.tags;
  ctx.element_id = job.element_id;
  ctx.job_id = job.id;
  const model::NodeIndex node = model.find_node(job.element_id);
  if (node != model::kNone) ctx.headers = &model.node(node).task_headers;
  ctx.now_ms = clock_.now_ms();
  const runtime::VisibleVariables visible(state, job.element_key);  // a multi-instance's element
  ctx.variables = &visible.get();
  ctx.activation_counts = &state.activation_counts;
  try {
    HandlerResult r = handler.handle(ctx);
    if (r.ok) {
      attempt.succeed(std::move(r.variables));
    } else {
      error_code = std::move(r.error_code);
      attempt.fail(std::move(r.error));
    }
  } catch (const std::exception& e) {
    attempt.fail(std::string("handler threw: ") + e.what());
  }
  // A job a worker of this process holds is answered with its lease's token.
  const std::int64_t token = job.state == runtime::JobState::kActivated ? job.token : 0;
  if (std::string(attempt.state()) == "succeeded") {
    return runtime::CompleteJob{job.id, attempt.variables(), token};
  }
  if (!error_code.empty()) {
    return runtime::ThrowJobError{job.id, std::move(error_code), attempt.failure(), token};
  }
  return runtime::FailJob{job.id, attempt.failure(), token, std::nullopt, std::nullopt};
}

Result<StartOutcome> Engine::start(const StartRequest& r) {
  return start_instance(r, std::nullopt);
}

Result<StartOutcome> Engine::start_instance(const StartRequest& given,
                                            const std::optional<runtime::StartMessage>& message) {
  const StartRequest r = handlers_.prepare_start(given);
  PMIFLOW_TRY(check_start_request(r));
  PMIFLOW_TRY(handlers_.check_start_data(r));
  auto existing = log_.find_instance(r.key);
  if (!existing.ok()) return existing.error();
  if (*existing) return StartOutcome{**existing, false};
  auto version = definition_store_.latest_version(r.key.process);
  if (!version.ok()) return version.error();
  for (int attempt = 0;; ++attempt) {
    auto def = definitions_.definition(r.key.process, *version);
    if (!def.ok()) return def.error();
    auto id = log_.reserve_instance_id();
    if (!id.ok()) return id.error();
    Request request(*this, options_.max_activations_per_request);
    PMIFLOW_TRY(
        request.create(*id, std::move(*def),
                       runtime::CreateInstance{r.key, r.tags, r.variables, r.actor, message, {}}));
    PMIFLOW_TRY(request.settle_effects());
    auto results = request.commit(nullptr);
    const AppendResult& result = results.front().second;
    if (!result.status.ok()) {
      // A child's business key taken meanwhile, or its parent changed: computed again.
      if (result.status.error().code == ErrorCode::kConflict && results.size() > 1 &&
          attempt < kMaxConflictRetries) {
        continue;
      }
      return result.status.error();
    }
    if (!result.created) return StartOutcome{result.instance_id, false};
    PMIFLOW_TRY(deliver_opened(request, nullptr, nullptr));
    PMIFLOW_TRY(continue_loops(request.take_continuations()));
    return StartOutcome{*id, true};
  }
}

Result<CommandOutcome> Engine::submit(std::int64_t instance_id, const runtime::Command* command,
                                      bool with_jobs,
                                      std::vector<runtime::MessageSubscription>* opened_out,
                                      const MessageRow* message,
                                      std::vector<runtime::ContinueLoop>* continuations) {
  TurnHold turn;  // after a lost race, or for a contended parent
  std::int64_t parent = 0;
  if (auto loaded = load(instance_id); loaded.ok()) parent = (*loaded)->parent.instance_id;
  if (parent != 0 && contended(parent)) turn = TurnHold(parent);
  for (int attempt = 0;; ++attempt) {
    Request request(*this, options_.max_activations_per_request);
    // After a lost race, a command that no longer applies (its task or job is gone, or the
    // winner ended the instance) lost to the other command: a conflict. A refused command
    // consumed its state: the next command folds it again from the log.
    Status ran = request.run(instance_id, command, with_jobs);
    if (ran.ok()) ran = request.settle_effects();
    if (!ran.ok()) {
      const Error& error = ran.error();
      if (attempt > 0 &&
          (error.code == ErrorCode::kNotFound || error.code == ErrorCode::kInvalidState)) {
        return make_error(ErrorCode::kConflict,
                          error.message + ": it was changed concurrently by another command");
      }
      return error;
    }
    auto results = request.commit(message);
    if (results.empty()) return CommandOutcome{instance_id, {}};
    const Status& status = results.front().second.status;
    if (status.ok()) {
      turn.reset();
      CommandOutcome outcome{instance_id, request.work(instance_id).events};
      PMIFLOW_TRY(deliver_opened(request, opened_out, &outcome.events));
      std::vector<runtime::ContinueLoop> more = request.take_continuations();
      if (continuations != nullptr) {
        continuations->insert(continuations->end(), more.begin(), more.end());
      } else {
        PMIFLOW_TRY(continue_loops(std::move(more)));
      }
      return outcome;
    }
    if (status.error().code != ErrorCode::kConflict || attempt >= kMaxConflictRetries) {
      return status.error();
    }
    // The instance most likely lost: the last the request reached (a child's parent comes
    // after the child).
    mark_contended(results.back().first);
    if (!turn.held()) turn = TurnHold(results.back().first);
  }
}

Status Engine::continue_loops(std::vector<runtime::ContinueLoop> pending) {
  for (std::size_t i = 0; i < pending.size(); ++i) {  // grows as batches leave more
    const runtime::ContinueLoop next = pending[i];
    const runtime::Command command = runtime::ContinueMultiInstance{next.body_key};
    auto done = submit(next.instance_id, &command, true, nullptr, nullptr, &pending);
    if (!done.ok()) return done.error();
  }
  return {};
}

Status Engine::deliver_opened(Request& request,
                              std::vector<runtime::MessageSubscription>* opened_out,
                              std::vector<Event>* events) {
  const std::int64_t first = request.reached().front();
  for (std::int64_t id : request.reached()) {
    Request::Work& w = request.work(id);
    if (w.events.empty()) continue;
    auto opened = opened_subscriptions(*w.state, w.changes);
    if (opened.empty()) continue;
    if (id == first && opened_out != nullptr) {
      opened_out->insert(opened_out->end(), opened.begin(), opened.end());
      continue;
    }
    std::vector<Event> delivered;
    PMIFLOW_TRY(deliver_buffered(id, w.key.process, std::move(opened),
                                 id == first && events != nullptr ? *events : delivered));
  }
  return {};
}

Result<CommandOutcome> Engine::complete_task(const std::string& task_id, const Actor& actor,
                                             const Variables& variables) {
  std::int64_t instance_id = 0;
  std::int64_t key = 0;
  if (!runtime::parse_task_id(task_id, instance_id, key)) {
    return make_error(ErrorCode::kNotFound,
                      "'" + task_id + "' is not a task id (expected INSTANCE-KEY, e.g. 12-7)");
  }
  const runtime::Command command = runtime::CompleteUserTask{task_id, actor, variables};
  return submit(instance_id, &command, true);
}

Result<CommandOutcome> Engine::set_variables(std::int64_t instance_id, const Actor& actor,
                                             const Variables& variables) {
  const runtime::Command command = runtime::SetVariables{actor, variables};
  return submit(instance_id, &command, false);
}

Result<CommandOutcome> Engine::resolve_incident(const std::string& incident_id, const Actor& actor,
                                                std::optional<int> retries) {
  std::int64_t instance_id = 0;
  std::int64_t key = 0;
  if (!runtime::parse_task_id(incident_id, instance_id, key)) {
    return make_error(ErrorCode::kNotFound, "'" + incident_id + "' is not an incident id");
  }
  const runtime::Command command = runtime::ResolveIncident{incident_id, actor, retries};
  return submit(instance_id, &command, true);
}

Result<CommandOutcome> Engine::cancel(std::int64_t instance_id, const Actor& actor) {
  const runtime::Command command = runtime::CancelInstance{actor};
  return submit(instance_id, &command, false);
}

Result<CommandOutcome> Engine::trigger_timer(std::int64_t instance_id, std::int64_t timer_key) {
  const runtime::Command command = runtime::TriggerTimer{timer_key};
  return submit(instance_id, &command, true);
}

Result<CommandOutcome> Engine::run_jobs(std::int64_t instance_id) {
  return submit(instance_id, nullptr, true);
}

}  // namespace pmiflow
