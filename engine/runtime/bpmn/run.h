// One command's interpretation: the working copy of the instance's state, the events written
// so far, and the tokens still to move. Processors and behaviours read the state and write
// events through it; every event is applied to the state as it is written (processors read,
// the applier writes, as in Zeebe), so the state is always the fold of the events so far.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/common/result.h"
#include "engine/model/form.h"
#include "engine/model/process_definition.h"
#include "engine/runtime/effect.h"
#include "engine/runtime/event.h"
#include "engine/runtime/event_applier.h"
#include "engine/runtime/instance_state.h"
#include "engine/runtime/projection_changes.h"

namespace pmiflow::runtime {

// The form a user task links, as deployed with the instance's definition version; null when
// that version was deployed without forms (nothing to check). An error stops the command.
using FormLookup = std::function<Result<const Form*>(const std::string& form_id)>;

// A token about to enter a node: through flow `via` (kNone for a start event), in flow scope
// `scope`; `joined` for a parallel join, the incoming flows whose waiting tokens it takes;
// `triggered` for a catch event whose event has already happened (the one an event-based
// gateway saw first): it completes at once.
struct Activation {
  model::NodeIndex node = model::kNone;
  model::FlowIndex via = model::kNone;
  std::int64_t scope = kProcessScope;
  std::vector<std::string> joined;
  bool triggered = false;
  // Local variables the element instance gets when it is activated: what a message gave an
  // event with output mappings that is activated when it triggers (a boundary event, an event
  // after an event-based gateway).
  Variables locals;
};

class Run {
 public:
  Run(const model::ProcessDefinition& definition, std::int32_t version, InstanceState state,
      std::int64_t now_ms, const FormLookup* forms, ProjectionChanges* changes)
      : def_(definition),
        version_(version),
        state_(std::move(state)),
        now_(now_ms),
        forms_(forms),
        changes_(changes) {}

  const model::ProcessDefinition& definition() const { return def_; }
  const InstanceState& state() const { return state_; }
  InstanceState& mutable_state() { return state_; }
  std::int64_t now_ms() const { return now_; }
  // What FEEL evaluates with in this run: now() and today() are the command's time, so that a
  // replay gives the same answer.
  feel::Env feel_env() const {
    feel::Env env;
    env.now_ms = now_;
    return env;
  }
  // The form `form_id` to check a task's completion against (null: none to check).
  Result<const Form*> form(const std::string& form_id) const {
    if (forms_ == nullptr || !*forms_) return static_cast<const Form*>(nullptr);
    return (*forms_)(form_id);
  }

  // Starts child instances (a call activity's); null: none can be started.
  void set_child_preparer(const ChildPreparer* children) { children_ = children; }
  // Prepares a child's start (ChildPreparer); kInvalidState when the run has no preparer.
  Status prepare_child(ChildStart& start) const {
    if (children_ == nullptr || !*children_) {
      return make_error(ErrorCode::kInvalidState, "no engine here starts another instance");
    }
    return (*children_)(start);
  }
  // What the command asks of other instances, for the engine to carry out (effect.h).
  void emit(Effect effect) { effects_.push_back(std::move(effect)); }
  std::vector<Effect> take_effects() { return std::move(effects_); }

  // Who the events written from now on are attributed to.
  void set_actor(Actor actor) { actor_ = std::move(actor); }

  // Writes an event of the current type version with the current actor, and applies it.
  template <typename T>
  void write(T body) {
    Event e;
    e.instance_id = state_.id;
    e.seq = state_.last_seq + 1;
    e.type_version = T::kVersion;
    e.time_ms = now_;
    e.actor = actor_;
    e.definition_version = version_;
    e.body = std::move(body);
    apply(state_, e, changes_);
    events_.push_back(std::move(e));
  }

  // The key the next element instance or incident gets.
  std::int64_t next_key() const { return state_.next_key; }

  // Tokens to move: queued activations run in order until none is left.
  void queue(Activation activation) { queue_.push_back(std::move(activation)); }
  bool has_queued() const { return !queue_.empty(); }
  Activation take_queued() {
    Activation a = std::move(queue_.front());
    queue_.pop_front();
    return a;
  }
  void clear_queue() { queue_.clear(); }
  // How many queued activations go into flow scope `scope`.
  std::size_t queued_in(std::int64_t scope) const {
    return static_cast<std::size_t>(std::count_if(
        queue_.begin(), queue_.end(), [&](const Activation& a) { return a.scope == scope; }));
  }
  // Drops the queued activations into flow scope `scope` or into a scope that has ended (no
  // active element instance holds it): the tokens of a scope being terminated.
  void drop_queued_in(std::int64_t scope) {
    std::erase_if(queue_, [&](const Activation& a) {
      return a.scope == scope || (a.scope != kProcessScope && state_.elements.count(a.scope) == 0);
    });
  }

  std::vector<Event> take_events() { return std::move(events_); }
  InstanceState take_state() { return std::move(state_); }

 private:
  const model::ProcessDefinition& def_;
  std::int32_t version_;
  InstanceState state_;
  std::int64_t now_;
  const FormLookup* forms_;
  const ChildPreparer* children_ = nullptr;
  ProjectionChanges* changes_;
  Actor actor_ = Actor::engine();
  std::vector<Event> events_;
  std::vector<Effect> effects_;
  std::deque<Activation> queue_;
};

}  // namespace pmiflow::runtime
