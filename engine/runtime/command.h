// Commands: what callers ask of an instance. Imperative names; the interpreter either rejects
// a command (an Error, nothing written) or turns it into events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "engine/common/json.h"
#include "engine/runtime/event.h"
#include "engine/runtime/instance_state.h"

namespace pmiflow::runtime {

// A published message that starts an instance at a message start event with its name.
struct StartMessage {
  std::string name;
  std::int64_t message_key = 0;
  std::string message_id;
};

// Creates the instance whose id the state carries (assigned by the caller before interpreting),
// at the process's none start event, or, with `message`, at its message start event of that
// name (the message's variables are `variables`). A child of a call activity names its
// `parent`.
struct CreateInstance {
  BusinessKey business_key;
  Tags tags;
  Variables variables;
  Actor actor;
  std::optional<StartMessage> message;
  ParentRef parent = {};
};

struct CompleteUserTask {
  std::string task_id;
  Actor actor;  // kind "user"; actor.role must be one of the task's candidate groups
  Variables variables;
};

// The answers to a job carry `token`: 0 from an in-process handler, which answers in the
// request that made the job activatable; else the fencing token of the worker's activation,
// refused (kStaleToken, nothing written) unless it is the job's current one and its lease has
// not expired at the command's time.
struct CompleteJob {
  std::string job_id;
  Variables variables;
  std::int64_t token = 0;
};

// A failure sets the job's retries to `retries` (default: one fewer) and, with retries left,
// makes it activatable again after `backoff_ms` (default: the task's retryBackoff header, else
// exponential: kFirstBackoffMs doubled at each failure, at most kMaxBackoffMs).
struct FailJob {
  std::string job_id;
  std::string message;
  std::int64_t token = 0;
  std::optional<int> retries = std::nullopt;
  std::optional<std::int64_t> backoff_ms = std::nullopt;
};

inline constexpr std::int64_t kFirstBackoffMs = 1000;
inline constexpr std::int64_t kMaxBackoffMs = 5LL * 60 * 1000;

// The job's handler threw BPMN error `code` (Zeebe's ThrowError): the job ends and the error
// is thrown from its service task (an error boundary event or event subprocess catches it).
struct ThrowJobError {
  std::string job_id;
  std::string code;
  std::string message;
  std::int64_t token = 0;
};

// A worker takes an activatable job, or one whose lease expired, for `timeout_ms`: JobActivated
// with the next token. Refused (kInvalidState) while another worker's lease runs.
struct ActivateJob {
  std::string job_id;
  std::string worker;
  std::int64_t timeout_ms = 0;
};

// The worker holding the job (its `token`) moves the lease's deadline to now + `timeout_ms`.
struct ExtendJobLease {
  std::string job_id;
  std::int64_t token = 0;
  std::int64_t timeout_ms = 0;
};

// Sets variables at the process scope (e.g. to fix the data a gateway could not decide on).
struct SetVariables {
  Actor actor;
  Variables variables;
};

// Resolves an incident: a job out of retries is given `retries` (default 1) and is activatable
// again; a gateway (condition error, no flow) re-evaluates its conditions on the current
// variables; a timer, message or error incident retries what failed.
struct ResolveIncident {
  std::string incident_id;
  Actor actor;
  std::optional<int> retries = std::nullopt;
};

// Refused (kInvalidState) for a child of a call activity unless `by_parent`: its parent's call
// activity ended (a child is canceled by canceling its parent).
struct CancelInstance {
  Actor actor;
  bool by_parent = false;
};

// Child instance `child_id` of call activity element instance `element_key` completed with
// `variables`: the call activity takes what its outputs say and completes.
struct CompleteCallActivity {
  std::int64_t element_key = 0;
  std::int64_t child_id = 0;
  Variables variables;
};

// Child instance `child_id` threw BPMN error `code` that nothing in it catches: it is thrown
// from call activity element instance `element_key`.
struct ThrowFromCallActivity {
  std::int64_t element_key = 0;
  std::int64_t child_id = 0;
  std::string code;
  std::string message;
};

// Fires a waiting timer: rejected (nothing written) when it is not waiting (fired or canceled
// already: kNotFound) or not due yet at the command's time (kInvalidState): a timer never fires
// early, and one that two runners both try fires once.
struct TriggerTimer {
  std::int64_t timer_key = 0;
};

// Correlates a published message to open subscription `subscription_key`: rejected (nothing
// written) when it is not open (kNotFound) or waits for another name or key (kInvalidArgument).
struct CorrelateMessage {
  std::int64_t subscription_key = 0;
  std::string name;
  std::string correlation_key;
  std::int64_t message_key = 0;
  std::string message_id;
  Variables variables;
};

// Multi-instance body `body_key` starts its next batch of inner instances (the engine's answer
// to a ContinueMultiInstance effect, in a request of its own: effect.h).
struct ContinueMultiInstance {
  std::int64_t body_key = 0;
};

using Command = std::variant<CreateInstance, CompleteUserTask, CompleteJob, FailJob, SetVariables,
                             ResolveIncident, CancelInstance, TriggerTimer, CorrelateMessage,
                             ThrowJobError, ActivateJob, ExtendJobLease, CompleteCallActivity,
                             ThrowFromCallActivity, ContinueMultiInstance>;

const char* command_name(const Command& command);

}  // namespace pmiflow::runtime
