// The engine facade: what the application layer (app/) calls to change instances. Each
// command is one request to the event log: the command's events and those of the
// service-task handlers that run after it, on the state it leaves, until the instance waits
// again (Camunda's synchronous continuation; handlers run before the append, outside any
// lock). Optimistic concurrency per instance: a request computed from a stale state loses
// (kConflict at the log) and is computed again on fresh state.
//
// Thread-safety: all public methods may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/clock.h"
#include "engine/engine/definition_cache.h"
#include "engine/engine/definition_store.h"
#include "engine/engine/deployment.h"
#include "engine/engine/event_log.h"
#include "engine/engine/handler.h"
#include "engine/engine/state_cache.h"
#include "engine/model/bpmn_parser.h"
#include "engine/runtime/command.h"
#include "engine/runtime/interpreter.h"

namespace pmiflow {

struct EngineOptions {
  // Active instances whose state is kept in memory between commands (least recently used are
  // dropped; a dropped state is rebuilt from the log's events). Ended instances are not kept,
  // so memory depends on how many instances are worked on at once, not on how many exist.
  std::size_t state_cache_capacity = 1024;
};

// Counters since the engine was made (for benchmarks and health checks).
struct EngineStats {
  std::uint64_t commands = 0;     // requests appended
  std::uint64_t events = 0;       // events appended
  std::uint64_t activations = 0;  // ElementActivated events: flow-node instances
};

struct StartOutcome {
  std::int64_t instance_id = 0;
  bool created = false;
};

// What a command did: its instance and the events it wrote (including those of the jobs that
// ran after it).
struct CommandOutcome {
  std::int64_t instance_id = 0;
  std::vector<runtime::Event> events;
};

class Engine {
 public:
  Engine(EventLog& log, DefinitionStore& definitions, const HandlerRegistry& handlers, Clock& clock,
         EngineOptions options = {});
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Validates (with the registered handler types) and deploys the definition with the form of
  // each of its user tasks (check_deployment; `resolve_form` finds them, and may be empty for
  // a definition that links no form). kValidation with every diagnostic in the message when
  // the file or a form has errors; then nothing is deployed.
  Result<DeployOutcome> deploy(const std::string& xml, const std::string& resource_name,
                               const FormResolver& resolve_form = {});

  // The executable model of a deployed version (0: latest), parsed once and cached.
  Result<model::ProcessDefinitionPtr> definition(const std::string& key, std::int32_t version);

  // The form of an open task as it was deployed with the task's definition version (its JSON
  // unchanged, for a form-js renderer). kNotFound when the task is not open or has no form.
  Result<DeployedForm> task_form(const std::string& task_id);

  // Starts an instance of the latest version, idempotently by business key: a second start
  // with the same key returns the existing instance with created=false. The instance's
  // creation and the jobs that run after it are one request. Before anything is written:
  // kInvalidArgument for an empty process key or business id, a business id over
  // kMaxBusinessIdBytes or not UTF-8, an empty tag name; kValidation naming every bad field
  // when the variables break the process's data contract (HandlerRegistry::check_start_data).
  Result<StartOutcome> start(const StartRequest& request);

  // Completes a user task as actor.role and runs the jobs that follow, committing all their
  // events together. kForbidden when the role is not a candidate group; kConflict when
  // another process completed it first; kValidation naming the task and each bad field when
  // `variables` do not pass the task's form (checked with the instance's variables,
  // Form::check); nothing is written then. A definition version deployed without its forms
  // (before the store kept forms) is not checked.
  Result<CommandOutcome> complete_task(const std::string& task_id, const runtime::Actor& actor,
                                       const Variables& variables);

  Result<CommandOutcome> set_variables(std::int64_t instance_id, const runtime::Actor& actor,
                                       const Variables& variables);
  Result<CommandOutcome> resolve_incident(const std::string& incident_id,
                                          const runtime::Actor& actor);
  Result<CommandOutcome> cancel(std::int64_t instance_id, const runtime::Actor& actor);
  // Fires a waiting timer at the clock's time and runs the jobs that follow. kNotFound when it
  // is not waiting (fired or canceled, e.g. by another runner first), kInvalidState when it is
  // not due yet: nothing is written then.
  Result<CommandOutcome> trigger_timer(std::int64_t instance_id, std::int64_t timer_key);

  // Runs the handlers of the instance's activatable jobs until none is left (each result is a
  // CompleteJob / FailJob command), committing their events as one request.
  Result<CommandOutcome> run_jobs(std::int64_t instance_id);

  // The instance's state, folded from its events (or from the cache).
  Result<runtime::InstanceState> state(std::int64_t instance_id);
  // The same without a copy: an immutable snapshot that later commands do not change.
  Result<std::shared_ptr<const runtime::InstanceState>> snapshot(std::int64_t instance_id);

  EngineStats stats() const;

  Clock& clock() { return clock_; }
  const HandlerRegistry& handlers() const { return handlers_; }

 private:
  using StatePtr = StateCache::StatePtr;
  struct Steps;
  // Interprets `command` (when given) on the instance; then, with `with_jobs`, runs the
  // handlers of the jobs left activatable; and appends all their events as one request.
  // Computed again on fresh state when the request loses a race.
  Result<CommandOutcome> submit(std::int64_t instance_id, const runtime::Command* command,
                                bool with_jobs);
  // Runs the handler of `job` on `state`: the CompleteJob or FailJob command of the result.
  runtime::Command attempt_job(const runtime::InstanceState& state, const runtime::Job& job);
  // The forms a definition version's user tasks are checked against.
  runtime::FormLookup forms_of(const LoadedDefinition& definition);
  // The instance's state from the cache, else folded from the log (and cached).
  Result<StatePtr> load(std::int64_t instance_id);
  // Counts an appended request.
  void count(const std::vector<runtime::Event>& events);

  EventLog& log_;
  DefinitionStore& definition_store_;
  const HandlerRegistry& handlers_;
  Clock& clock_;
  StateCache states_;
  DefinitionCache definitions_;
  std::atomic<std::uint64_t> commands_{0};
  std::atomic<std::uint64_t> events_{0};
  std::atomic<std::uint64_t> activations_{0};
};

// The longest business id start() accepts, in bytes.
inline constexpr std::size_t kMaxBusinessIdBytes = 256;

}  // namespace pmiflow
