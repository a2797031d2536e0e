// An in-memory Store with the same contract as the SQLite one (store.h); for tests.
#pragma once

#include <map>
#include <mutex>
#include <vector>

#include "engine/engine/store.h"

namespace pmiflow {

class MemoryStore : public Store {
 public:
  Result<DeployOutcome> deploy(const std::string& key, const std::string& xml,
                               const std::string& sha256, const std::string& resource_name,
                               const std::vector<FormSource>& forms, std::int64_t now_ms) override;
  Result<DeployedDefinition> definition(const std::string& key, std::int32_t version) override;
  Result<std::vector<DeployedDefinition>> definitions() override;
  Result<DeployedForm> form(const std::string& id, std::int32_t version) override;
  std::vector<AppendResult> append(const std::vector<AppendRequest>& batch,
                                   const std::function<void()>& committed = {}) override;
  Result<std::optional<std::int64_t>> find_instance(const runtime::BusinessKey& key) override;
  Result<InstanceRow> instance(std::int64_t id) override;
  Result<std::vector<InstanceRow>> instances(const InstanceQuery& query) override;
  Result<std::vector<runtime::Event>> events(std::int64_t instance_id, std::int64_t from_seq,
                                             std::int64_t to_seq) override;
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
  struct Instance {
    std::vector<runtime::Event> events;
    runtime::InstanceState state;
    std::string head;  // hash chain head
  };
  InstanceRow row_of(const Instance& instance) const;
  // The record and outbox projections of appended events.
  void project(const runtime::Event& event);

  std::mutex mu_;
  std::vector<DeployedDefinition> definitions_;
  std::vector<DeployedForm> forms_;
  std::map<std::int64_t, Instance> instances_;
  std::vector<RecordRow> records_;
  std::vector<OutboxRow> outbox_;
};

}  // namespace pmiflow
