// An in-memory store with the SQLite store's contract (event_log.h, read_model.h,
// definition_store.h, message_store.h): the twin the engine's tests run on. Its projections are
// each instance's folded state as the request hands it over, plus the records and outbox rows the
// request's changes name. Not a production store: nothing survives the process.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/mutex.h"
#include "engine/engine/definition_store.h"
#include "engine/engine/event_log.h"
#include "engine/engine/read_model.h"
#include "engine/engine/store.h"

namespace pmiflow {

class MemoryStore : public Store {
 public:
  // DefinitionStore
  Result<DeployOutcome> deploy(const std::string& key, const std::string& xml,
                               const std::string& sha256, const std::string& resource_name,
                               const std::vector<FormSource>& forms, std::int64_t now_ms) override;
  Result<DeployedDefinition> definition(const std::string& key, std::int32_t version) override;
  Result<std::vector<DeployedDefinition>> definitions() override;
  Result<DeployedForm> form(const std::string& id, std::int32_t version) override;

  // EventLog
  Result<std::int64_t> reserve_instance_id() override;
  AppendResult append(AppendRequest& request) override;
  std::vector<AppendResult> append_all(std::vector<AppendRequest>& requests) override;
  Result<std::vector<runtime::Event>> events(std::int64_t instance_id, std::int64_t from_seq = 1,
                                             std::int64_t to_seq = INT64_MAX) override;
  Result<std::optional<std::int64_t>> find_instance(const runtime::BusinessKey& key) override;

  // ReadModel
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

  // MessageStore
  Result<std::int64_t> reserve_message_key() override;
  Result<PublishResult> publish(const MessageRow& message) override;
  Result<std::vector<SubscriptionRow>> subscriptions(const SubscriptionQuery& query) override;
  Result<std::vector<MessageRow>> messages(const MessageQuery& query) override;
  Result<std::vector<CorrelationRow>> correlations(std::int64_t message_key) override;
  Result<std::size_t> expire_messages(std::int64_t now_ms) override;

 private:
  struct Instance {
    std::vector<runtime::Event> events;
    runtime::InstanceState state;  // the fold of `events`
  };
  InstanceRow row_of(const Instance& instance) const;
  // Whether `request` may be appended now (ok; for a creation whose business key exists,
  // r.instance_id names that instance and r.created is false), writing nothing.
  Status check(const AppendRequest& request, AppendResult& r) REQUIRES(mu_);
  // Appends a checked request: its events sealed, its state and projections.
  void write(const AppendRequest& request, AppendResult& r) REQUIRES(mu_);
  // Adds the records, outbox rows and correlations the request's changes name.
  void project(const AppendRequest& request) REQUIRES(mu_);
  // kInvalidState when a correlation of the request's changes is taken (one per message and
  // process).
  Status check_correlations(const AppendRequest& request) REQUIRES(mu_);
  // The stored message `message` duplicates (MessageStore::publish), or null.
  const MessageRow* duplicate_of(const MessageRow& message) const REQUIRES(mu_);

  Mutex mu_;
  std::int64_t last_id_ GUARDED_BY(mu_) = 0;
  std::vector<DeployedDefinition> definitions_ GUARDED_BY(mu_);
  std::vector<DeployedForm> forms_ GUARDED_BY(mu_);
  std::map<std::int64_t, Instance> instances_ GUARDED_BY(mu_);
  std::vector<RecordRow> records_ GUARDED_BY(mu_);
  std::vector<OutboxRow> outbox_ GUARDED_BY(mu_);
  std::int64_t last_message_key_ GUARDED_BY(mu_) = 0;
  std::map<std::int64_t, MessageRow> messages_ GUARDED_BY(mu_);  // by key
  std::vector<CorrelationRow> correlations_ GUARDED_BY(mu_);
};

}  // namespace pmiflow
