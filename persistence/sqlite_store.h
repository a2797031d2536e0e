// SqliteStore: the default Store, one SQLite file in WAL mode (docs/storage-format.md gives
// every table, the event row format, the migrations and the durability guarantees).
//
// Contract, beyond store.h:
//  * open() creates the file when missing and runs the forward migrations. It refuses, and
//    leaves the file byte-for-byte unchanged, a file that is not a pmiflow database
//    (kNotADatabase) or one written by a newer pmiflow (kSchemaTooNew).
//  * append() writes the whole batch in one BEGIN IMMEDIATE transaction (group commit). A
//    request that fails on its own (kConflict on a stale expected_seq, kNotFound for an
//    unknown instance, kInternal for malformed events) writes nothing and the others commit:
//    it is refused before writing, or, when it fails after writing, the transaction is rolled
//    back and the batch written again without it. When the transaction itself fails (disk full, I/O
//    error, read-only file, busy beyond busy_timeout_ms) nothing is written and every request gets
//    the error: kIo with SQLite's reason, or kConflict "database is busy".
//  * Several SqliteStore objects, in one process or several, may share a file: writers queue
//    on the database lock (up to busy_timeout_ms) and the expected_seq check picks the loser.
//  * events(), variables() return kNotFound for an unknown instance.
//  * No method throws; every failure is a Result naming the path or the id concerned.
//  * Thread-safety: safe from several threads (one connection behind a mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

  Result<DeployOutcome> deploy(const std::string& key, const std::string& xml,
                               const std::string& sha256, const std::string& resource_name,
                               const std::vector<FormSource>& forms, std::int64_t now_ms) override;
  Result<DeployedDefinition> definition(const std::string& key, std::int32_t version) override;
  Result<std::int32_t> latest_version(const std::string& key) override;
  Result<std::vector<DeployedDefinition>> definitions() override;
  Result<DeployedForm> form(const std::string& id, std::int32_t version) override;

  void prepare(AppendRequest& request) const override;
  std::vector<AppendResult> append(const std::vector<AppendRequest>& batch,
                                   const std::function<void()>& committed = {}) override;

  Result<std::optional<std::int64_t>> find_instance(const runtime::BusinessKey& key) override;
  Result<InstanceRow> instance(std::int64_t id) override;
  Result<std::vector<InstanceRow>> instances(const InstanceQuery& query) override;
  Result<std::vector<runtime::Event>> events(std::int64_t instance_id, std::int64_t from_seq = 1,
                                             std::int64_t to_seq = INT64_MAX) override;
  Result<std::vector<TaskRow>> tasks(const TaskQuery& query) override;
  Result<TaskRow> task(const std::string& id) override;
  Result<Variables> variables(std::int64_t instance_id) override;
  Result<std::vector<JobRow>> jobs(std::optional<std::int64_t> instance_id) override;
  Result<std::vector<IncidentRow>> incidents(std::optional<std::int64_t> instance_id) override;
  Result<std::vector<RecordRow>> records(const RecordQuery& query) override;
  Result<std::vector<OutboxRow>> outbox(std::optional<std::string> subprocess,
                                        bool include_acked) override;
  Status ack_outbox(const std::string& id, std::int64_t now_ms) override;

 private:
  class Impl;
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pmiflow::persistence
