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
#include <optional>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/clock.h"
#include "engine/engine/definition_cache.h"
#include "engine/engine/definition_store.h"
#include "engine/engine/deployment.h"
#include "engine/engine/event_log.h"
#include "engine/engine/handler.h"
#include "engine/engine/message_store.h"
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
  // How long a published message's id is remembered (a publish with the same name, key and id
  // within it is a duplicate), unless the request says otherwise; never less than the
  // message's time to live.
  std::int64_t message_dedup_window_ms = 24LL * 60 * 60 * 1000;
  // The runaway guard: the most elements one request may activate before each token past it
  // stops with an incident of kind "runaway" (runtime/interpreter.h).
  int max_activations_per_request = runtime::kDefaultMaxActivations;
};

// A message to publish (docs/messages.md).
struct PublishRequest {
  std::string name;
  std::string correlation_key;
  std::string message_id;   // empty: none (no deduplication)
  std::int64_t ttl_ms = 0;  // buffered this long for subscriptions that open later
  std::optional<std::int64_t> dedup_window_ms;  // default: EngineOptions'
  Variables variables;
};

// An instance a message reached: a subscription of it, or its creation at a message start.
struct MessageReach {
  std::int64_t instance_id = 0;
  std::string process;
  std::string element_id;
  bool started = false;  // created by the message
};

struct PublishOutcome {
  MessageRow message;      // as stored (for a duplicate: the first one)
  bool duplicate = false;  // nothing was written: `reached` is what the first one reached
  std::vector<MessageReach> reached;
  // Processes the message could not reach, each with why (e.g. start data the process refuses).
  std::vector<std::string> refused;
};

// A job a worker holds: what it needs to do the work and to answer (its key and token).
struct ActivatedJob {
  std::string key;  // the job id, "<instance>-<element key>"
  std::int64_t instance_id = 0;
  std::string element_id;
  std::string type;
  int retries = 0;  // left
  std::int64_t deadline_ms = 0;
  std::int64_t token = 0;
  Variables variables;  // the instance's, at activation
  // The task's zeebe:taskHeaders, in document order (its deployed definition version's).
  std::vector<std::pair<std::string, std::string>> custom_headers;
};

// A worker's answer to a job it holds (`token`).
struct JobAnswer {
  std::string job_id;
  std::int64_t token = 0;
};

// A worker's failure of a job: why, and what the job is left with.
struct JobFailure {
  std::string message;
  std::optional<int> retries;              // left after it (default: one fewer); not negative
  std::optional<std::int64_t> backoff_ms;  // default: the task's retryBackoff, else exponential
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
  Engine(EventLog& log, DefinitionStore& definitions, MessageStore& messages,
         const HandlerRegistry& handlers, Clock& clock, EngineOptions options = {});
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
  // creation and the jobs that run after it are one request. The request is completed by the
  // process's start-data preparer first (HandlerRegistry::prepare_start). Before anything is
  // written:
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
  // Resolves an open incident in one call (runtime::ResolveIncident): a job out of retries gets
  // `retries` (default 1) and, for an in-process handler, runs at once; a gateway re-evaluates
  // on the current variables. kInvalidArgument for retries below 1 or given to another kind.
  Result<CommandOutcome> resolve_incident(const std::string& incident_id,
                                          const runtime::Actor& actor,
                                          std::optional<int> retries = std::nullopt);
  Result<CommandOutcome> cancel(std::int64_t instance_id, const runtime::Actor& actor);
  // Fires a waiting timer at the clock's time and runs the jobs that follow. kNotFound when it
  // is not waiting (fired or canceled, e.g. by another runner first), kInvalidState when it is
  // not due yet: nothing is written then.
  Result<CommandOutcome> trigger_timer(std::int64_t instance_id, std::int64_t timer_key);

  // Leases open job `job_id` to `worker` for `timeout_ms` (JobActivated, with the next fencing
  // token; app::activate_jobs finds the jobs of a type): an activatable job, or one whose lease
  // expired. kInvalidState while another lease runs or when the job is out of retries,
  // kNotFound when it is not open; kInvalidArgument (nothing written) for an empty worker, one
  // over kMaxMessageFieldBytes or not UTF-8, a timeout that is not positive.
  Result<ActivatedJob> activate_job(const std::string& job_id, const std::string& worker,
                                    std::int64_t timeout_ms);
  // A worker's answers, each refused with kStaleToken (nothing written) unless the token is the
  // job's current lease and the lease has not expired; kNotFound for a job that is not open.
  // Completing sets the variables and moves the instance on (running the jobs that follow);
  // failing sets the retries left (default one fewer; none left: an incident) and, with retries
  // left, the job is activatable again after its backoff (kInvalidArgument for negative
  // retries or backoff); an error is thrown from the task.
  Result<CommandOutcome> complete_job(const JobAnswer& answer, const Variables& variables);
  Result<CommandOutcome> fail_job(const JobAnswer& answer, const JobFailure& failure);
  Result<CommandOutcome> throw_job_error(const JobAnswer& answer, const std::string& code,
                                         const std::string& message);
  Result<CommandOutcome> extend_job_lease(const JobAnswer& answer, std::int64_t timeout_ms);

  // Publishes a message, durably, then correlates it: to one open subscription with its name and
  // correlation key in each process (the oldest instance first), and, in each process with a
  // message start event of its name that it has not reached, to a new instance whose business
  // id is the correlation key (else the message id, else "message-<key>"; an instance with that
  // business key already existing is not started again). A message with an id already
  // published with the same name and key within its deduplication window is a duplicate:
  // nothing is written and the outcome says what the first one reached. Buffered for
  // `ttl_ms`: a subscription that opens later receives it (oldest first) when it opens. Before
  // anything is written, kInvalidArgument for an empty name, a negative TTL or window, a name,
  // key or id over kMaxMessageFieldBytes or not UTF-8.
  Result<PublishOutcome> publish_message(const PublishRequest& request);

