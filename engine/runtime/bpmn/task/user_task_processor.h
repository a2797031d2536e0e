// User task: opens a task for its candidate groups (with the form it links) and waits for a
// person to complete it in one of those roles; the completion is checked against the task's
// form before anything is written.
#pragma once

#include "engine/common/result.h"
#include "engine/runtime/bpmn/element_processor.h"
#include "engine/runtime/command.h"

namespace pmiflow::runtime {

class UserTaskProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
  void on_terminate(Run& run, const ElementRef& element) const override;

  // Completes the open task with the command's variables, as the command's actor: its
  // variables, UserTaskCompleted, its record and messages, then the element completes.
  // Refused (nothing written): kForbidden when the actor's role is not a candidate group;
  // kValidation naming the task and each bad field when the variables do not pass the task's
  // form (checked with the instance's variables before the completion, Form::check).
  static Status complete(Run& run, const UserTask& task, const CompleteUserTask& command);
};

}  // namespace pmiflow::runtime
