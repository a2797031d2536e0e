#include "persistence/sqlite/sqlite_checkpointer.h"

namespace pmiflow::persistence::detail {

Checkpointer::Checkpointer(const std::string& path, bool full_sync) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
    return;
  }
  sqlite3_exec(db_, full_sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
               nullptr, nullptr, nullptr);
  thread_ = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  sqlite3_close_v2(db_);
}

int Checkpointer::on_commit(void* self, sqlite3* writer, const char* schema, int pages) {
  if (pages >= kSyncPages) {
    sqlite3_wal_checkpoint_v2(writer, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= kSignalPages) {
    auto* c = static_cast<Checkpointer*>(self);
    {
      MutexLock lock(c->mu_);
      c->pending_ = true;
    }
    c->cv_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::run() {
  MutexLock lock(mu_);
  for (;;) {
    while (!stop_ && !pending_) cv_.wait(mu_);
    if (stop_) return;
    pending_ = false;
    mu_.unlock();
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    mu_.lock();
  }
}

}  // namespace pmiflow::persistence::detail
