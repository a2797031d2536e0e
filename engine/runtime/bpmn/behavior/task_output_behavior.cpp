#include "engine/runtime/bpmn/behavior/task_output_behavior.h"

namespace pmiflow::runtime::behavior {

void write_task_outputs(Run& run, const model::FlowNode& node, std::int64_t key,
                        const Variables& variables) {
  if (!node.record.empty())
    run.write(RecordWritten{variables, node.id, key, node.record, node.record_responsible});
  for (const auto& subprocess : node.notify) {
    run.write(MessageQueued{variables, node.id, key, subprocess});
  }
}

}  // namespace pmiflow::runtime::behavior