  // Correlates the buffered messages to the open subscriptions they reach and have not reached
  // yet (what a crash between a publish and its correlation left undone; the runner's
  // recovery). Returns how many correlations it made.
  Result<std::size_t> correlate_buffered();

  // Runs the handlers of the instance's activatable jobs until none is left (each result is a
  // CompleteJob / FailJob command), committing their events as one request.
  Result<CommandOutcome> run_jobs(std::int64_t instance_id);

  // An in-process worker's turn (app::JobWorkers): runs the registered handler of a job this
  // process leased (activate_job) outside any lock and answers with the lease's token; the jobs
  // that follow for in-process handlers run in the same request. kStaleToken when the lease is
  // no longer held (nothing written), kNotFound when no handler runs the job's type.
  Result<CommandOutcome> work_on(const ActivatedJob& leased);

  // The instance's state, folded from its events (or from the cache).
  Result<runtime::InstanceState> state(std::int64_t instance_id);
  // The same without a copy: an immutable snapshot that later commands do not change.
  Result<std::shared_ptr<const runtime::InstanceState>> snapshot(std::int64_t instance_id);

  EngineStats stats() const;

  Clock& clock() { return clock_; }
  const HandlerRegistry& handlers() const { return handlers_; }

 private:
  using StatePtr = StateCache::StatePtr;
  class Request;  // engine_request.h
  // Interprets `command` (when given) on the instance; then, with `with_jobs`, runs the
  // handlers of the jobs left activatable; and appends all their events as one request.
  // Computed again on fresh state when the request loses a race.
  // The subscriptions the request opens get the buffered messages they reach (more requests),
  // unless `opened` is given: then they are added to it, for the caller to deliver. A
  // `message` is stored with the request (AppendRequest::message). The multi-instance batches
  // it leaves to start run next, each a request of its own (continue_loops), unless
  // `continuations` is given: then they are added to it.
  Result<CommandOutcome> submit(std::int64_t instance_id, const runtime::Command* command,
                                bool with_jobs,
                                std::vector<runtime::MessageSubscription>* opened = nullptr,
                                const MessageRow* message = nullptr,
                                std::vector<runtime::ContinueLoop>* continuations = nullptr);
  // Starts the next batches of parallel multi-instance bodies (ContinueMultiInstance), each in
  // a request of its own, and those these leave, until none is left.
  Status continue_loops(std::vector<runtime::ContinueLoop> pending);
  // Runs the handler of `job` on `state`: the CompleteJob or FailJob command of the result.
  runtime::Command attempt_job(const runtime::InstanceState& state, const runtime::Job& job,
                               const model::ProcessDefinition& model, const TaskHandler& handler);
  // The forms a definition version's user tasks are checked against.
  runtime::FormLookup forms_of(const LoadedDefinition& definition);
  // The instance's state from the cache, else folded from the log (and cached).
  Result<StatePtr> load(std::int64_t instance_id);
  // After a request is appended: the subscriptions it opened get the buffered messages they
  // reach (more requests; their events are added to `events` for the request's own instance),
  // except the own instance's when `opened_out` is given: those are added to it, for the caller
  // to deliver.
  Status deliver_opened(Request& request, std::vector<runtime::MessageSubscription>* opened_out,
                        std::vector<runtime::Event>* events);
  // Counts the events one instance appended, and the request when `new_request` (a request
  // may append several instances).
  void count(const std::vector<runtime::Event>& events, bool new_request);
  // Starts an instance (start(), or a start by message with `message`), then delivers the
  // buffered messages its subscriptions reach.
  Result<StartOutcome> start_instance(const StartRequest& given,
                                      const std::optional<runtime::StartMessage>& message);
  // The subscriptions a request opened that are still open after it.
  static std::vector<runtime::MessageSubscription> opened_subscriptions(
      const runtime::InstanceState& state, const runtime::ProjectionChanges& changes);
  // After a request of instance `instance_id` of `process` opened subscriptions `opened`:
  // correlates to each the oldest buffered message it reaches, appending the events written to
  // `events`. A message lost to a concurrent correlation is not an error.
  Status deliver_buffered(std::int64_t instance_id, const std::string& process,
                          std::vector<runtime::MessageSubscription> opened,
                          std::vector<runtime::Event>& events);
  // Stores `message` with its correlation to the first open subscription it reaches, in one
  // commit; false when none was open or that one was lost to a race (nothing written).
  Result<bool> store_with_first_correlation(const MessageRow& message,
                                            std::vector<MessageReach>& reached);
  // Correlates `message` to one open subscription of each process not in `reached` (whose
  // process it adds).
  Status correlate_to_subscriptions(const MessageRow& message, std::vector<MessageReach>& reached);
  // Starts an instance of each process with a message start event for `message` not in
  // `reached`.
  Status start_by_message(const MessageRow& message, std::vector<MessageReach>& reached,
                          std::vector<std::string>& refused);

  EventLog& log_;
  DefinitionStore& definition_store_;
  MessageStore& messages_;
  const EngineOptions options_;
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
// The longest message name, correlation key or message id publish_message() accepts, in bytes
// (also a job type or a worker's name).
inline constexpr std::size_t kMaxMessageFieldBytes = 256;

// kInvalidArgument naming `what` (e.g. "worker") when `value` is over kMaxMessageFieldBytes or
// not UTF-8, or empty when `required`.
Status check_text_field(const char* what, const std::string& value, bool required);
// kInvalidArgument when a job lease's timeout is not positive.
Status check_lease_timeout(std::int64_t timeout_ms);

}  // namespace pmiflow
