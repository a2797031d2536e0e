// The engine's messages (engine.h, docs/messages.md): publishing, correlating a message to the
// subscriptions and message start events it reaches, and delivering buffered messages to the
// subscriptions that open after them.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine/engine.h"

namespace pmiflow {

using runtime::Event;
using runtime::MessageSubscription;

namespace {

Status check_publish_request(const PublishRequest& r) {
  PMIFLOW_TRY(check_text_field("message name", r.name, true));
  PMIFLOW_TRY(check_text_field("correlation key", r.correlation_key, false));
  PMIFLOW_TRY(check_text_field("message id", r.message_id, false));
  if (r.ttl_ms < 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "time to live: " + std::to_string(r.ttl_ms) + " ms is negative");
  }
  if (r.dedup_window_ms && *r.dedup_window_ms < 0) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "deduplication window: " + std::to_string(*r.dedup_window_ms) + " ms is negative");
  }
  return {};
}

bool reached_process(const std::vector<MessageReach>& reached, const std::string& process) {
  return std::any_of(reached.begin(), reached.end(),
                     [&](const MessageReach& r) { return r.process == process; });
}

// A correlation that lost to another (the subscription closed, or the message reached another
// instance of the process first): not an error of the publish.
bool lost_race(const Error& e) {
  return e.code == ErrorCode::kNotFound || e.code == ErrorCode::kInvalidState ||
         e.code == ErrorCode::kConflict;
}

// The open subscriptions `message` reaches (its name and key), by instance: the oldest first.
Result<std::vector<SubscriptionRow>> waiting_for(MessageStore& store, const MessageRow& message) {
  SubscriptionQuery query;
  query.name = message.name;
  query.correlation_key = message.correlation_key;
  return store.subscriptions(query);
}

runtime::CorrelateMessage correlate_command(const MessageRow& m, std::int64_t subscription_key) {
  return runtime::CorrelateMessage{subscription_key, m.name,     m.correlation_key, m.key,
                                   m.message_id,     m.variables};
}

}  // namespace

Result<PublishOutcome> Engine::publish_message(const PublishRequest& r) {
  PMIFLOW_TRY(check_publish_request(r));
  auto key = messages_.reserve_message_key();
  if (!key.ok()) return key.error();
  const std::int64_t now = clock_.now_ms();
  MessageRow row;
  row.key = *key;
  row.name = r.name;
  row.correlation_key = r.correlation_key;
  row.message_id = r.message_id;
  row.variables = r.variables;
  row.published_ms = now;
  row.expires_ms = now + r.ttl_ms;
  row.dedup_until_ms =
      r.message_id.empty()
          ? now
          : now + std::max(r.ttl_ms, r.dedup_window_ms.value_or(options_.message_dedup_window_ms));
  PublishOutcome outcome;
  auto stored = store_with_first_correlation(row, outcome.reached);
  if (!stored.ok()) return stored.error();
  if (*stored) {
    outcome.message = std::move(row);
  } else {
    auto published = messages_.publish(row);
    if (!published.ok()) return published.error();
    outcome.message = std::move(published->message);
    outcome.duplicate = !published->created;
  }
  if (outcome.duplicate) {
    auto correlations = messages_.correlations(outcome.message.key);
    if (!correlations.ok()) return correlations.error();
    for (const CorrelationRow& c : *correlations) {
      outcome.reached.push_back(MessageReach{c.instance_id, c.process, c.element_id, false});
    }
    return outcome;
  }
  // The other processes' subscriptions, and those that opened while the message was stored
  // (each looked for buffered messages before it was there).
  PMIFLOW_TRY(correlate_to_subscriptions(outcome.message, outcome.reached));
  PMIFLOW_TRY(start_by_message(outcome.message, outcome.reached, outcome.refused));
  return outcome;
}

Result<bool> Engine::store_with_first_correlation(const MessageRow& message,
                                                  std::vector<MessageReach>& reached) {
  auto subscriptions = waiting_for(messages_, message);
  if (!subscriptions.ok()) return subscriptions.error();
  if (subscriptions->empty()) return false;
  const SubscriptionRow& sub = subscriptions->front();  // the oldest instance first
  const runtime::Command command = correlate_command(message, sub.key);
  auto done = submit(sub.instance_id, &command, true, nullptr, &message);
  if (!done.ok()) {
    // The subscription closed, or the message is a duplicate (the store refused it): the
    // message is then published alone, and correlated after.
    if (lost_race(done.error())) return false;
    return done.error();
  }
  reached.push_back(MessageReach{sub.instance_id, sub.process, sub.element_id, false});
  return true;
}

