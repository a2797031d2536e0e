// What the benchmarks share: the database a benchmark runs on (the file given, emptied first,
// or a fresh temporary one removed at the end; durable, fsync at each group commit, unless
// `fast`), the resident memory, and running N items on T threads.
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/common/result.h"

#include "persistence/sqlite/sqlite_store.h"

namespace pmiflow::cli {

class BenchDb {
 public:
  BenchDb(const std::string& given, const std::string& name, bool fast)
      : temporary_(given.empty()),
        path_(temporary_ ? (std::filesystem::temp_directory_path() /
                            ("pmiflow-" + name + "-" + std::to_string(getpid()) + ".db"))
                               .string()
                         : given) {
    remove_files();
    options_.durability = fast ? persistence::SqliteOptions::Durability::kFast
                               : persistence::SqliteOptions::Durability::kFull;
  }
  ~BenchDb() {
    if (temporary_) remove_files();
  }
  BenchDb(const BenchDb&) = delete;
  BenchDb& operator=(const BenchDb&) = delete;

  const std::string& path() const { return path_; }
  const persistence::SqliteOptions& options() const { return options_; }

 private:
  void remove_files() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix, ec);
  }
  bool temporary_;
  std::string path_;
  persistence::SqliteOptions options_;
};

// Resident memory now, from /proc/self/statm (MiB).
inline double rss_mib() {
  std::ifstream in("/proc/self/statm");
  long pages = 0;
  long resident = 0;
  in >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

inline double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Runs item(0) ... item(count - 1) on `threads` threads; stops at the first error and returns
// it. Returns the seconds it took.
inline Result<double> run_parallel(int count, int threads, const std::function<Status(int)>& item) {
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  Status first_error;
  std::mutex error_mu;
  auto worker = [&] {
    for (int i = next++; i < count && !failed; i = next++) {
      Status st = item(i);
      if (!st.ok()) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (!failed.exchange(true)) first_error = st;
      }
    }
  };
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& th : pool) th.join();
  if (failed) return first_error.error();
  return seconds_since(start);
}

}  // namespace pmiflow::cli
