// Private to persistence/sqlite: the writer queue of SqliteStore (as leveldb keeps its writer
// queue inside DBImpl). Callers queue their requests and wait; the queue's two group-writer
// threads take everything queued into one transaction (group commit). Group commits are
// pipelined: once a group has committed and while it is made durable (the writer's
// `committed` callback), the other group writer may write the next group, when as many
// requests wait as the last group held (else it waits for the sync and grows, since every
// commit writes each page it touched); nothing is acknowledged before its own group is
// durable. A group writer is woken only when it may take a group, and the callers of a group
// are notified after the queue's lock is released: about one sleep and wake per request.
//
// Thread-safety: append() may be called from any number of threads.
#pragma once

#include "engine/engine/message_store.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "engine/common/mutex.h"
#include "engine/engine/event_log.h"
#include "persistence/sqlite/sqlite_request_writer.h"

namespace pmiflow::persistence::detail {

// A published message to store in a group commit: its row, its variables as JSON text, and
// the outcome.
struct PendingPublish {
  const MessageRow* message = nullptr;
  std::string variables;
  PublishResult result;
};

// A request queued for a group commit, with its writes planned on the caller's thread (null
// when they could not be: the group writer plans it again and reports the error), and the
// message it stores (SqliteStore::publish, whose request names no instance, or the request's
// AppendRequest::message; prepared likewise).
// `linked`: requests of other instances written with it, all or none (EventLog::append_all),
// with their results.
struct PendingAppend {
  AppendRequest* request = nullptr;
  std::optional<RequestPlan> plan;
  std::optional<PendingPublish> publish;
  std::vector<PendingAppend> linked;
  std::vector<AppendResult> linked_results;
};

// The message of a publish, its variables as JSON text; kInvalidArgument when they cannot be
// stored.
Result<PendingPublish> prepare_publish(const MessageRow& message);

struct GroupCommitStats {
  std::uint64_t requests = 0;       // requests written (succeeded or not)
  std::uint64_t group_commits = 0;  // transactions
  std::uint64_t append_ns = 0;      // time in the writer, until durable (groups overlap)
  std::uint64_t write_ns = 0;       // the part until committed: the writer is busy (serial)
};

class GroupCommit {
 public:
  // Writes a group of requests as one transaction and returns one result per request, calling
  // `committed` (at most once) after the commit and before it is durable.
  using WriteGroup = std::function<std::vector<AppendResult>(
      std::vector<PendingAppend*>& group, const std::function<void()>& committed)>;

  GroupCommit(WriteGroup write, std::size_t max_group);
  ~GroupCommit();  // stops the group writers after the queued groups are written
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Queues `pending` and waits until its group is durable (or failed).
  AppendResult append(PendingAppend& pending);

  GroupCommitStats stats() const;

 private:
  struct Waiter;
  // Whether a group may be taken from the queue now.
  bool may_take_group() const REQUIRES(mu_);
  // Wakes a group writer when a group may be taken.
  void wake_group_writer() REQUIRES(mu_);
  // The loop of a group writer thread.
  void write_groups() EXCLUDES(mu_);
  // Takes a group, writes it (releasing mu_ meanwhile), and hands each waiter its result.
  // REQUIRES: may_take_group().
  void write_group() REQUIRES(mu_);

  const WriteGroup write_;
  const std::size_t max_group_;
  mutable Mutex mu_;
  std::deque<Waiter*> waiting_ GUARDED_BY(mu_);
  bool writing_ GUARDED_BY(mu_) = false;        // a group is being written (not committed)
  int syncing_ GUARDED_BY(mu_) = 0;             // groups committed and being made durable
  std::size_t last_group_ GUARDED_BY(mu_) = 0;  // requests in the last group taken
  bool stopping_ GUARDED_BY(mu_) = false;
  GroupCommitStats stats_ GUARDED_BY(mu_);
  CondVar group_writer_cv_;
  std::vector<std::thread> group_writers_;
};

}  // namespace pmiflow::persistence::detail
