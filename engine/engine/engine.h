// The engine facade: what the CLI (and later the HTTP API) calls. One store request per
// command: the command's events and those of the service-task handlers that run after it, on
// the state it leaves, until the instance waits again (Camunda's synchronous continuation;
// handlers run outside the store's lock, before the commit). Requests that arrive together
// from several threads commit together (group commit: a writer queue written by the engine's
// own group-writer threads), and the next group is written while the previous one is made
// durable (pipelined).
//
// Thread-safety: all public methods may be called concurrently.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/clock.h"
#include "engine/engine/deployment.h"
#include "engine/engine/form.h"
#include "engine/engine/handler.h"
#include "engine/engine/store.h"
#include "engine/model/bpmn_parser.h"
#include "engine/runtime/command.h"

namespace pmiflow {

struct EngineOptions {
  // Active instances whose state is kept in memory between commands (least recently used are
  // dropped; a dropped state is rebuilt from the store's events). Ended instances are not kept,
  // so memory depends on how many instances are worked on at once, not on how many exist.
  std::size_t state_cache_capacity = 1024;
  // Most requests one group commit writes.
  std::size_t max_batch = 512;
};

// Counters since the engine was made (for benchmarks and health checks).
struct EngineStats {
  std::uint64_t commands = 0;       // requests committed
  std::uint64_t group_commits = 0;  // store transactions
  std::uint64_t events = 0;
  std::uint64_t activations = 0;      // ElementActivated events: flow-node instances
  std::uint64_t store_append_ns = 0;  // time in Store::append, until durable (overlapping)
  std::uint64_t store_write_ns = 0;   // the part until committed: the writer is busy (serial)
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
  Engine(Store& store, const HandlerRegistry& handlers, Clock& clock, EngineOptions options = {});
  ~Engine();
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

  // A deployed form version, parsed once and cached.
  Result<std::shared_ptr<const Form>> form(const std::string& form_id, std::int32_t version);

  // The form of an open task as it was deployed with the task's definition version (its JSON
  // unchanged, for a form-js renderer). kNotFound when the task is not open or has no form.
  Result<DeployedForm> task_form(const std::string& task_id);

  // Starts an instance of the latest version, idempotently by business key: a second start
  // with the same key returns the existing instance with created=false. Runs its jobs.
  // Before anything else (so before anything is written), the variables are checked with the
  // start-data validator registered for key.process (HandlerRegistry::check_start_data):
  // kValidation naming every bad field when they break the process's data contract.
  Result<StartOutcome> start(const runtime::BusinessKey& key, const Variables& variables,
                             const runtime::Actor& actor);

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

  // Runs the handlers of the instance's activatable jobs until none is left (each result is a
  // CompleteJob / FailJob command), committing their events as one request. Appends the
  // events written to `out` when given.
  Status run_jobs(std::int64_t instance_id, std::vector<runtime::Event>* out = nullptr);

  // The instance's state, folded from its events (or from the cache).
  Result<runtime::InstanceState> state(std::int64_t instance_id);
  // The same without a copy: an immutable snapshot that later commands do not change.
  Result<std::shared_ptr<const runtime::InstanceState>> snapshot(std::int64_t instance_id);

  EngineStats stats() const;

  Store& store() { return store_; }
  Clock& clock() { return clock_; }
  const HandlerRegistry& handlers() const { return handlers_; }

 private:
  struct Writer;
  // A deployed definition version as the engine uses it.
  struct LoadedDefinition {
    model::ProcessDefinitionPtr model;
    std::map<std::string, std::int32_t> forms;  // DeployedDefinition::forms
  };
  using LoadedPtr = std::shared_ptr<const LoadedDefinition>;
  Result<LoadedPtr> load_definition(const std::string& key, std::int32_t version);
  // Commits one request through the group-commit queue.
  // The request is moved into the batch and handed back (its events intact) when committed.
  AppendResult commit(AppendRequest& request);
  // Whether a group may be taken from the queue now. REQUIRES: commit_mu_ held.
  bool may_take_group() const;
  // Wakes a group writer when a group may be taken. REQUIRES: commit_mu_ held.
  void wake_group_writer();
  // The loop of a group writer thread: takes groups from the queue and writes them.
  void write_groups();
  // Takes a group from the queue, writes it, and hands each writer its result. REQUIRES:
  // `lock` holds commit_mu_ and may_take_group(); it is held again on return.
  void write_group(std::unique_lock<std::mutex>& lock);
  // Checks a command against the state it was interpreted on, before it is committed.
  using Precheck = std::function<Status(const runtime::InstanceState&, const LoadedDefinition&)>;
  // Interprets `command` (when given) on the instance and runs `precheck` (when given); then,
  // with `with_jobs`, runs the handlers of the jobs left activatable; and commits all their
  // events as one request. Retries on a concurrency conflict.
  Result<CommandOutcome> submit(std::int64_t instance_id, const runtime::Command* command,
                                bool with_jobs, const Precheck& precheck = {});
  // Runs the handler of `job` on `state`: the CompleteJob or FailJob command of the result.
  runtime::Command attempt_job(std::int64_t instance_id, const runtime::InstanceState& state,
                               const runtime::Job& job);
  using StatePtr = std::shared_ptr<const runtime::InstanceState>;
  Result<StatePtr> load(std::int64_t instance_id);
  // Removes the instance's cached state from the cache and hands it over for the caller to
  // change in place, when nothing else shares it (no snapshot is held); null otherwise. Every
  // cached state is made non-const (make_shared<InstanceState>), so casting it back is sound.
  std::shared_ptr<runtime::InstanceState> take(std::int64_t instance_id);
  void remember(StatePtr state);
  void forget(std::int64_t instance_id);

  Store& store_;
  const HandlerRegistry& handlers_;
  Clock& clock_;
  EngineOptions options_;

  mutable std::mutex commit_mu_;
  std::deque<Writer*> writers_;  // waiting to be taken into a group
  bool writing_ = false;         // a group is being written (not yet committed)
  int syncing_ = 0;              // groups committed and being made durable
  std::size_t last_group_ = 0;   // requests in the last group taken
  EngineStats stats_;            // guarded by commit_mu_
  bool stopping_ = false;        // the destructor stops the group writers
  std::condition_variable group_writer_cv_;
  // The group writer threads (kGroupWriters), started by the constructor: the commands' own
  // threads only queue their requests and wait, so the serial write never runs on a thread
  // that also interprets commands.
  std::vector<std::thread> group_writers_;

  std::mutex cache_mu_;
  std::list<StatePtr> lru_;  // front: most recent
  std::unordered_map<std::int64_t, std::list<StatePtr>::iterator> cache_;
  std::map<std::pair<std::string, std::int32_t>, LoadedPtr> definitions_;
  std::map<std::pair<std::string, std::int32_t>, std::shared_ptr<const Form>> forms_;
};

}  // namespace pmiflow
