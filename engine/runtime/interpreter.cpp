#include "engine/runtime/interpreter.h"

#include <string>
#include <utility>

#include "engine/common/time_text.h"

#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/error_behavior.h"
#include "engine/runtime/bpmn/behavior/incident_behavior.h"
#include "engine/runtime/bpmn/behavior/inclusive_join_behavior.h"
#include "engine/runtime/bpmn/behavior/io_mapping_behavior.h"
#include "engine/runtime/bpmn/behavior/job_behavior.h"
#include "engine/runtime/bpmn/behavior/message_behavior.h"
#include "engine/runtime/bpmn/behavior/scope_behavior.h"
#include "engine/runtime/bpmn/behavior/timer_behavior.h"
#include "engine/runtime/bpmn/behavior/variable_behavior.h"
#include "engine/runtime/bpmn/container/call_activity_processor.h"
#include "engine/runtime/bpmn/container/multi_instance_body_processor.h"
#include "engine/runtime/bpmn/container/process_processor.h"
#include "engine/runtime/bpmn/processor_registry.h"
#include "engine/runtime/bpmn/task/user_task_processor.h"

namespace pmiflow::runtime {
namespace {

Error not_active(const InstanceState& s) {
  return make_error(ErrorCode::kInvalidState, "instance " + std::to_string(s.id) + " is " +
                                                  to_string(s.status) + ", not active");
}

// Routes each command to the processor of what it concerns. A command refused here writes
// nothing.
class CommandProcessor {
 public:
  explicit CommandProcessor(Run& run) : run_(run) {}

  Status operator()(const CreateInstance& c) { return ProcessProcessor::start(run_, c); }

  Status operator()(const CompleteUserTask& c) {
    const InstanceState& s = run_.state();
    if (s.status != InstanceStatus::kActive) return not_active(s);
    auto it = s.tasks.find(c.task_id);
    if (it == s.tasks.end()) {
      return make_error(ErrorCode::kNotFound, "task " + c.task_id + " is not open");
    }
    return UserTaskProcessor::complete(run_, it->second, c);
  }

  Status operator()(const CompleteJob& c) {
    auto job = answered_job(c.job_id, c.token);
    if (!job.ok()) return job.error();
    auto element = behavior::element_of(run_, (*job)->element_key, (*job)->element_id);
    if (!element.ok()) return element.error();
    behavior::complete_job(run_, **job, *element, c.variables);
    return {};
  }

  Status operator()(const FailJob& c) {
    auto job = answered_job(c.job_id, c.token);
    if (!job.ok()) return job.error();
    auto element = behavior::element_of(run_, (*job)->element_key, (*job)->element_id);
    if (!element.ok()) return element.error();
    behavior::fail_job(run_, **job, *element, c);
    return {};
  }

  Status operator()(const ThrowJobError& c) {
    auto job = answered_job(c.job_id, c.token);
    if (!job.ok()) return job.error();
    auto element = behavior::element_of(run_, (*job)->element_key, (*job)->element_id);
    if (!element.ok()) return element.error();
    run_.set_actor(Actor::handler((*job)->type));
    behavior::throw_error(run_, *element, c.code, c.message);
    return {};
  }

  Status operator()(const ActivateJob& c) {
    auto job = open_job(c.job_id);
    if (!job.ok()) return job.error();
    const Job& j = **job;
    if (j.state == JobState::kFailed) return out_of_retries(j);
    if (j.state == JobState::kActivatable && j.retry_at_ms > run_.now_ms()) {
      return make_error(
          ErrorCode::kInvalidState,
          "job " + j.id + " is retried from " + format_time(j.retry_at_ms) + " (its backoff)");
    }
    if (j.state == JobState::kActivated && j.deadline_ms > run_.now_ms()) {
      return make_error(ErrorCode::kInvalidState, "job " + j.id + " is activated by worker " +
                                                      j.worker + " until " +
                                                      format_time(j.deadline_ms));
    }
    run_.set_actor(Actor::handler(j.type));
    run_.write(JobActivated{run_.now_ms() + c.timeout_ms, j.element_id, j.element_key, j.token + 1,
                            c.worker});
    return {};
  }

