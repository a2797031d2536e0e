// Published messages (docs/messages.md) and the subscriptions waiting for them: what a
// publisher sent, kept for its time to live
// (buffered: a subscription that opens later still gets it) and its id for the deduplication
// window, and which instances each reached (the correlations, a projection of
// MessageCorrelated events). Implementations: SqliteStore (persistence/sqlite) and MemoryStore
// (persistence/memory, tests).
//
// Thread-safety: implementations are safe to call from several threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/json.h"
#include "engine/common/result.h"

namespace pmiflow {

// An open message subscription (instance_state.h, MessageSubscription), a projection written
// by the event log with the events that open and close it.
struct SubscriptionRow {
  std::string id;  // task_id_for(instance, key)
  std::int64_t instance_id = 0;
  std::string process;  // of its instance
  std::int64_t key = 0;
  std::int64_t element_key = 0;  // its owner
  std::string element_id;        // the message event or receive task
  std::string name;
  std::string correlation_key;
};

// Every given criterion must hold.
struct SubscriptionQuery {
  std::optional<std::string> name;
  std::optional<std::string> correlation_key;
  std::optional<std::int64_t> instance_id;
};

struct MessageRow {
  // From reserve_message_key(), before it is stored. Messages are ordered by publication time,
  // then key (keys are reserved in blocks: two processes sharing a store interleave them).
  std::int64_t key = 0;
  std::string name;
  std::string correlation_key;
  std::string message_id;  // the publisher's id; empty: none (no deduplication)
  Variables variables;
  std::int64_t published_ms = 0;
  std::int64_t expires_ms = 0;      // buffered while now < expires_ms (TTL 0: never)
  std::int64_t dedup_until_ms = 0;  // a publish with the same id is a duplicate until then
};

struct PublishResult {
  MessageRow message;   // as stored (the first one, for a duplicate)
  bool created = true;  // false: a duplicate of `message`, nothing written
};

// One instance a message reached (MessageCorrelated).
struct CorrelationRow {
  std::int64_t message_key = 0;
  std::string process;
  std::int64_t instance_id = 0;
  std::string element_id;  // the event or receive task that received it
  std::int64_t time_ms = 0;
};

// Every given criterion must hold.
struct MessageQuery {
  std::optional<std::string> name;
  std::optional<std::string> correlation_key;
  std::optional<std::int64_t> buffered_at;  // only those buffered then (expires_ms > it)
  // Only those that have not reached an instance of this process.
  std::optional<std::string> not_correlated_to;
  std::size_t limit = 0;  // 0: all
};

class MessageStore {
 public:
  virtual ~MessageStore() = default;

  // A key for a new message, never handed out again (also to another process sharing the
  // store). A key whose message is refused as a duplicate stays unused.
  virtual Result<std::int64_t> reserve_message_key() = 0;
  // Stores a message (under its reserved key), durably, unless it duplicates one: it has an id
  // and a message with the same name, correlation key and id was published within its
  // deduplication window (dedup_until_ms > message.published_ms); then nothing is written and
  // that message is returned with created=false. A message can also be stored with the events
  // of its first correlation, in one commit (AppendRequest::message, event_log.h).
  virtual Result<PublishResult> publish(const MessageRow& message) = 0;
  // Open message subscriptions, by instance and key.
  virtual Result<std::vector<SubscriptionRow>> subscriptions(const SubscriptionQuery& query) = 0;
  // Messages kept (buffered or remembered for deduplication), oldest first (MessageRow::key).
  virtual Result<std::vector<MessageRow>> messages(const MessageQuery& query) = 0;
  // The instances `message_key` reached, in the order it reached them.
  virtual Result<std::vector<CorrelationRow>> correlations(std::int64_t message_key) = 0;
  // Deletes the messages neither buffered nor remembered at `now_ms`; returns how many.
  virtual Result<std::size_t> expire_messages(std::int64_t now_ms) = 0;
};

}  // namespace pmiflow
