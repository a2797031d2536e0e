#include "engine/runtime/bpmn/task/service_task_processor.h"

#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/error_behavior.h"
#include "engine/runtime/bpmn/behavior/job_behavior.h"

namespace pmiflow::runtime {

void ServiceTaskProcessor::on_activate(Run& run, const ElementRef& element) const {
  const model::FlowNode& node = run.definition().node(element.node);
  behavior::create_job(run, element, node.task_type, node.retries);
}

bool ServiceTaskProcessor::can_retry(const Incident& incident) const {
  return incident.kind == behavior::kErrorIncident || ElementProcessor::can_retry(incident);
}

void ServiceTaskProcessor::retry(Run& run, const ElementRef& element) const {
  ElementProcessor::retry(run, element);  // its boundary events, those that failed
  if (run.state().jobs.count(task_id_for(run.state().id, element.key)) == 0) {
    on_activate(run, element);
  }
}

void ServiceTaskProcessor::on_terminate(Run& run, const ElementRef& element) const {
  behavior::cancel_job(run, element);
  behavior::terminate(run, element);
}

}  // namespace pmiflow::runtime
