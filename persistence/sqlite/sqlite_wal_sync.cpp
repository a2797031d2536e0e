#include "persistence/sqlite/sqlite_wal_sync.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pmiflow::persistence::detail {

WalSync::~WalSync() {
  if (fd_ >= 0) ::close(fd_);
}

std::uint64_t WalSync::note_commit() {
  MutexLock lock(mu_);
  return ++committed_;
}

Status WalSync::wait_durable(std::uint64_t ticket) {
  MutexLock lock(mu_);
  for (;;) {
    if (!failure_.empty()) return make_error(ErrorCode::kIo, failure_);
    if (synced_ >= ticket) return {};
    if (!syncing_) {
      PMIFLOW_TRY(sync_locked());
      continue;
    }
    cv_.wait(mu_);
  }
}

Status WalSync::sync_locked() {
  syncing_ = true;
  const std::uint64_t target = committed_;
  mu_.unlock();
  std::string error;
  // The WAL keeps its inode while a connection has the database open (SQLite deletes or
  // recreates it only when the last connection closes); the check is cheap insurance.
  struct stat by_path {};
  struct stat by_fd {};
  if (fd_ >= 0 && (::stat(wal_path_.c_str(), &by_path) != 0 || ::fstat(fd_, &by_fd) != 0 ||
                   by_path.st_ino != by_fd.st_ino || by_path.st_dev != by_fd.st_dev)) {
    ::close(fd_);
    fd_ = -1;
  }
  if (fd_ < 0) fd_ = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    error = "cannot open '" + wal_path_ + "' to make the commit durable: " + std::strerror(errno);
  } else if (::fdatasync(fd_) != 0) {
    error = "fdatasync of '" + wal_path_ + "' failed (" + std::strerror(errno) +
            "): the last commits may not survive a power loss; reopen the database";
  }
  mu_.lock();
  syncing_ = false;
  if (error.empty()) {
    synced_ = std::max(synced_, target);
  } else {
    failure_ = error;
  }
  cv_.notify_all();
  if (!error.empty()) return make_error(ErrorCode::kIo, error);
  return {};
}

}  // namespace pmiflow::persistence::detail
