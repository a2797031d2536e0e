// SqliteStore's message store (message_store.h): the messages table, written by publish() in a
// transaction of its own and made durable outside the store's mutex (concurrent publishers
// share a sync, as the group commit's requests do); correlations are written by append() with
// the MessageCorrelated events (sqlite_request_writer.cpp).
#include <exception>
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

Result<PublishResult> SqliteStore::publish(const MessageRow& message) {
  Impl& s = *impl_;
  std::uint64_t ticket = 0;
  PublishResult result;
  try {
    Json vars = Json::object();
    for (const auto& [name, value] : message.variables) vars[name] = value;
    const std::string vars_text = json_text(vars, Json::error_handler_t::strict);
    MutexLock lock(s.mu);
    detail::WriteContext ctx{s.db, s.path};
    auto failed = [&](const Error& e) -> Result<PublishResult> {
      if (ctx.db.in_transaction()) ctx.db.exec("ROLLBACK");
      return e;
    };
    if (Status begin = ctx.run("BEGIN IMMEDIATE"); !begin.ok()) return failed(begin.error());
    if (!message.message_id.empty()) {
      std::optional<MessageRow> first;
      Status read = s.each(
          std::string("SELECT ") + kMessageColumns +
              " FROM messages WHERE message_id = ?1 AND name = ?2 AND correlation_key = ?3 AND "
              "dedup_until_ms > ?4 ORDER BY key LIMIT 1",
          [&](Query& q) {
            q.bind(1, message.message_id)
                .bind(2, message.name)
                .bind(3, message.correlation_key)
                .bind(4, message.published_ms);
          },
          [&](const Query& q) { first = read_message(q); });
      if (!read.ok()) return failed(read.error());
      if (first) {
        ctx.db.exec("ROLLBACK");
        return PublishResult{std::move(*first), false};
      }
    }
    Status write = ctx.run(
        "INSERT INTO messages(name, correlation_key, message_id, variables, published_ms, "
        "expires_ms, dedup_until_ms, kept_until_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        message.name, message.correlation_key, message.message_id, vars_text, message.published_ms,
        message.expires_ms, message.dedup_until_ms,
        std::max(message.expires_ms, message.dedup_until_ms));
    if (!write.ok()) return failed(write.error());
    result.message = message;
    result.message.key = sqlite3_last_insert_rowid(s.db.raw());
    if (Status commit = ctx.run("COMMIT"); !commit.ok()) return failed(commit.error());
    if (s.wal_sync) ticket = s.wal_sync->note_commit();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("publish: ") + e.what());
  }
  if (ticket != 0) PMIFLOW_TRY(s.wal_sync->wait_durable(ticket));
  return result;
}

Result<std::vector<MessageRow>> SqliteStore::messages(const MessageQuery& query) {
  try {
    MutexLock lock(impl_->mu);
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
                      " ORDER BY key";
    if (query.limit != 0) sql += " LIMIT " + std::to_string(query.limit);
    std::vector<MessageRow> out;
    PMIFLOW_TRY(impl_->each(
        sql, [&](Query& q) { filter.bind(q); },
        [&](const Query& q) { out.push_back(read_message(q)); }));
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
