// The engine facade: what the CLI (and later the HTTP API) calls. One store transaction per
// command; commands that arrive together from several threads commit together (group commit,
// leveldb-style writer queue). Handlers run outside the instance transaction, after commit.
//
// Thread-safety: all public methods may be called concurrently.
#pragma once

#include <condition_variable>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/clock.h"
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
  std::uint64_t store_append_ns = 0;  // time spent in Store::append
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

  // Validates (with the registered handler types) and deploys. kValidation with every
  // diagnostic in the message when the file has errors.
  Result<DeployOutcome> deploy(const std::string& xml, const std::string& resource_name);

  // The executable model of a deployed version (0: latest), parsed once and cached.
  Result<model::ProcessDefinitionPtr> definition(const std::string& key, std::int32_t version);

  // Starts an instance of the latest version, idempotently by business key: a second start
  // with the same key returns the existing instance with created=false. Runs its jobs.
  // Before anything else (so before anything is written), the variables are checked with the
  // start-data validator registered for key.process (HandlerRegistry::check_start_data):
  // kValidation naming every bad field when they break the process's data contract.
  Result<StartOutcome> start(const runtime::BusinessKey& key, const Variables& variables,
                             const runtime::Actor& actor);

  // Completes a user task as actor.role and runs the jobs that follow. kForbidden when the role
  // is not a candidate group; kConflict when another process completed it first.
  Result<CommandOutcome> complete_task(const std::string& task_id, const runtime::Actor& actor,
                                       const Variables& variables);

  Result<CommandOutcome> set_variables(std::int64_t instance_id, const runtime::Actor& actor,
                                       const Variables& variables);
  Result<CommandOutcome> resolve_incident(const std::string& incident_id,
                                          const runtime::Actor& actor);
  Result<CommandOutcome> cancel(std::int64_t instance_id, const runtime::Actor& actor);

  // Runs the handlers of the instance's activatable jobs until none is left (each result is a
  // CompleteJob / FailJob command). Appends the events written to `out` when given.
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
  // Commits one request through the group-commit queue.
  AppendResult commit(AppendRequest request);
  // Interprets `command` on the instance and commits; retries on a concurrency conflict.
  Result<CommandOutcome> submit(std::int64_t instance_id, const runtime::Command& command);
  using StatePtr = std::shared_ptr<const runtime::InstanceState>;
  Result<StatePtr> load(std::int64_t instance_id);
  void remember(StatePtr state);
  void forget(std::int64_t instance_id);

  Store& store_;
  const HandlerRegistry& handlers_;
  Clock& clock_;
  EngineOptions options_;

  mutable std::mutex commit_mu_;
  std::condition_variable commit_cv_;
  std::deque<Writer*> writers_;
  EngineStats stats_;  // guarded by commit_mu_

  std::mutex cache_mu_;
  std::list<StatePtr> lru_;  // front: most recent
  std::unordered_map<std::int64_t, std::list<StatePtr>::iterator> cache_;
  std::map<std::pair<std::string, std::int32_t>, model::ProcessDefinitionPtr> definitions_;
};

}  // namespace pmiflow
