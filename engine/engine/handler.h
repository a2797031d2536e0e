// Service-task handlers: pluggable code that a service task's job runs, looked up by the
// task's type (zeebe:taskDefinition type). Handlers run outside the instance transaction, like
// Zeebe job workers: the engine creates a job, runs the handler, and feeds its result back as a
// CompleteJob or FailJob command. A handler may therefore run more than once for one job
// (at-least-once); it must be a function of its input.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "engine/common/json.h"

namespace pmiflow {

struct HandlerContext {
  std::int64_t instance_id = 0;
  std::string process;  // process key
  std::string school;   // business key: codigo_dane
  std::string period;   // business key: periodo
  std::string element_id;
  std::string job_id;
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

  static HandlerResult success(Variables vars) { return {true, std::move(vars), {}}; }
  static HandlerResult failure(std::string message) { return {false, {}, std::move(message)}; }
};

class TaskHandler {
 public:
  virtual ~TaskHandler() = default;
  // REQUIRES: ctx.variables and ctx.activation_counts are not null.
  virtual HandlerResult handle(const HandlerContext& ctx) const = 0;
};

// Handlers by type. Not thread-safe for registration; lookups may be concurrent once filled.
class HandlerRegistry {
 public:
  // Replaces any handler already registered for `type`.
  void add(const std::string& type, std::shared_ptr<const TaskHandler> handler);
  const TaskHandler* find(const std::string& type) const;
  std::set<std::string> types() const;

 private:
  std::map<std::string, std::shared_ptr<const TaskHandler>> handlers_;
};

}  // namespace pmiflow
