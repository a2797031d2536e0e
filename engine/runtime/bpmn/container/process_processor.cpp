#include "engine/runtime/bpmn/container/process_processor.h"

#include "engine/runtime/bpmn/behavior/catch_event_behavior.h"
#include "engine/runtime/bpmn/behavior/event_subprocess_behavior.h"
#include "engine/runtime/bpmn/behavior/scope_behavior.h"

namespace pmiflow::runtime {

Status ProcessProcessor::start(Run& run, const CreateInstance& c) {
  if (run.state().status != InstanceStatus::kNone) {
    return make_error(ErrorCode::kInvalidState, "instance already exists");
  }
  const model::ProcessDefinition& def = run.definition();
  model::NodeIndex start = model::kNone;
  if (c.message) {
    for (model::NodeIndex n : def.message_start_events) {
      if (def.node(n).message->name == c.message->name) {
        start = n;
        break;
      }
    }
    if (start == model::kNone) {
      return make_error(
          ErrorCode::kInvalidState,
          def.key + " has no message start event for message '" + c.message->name + "'");
    }
  } else if (def.start_events.empty()) {
    return make_error(ErrorCode::kInvalidState,
                      def.key + " has no none start event (it starts by message)");
  } else {
    start = def.start_events.front();
  }
  run.set_actor(c.actor);
  run.write(InstanceCreated{c.business_key.id, c.business_key.process, c.tags, c.variables,
                            c.parent.instance_id, c.parent.element_id, c.parent.element_key});
  if (c.message) {
    run.write(MessageCorrelated{"", def.node(start).id, 0, c.message->message_id,
                                c.message->message_key, c.message->name});
  }
  run.set_actor(Actor::engine());
  behavior::subscribe_event_subprocesses(run, kProcessScope);
  run.queue(Activation{start, model::kNone, kProcessScope, {}, false, {}});
  return {};
}

void ProcessProcessor::complete_if_done(Run& run) {
  if (run.state().status == InstanceStatus::kActive &&
      behavior::is_scope_done(run, kProcessScope)) {
    complete(run, "");
  }
}

void ProcessProcessor::complete(Run& run, const std::string& by_element) {
  behavior::unsubscribe(run, kProcessScope);  // its event subprocesses' starts
  run.write(InstanceCompleted{by_element});
  const InstanceState& s = run.state();
  if (s.parent.instance_id != 0) run.emit(ChildCompleted{s.parent, s.id, s.variables});
}

void ProcessProcessor::terminate(Run& run) {
  behavior::terminate_scope(run, kProcessScope, 0);
  behavior::unsubscribe(run, kProcessScope);
  run.write(InstanceTerminated{});
}

}  // namespace pmiflow::runtime
