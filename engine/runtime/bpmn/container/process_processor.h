// The process itself, the container of flow scope kProcessScope: creating the instance and
// its first token, completing it when no token is left (or a terminate end event ends its
// scope), and terminating it (cancel). Its lifecycle events are InstanceCreated,
// InstanceCompleted and InstanceTerminated.
#pragma once

#include <string>

#include "engine/common/result.h"
#include "engine/runtime/bpmn/run.h"
#include "engine/runtime/command.h"

namespace pmiflow::runtime {

class ProcessProcessor {
 public:
  // Writes InstanceCreated (as the command's actor) and queues the token of the none start
  // event, or, for a start by message, MessageCorrelated and the token of the message start
  // event of its name. kInvalidState when the instance exists or the process has no such
  // start event.
  static Status start(Run& run, const CreateInstance& command);

  // Completes the instance when it is active and no token is left in the process scope.
  static void complete_if_done(Run& run);

  // Completes the instance; `by_element`: the terminate end event that ended its scope.
  static void complete(Run& run, const std::string& by_element);

  // Terminates everything in the process scope, then the instance.
  static void terminate(Run& run);
};

}  // namespace pmiflow::runtime
