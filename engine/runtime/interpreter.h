// The interpreter: (definition, state, command, now) -> events. Pure and deterministic: no
// clock, no I/O, no randomness. It runs tokens until every one of them waits (a user task, a
// job, an incident) or the instance ends.
//
// Token semantics (BPMN 2.0 / Zeebe):
//  * exclusive gateway: the first outgoing flow, in document order, whose condition is true;
//    else the default flow; else an incident (the token waits at the gateway). A condition that
//    evaluates to null counts as not true; a non-boolean result or a FEEL type error is an
//    incident.
//  * parallel gateway: forks a token on every outgoing flow; joins by waiting for a token on
//    each incoming flow.
//  * terminate end event: terminates every other token and completes the instance.
//  * the instance completes when no token is left.
// A command that would run more than kMaxStepsPerCommand steps raises an incident rather than
// hang (validation rejects cycles without a wait state; this is the last guard).
#pragma once

#include <vector>

#include "engine/common/result.h"
#include "engine/model/process_definition.h"
#include "engine/runtime/command.h"
#include "engine/runtime/event.h"
#include "engine/runtime/instance_state.h"

namespace pmiflow::runtime {

inline constexpr int kMaxStepsPerCommand = 100000;

// Returns the events the command produces (seq numbered after state.last_seq, instance id
// state.id, time now_ms), or an error when it is rejected: kNotFound (no such open task, job
// or incident), kForbidden (role not a candidate group), kInvalidState (instance not active).
// For CreateInstance, `state` must be empty and `definition_version` is recorded.
Result<std::vector<Event>> execute(const model::ProcessDefinition& definition,
                                   std::int32_t definition_version, const InstanceState& state,
                                   const Command& command, std::int64_t now_ms);

// The events and the state they lead to (the fold of state's events and these), so that a
// caller need not apply them again.
struct Execution {
  std::vector<Event> events;
  InstanceState state;
};
Result<Execution> execute_with_state(const model::ProcessDefinition& definition,
                                     std::int32_t definition_version, const InstanceState& state,
                                     const Command& command, std::int64_t now_ms);
// The same, consuming `state` (no copy of it; it is left unspecified, also on an error).
Result<Execution> execute_with_state(const model::ProcessDefinition& definition,
                                     std::int32_t definition_version, InstanceState&& state,
                                     const Command& command, std::int64_t now_ms);

}  // namespace pmiflow::runtime
