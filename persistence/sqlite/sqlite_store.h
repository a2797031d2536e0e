// SqliteStore: the default store, one SQLite file in WAL mode, implementing the engine's event
// log, read model and definition store (docs/storage-format.md gives every table, the event row
// format, the migrations and the durability guarantees).
//
// Contract, beyond event_log.h, read_model.h and definition_store.h:
//  * open() creates the file when missing and runs the forward migrations. It refuses, and
//    leaves the file byte-for-byte unchanged, a file that is not a pmiflow database
//    (kNotADatabase) or one written by a newer pmiflow (kSchemaTooNew).
//  * append() queues the request for the store's group commit: the requests of concurrent
//    callers are written in one BEGIN IMMEDIATE transaction by the store's two group-writer
//    threads, and the next group is written while the previous one is made durable
//    (pipelined). A request that fails on its own (kConflict on a stale expected_seq,
//    kNotFound for an unknown instance, kInternal for values that cannot be stored) writes
//    nothing and the others commit: it is refused before writing, or, when it fails after
//    writing, the transaction is rolled back and the group written again without it. When the
//    transaction itself fails (disk full, I/O error, read-only file, busy beyond
//    busy_timeout_ms) nothing is written and every request gets the error: kIo with SQLite's
//    reason, or kConflict "database is busy".
//  * Several SqliteStore objects, in one process or several, may share a file: writers queue
//    on the database lock (up to busy_timeout_ms), the expected_seq check picks the loser, and
//    instance ids are reserved in the file (`sequences`), so no two stores hand out the same.
//  * No method throws; every failure is a Result naming the path or the id concerned.
//  * Thread-safety: safe from several threads (one connection behind a mutex).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine/definition_store.h"
#include "engine/engine/event_log.h"
#include "engine/engine/read_model.h"
#include "engine/engine/store.h"

namespace pmiflow::persistence {

struct SqliteOptions {
  enum class Durability {
    kFull,  // WAL + synchronous=FULL: every acknowledged append survives a power loss
    kFast,  // WAL + synchronous=NORMAL: a power loss may lose the last commits, never corrupts
  };
  Durability durability = Durability::kFull;
  bool read_only = false;       // open for queries only; writes fail with kIo
  int busy_timeout_ms = 10000;  // how long a writer waits for another one's lock
  // Upper bound on the database size in pages (PRAGMA max_page_count, per connection); 0 keeps
  // SQLite's default. A write that would grow the file past it fails like a full disk (kIo).
  std::int64_t max_page_count = 0;
  // Most requests one group commit writes.
  std::size_t max_group = 512;
};

// Counters of the store's group commit since it was opened (for benchmarks).
struct SqliteStats {
  std::uint64_t requests = 0;       // requests written (succeeded or not)
  std::uint64_t group_commits = 0;  // transactions
  std::uint64_t append_ns = 0;      // time in the group writers, until durable (groups overlap)
  std::uint64_t write_ns = 0;       // the part until committed: the writer is busy (serial)
};

class SqliteStore final : public Store {
 public:
  // Opens or creates the database at `path` and brings its schema up to date.
  // Errors: kNotADatabase (not SQLite, or SQLite without pmiflow's application_id/schema),
  // kSchemaTooNew (user_version newer than this build; the file is not touched), kIo (cannot
  // create or open: missing or read-only directory, disk full; read_only on a file that needs
  // a migration), each message naming the path and SQLite's reason.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   const SqliteOptions& options = {});
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // The schema version a database is at after open() (PRAGMA user_version).
  static int schema_version();
  const std::string& path() const;
  SqliteStats stats() const;

  // DefinitionStore (sqlite_definitions.cpp)
  Result<DeployOutcome> deploy(const std::string& key, const std::string& xml,
                               const std::string& sha256, const std::string& resource_name,
                               const std::vector<FormSource>& forms, std::int64_t now_ms) override;
  Result<DeployedDefinition> definition(const std::string& key, std::int32_t version) override;
  Result<std::int32_t> latest_version(const std::string& key) override;
  Result<std::map<std::string, std::int32_t>> latest_versions() override;
  Result<std::vector<DeployedDefinition>> definitions() override;
  Result<DeployedForm> form(const std::string& id, std::int32_t version) override;

  // EventLog (sqlite_event_log.cpp)
  Result<std::int64_t> reserve_instance_id() override;
  AppendResult append(AppendRequest& request) override;
  std::vector<AppendResult> append_all(std::vector<AppendRequest>& requests) override;
  Result<std::vector<runtime::Event>> events(std::int64_t instance_id, std::int64_t from_seq = 1,
                                             std::int64_t to_seq = INT64_MAX) override;
  Result<std::optional<std::int64_t>> find_instance(const runtime::BusinessKey& key) override;

  // Writes `batch` as one transaction, as a group commit does (each request succeeds or fails
  // on its own), and makes it durable; `committed`, when given, is called after the commit and
  // before the sync. What append() does for the requests of one group; public for tests.
  std::vector<AppendResult> append_batch(std::vector<AppendRequest*>& batch,
                                         const std::function<void()>& committed = {});

  // ReadModel (sqlite_read_model.cpp)
  Result<InstanceRow> instance(std::int64_t id) override;
  Result<std::vector<InstanceRow>> instances(const InstanceQuery& query) override;
  Result<std::vector<TaskRow>> tasks(const TaskQuery& query) override;
  Result<TaskRow> task(const std::string& id) override;
  Result<Variables> variables(std::int64_t instance_id) override;
  Result<std::vector<JobRow>> jobs(std::optional<std::int64_t> instance_id) override;
  Result<std::vector<JobRow>> activatable_jobs(const std::string& type, std::int64_t now_ms,
                                               std::size_t limit) override;
  Result<std::vector<IncidentRow>> incidents(const IncidentQuery& query) override;
  Result<std::vector<TimerRow>> timers(const TimerQuery& query) override;
  Result<std::vector<RecordRow>> records(const RecordQuery& query) override;
  Result<std::vector<OutboxRow>> outbox(std::optional<std::string> subprocess,
                                        bool include_acked) override;
  Status ack_outbox(const std::string& id, std::int64_t now_ms) override;

  // MessageStore (sqlite_messages.cpp)
  Result<std::int64_t> reserve_message_key() override;
  Result<PublishResult> publish(const MessageRow& message) override;
  Result<std::vector<SubscriptionRow>> subscriptions(const SubscriptionQuery& query) override;
  Result<std::vector<MessageRow>> messages(const MessageQuery& query) override;
  Result<std::vector<CorrelationRow>> correlations(std::int64_t message_key) override;
  Result<std::size_t> expire_messages(std::int64_t now_ms) override;

  class Impl;  // sqlite_store_impl.h

 private:
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pmiflow::persistence
