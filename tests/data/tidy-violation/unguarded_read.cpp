// Reads a GUARDED_BY member without its mutex: the test lint.clang_tidy_detects_violation
// expects clang-tidy, with the repository's .clang-tidy, to refuse this file.
#include "engine/common/mutex.h"

namespace {

class Counter {
 public:
  void add() {
    pmiflow::MutexLock lock(mu_);
    ++count_;
  }
  int count() const { return count_; }  // no lock: -Wthread-safety must say so

 private:
  mutable pmiflow::Mutex mu_;
  int count_ GUARDED_BY(mu_) = 0;
};

}  // namespace

int main() {
  Counter c;
  c.add();
  return c.count();
}
