// Service-task handlers: pluggable code that a service task's job runs, looked up by the
// task's type (zeebe:taskDefinition type). Handlers run outside the instance transaction, like
// Zeebe job workers: the engine creates a job, runs the handler, and feeds its result back as a
// CompleteJob or FailJob command. A handler may therefore run more than once for one job
// (at-least-once); it must be a function of its input.
//
// Beside the handlers, a process may register a start-data validator: the check of the
// variables an instance starts with (its data contract), which Engine::start runs before it
// writes anything; and a start-data preparer, which completes them first (defaults, tags).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/common/json.h"
#include "engine/common/result.h"
#include "engine/model/form.h"
#include "engine/runtime/event.h"
#include "engine/runtime/instance_state.h"

namespace pmiflow {

struct HandlerContext {
  std::int64_t instance_id = 0;
  runtime::BusinessKey business_key;
  const runtime::Tags* tags = nullptr;  // the instance's
  std::string element_id;
  std::string job_id;  // stable across retries: the idempotency key of what a handler does outside
  // The task's zeebe:taskHeaders (null: none).
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  std::int64_t now_ms = 0;  // the engine's clock (injected), Unix epoch milliseconds
  const Variables* variables = nullptr;
  // How many times each element of the instance has been activated so far (e.g. how often the
  // 5 -> 6 loop was taken).
  const std::map<std::string, int>* activation_counts = nullptr;
};

struct HandlerResult {
  bool ok = true;
  Variables variables;  // set on the instance when ok
  std::string error;    // why it failed, when !ok (becomes JobFailed / an incident)
  // When !ok and not empty: the handler throws this BPMN error code (Zeebe's throwError), a
  // business outcome an error boundary event or event subprocess catches, not a technical
  // failure to retry.
  std::string error_code;

  static HandlerResult success(Variables vars) { return {true, std::move(vars), {}, {}}; }
  static HandlerResult failure(std::string message) { return {false, {}, std::move(message), {}}; }
  static HandlerResult bpmn_error(std::string code, std::string message) {
    return {false, {}, std::move(message), std::move(code)};
  }
};

class TaskHandler {
 public:
  virtual ~TaskHandler() = default;
  // REQUIRES: ctx.tags, ctx.variables and ctx.activation_counts are not null.
  virtual HandlerResult handle(const HandlerContext& ctx) const = 0;
};

// What an instance is started with.
struct StartRequest {
  runtime::BusinessKey key;
  runtime::Tags tags;
  Variables variables;
  runtime::Actor actor;
};

// Checks the start variables of an instance (its data contract; the variables may repeat what
// the business key or the tags say, e.g. D02.03's codigo_dane and periodo). Returns one
// FieldError per bad field, none when they are acceptable; each message starts with the field
// name. Must be a pure function of its input (it may run concurrently).
using StartDataValidator = std::function<std::vector<FieldError>(const StartRequest& request)>;

// Completes the start request of an instance before it is checked and started, however it is
// started (a caller, a CSV row, a message start event): defaults for the variables its data
// contract lets a caller leave out, tags that follow from its variables. Must be a pure
// function of the request (it may run concurrently, and twice on one request: leave what is
// given as it is).
using StartDataPreparer = std::function<void(StartRequest& request)>;

// Handlers by type and start-data validators by process key. Not thread-safe for
// registration; lookups may be concurrent once filled.
class HandlerRegistry {
 public:
  // Replaces any handler already registered for `type`.
  void add(const std::string& type, std::shared_ptr<const TaskHandler> handler);
  const TaskHandler* find(const std::string& type) const;
  std::set<std::string> types() const;

  // Replaces any validator already registered for `process_key`.
  void add_start_validator(const std::string& process_key, StartDataValidator validator);
  // Replaces any preparer already registered for `process_key`.
  void add_start_preparer(const std::string& process_key, StartDataPreparer preparer);
  // The request completed by the preparer of request.key.process (as it is when it has none).
  StartRequest prepare_start(StartRequest request) const;
  // What the validator of request.key.process finds wrong (nothing when it has none).
  std::vector<FieldError> start_data_errors(const StartRequest& request) const;
  // The same as a Status: kValidation naming the process, the business id and every bad
  // field, one per line ("  sector: expected ..."), or ok.
  Status check_start_data(const StartRequest& request) const;

 private:
  std::map<std::string, std::shared_ptr<const TaskHandler>> handlers_;
  std::map<std::string, StartDataValidator> start_validators_;
  std::map<std::string, StartDataPreparer> start_preparers_;
};

}  // namespace pmiflow
