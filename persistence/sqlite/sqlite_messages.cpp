// SqliteStore's message store (message_store.h): the messages table, written through the
// group commit by publish() (a request of a group that names no instance: concurrent
// publishers share a transaction and a sync) or by append() with the events of the message's
// first correlation; correlations are written by append() with the MessageCorrelated events
// (sqlite_request_writer.cpp). Message keys come from the `messages` row of `sequences`.
#include <algorithm>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "persistence/sqlite/sqlite_filter.h"
#include "persistence/sqlite/sqlite_store_impl.h"

namespace pmiflow::persistence {

using detail::Filter;
using detail::Query;

namespace {

constexpr const char* kMessageColumns =
    "key, name, correlation_key, message_id, variables, published_ms, expires_ms, "
    "dedup_until_ms";

MessageRow read_message(const Query& q) {
  MessageRow m;
  m.key = q.int64(0);
  m.name = q.text(1);
  m.correlation_key = q.text(2);
  m.message_id = q.text(3);
  const Json vars = Json::parse(q.text(4), nullptr, /*allow_exceptions=*/false);
  if (vars.is_object()) {
    for (const auto& [name, value] : vars.items()) m.variables[name] = value;
  }
  m.published_ms = q.int64(5);
  m.expires_ms = q.int64(6);
  m.dedup_until_ms = q.int64(7);
  return m;
}

}  // namespace

Result<detail::PendingPublish> detail::prepare_publish(const MessageRow& message) {
  try {
    Json vars = Json::object();
    for (const auto& [name, value] : message.variables) vars[name] = value;
    return PendingPublish{&message, json_text(vars, Json::error_handler_t::strict), {}};
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInvalidArgument, std::string("message variables: ") + e.what());
  }
}

Result<std::int64_t> SqliteStore::reserve_message_key() {
  MutexLock lock(impl_->keys_mu);
  return impl_->reserve_key(impl_->message_keys);
}

Result<PublishResult> SqliteStore::publish(const MessageRow& message) {
  Impl& s = *impl_;
  if (!s.group_commit) {
    return make_error(ErrorCode::kIo, "sqlite database '" + s.path + "' was opened read-only");
  }
  auto publish = detail::prepare_publish(message);
  if (!publish.ok()) return publish.error();
  // A request that names no instance: the group writer stores the message (apply_publish).
  AppendRequest none;
  detail::PendingAppend pending;
  pending.request = &none;
  pending.publish = std::move(*publish);
  AppendResult appended = s.group_commit->append(pending);
  if (!appended.status.ok()) return appended.status.error();
  return std::move(pending.publish->result);
}

Status SqliteStore::Impl::apply_publish(detail::WriteContext& ctx,
                                        detail::PendingPublish& publish) {
  const MessageRow& message = *publish.message;
  if (!message.message_id.empty()) {
    std::optional<MessageRow> first;
    PMIFLOW_TRY(each(
        std::string("SELECT ") + kMessageColumns +
            " FROM messages WHERE message_id = ?1 AND name = ?2 AND correlation_key = ?3 AND "
            "dedup_until_ms > ?4 ORDER BY published_ms, key LIMIT 1",
        [&](Query& q) {
          q.bind(1, message.message_id)
              .bind(2, message.name)
              .bind(3, message.correlation_key)
              .bind(4, message.published_ms);
        },
        [&](const Query& q) { first = read_message(q); }));
    if (first) {
      publish.result = PublishResult{std::move(*first), false};
      return {};
    }
  }
  PMIFLOW_TRY(ctx.run(
      "INSERT INTO messages(key, name, correlation_key, message_id, variables, published_ms, "
      "expires_ms, dedup_until_ms, kept_until_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
      message.key, message.name, message.correlation_key, message.message_id, publish.variables,
      message.published_ms, message.expires_ms, message.dedup_until_ms,
      std::max(message.expires_ms, message.dedup_until_ms)));
  publish.result = PublishResult{message, true};
  return {};
}

Result<std::vector<SubscriptionRow>> SqliteStore::subscriptions(const SubscriptionQuery& query) {
  try {
    std::vector<SubscriptionRow> out;
    Filter filter;
    if (query.name) filter.equals("s.name", *query.name);
    if (query.correlation_key) filter.equals("s.correlation_key", *query.correlation_key);
    if (query.instance_id) filter.equals("s.instance_id", *query.instance_id);
    PMIFLOW_TRY(impl_->with_reader([&](detail::Connection& c) {
      return impl_->each_on(
          c,
          "SELECT s.id, s.instance_id, i.process, s.sub_key, s.element_key, s.element_id, s.name, "
          "s.correlation_key FROM message_subscriptions s JOIN instances i ON i.id = "
          "s.instance_id" +
              filter.where() + " ORDER BY s.instance_id, s.sub_key",
          [&](Query& q) { filter.bind(q); },
          [&](const Query& q) {
            out.push_back(SubscriptionRow{q.text(0), q.int64(1), q.text(2), q.int64(3), q.int64(4),
                                          q.text(5), q.text(6), q.text(7)});
          });
    }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("subscriptions: ") + e.what());
  }
}

Result<std::vector<MessageRow>> SqliteStore::messages(const MessageQuery& query) {
  try {
    Filter filter;
    if (query.name) filter.equals("name", *query.name);
    if (query.correlation_key) filter.equals("correlation_key", *query.correlation_key);
    if (query.buffered_at) filter.where("expires_ms > ?", *query.buffered_at);
    if (query.not_correlated_to) {
      filter.where(
          "NOT EXISTS (SELECT 1 FROM message_correlations c WHERE c.message_key = messages.key "
          "AND c.process = ?)",
          *query.not_correlated_to);
    }
    std::string sql = std::string("SELECT ") + kMessageColumns + " FROM messages" + filter.where() +
                      " ORDER BY published_ms, key";
    if (query.limit != 0) sql += " LIMIT " + std::to_string(query.limit);
    std::vector<MessageRow> out;
    PMIFLOW_TRY(impl_->with_reader([&](detail::Connection& c) {
      return impl_->each_on(
          c, sql, [&](Query& q) { filter.bind(q); },
          [&](const Query& q) { out.push_back(read_message(q)); });
    }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("messages: ") + e.what());
  }
}

Result<std::vector<CorrelationRow>> SqliteStore::correlations(std::int64_t message_key) {
  try {
    MutexLock lock(impl_->mu);
    std::vector<CorrelationRow> out;
    PMIFLOW_TRY(impl_->each(
        "SELECT message_key, process, instance_id, element_id, time_ms FROM message_correlations "
        "WHERE message_key = ?1 ORDER BY time_ms, instance_id",
        [&](Query& q) { q.bind(1, message_key); },
        [&](const Query& q) {
          out.push_back(CorrelationRow{q.int64(0), q.text(1), q.int64(2), q.text(3), q.int64(4)});
        }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("correlations: ") + e.what());
  }
}

Result<std::size_t> SqliteStore::expire_messages(std::int64_t now_ms) {
  Impl& s = *impl_;
  try {
    MutexLock lock(s.mu);
    detail::WriteContext ctx{s.db, s.path};
    PMIFLOW_TRY(ctx.run("DELETE FROM messages WHERE kept_until_ms <= ?1", now_ms));
    const auto deleted = static_cast<std::size_t>(sqlite3_changes64(s.db.raw()));
    if (deleted != 0) PMIFLOW_TRY(s.durable());
    return deleted;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("expire messages: ") + e.what());
  }
}

}  // namespace pmiflow::persistence
