// The database a benchmark runs on: the file given (emptied first), or a fresh temporary one
// removed at the end; durable (fsync at each group commit) unless `fast`.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

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

}  // namespace pmiflow::cli
