#include "engine/engine/state_cache.h"

namespace pmiflow {

StateCache::StatePtr StateCache::find(std::int64_t instance_id) {
  MutexLock lock(mu_);
  auto it = index_.find(instance_id);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return *it->second;
}

std::shared_ptr<runtime::InstanceState> StateCache::take(std::int64_t instance_id) {
  MutexLock lock(mu_);
  auto it = index_.find(instance_id);
  // Under mu_ no new reference can be made, so a count of one is the cache's own.
  if (it == index_.end() || it->second->use_count() != 1) return nullptr;
  auto state = std::const_pointer_cast<runtime::InstanceState>(std::move(*it->second));
  lru_.erase(it->second);
  index_.erase(it);
  return state;
}

void StateCache::remember(StatePtr state) {
  MutexLock lock(mu_);
  auto it = index_.find(state->id);
  if (it != index_.end()) {
    if ((*it->second)->last_seq > state->last_seq) return;
    *it->second = std::move(state);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  const std::int64_t id = state->id;
  lru_.push_front(std::move(state));
  index_[id] = lru_.begin();
  while (index_.size() > capacity_) {
    index_.erase(lru_.back()->id);
    lru_.pop_back();
  }
}

void StateCache::forget(std::int64_t instance_id) {
  MutexLock lock(mu_);
  auto it = index_.find(instance_id);
  if (it == index_.end()) return;
  lru_.erase(it->second);
  index_.erase(it);
}

}  // namespace pmiflow
