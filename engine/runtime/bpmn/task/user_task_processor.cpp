#include "engine/runtime/bpmn/task/user_task_processor.h"

#include <algorithm>

#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/io_mapping_behavior.h"
#include "engine/runtime/bpmn/behavior/task_output_behavior.h"
#include "engine/runtime/variable_scope.h"

namespace pmiflow::runtime {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

void UserTaskProcessor::on_activate(Run& run, const ElementRef& element) const {
  const model::FlowNode& node = run.definition().node(element.node);
  run.write(UserTaskCreated{node.candidate_groups, node.id, node.form_id, element.key, node.name});
}

void UserTaskProcessor::on_terminate(Run& run, const ElementRef& element) const {
  const std::string& element_id = run.definition().node(element.node).id;
  if (run.state().tasks.count(task_id_for(run.state().id, element.key)) != 0) {
    run.write(UserTaskCanceled{element_id, element.key});
  }
  behavior::terminate(run, element);
}

Status UserTaskProcessor::complete(Run& run, const UserTask& task, const CompleteUserTask& c) {
  const auto& groups = task.candidate_groups;
  // A task offered to no group may be completed in any role (Camunda 8's unassigned task).
  if (!groups.empty() && std::find(groups.begin(), groups.end(), c.actor.role) == groups.end()) {
    return make_error(ErrorCode::kForbidden, "role '" + c.actor.role + "' may not complete task " +
                                                 c.task_id + " (" + task.element_id +
                                                 "); candidate groups: " + join(groups));
  }
  auto element = behavior::element_of(run, task.element_key, task.element_id);
  if (!element.ok()) return element.error();
  if (!task.form.empty()) {
    auto form = run.form(task.form);
    if (!form.ok()) return form.error();
    if (*form != nullptr) {
      const auto errors =
          (*form)->check(c.variables, VisibleVariables(run.state(), task.element_key).get());
      if (!errors.empty()) {
        return make_error(ErrorCode::kValidation,
                          "task " + c.task_id + " (" + task.element_id +
                              ") was not completed: the variables do not pass form '" + task.form +
                              "': " + join_field_errors(errors));
      }
    }
  }
  const std::int64_t key = task.element_key;
  const std::string element_id = task.element_id;
  run.set_actor(c.actor);
  behavior::set_result_variables(run, c.variables, *element);
  run.write(UserTaskCompleted{element_id, key});
  behavior::write_task_outputs(run, run.definition().node(element->node), key, c.variables);
  behavior::complete(run, *element);
  return {};
}

}  // namespace pmiflow::runtime
