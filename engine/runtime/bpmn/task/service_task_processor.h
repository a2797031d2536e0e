// Service task: creates a job for the handler of its type (zeebe:taskDefinition); it waits
// until the job is completed (job_behavior.h) and cancels the job when terminated.
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class ServiceTaskProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
  void on_terminate(Run& run, const ElementRef& element) const override;
  // A BPMN error its handler threw that nothing caught (kind "error"): a new job runs it again.
  bool can_retry(const Incident& incident) const override;
  void retry(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