  Status operator()(const ExtendJobLease& c) {
    auto job = answered_job(c.job_id, c.token);
    if (!job.ok()) return job.error();
    const Job& j = **job;
    run_.set_actor(Actor::handler(j.type));
    run_.write(
        JobLeaseExtended{run_.now_ms() + c.timeout_ms, j.element_id, j.element_key, j.token});
    return {};
  }

  Status operator()(const SetVariables& c) {
    if (run_.state().status != InstanceStatus::kActive) return not_active(run_.state());
    run_.set_actor(c.actor);
    behavior::set_variables(run_, c.variables, "", kProcessScope);
    return {};
  }

  Status operator()(const ResolveIncident& c) {
    const InstanceState& s = run_.state();
    if (s.status != InstanceStatus::kActive) return not_active(s);
    auto it = s.incidents.find(c.incident_id);
    if (it == s.incidents.end()) {
      return make_error(ErrorCode::kNotFound, "incident " + c.incident_id + " is not open");
    }
    const Incident incident = it->second;
    if (incident.kind == behavior::kJobIncident) return give_retries(incident, c);
    if (incident.kind == behavior::kRunawayIncident && !c.retries) return resume(incident, c);
    if (c.retries) {
      return make_error(ErrorCode::kInvalidArgument,
                        "retries: incident " + c.incident_id + " is of kind '" + incident.kind +
                            "', not a job's; only a job is given retries");
    }
    auto element = behavior::element_of(run_, incident.element_key, incident.element_id);
    if (element.ok() && (incident.kind == behavior::kInputMappingIncident ||
                         incident.kind == behavior::kOutputMappingIncident)) {
      resolved(incident, c.actor);
      if (incident.kind == behavior::kInputMappingIncident) {
        behavior::run_activation(run_, *element);
      } else {
        behavior::complete(run_, *element);
      }
      return {};
    }
    static const MultiInstanceBodyProcessor kMultiInstance;  // its incidents at inner instances
    const ElementProcessor* processor = !element.ok() ? nullptr
                                        : incident.kind == kMultiInstanceIncident
                                            ? &kMultiInstance
                                            : &processor_of(run_, *element);
    if (processor == nullptr || !processor->can_retry(incident)) {
      return make_error(ErrorCode::kInvalidState, "incident " + c.incident_id + " of kind '" +
                                                      incident.kind +
                                                      "' cannot be resolved by re-evaluation");
    }
    resolved(incident, c.actor);
    processor->retry(run_, *element);
    return {};
  }

  Status operator()(const CancelInstance& c) {
    const InstanceState& s = run_.state();
    if (s.status != InstanceStatus::kActive) return not_active(s);
    if (s.parent.instance_id != 0 && !c.by_parent) {
      return make_error(ErrorCode::kInvalidState,
                        "instance " + std::to_string(s.id) + " was called by instance " +
                            std::to_string(s.parent.instance_id) + " (" + s.parent.element_id +
                            "): cancel that one, which cancels it");
    }
    run_.set_actor(c.actor);
    ProcessProcessor::terminate(run_);
    return {};
  }

  Status operator()(const CompleteCallActivity& c) {
    auto element = call_activity(c.element_key, c.child_id);
    if (!element.ok()) return element.error();
    CallActivityProcessor::complete_call(run_, *element, c.variables);
    return {};
  }

  Status operator()(const ThrowFromCallActivity& c) {
    auto element = call_activity(c.element_key, c.child_id);
    if (!element.ok()) return element.error();
    behavior::throw_error(run_, *element, c.code, c.message);
    return {};
  }

  Status operator()(const ContinueMultiInstance& c) {
    if (run_.state().status != InstanceStatus::kActive) return {};  // it ended meanwhile
    return MultiInstanceBodyProcessor::continue_loop(run_, c.body_key);
  }

