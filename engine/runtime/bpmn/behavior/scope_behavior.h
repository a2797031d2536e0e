// Flow scopes (the process, and each subProcess instance, whose scope key is its element
// key): what is in one, when it is done, and ending everything in it.
#pragma once

#include <cstdint>
#include <string>

#include "engine/runtime/bpmn/run.h"

namespace pmiflow::runtime::behavior {

// Whether no token is left in `scope`: no element instance runs in it, none waits at one of
// its joins, no activation into it is queued, and (the process scope) no incident is open.
bool is_scope_done(const Run& run, std::int64_t scope);

// Terminates everything in `scope` but element instance `except_key`: resolves the incidents
// of its elements (and, in the process scope, those of no element), then ends each element
// instance through its processor, in key order (a container ends its own scope first). The
// queued activations into the scope are dropped.
void terminate_scope(Run& run, std::int64_t scope, std::int64_t except_key);

// Completes the scope at once, by element `by_element` (a terminate end event): the process
// scope completes the instance, a subProcess's completes the subProcess (its token moves on).
// REQUIRES: everything else in it was terminated.
void complete_scope(Run& run, std::int64_t scope, const std::string& by_element);

// Completes one subProcess instance in which no token is left (the innermost first), when no
// activation is queued; true when it did (its outgoing tokens are queued: run them, then ask
// again).
bool complete_done_subprocesses(Run& run);

}  // namespace pmiflow::runtime::behavior
