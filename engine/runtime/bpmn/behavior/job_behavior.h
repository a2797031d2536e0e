// Jobs: the work an element hands to a handler (today service tasks). A job is created with the
// element, ends with it, and is completed or failed by the CompleteJob / FailJob commands; a
// job that fails with no retries left raises an incident.
#pragma once

#include "engine/runtime/bpmn/element_processor.h"
#include "engine/runtime/bpmn/run.h"
#include "engine/runtime/command.h"

namespace pmiflow::runtime::behavior {

// The kind of the incident a job out of retries raises.
inline constexpr const char* kJobIncident = "job";

void create_job(Run& run, const ElementRef& element, const std::string& type, int retries);

// Cancels the element's job when one is open (its scope is terminated).
void cancel_job(Run& run, const ElementRef& element);

// The job's handler succeeded: its variables are set, the element's task outputs written, and
// the element completes. Written as the handler.
void complete_job(Run& run, const Job& job, const ElementRef& element, const Variables& variables);

// The job's handler failed (FailJob): its retries become failure.retries (default one fewer);
// with retries left it is activatable again after its backoff, with none an incident at the
// element carries the message.
void fail_job(Run& run, const Job& job, const ElementRef& element, const FailJob& failure);

// The backoff of a job's next failure when its worker names none: the task's retryBackoff
// header, else kFirstBackoffMs doubled at each failure so far, at most kMaxBackoffMs.
std::int64_t default_backoff_ms(const model::FlowNode& task, int failures_so_far);

}  // namespace pmiflow::runtime::behavior