Status Engine::correlate_to_subscriptions(const MessageRow& message,
                                          std::vector<MessageReach>& reached) {
  auto subscriptions = waiting_for(messages_, message);
  if (!subscriptions.ok()) return subscriptions.error();
  for (const SubscriptionRow& sub : *subscriptions) {  // by instance: the oldest first
    if (reached_process(reached, sub.process)) continue;
    const runtime::Command command = correlate_command(message, sub.key);
    auto done = submit(sub.instance_id, &command, true);
    if (done.ok()) {
      reached.push_back(MessageReach{sub.instance_id, sub.process, sub.element_id, false});
    } else if (!lost_race(done.error())) {
      return done.error();
    }
  }
  return {};
}

Status Engine::start_by_message(const MessageRow& message, std::vector<MessageReach>& reached,
                                std::vector<std::string>& refused) {
  auto versions = definition_store_.latest_versions();
  if (!versions.ok()) return versions.error();
  for (const auto& [process, version] : *versions) {
    if (reached_process(reached, process)) continue;
    auto def = definitions_.definition(process, version);
    if (!def.ok()) return def.error();
    const model::ProcessDefinition& model = *(*def)->model;
    const auto start = std::find_if(
        model.message_start_events.begin(), model.message_start_events.end(),
        [&](model::NodeIndex n) { return model.node(n).message->name == message.name; });
    if (start == model.message_start_events.end()) continue;
    StartRequest request;
    request.key.process = process;
    request.key.id = !message.correlation_key.empty() ? message.correlation_key
                     : !message.message_id.empty()    ? message.message_id
                                                      : "message-" + std::to_string(message.key);
    request.variables = message.variables;
    request.actor = runtime::Actor::message(message.name);
    auto started = start_instance(
        request, runtime::StartMessage{message.name, message.key, message.message_id});
    if (!started.ok()) {
      if (started.error().code == ErrorCode::kValidation ||
          started.error().code == ErrorCode::kInvalidArgument) {
        refused.push_back(process + ": " + started.error().message);
        continue;
      }
      if (lost_race(started.error())) continue;
      return started.error();
    }
    if (started->created) {
      reached.push_back(
          MessageReach{started->instance_id, process, model.node(*start).id, /*started=*/true});
    }
  }
  return {};
}

std::vector<MessageSubscription> Engine::opened_subscriptions(
    const runtime::InstanceState& state, const runtime::ProjectionChanges& changes) {
  std::vector<MessageSubscription> out;
  if (changes.subscriptions.created.empty()) return out;
  for (const auto& [key, sub] : state.subscriptions) {
    if (changes.subscriptions.created.count(runtime::task_id_for(state.id, key)) != 0) {
      out.push_back(sub);
    }
  }
  return out;
}

Status Engine::deliver_buffered(std::int64_t instance_id, const std::string& process,
                                std::vector<MessageSubscription> opened,
                                std::vector<Event>& events) {
  // A correlation may open further subscriptions (the token moves on to the next catch event):
  // they are looked at in turn, until none is left.
  for (std::size_t next = 0; next < opened.size(); ++next) {
    const MessageSubscription sub = opened[next];
    MessageQuery query;
    query.name = sub.name;
    query.correlation_key = sub.correlation_key;
    query.not_correlated_to = process;
    query.limit = 1;
    // The oldest buffered message may reach another instance of the process first: the store
    // then refuses it here and the next one is tried (a message that reached the process is
    // left out of the query). The same message refused twice means the subscription itself
    // is gone (the instance moved on): nothing more to deliver to it.
    std::int64_t refused = 0;
    for (;;) {
      query.buffered_at = clock_.now_ms();
      auto buffered = messages_.messages(query);
      if (!buffered.ok()) return buffered.error();
      if (buffered->empty() || buffered->front().key == refused) break;
      const runtime::Command command = correlate_command(buffered->front(), sub.key);
      auto done = submit(instance_id, &command, true, &opened);
      if (done.ok()) {
        events.insert(events.end(), std::make_move_iterator(done->events.begin()),
                      std::make_move_iterator(done->events.end()));
        break;
      }
      if (!lost_race(done.error())) return done.error();
      refused = buffered->front().key;
    }
  }
  return {};
}

Result<std::size_t> Engine::correlate_buffered() {
  MessageQuery query;
  query.buffered_at = clock_.now_ms();
  auto buffered = messages_.messages(query);
  if (!buffered.ok()) return buffered.error();
  std::size_t made = 0;
  for (const MessageRow& message : *buffered) {
    auto before = messages_.correlations(message.key);
    if (!before.ok()) return before.error();
    std::vector<MessageReach> reached;
    for (const CorrelationRow& c : *before) {
      reached.push_back(MessageReach{c.instance_id, c.process, c.element_id, false});
    }
    const std::size_t had = reached.size();
    PMIFLOW_TRY(correlate_to_subscriptions(message, reached));
    made += reached.size() - had;
  }
  return made;
}

}  // namespace pmiflow
