// Instance states kept in memory between commands, least recently used dropped first: a state
// not here is folded again from the event log. A command takes its instance's state out to
// change it in place when nothing else holds it (no snapshot is shared), and puts back the
// state it leads to.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>

#include "engine/common/mutex.h"
#include "engine/runtime/instance_state.h"

namespace pmiflow {

class StateCache {
 public:
  using StatePtr = std::shared_ptr<const runtime::InstanceState>;

  explicit StateCache(std::size_t capacity) : capacity_(capacity) {}

  // The cached state, marked most recently used; null when absent.
  StatePtr find(std::int64_t instance_id);

  // Removes the state from the cache and hands it over to be changed in place, when nothing
  // else shares it; null otherwise (absent, or a snapshot holds it). Every cached state is
  // made non-const (make_shared<InstanceState>), so casting it back is sound.
  std::shared_ptr<runtime::InstanceState> take(std::int64_t instance_id);

  // Keeps `state` (made with make_shared<InstanceState>), unless the cache holds a newer one
  // of the same instance (a state put back by a refused command must not replace the one
  // another command committed meanwhile).
  void remember(StatePtr state);

  void forget(std::int64_t instance_id);

 private:
  const std::size_t capacity_;
  Mutex mu_;
  std::list<StatePtr> lru_ GUARDED_BY(mu_);  // front: most recent
  std::unordered_map<std::int64_t, std::list<StatePtr>::iterator> index_ GUARDED_BY(mu_);
};

}  // namespace pmiflow
