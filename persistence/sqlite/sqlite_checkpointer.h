// Private to persistence/sqlite: copies the WAL back into the database file on a thread of its
// own, so that commits do not pay for it: SQLite's automatic checkpoint runs inside the commit
// that crosses the threshold, fsync of the database file included. The writer's WAL hook
// signals this thread past kSignalPages; past kSyncPages (the background has not kept up) the
// writer checkpoints itself, which bounds the WAL. PASSIVE checkpoints never block the writer.
#pragma once

#include <sqlite3.h>

#include <string>
#include <thread>

#include "engine/common/mutex.h"

namespace pmiflow::persistence::detail {

class Checkpointer {
 public:
  static constexpr int kSignalPages = 2000;  // ~16 MB of WAL (8 KiB pages)
  static constexpr int kSyncPages = 8000;    // ~64 MB of WAL

  // Opens its own connection to `path`; ok() tells whether that worked.
  Checkpointer(const std::string& path, bool full_sync);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  bool ok() const { return db_ != nullptr; }

  // The writer's WAL hook (runs after each commit, outside any transaction).
  static int on_commit(void* self, sqlite3* writer, const char* schema, int pages);

 private:
  void run() EXCLUDES(mu_);

  sqlite3* db_ = nullptr;
  std::thread thread_;
  Mutex mu_;
  CondVar cv_;
  bool pending_ GUARDED_BY(mu_) = false;
  bool stop_ GUARDED_BY(mu_) = false;
};

}  // namespace pmiflow::persistence::detail
