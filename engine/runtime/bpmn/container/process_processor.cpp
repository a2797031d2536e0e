#include "engine/runtime/bpmn/container/process_processor.h"

#include "engine/runtime/bpmn/behavior/scope_behavior.h"

namespace pmiflow::runtime {

Status ProcessProcessor::start(Run& run, const CreateInstance& c) {
  if (run.state().status != InstanceStatus::kNone) {
    return make_error(ErrorCode::kInvalidState, "instance already exists");
  }
  const model::ProcessDefinition& def = run.definition();
  if (def.start_events.empty()) {
    return make_error(ErrorCode::kInvalidState, def.key + " has no none start event");
  }
  run.set_actor(c.actor);
  run.write(InstanceCreated{c.business_key.id, c.business_key.process, c.tags, c.variables});
  run.set_actor(Actor::engine());
  run.queue(Activation{def.start_events.front(), model::kNone, kProcessScope, {}});
  return {};
}

void ProcessProcessor::complete_if_done(Run& run) {
  if (run.state().status == InstanceStatus::kActive &&
      behavior::is_scope_done(run, kProcessScope)) {
    complete(run, "");
  }
}

void ProcessProcessor::complete(Run& run, const std::string& by_element) {
  run.write(InstanceCompleted{by_element});
}

void ProcessProcessor::terminate(Run& run) {
  behavior::terminate_scope(run, kProcessScope, 0);
  run.write(InstanceTerminated{});
}

}  // namespace pmiflow::runtime
