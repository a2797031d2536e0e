// Time is an input: the engine asks a Clock; tests drive a ManualClock.
#pragma once

#include <atomic>
#include <cstdint>

namespace pmiflow {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_ms() = 0;  // Unix epoch milliseconds
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() override;
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ms) : now_(start_ms) {}
  std::int64_t now_ms() override { return now_.load(); }
  void advance(std::int64_t ms) { now_ += ms; }
  void set(std::int64_t ms) { now_ = ms; }
  // Moves the clock to `ms` unless it reads later already (never backward, whatever other
  // threads do meanwhile).
  void advance_to(std::int64_t ms) {
    std::int64_t now = now_.load();
    while (now < ms && !now_.compare_exchange_weak(now, ms)) {
    }
  }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace pmiflow
