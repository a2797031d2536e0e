// Private to persistence/: makes committed WAL frames durable outside the store's mutex, one
// fdatasync shared by every commit that waits for it (pipelined group commit).
//
// Why it is as safe as synchronous=FULL: the writer connection runs with synchronous=NORMAL,
// under which SQLite never corrupts the database on a power loss (it still syncs the WAL
// header when it restarts the log, and the WAL and the database around checkpoints); what
// NORMAL gives up is only the fsync of the WAL at each commit. This class does that fsync
// itself, after COMMIT and before the commit is acknowledged. Frames are appended in commit
// order, so one fdatasync of the file covers every commit made before it started.
//
// Thread-safety: note_commit() is called under the store's mutex right after a COMMIT;
// wait_durable() from any thread.
#pragma once

#include <cstdint>
#include <string>

#include "engine/common/mutex.h"
#include "engine/common/result.h"

namespace pmiflow::persistence::detail {

class WalSync {
 public:
  explicit WalSync(std::string wal_path) : wal_path_(std::move(wal_path)) {}
  ~WalSync();
  WalSync(const WalSync&) = delete;
  WalSync& operator=(const WalSync&) = delete;

  // A commit has just returned: its ticket, to pass to wait_durable.
  std::uint64_t note_commit() EXCLUDES(mu_);

  // Returns once every commit up to `ticket` is on disk. The first waiter syncs for all the
  // commits noted so far; the others wait for it. A failed fdatasync fails this and every
  // later call (after an fsync error the kernel may have dropped the dirty pages, so a
  // later success would prove nothing): kIo, naming the file.
  Status wait_durable(std::uint64_t ticket) EXCLUDES(mu_);

 private:
  // Syncs every commit noted so far, releasing mu_ meanwhile.
  Status sync_locked() REQUIRES(mu_);

  const std::string wal_path_;
  Mutex mu_;
  CondVar cv_;
  std::uint64_t committed_ GUARDED_BY(mu_) = 0;  // tickets handed out
  std::uint64_t synced_ GUARDED_BY(mu_) = 0;     // every ticket up to this one is durable
  bool syncing_ GUARDED_BY(mu_) = false;
  // Our own descriptor of the WAL file (fsync works on the file): used only by the thread
  // that set syncing_, outside mu_.
  int fd_ = -1;
  std::string failure_ GUARDED_BY(mu_);
};

}  // namespace pmiflow::persistence::detail
