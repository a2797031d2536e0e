#include "engine/engine/clock.h"

#include <chrono>

namespace pmiflow {

std::int64_t SystemClock::now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace pmiflow