  Status operator()(const TriggerTimer& c) {
    const InstanceState& s = run_.state();
    if (s.status != InstanceStatus::kActive) return not_active(s);
    auto it = s.timers.find(c.timer_key);
    if (it == s.timers.end()) {
      return make_error(ErrorCode::kNotFound, "timer " + task_id_for(s.id, c.timer_key) +
                                                  " is not waiting (fired or canceled)");
    }
    if (it->second.due_ms > run_.now_ms()) {
      return make_error(ErrorCode::kInvalidState, "timer " + task_id_for(s.id, c.timer_key) +
                                                      " is not due until " +
                                                      format_time(it->second.due_ms) + " (now " +
                                                      format_time(run_.now_ms()) + ")");
    }
    return behavior::trigger_timer(run_, it->second);
  }

  Status operator()(const CorrelateMessage& c) {
    const InstanceState& s = run_.state();
    if (s.status != InstanceStatus::kActive) return not_active(s);
    auto it = s.subscriptions.find(c.subscription_key);
    if (it == s.subscriptions.end()) {
      return make_error(ErrorCode::kNotFound, "message subscription " +
                                                  task_id_for(s.id, c.subscription_key) +
                                                  " is not open (correlated or closed)");
    }
    if (it->second.name != c.name || it->second.correlation_key != c.correlation_key) {
      return make_error(ErrorCode::kInvalidArgument,
                        "message subscription " + task_id_for(s.id, c.subscription_key) +
                            " waits for message '" + it->second.name + "' with key '" +
                            it->second.correlation_key + "', not '" + c.name + "' with key '" +
                            c.correlation_key + "'");
    }
    run_.set_actor(Actor::message(c.name));
    return behavior::correlate(run_, it->second,
                               behavior::ReceivedMessage{c.message_key, c.message_id, c.variables});
  }

 private:
  Result<const Job*> open_job(const std::string& id) {
    const InstanceState& s = run_.state();
    if (s.status != InstanceStatus::kActive) return not_active(s);
    auto it = s.jobs.find(id);
    if (it == s.jobs.end()) return make_error(ErrorCode::kNotFound, "job " + id + " is not open");
    return &it->second;
  }

  // IncidentResolved, written by the person acting; what follows is the engine's.
  void resolved(const Incident& incident, const Actor& actor) {
    run_.set_actor(actor);
    run_.write(IncidentResolved{incident.key});
    run_.set_actor(Actor::engine());
  }

  // A job out of retries is given c.retries (default 1): activatable again at once.
  Status give_retries(const Incident& incident, const ResolveIncident& c) {
    const int retries = c.retries.value_or(1);
    if (retries < 1) {
      return make_error(ErrorCode::kInvalidArgument,
                        "retries: " + std::to_string(retries) +
                            " would leave the job out of retries; give at least 1");
    }
    auto job = run_.state().jobs.find(task_id_for(run_.state().id, incident.element_key));
    if (job == run_.state().jobs.end() || job->second.state != JobState::kFailed) {
      return make_error(ErrorCode::kInvalidState,
                        "incident " + c.incident_id + ": its job is no longer out of retries");
    }
    run_.set_actor(c.actor);
    run_.write(JobRetriesUpdated{incident.element_id, incident.element_key, retries});
    resolved(incident, c.actor);
    return {};
  }

  // A token the runaway guard stopped goes on from its element, with a new request's budget.
  Status resume(const Incident& incident, const ResolveIncident& c) {
    auto element = behavior::element_of(run_, incident.element_key, incident.element_id);
    if (!element.ok()) return element.error();
    resolved(incident, c.actor);
    behavior::resume_activation(run_, *element);
    return {};
  }

  // The active call activity element instance `key` whose child is `child_id`.
  Result<ElementRef> call_activity(std::int64_t key, std::int64_t child_id) {
    const InstanceState& s = run_.state();
    if (s.status != InstanceStatus::kActive) return not_active(s);
    auto it = s.elements.find(key);
    if (it == s.elements.end() || it->second.child != child_id) {
      return make_error(ErrorCode::kNotFound, "element instance " + std::to_string(key) +
                                                  " of instance " + std::to_string(s.id) +
                                                  " is not a call activity waiting for instance " +
                                                  std::to_string(child_id));
    }
    return behavior::element_of(run_, key, it->second.element_id);
  }

  static Error out_of_retries(const Job& j) {
    return make_error(ErrorCode::kInvalidState,
                      "job " + j.id + " has no retries left (an incident is open)");
  }

