#include "engine/runtime/bpmn/container/multi_instance_body_processor.h"

#include <algorithm>
#include <string>
#include <utility>

#include "engine/runtime/bpmn/behavior/element_behavior.h"
#include "engine/runtime/bpmn/behavior/incident_behavior.h"
#include "engine/runtime/bpmn/behavior/scope_behavior.h"
#include "engine/runtime/bpmn/behavior/variable_behavior.h"
#include "engine/runtime/variable_scope.h"

namespace pmiflow::runtime {
namespace {

constexpr const char* kLoopCounter = "loopCounter";

const model::MultiInstance& loop_of(const Run& run, const ElementRef& element) {
  return *run.definition().node(element.node).loop;
}

const Loop& state_of(const Run& run, std::int64_t body_key) {
  return *run.state().elements.at(body_key).loop;
}

void fail(Run& run, const ElementRef& element, const std::string& message) {
  behavior::raise_incident(run, element.key, run.definition().node(element.node).id,
                           kMultiInstanceIncident, message);
}

// The body is done: sets the output collection where the activity runs, and completes it.
void complete_body(Run& run, const ElementRef& body) {
  const model::MultiInstance& mi = loop_of(run, body);
  if (!mi.output_collection.empty()) {
    Json outputs = state_of(run, body.key).outputs;
    behavior::set_variables(run, Variables{{mi.output_collection, std::move(outputs)}},
                            run.definition().node(body.node).id, body.scope);
  }
  behavior::complete(run, body);
}

// Starts what the body runs next: the next inner instance (sequential, when none runs), or the
// next batch (parallel, `batch`: from activation or a continuation), or completes the body
// when every inner instance has ended.
void start_next(Run& run, const ElementRef& body, bool batch) {
  const Loop& loop = state_of(run, body.key);
  const auto n = static_cast<std::int64_t>(loop.items.size());
  const auto queued = static_cast<std::int64_t>(run.queued_in(body.key));
  const std::int64_t next = loop.started + queued;
  if (next >= n) {
    if (loop.active == 0 && queued == 0) complete_body(run, body);
    return;
  }
  const model::NodeIndex node = body.node;
  if (loop_of(run, body).sequential) {
    if (loop.active == 0 && queued == 0) {
      run.queue(Activation{node, model::kNone, body.key, {}, false, {}});
    }
    return;
  }
  if (!batch) return;  // the next batch comes with the continuation
  const std::int64_t count = std::min(kMultiInstanceBatch, n - next);
  for (std::int64_t i = 0; i < count; ++i) {
    run.queue(Activation{node, model::kNone, body.key, {}, false, {}});
  }
  if (next + count < n) run.emit(ContinueLoop{run.state().id, body.key});
}

// Reads the input collection and starts the first inner instances.
void start_loop(Run& run, const ElementRef& body) {
  const model::MultiInstance& mi = loop_of(run, body);
  Json items;
  feel::EvalError error;
  const std::string what = "inputCollection `" + mi.input_collection.text() + "`";
  if (!evaluate_in_scope(run.state(), body.key, mi.input_collection, run.feel_env(), items,
                         error)) {
    return fail(run, body, what + " failed: " + error.message);
  }
  if (!items.is_array()) {
    return fail(run, body, what + " gave " + json_text(items) + ", not a list");
  }
  run.write(MultiInstanceStarted{run.definition().node(body.node).id, std::move(items), body.key});
  start_next(run, body, true);
}

}  // namespace

void MultiInstanceBodyProcessor::on_activate(Run& run, const ElementRef& body) const {
  start_loop(run, body);
}

void MultiInstanceBodyProcessor::on_terminate(Run& run, const ElementRef& body) const {
  behavior::terminate_scope(run, body.key, 0);
  behavior::terminate(run, body);
}

bool MultiInstanceBodyProcessor::can_retry(const Incident& incident) const {
  return incident.kind == kMultiInstanceIncident || ElementProcessor::can_retry(incident);
}

void MultiInstanceBodyProcessor::retry(Run& run, const ElementRef& element) const {
  if (is_inner(run, element)) {  // its output element failed
    behavior::complete(run, element);
    return;
  }
  ElementProcessor::retry(run, element);  // its boundary events, those that failed
  if (run.state().elements.count(element.key) == 0) return;
  if (state_of(run, element.key).items.empty()) {  // the input collection failed
    start_loop(run, element);
  } else {  // the completion condition failed
    after_inner(run, element);
  }
}

bool MultiInstanceBodyProcessor::is_inner(const Run& run, const ElementRef& element) {
  if (element.scope == kProcessScope) return false;
  auto it = run.state().elements.find(element.scope);
  return it != run.state().elements.end() && it->second.loop &&
         it->second.element_id == run.definition().node(element.node).id;
}

void MultiInstanceBodyProcessor::begin_inner(Run& run, const ElementRef& inner) {
  const model::MultiInstance& mi = loop_of(run, inner);
  const Loop& loop = state_of(run, inner.scope);
  const std::int64_t index = loop.started;  // counted by its ElementActivated
  Variables locals{{kLoopCounter, index}};
  if (!mi.input_element.empty()) {
    locals[mi.input_element] = loop.items.at(static_cast<std::size_t>(index - 1));
  }
  if (!mi.output_variable.empty()) locals.emplace(mi.output_variable, Json());
  behavior::set_local_variables(run, locals, inner.key);
}

bool MultiInstanceBodyProcessor::collect_output(Run& run, const ElementRef& inner) {
  const model::MultiInstance& mi = loop_of(run, inner);
  if (!mi.output_element) return true;
  Json value;
  feel::EvalError error;
  if (!evaluate_in_scope(run.state(), inner.key, *mi.output_element, run.feel_env(), value,
                         error)) {
    fail(run, inner, "outputElement `" + mi.output_element->text() + "` failed: " + error.message);
    return false;
  }
  const auto counter = run.state().elements.at(inner.key).variables.find(kLoopCounter);
  const std::int64_t index = counter->second.get<std::int64_t>();
  run.write(MultiInstanceOutput{run.definition().node(inner.node).id, index, inner.scope,
                                std::move(value)});
  return true;
}

void MultiInstanceBodyProcessor::after_inner(Run& run, const ElementRef& body) {
  const model::MultiInstance& mi = loop_of(run, body);
  if (mi.completion_condition) {
    const Loop& loop = state_of(run, body.key);
    const Variables counts{{"numberOfInstances", static_cast<std::int64_t>(loop.items.size())},
                           {"numberOfActiveInstances", loop.active},
                           {"numberOfCompletedInstances", loop.completed}};
    Json done;
    feel::EvalError error;
    const std::string what = "completionCondition `" + mi.completion_condition->text() + "`";
    if (!evaluate_in_scope(run.state(), body.key, *mi.completion_condition, run.feel_env(), done,
                           error, counts)) {
      return fail(run, body, what + " failed: " + error.message);
    }
    if (!done.is_boolean()) {
      return fail(run, body, what + " gave " + json_text(done) + ", not true or false");
    }
    if (done.get<bool>()) {  // the inner instances still running end here
      behavior::terminate_scope(run, body.key, 0);
      complete_body(run, body);
      return;
    }
  }
  start_next(run, body, false);
}

Status MultiInstanceBodyProcessor::continue_loop(Run& run, std::int64_t body_key) {
  auto it = run.state().elements.find(body_key);
  if (it == run.state().elements.end() || !it->second.loop) return {};  // it ended meanwhile
  auto body = behavior::element_of(run, body_key, it->second.element_id);
  if (!body.ok()) return body.error();
  start_next(run, *body, true);
  return {};
}

}  // namespace pmiflow::runtime
