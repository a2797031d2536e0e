// The interpreter: (definition, state, command, now) -> events. Pure and deterministic: no
// clock, no I/O, no randomness. A command is handled by the processors of the elements it
// concerns (bpmn/); then the tokens it moved run until every one of them waits (a user task,
// a job, an incident) or the instance ends.
//
// Token semantics (BPMN 2.0 / Zeebe), one processor per element kind (bpmn/processor_registry.h):
//  * exclusive gateway: the first outgoing flow, in document order, whose condition is true;
//    else the default flow; else an incident (the token waits at the gateway). A condition that
//    evaluates to null counts as not true; a non-boolean result or a FEEL type error is an
//    incident.
//  * parallel gateway: forks a token on every outgoing flow; joins by waiting, in its flow
//    scope, for a token on each incoming flow.
//  * terminate end event: terminates every other token of its scope, which completes.
//  * a scope (the process) completes when no token is left in it.
// The runaway guard: a command whose tokens would activate more than ExecuteOptions::
// max_activations elements stops each token past the limit at its element with an incident of
// kind "runaway" rather than hang (validation rejects cycles without a wait state; this is the
// last guard); resolving the incident lets the token go on.
#pragma once

#include <vector>

#include "engine/common/result.h"
#include "engine/model/process_definition.h"
#include "engine/runtime/bpmn/run.h"
#include "engine/runtime/command.h"
#include "engine/runtime/effect.h"
#include "engine/runtime/event.h"
#include "engine/runtime/instance_state.h"
#include "engine/runtime/projection_changes.h"

namespace pmiflow::runtime {

// The activations a request may make by default (EngineOptions::max_activations_per_request).
inline constexpr int kDefaultMaxActivations = 10000;

// What a command may need beyond the definition and the state.
struct ExecuteOptions {
  // The forms a user task's completion is checked against (null or empty: none).
  const FormLookup* forms = nullptr;
  // When given, what the events change in the instance's projections is added here.
  ProjectionChanges* changes = nullptr;
  // The runaway guard: the most elements the command's tokens may activate.
  int max_activations = kDefaultMaxActivations;
  // Starts the children of call activities (effect.h); null: a call activity raises an
  // incident.
  const ChildPreparer* children = nullptr;
};

// The events the command produces (seq numbered after state.last_seq, instance id state.id,
// time now_ms) and the state they lead to (the fold of state's events and these), or an error
// when it is rejected and nothing is written: kNotFound (no such open task, job or incident),
// kForbidden (role not a candidate group), kValidation (a task's form refuses the variables),
// kInvalidState (instance not active). For CreateInstance, `state` must be empty but for its
// id (the instance's id, assigned by the caller) and `definition_version` is recorded.
// `effects`: what the command asks of other instances, in order (effect.h).
struct Execution {
  std::vector<Event> events;
  InstanceState state;
  std::vector<Effect> effects;
};
Result<Execution> execute_with_state(const model::ProcessDefinition& definition,
                                     std::int32_t definition_version, const InstanceState& state,
                                     const Command& command, std::int64_t now_ms,
                                     const ExecuteOptions& options = {});
// The same, consuming `state` (no copy of it; it is left unspecified, also on an error).
Result<Execution> execute_with_state(const model::ProcessDefinition& definition,
                                     std::int32_t definition_version, InstanceState&& state,
                                     const Command& command, std::int64_t now_ms,
                                     const ExecuteOptions& options = {});

// The events alone.
Result<std::vector<Event>> execute(const model::ProcessDefinition& definition,
                                   std::int32_t definition_version, const InstanceState& state,
                                   const Command& command, std::int64_t now_ms,
                                   const ExecuteOptions& options = {});

}  // namespace pmiflow::runtime