  // The open job an answer with `token` may act on: an activatable one answered in process
  // (token 0), or one activated by a worker answered with its lease's token before the
  // deadline (fencing: a worker whose lease expired, or was taken over, writes nothing).
  Result<const Job*> answered_job(const std::string& id, std::int64_t token) {
    auto job = open_job(id);
    if (!job.ok()) return job.error();
    const Job& j = **job;
    if (j.state == JobState::kFailed) return out_of_retries(j);
    if (j.state == JobState::kActivatable && token == 0) return &j;
    if (j.state == JobState::kActivated && token == j.token && token != 0) {
      if (run_.now_ms() < j.deadline_ms) return &j;
      return make_error(ErrorCode::kStaleToken, "job " + id + ": the lease of token " +
                                                    std::to_string(token) + " expired at " +
                                                    format_time(j.deadline_ms));
    }
    if (j.state == JobState::kActivated) {
      return make_error(ErrorCode::kStaleToken, "job " + id + ": token " + std::to_string(token) +
                                                    " is not the current lease's (worker " +
                                                    j.worker + ", token " +
                                                    std::to_string(j.token) + ")");
    }
    return make_error(ErrorCode::kStaleToken, "job " + id + ": token " + std::to_string(token) +
                                                  " holds no lease (the job is not activated)");
  }

  Run& run_;
};

// Runs the queued tokens until every one waits (each token past `max_activations` stops at its
// element with a runaway incident), firing each inclusive join no other token can reach and
// completing each subProcess in which no token is left (their tokens move on), then completes
// the process when no token is left in it.
void run_tokens(Run& run, int max_activations) {
  int activations = 0;
  do {
    while (run.has_queued() && run.state().status == InstanceStatus::kActive) {
      Activation activation = run.take_queued();
      if (++activations > max_activations) {
        behavior::stop_runaway(run, activation, max_activations);
      } else {
        behavior::activate(run, activation);
      }
    }
  } while (run.state().status == InstanceStatus::kActive &&
           (behavior::fire_inclusive_joins(run) || behavior::complete_done_subprocesses(run)));
  ProcessProcessor::complete_if_done(run);
}

}  // namespace

const char* command_name(const Command& command) {
  static constexpr const char* kNames[] = {
      "CreateInstance",       "CompleteUserTask",      "CompleteJob",          "FailJob",
      "SetVariables",         "ResolveIncident",       "CancelInstance",       "TriggerTimer",
      "CorrelateMessage",     "ThrowJobError",         "ActivateJob",          "ExtendJobLease",
      "CompleteCallActivity", "ThrowFromCallActivity", "ContinueMultiInstance"};
  return kNames[command.index()];
}

Result<Execution> execute_with_state(const model::ProcessDefinition& definition,
                                     std::int32_t definition_version, const InstanceState& state,
                                     const Command& command, std::int64_t now_ms,
                                     const ExecuteOptions& options) {
  return execute_with_state(definition, definition_version, InstanceState(state), command, now_ms,
                            options);
}

Result<Execution> execute_with_state(const model::ProcessDefinition& definition,
                                     std::int32_t definition_version, InstanceState&& state,
                                     const Command& command, std::int64_t now_ms,
                                     const ExecuteOptions& options) {
  const std::int32_t version =
      state.status == InstanceStatus::kNone ? definition_version : state.definition_version;
  // A command is refused before it writes anything, so `changes` sees only what is written.
  Run run(definition, version, std::move(state), now_ms, options.forms, options.changes);
  run.set_child_preparer(options.children);
  Status status = std::visit(CommandProcessor(run), command);
  if (!status.ok()) return status.error();
  run_tokens(run, options.max_activations);
  return Execution{run.take_events(), run.take_state(), run.take_effects()};
}

Result<std::vector<Event>> execute(const model::ProcessDefinition& definition,
                                   std::int32_t definition_version, const InstanceState& state,
                                   const Command& command, std::int64_t now_ms,
                                   const ExecuteOptions& options) {
  auto execution =
      execute_with_state(definition, definition_version, state, command, now_ms, options);
  if (!execution.ok()) return execution.error();
  return std::move(execution->events);
}

}  // namespace pmiflow::runtime
