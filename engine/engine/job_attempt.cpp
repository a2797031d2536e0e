#include "engine/engine/job_attempt.h"

#include <boost/mpl/list.hpp>
#include <boost/statechart/custom_reaction.hpp>
#include <boost/statechart/event.hpp>
#include <boost/statechart/simple_state.hpp>
#include <boost/statechart/state_machine.hpp>
#include <boost/statechart/transition.hpp>

namespace pmiflow {
namespace sc = boost::statechart;
// Not in an anonymous namespace: Statechart declares functions of its events' types that it
// never defines, which clang refuses for types without linkage.
namespace job_attempt_events {

struct EvStart : sc::event<EvStart> {};
struct EvSucceed : sc::event<EvSucceed> {};
struct EvFail : sc::event<EvFail> {};

}  // namespace job_attempt_events
using namespace job_attempt_events;

namespace {

struct Created;
struct Running;
struct Succeeded;
struct Failed;

}  // namespace

struct JobAttempt::Machine : sc::state_machine<JobAttempt::Machine, Created> {
  Variables variables;
  std::string failure;
};

namespace {

struct Created : sc::simple_state<Created, JobAttempt::Machine> {
  using reactions = sc::transition<EvStart, Running>;
};

struct Running : sc::simple_state<Running, JobAttempt::Machine> {
  using reactions =
      boost::mpl::list<sc::transition<EvSucceed, Succeeded>, sc::transition<EvFail, Failed>>;
};

// Final states: no reactions; any further event is ignored by Statechart, so a late or
// duplicate result cannot change an attempt's outcome.
struct Succeeded : sc::simple_state<Succeeded, JobAttempt::Machine> {};
struct Failed : sc::simple_state<Failed, JobAttempt::Machine> {};

const char* current(const JobAttempt::Machine& m) {
  if (m.state_cast<const Created*>() != nullptr) return "created";
  if (m.state_cast<const Running*>() != nullptr) return "running";
  if (m.state_cast<const Succeeded*>() != nullptr) return "succeeded";
  return "failed";
}

}  // namespace

JobAttempt::JobAttempt() : machine_(std::make_unique<Machine>()) {
  machine_->initiate();
}
JobAttempt::~JobAttempt() = default;

void JobAttempt::start() {
  machine_->process_event(EvStart());
}

void JobAttempt::succeed(Variables variables) {
  if (machine_->state_cast<const Running*>() == nullptr) return;
  machine_->variables = std::move(variables);
  machine_->process_event(EvSucceed());
}

void JobAttempt::fail(std::string message) {
  if (machine_->state_cast<const Running*>() == nullptr) return;
  machine_->failure = std::move(message);
  machine_->process_event(EvFail());
}

const char* JobAttempt::state() const {
  return current(*machine_);
}
const Variables& JobAttempt::variables() const {
  return machine_->variables;
}
const std::string& JobAttempt::failure() const {
  return machine_->failure;
}

}  // namespace pmiflow
