// Effects: what a command asks of other instances, or of its own after it is committed. A call
// activity starts a child instance, and the child, when it ends, continues its parent. The
// interpreter writes only to the instance it runs; it names each effect, and the engine carries it
// out in the same request, as a command on the instance the effect names, so that both logs change
// in one commit or not at all (engine/engine/engine.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <variant>

#include "engine/common/json.h"
#include "engine/common/result.h"
#include "engine/runtime/instance_state.h"

namespace pmiflow::runtime {

// A child instance to start: the engine's preparer (ChildPreparer) checks it and fills in its
// id, its definition version, and what the called process's start-data preparer adds.
struct ChildStart {
  std::int64_t id = 0;
  std::int32_t version = 0;
  BusinessKey key;
  Tags tags;
  Variables variables;
  ParentRef parent;
};

// Checks a child's start as a start by a caller is checked (the process deployed, its business
// id free, its start data accepted) and reserves its instance id. An error becomes an incident
// at the call activity (nothing is started).
using ChildPreparer = std::function<Status(ChildStart& start)>;

// Start the child (CreateInstance with its parent).
struct StartChild {
  ChildStart start;
};
// The child completed: its parent's call activity completes with the child's variables
// (CompleteCallActivity).
struct ChildCompleted {
  ParentRef parent;
  std::int64_t child_id = 0;
  Variables variables;
};
// The child threw a BPMN error that nothing in it catches: it is thrown from the parent's call
// activity (ThrowFromCallActivity).
struct ChildErrorThrown {
  ParentRef parent;
  std::int64_t child_id = 0;
  std::string code;
  std::string message;
};
// The parent's call activity ended early (canceled, interrupted): the child is terminated
// (CancelInstance by the parent).
struct CancelChild {
  std::int64_t child_id = 0;
};

// A parallel multi-instance body has inner instances still to start: the engine starts the
// next batch (ContinueMultiInstance) in a request of its own once this one is committed, so
// that thousands of elements are neither one giant request nor one giant commit.
struct ContinueLoop {
  std::int64_t instance_id = 0;
  std::int64_t body_key = 0;
};

using Effect =
    std::variant<StartChild, ChildCompleted, ChildErrorThrown, CancelChild, ContinueLoop>;

}  // namespace pmiflow::runtime
