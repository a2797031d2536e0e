#include "engine/runtime/bpmn/behavior/error_behavior.h"

#include <vector>

#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/event_subprocess_behavior.h"
#include "engine/runtime/bpmn/behavior/incident_behavior.h"
#include "engine/runtime/bpmn/container/multi_instance_body_processor.h"
#include "engine/runtime/bpmn/processor_registry.h"

namespace pmiflow::runtime::behavior {
namespace {

// Of catch events `events` (with their error definitions), the one for `code`: the one with
// that code, else the first with none.
model::NodeIndex find_catcher(const model::ProcessDefinition& def,
                              const std::vector<model::NodeIndex>& events,
                              const std::string& code) {
  model::NodeIndex any = model::kNone;
  for (model::NodeIndex n : events) {
    const model::FlowNode& event = def.node(n);
    if (!event.error) continue;
    if (event.error->code == code) return n;
    if (event.error->code.empty() && any == model::kNone) any = n;
  }
  return any;
}

// The error start events of event subprocesses `subprocesses`, but that of `except` (an error
// thrown inside an event subprocess is not caught by that event subprocess itself).
std::vector<model::NodeIndex> error_starts(const model::ProcessDefinition& def,
                                           const std::vector<model::NodeIndex>& subprocesses,
                                           model::NodeIndex except) {
  std::vector<model::NodeIndex> out;
  for (model::NodeIndex sub : subprocesses) {
    const model::NodeIndex start = def.node(sub).start_event;
    if (sub != except && start != model::kNone &&
        def.node(start).kind == model::NodeKind::kErrorStartEvent) {
      out.push_back(start);
    }
  }
  return out;
}

}  // namespace

void throw_error(Run& run, const ElementRef& thrower, const std::string& code,
                 const std::string& message) {
  const model::ProcessDefinition& def = run.definition();
  const std::string thrower_id = def.node(thrower.node).id;
  ElementRef at = thrower;  // the element whose boundary events and flow scope are searched
  for (;;) {
    // A multi-instance's inner instance: its boundary events are its body's.
    if (MultiInstanceBodyProcessor::is_inner(run, at)) at = scope_owner(run, at.scope);
    const model::NodeIndex boundary = find_catcher(def, def.node(at.node).boundary_events, code);
    if (boundary != model::kNone) {
      run.write(ErrorThrown{def.node(boundary).id, code, thrower_id, thrower.key, message});
      processor_of(run, at).on_terminate(run, at);
      run.queue(Activation{boundary, model::kNone, at.scope, {}, false, {}});
      return;
    }
    const model::NodeIndex start =
        find_catcher(def, error_starts(def, event_subprocesses_of(run, at.scope), at.node), code);
    if (start != model::kNone) {
      run.write(ErrorThrown{def.node(start).id, code, thrower_id, thrower.key, message});
      trigger_event_subprocess(run, start, at.scope);
      return;
    }
    if (at.scope == kProcessScope) break;
    at = scope_owner(run, at.scope);
  }
  run.write(ErrorThrown{"", code, thrower_id, thrower.key, message});
  if (const ParentRef& parent = run.state().parent; parent.instance_id != 0) {
    // Not caught in a child: thrown on from its parent's call activity (the parent's incident
    // if nothing there catches it either).
    run.emit(ChildErrorThrown{parent, run.state().id, code, message});
    return;
  }
  raise_incident(run, thrower.key, thrower_id, kErrorIncident,
                 "error '" + code + "' thrown by " + thrower_id +
                     " is not caught: no error boundary event or error event subprocess around "
                     "it catches this code (or every code)");
}

}  // namespace pmiflow::runtime::behavior
