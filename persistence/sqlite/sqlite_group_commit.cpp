#include "persistence/sqlite/sqlite_group_commit.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

namespace pmiflow::persistence::detail {
namespace {

// One group writer writes the next group while another waits for its group to be durable.
constexpr int kGroupWriters = 2;

std::uint64_t ns_since(std::chrono::steady_clock::time_point start) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count());
}

}  // namespace

// result and done are written under mu_ (a Waiter lives on its caller's stack, outside the
// analysis' reach).
struct GroupCommit::Waiter {
  PendingAppend* pending;
  AppendResult result;
  bool done = false;
  // Its own condition variable: a commit wakes the waiters it completed, not every waiting
  // thread. Shared, so that the group writer can notify it after unlocking (the waiter may
  // return as soon as it sees `done`).
  std::shared_ptr<CondVar> cv = std::make_shared<CondVar>();
};

GroupCommit::GroupCommit(WriteGroup write, std::size_t max_group)
    : write_(std::move(write)), max_group_(max_group) {
  for (int i = 0; i < kGroupWriters; ++i) group_writers_.emplace_back([this] { write_groups(); });
}

GroupCommit::~GroupCommit() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  group_writer_cv_.notify_all();
  for (std::thread& t : group_writers_) t.join();
}

AppendResult GroupCommit::append(PendingAppend& pending) {
  Waiter w{&pending, {}, false};
  MutexLock lock(mu_);
  waiting_.push_back(&w);
  wake_group_writer();
  while (!w.done) w.cv->wait(mu_);
  return std::move(w.result);
}

GroupCommitStats GroupCommit::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

// A group writer returns only when stopping and no group may be taken: then either the queue
// is empty or another group writer is busy and takes what is queued once it is done.
void GroupCommit::write_groups() {
  MutexLock lock(mu_);
  for (;;) {
    while (!stopping_ && !may_take_group()) group_writer_cv_.wait(mu_);
    if (!may_take_group()) return;
    write_group();
  }
}

void GroupCommit::write_group() {
  // Everything queued so far goes into one transaction.
  const std::size_t n = std::min(waiting_.size(), max_group_);
  std::vector<Waiter*> group(waiting_.begin(), waiting_.begin() + static_cast<long>(n));
  waiting_.erase(waiting_.begin(), waiting_.begin() + static_cast<long>(n));
  writing_ = true;
  last_group_ = n;
  mu_.unlock();
  const auto started = std::chrono::steady_clock::now();
  // The writer calls this once the group has committed, before it is durable.
  bool released = false;  // under mu_
  auto release = [&] {
    const std::uint64_t written = ns_since(started);
    MutexLock guard(mu_);
    if (released) return;
    released = true;
    writing_ = false;
    ++syncing_;
    stats_.write_ns += written;
    wake_group_writer();
  };
  std::vector<PendingAppend*> requests;
  requests.reserve(n);
  for (Waiter* w : group) requests.push_back(w->pending);
  std::vector<AppendResult> results;
  try {
    results = write_(requests, release);
  } catch (const std::exception& e) {
    results.assign(n, AppendResult{make_error(ErrorCode::kInternal, e.what()), 0, false, {}});
  }
  if (results.size() != n) {
    results.assign(
        n, AppendResult{make_error(ErrorCode::kInternal, "short group result"), 0, false, {}});
  }
  const std::uint64_t elapsed = ns_since(started);
  release();  // when the writer did not
  mu_.lock();
  --syncing_;
  stats_.append_ns += elapsed;
  stats_.requests += n;
  ++stats_.group_commits;
  std::vector<std::shared_ptr<CondVar>> done;
  done.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    group[i]->result = std::move(results[i]);
    group[i]->done = true;
    done.push_back(group[i]->cv);
  }
  wake_group_writer();
  mu_.unlock();
  for (const auto& cv : done) cv->notify_one();
  mu_.lock();
}

// A group is taken once no group is being written, and either none is being made durable or
// as many requests wait as the last group held: while a group syncs, the next one is written
// only when that is worth a transaction of its own (each commit writes every page it touched,
// so tiny groups cost CPU); otherwise it waits and grows.
bool GroupCommit::may_take_group() const {
  return !waiting_.empty() && !writing_ && (syncing_ == 0 || waiting_.size() >= last_group_);
}

// Called after each change of what may_take_group() reads (an arrival, a group committed, a
// group durable). A group writer is woken only when it may take a group.
void GroupCommit::wake_group_writer() {
  if (may_take_group()) group_writer_cv_.notify_one();
}

}  // namespace pmiflow::persistence::detail
