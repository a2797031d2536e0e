// Private to the engine: one request in the making, across the instances it reaches. The
// command's instance, and those its effects name (runtime/effect.h: a call activity's child, a
// child's parent), each get their own steps: events, the state they lead to, projection changes.
// Effects run as commands on their instances until none is left; then every changed instance is
// appended in one commit (EventLog::append_all when more than one), so that a parent and its
// child never disagree. The runaway guard's budget is the request's, shared by every instance
// (a process that calls itself stops at it).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "engine/engine/engine.h"

namespace pmiflow {

// kInvalidArgument for a start request the engine refuses before anything is written (an empty
// process key or business id, a business id too long or not UTF-8, a bad tag).
Status check_start_request(const StartRequest& r);

class Engine::Request {
 public:
  Request(Engine& engine, int budget);
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;

  // One instance the request changes.
  struct Work {
    DefinitionCache::LoadedPtr definition;
    runtime::FormLookup forms;
    runtime::ProjectionChanges changes;
    std::shared_ptr<runtime::InstanceState> state;  // after `events`
    std::vector<runtime::Event> events;
    bool create = false;
    std::int64_t expected_seq = 0;  // the last seq in the log the events continue
    std::string head_hash;
    runtime::BusinessKey key;
  };

  // Creates instance `id` (reserved) of `definition` with `command`, then runs its jobs.
  Status create(std::int64_t id, DefinitionCache::LoadedPtr definition,
                const runtime::CreateInstance& command);
  // Runs `command` (null: none) on instance `id`, then, with `with_jobs`, the handlers of the
  // jobs it leaves activatable (Camunda's synchronous continuation).
  Status run(std::int64_t id, const runtime::Command* command, bool with_jobs);
  // Carries out the effects the steps so far asked for, and theirs, until none is left (but
  // ContinueLoop, which is for after the commit: take_continuations).
  Status settle_effects();
  // The multi-instance batches to start once this request is committed.
  std::vector<runtime::ContinueLoop> take_continuations() { return std::move(continuations_); }

  // Appends every changed instance, in the order they were first reached: one result per
  // instance id (none when nothing was written). On success the states are cached (ended ones
  // forgotten); on a failure every reached instance is forgotten (its state is refolded).
  std::vector<std::pair<std::int64_t, AppendResult>> commit(const MessageRow* message);

  // The instance's work (REQUIRES: reached).
  Work& work(std::int64_t id) { return *works_.at(id); }
  // The instances reached, in order.
  const std::vector<std::int64_t>& reached() const { return order_; }

 private:
  // The work of instance `id`: reached already, else its state taken from the cache or folded.
  Result<Work*> reach(std::int64_t id);
  // Interprets `command` on the work's state (consumed: unspecified on an error).
  Status step(Work& w, const runtime::Command& command);
  // The handlers of the jobs the steps so far made activatable run on the state they leave.
  Status settle_jobs(Work& w);
  // The preparer the interpreter asks to start a child (runtime::ChildPreparer).
  Status prepare_child(runtime::ChildStart& start);

  Engine& engine_;
  int budget_;
  runtime::ChildPreparer preparer_;
  std::map<std::int64_t, std::unique_ptr<Work>> works_;
  std::vector<std::int64_t> order_;
  std::deque<runtime::Effect> effects_;
  std::vector<runtime::ContinueLoop> continuations_;
  std::set<std::pair<std::string, std::string>> creating_;  // business keys created here
};

}  // namespace pmiflow
