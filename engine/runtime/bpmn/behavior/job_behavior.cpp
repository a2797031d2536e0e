#include "engine/runtime/bpmn/behavior/job_behavior.h"

#include <algorithm>

#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/incident_behavior.h"
#include "engine/runtime/bpmn/behavior/io_mapping_behavior.h"
#include "engine/runtime/bpmn/behavior/task_output_behavior.h"

namespace pmiflow::runtime::behavior {

void create_job(Run& run, const ElementRef& element, const std::string& type, int retries) {
  run.write(JobCreated{run.definition().node(element.node).id, element.key, retries, type});
}

void cancel_job(Run& run, const ElementRef& element) {
  if (run.state().jobs.count(task_id_for(run.state().id, element.key)) == 0) return;
  run.write(JobCanceled{run.definition().node(element.node).id, element.key});
}

void complete_job(Run& run, const Job& job, const ElementRef& element, const Variables& variables) {
  const std::int64_t key = job.element_key;
  const std::string element_id = job.element_id;
  run.set_actor(Actor::handler(job.type));
  set_result_variables(run, variables, element);
  run.write(JobCompleted{element_id, key});
  write_task_outputs(run, run.definition().node(element.node), key, variables);
  complete(run, element);
}

std::int64_t default_backoff_ms(const model::FlowNode& task, int failures_so_far) {
  if (task.retry_backoff_ms) return *task.retry_backoff_ms;
  std::int64_t backoff = kFirstBackoffMs;
  for (int i = 0; i < failures_so_far && backoff < kMaxBackoffMs; ++i) backoff *= 2;
  return std::min(backoff, kMaxBackoffMs);
}

void fail_job(Run& run, const Job& job, const ElementRef& element, const FailJob& failure) {
  const std::int64_t key = job.element_key;
  const std::string element_id = job.element_id;
  const int retries_left = std::max(0, failure.retries.value_or(job.retries_left - 1));
  std::int64_t retry_at = 0;
  if (retries_left > 0) {
    const std::int64_t backoff =
        failure.backoff_ms ? *failure.backoff_ms
                           : default_backoff_ms(run.definition().node(element.node), job.failures);
    if (backoff > 0) retry_at = run.now_ms() + backoff;
  }
  run.set_actor(Actor::handler(job.type));
  run.write(JobFailed{element_id, key, failure.message, retries_left, retry_at});
  run.set_actor(Actor::engine());
  if (retries_left <= 0) raise_incident(run, key, element_id, kJobIncident, failure.message);
}

}  // namespace pmiflow::runtime::behavior
