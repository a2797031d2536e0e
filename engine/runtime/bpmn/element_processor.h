// One processor per element kind (Zeebe's BpmnElementProcessor): what an element does when a
// token enters it, and how it ends early when its scope is terminated. Processors are
// stateless and shared; they read the run's state and write events through it, using the
// behaviours (behavior/) for the steps several kinds share. processor_registry.h finds the
// processor of a kind.
#pragma once

#include <cstdint>

#include "engine/model/process_definition.h"
#include "engine/runtime/bpmn/run.h"

namespace pmiflow::runtime {

// An active element instance: its node, its key and the flow scope it runs in.
struct ElementRef {
  model::NodeIndex node = model::kNone;
  std::int64_t key = 0;
  std::int64_t scope = kProcessScope;
};

class ElementProcessor {
 public:
  virtual ~ElementProcessor() = default;

  // The element instance was activated (its ElementActivated is written): do what the element
  // does, then complete it (element_behavior.h) or leave it waiting (a task, an incident).
  virtual void on_activate(Run& run, const ElementRef& element) const = 0;

  // Ends the element instance before it completes, because its scope is terminated: cancels
  // what it owns (a task, a job, a scope's children), then writes ElementTerminated. The
  // default owns nothing.
  virtual void on_terminate(Run& run, const ElementRef& element) const;

  // Whether the element can run again the step that raised `incident` (see retry). The default:
  // a timer or message incident (a timer that could not be armed, a subscription whose
  // correlation key could not be computed).
  virtual bool can_retry(const Incident& incident) const;
  // Runs again the step that raised an incident at the element, once it is resolved (its
  // IncidentResolved is written). REQUIRES: can_retry(incident). The default subscribes the
  // element's boundary events again (those that failed).
  virtual void retry(Run& run, const ElementRef& element) const;
};

}  // namespace pmiflow::runtime
