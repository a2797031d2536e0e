// Jobs: the work an element hands to a handler (today service tasks). A job is created with the
// element, ends with it, and is completed or failed by the CompleteJob / FailJob commands; a
// job that fails with no retries left raises an incident.
#pragma once

#include "engine/runtime/bpmn/element_processor.h"
#include "engine/runtime/bpmn/run.h"
#include "engine/runtime/command.h"

namespace pmiflow::runtime::behavior {

void create_job(Run& run, const ElementRef& element, const std::string& type, int retries);

// Cancels the element's job when one is open (its scope is terminated).
void cancel_job(Run& run, const ElementRef& element);

// The job's handler succeeded: its variables are set, the element's task outputs written, and
// the element completes. Written as the handler.
void complete_job(Run& run, const Job& job, const ElementRef& element, const Variables& variables);

// The job's handler failed: one retry fewer; with none left, an incident at the element.
void fail_job(Run& run, const Job& job, const std::string& message);

}  // namespace pmiflow::runtime::behavior
