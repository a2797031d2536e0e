// The mutex, its scoped lock and the condition variable the code uses, annotated for clang's
// thread-safety analysis (thread_annotations.h): std::mutex and std::lock_guard carry no
// annotations in libstdc++, so GUARDED_BY data could not be checked against them.
//
// A condition variable waits on a Mutex the caller holds, through a MutexLock or not; write
// the wait as a loop over the condition (`while (!ready_) cv_.wait(mu_);`) so that the
// analysis sees the guarded reads under the lock (it does not follow lambdas).
#pragma once

#include <condition_variable>
#include <mutex>

#include "engine/common/thread_annotations.h"

namespace pmiflow {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds `mu` from construction to destruction. Inside, a function that REQUIRES(mu) may
// release it for a while with mu.unlock() and take it back with mu.lock().
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() RELEASE() { mu_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

class CondVar {
 public:
  // Releases `mu`, waits for a notification (or a spurious wake-up) and takes `mu` again.
  void wait(Mutex& mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // still held: it stays the caller's
  }
  void notify_one() { cv_.notify_one(); }
  void notify_all() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace pmiflow
