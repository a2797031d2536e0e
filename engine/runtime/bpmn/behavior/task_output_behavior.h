// What a task's completion writes besides variables (model: pmiflow.record, pmiflow.notify):
// its record of the process and its messages to other subprocesses, each carrying the
// variables the completion set.
#pragma once

#include <cstdint>

#include "engine/common/json.h"
#include "engine/model/process_definition.h"
#include "engine/runtime/bpmn/run.h"

namespace pmiflow::runtime::behavior {

void write_task_outputs(Run& run, const model::FlowNode& node, std::int64_t key,
                        const Variables& variables);

}  // namespace pmiflow::runtime::behavior
