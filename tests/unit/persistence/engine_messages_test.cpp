// The engine's messages (engine.h, publish_message) on both stores: durable and idempotent
// publication, buffering with a time to live, correlation to at most one instance of each
// process, starts by message, and the events each writes.

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine/engine/clock.h"
#include "engine/engine/engine.h"
#include "engine/engine/handler.h"
#include "engine/runtime/event_describer.h"
#include "persistence/memory/memory_store.h"
#include "sqlite_test_util.h"

namespace pmiflow {
namespace {

using persistence::SqliteStore;
using persistence::testing::TempDir;
using Trace = std::vector<std::string>;

constexpr std::int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kHour = 60 * 60 * 1000;

// tests/data/good/message-wait.bpmn: "espera" waits at a message catch event for
// "evaluacion_recibida" keyed by the school's código DANE; message-start.bpmn: "apoyo" is
// started by "pam_aprobado", then waits at a user task.
std::string good_file(const std::string& name) {
  return persistence::testing::read_bytes(std::string(PMIFLOW_TEST_DATA) + "/good/" + name);
}

class EngineMessages : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    store_ = persistence::testing::open_store(GetParam(), dir_);
    ASSERT_NE(store_, nullptr);
    engine_ = std::make_unique<Engine>(*store_, *store_, *store_, handlers_, clock_);
    for (const char* file : {"message-wait.bpmn", "message-start.bpmn"}) {
      auto deployed = engine_->deploy(good_file(file), file);
      ASSERT_TRUE(deployed.ok()) << deployed.error().message;
    }
  }

  std::int64_t wait_for(const std::string& dane) {
    auto started = engine_->start(StartRequest{{"espera", dane + "/2026"},
                                               {},
                                               Variables{{"codigo_dane", dane}},
                                               runtime::Actor::user("ana", "g")});
    EXPECT_TRUE(started.ok()) << started.error().message;
    return started.ok() ? started->instance_id : 0;
  }

  PublishOutcome publish(PublishRequest r) {
    auto outcome = engine_->publish_message(r);
    EXPECT_TRUE(outcome.ok()) << outcome.error().message;
    return outcome.ok() ? *outcome : PublishOutcome{};
  }

  Trace trace(std::int64_t instance_id) {
    Trace out;
    auto events = store_->events(instance_id);
    EXPECT_TRUE(events.ok());
    for (const auto& e : *events) {
      out.push_back(runtime::event_type_name(e.type()));
    }
    return out;
  }

  std::string status(std::int64_t instance_id) {
    auto row = store_->instance(instance_id);
    return row.ok() ? row->status : row.error().message;
  }

  static PublishRequest evaluation(const std::string& dane, std::int64_t ttl_ms = 0,
                                   const std::string& id = "") {
    PublishRequest r;
    r.name = "evaluacion_recibida";
    r.correlation_key = dane;
    r.message_id = id;
    r.ttl_ms = ttl_ms;
    r.variables = Variables{{"puntaje", 87}};
    return r;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  HandlerRegistry handlers_;
  ManualClock clock_{kT0};
  std::unique_ptr<Engine> engine_;
};

TEST_P(EngineMessages, AMessageAfterItsCatchReachesTheWaitingInstanceAndSaysSo) {
  const std::int64_t id = wait_for("111001000123");
  ASSERT_EQ(store_->subscriptions({}).value().size(), 1u);
  PublishOutcome out = publish(evaluation("111001000123"));
  EXPECT_FALSE(out.duplicate);
  ASSERT_EQ(out.reached.size(), 1u);
  EXPECT_EQ(out.reached[0].instance_id, id);
  EXPECT_EQ(out.reached[0].process, "espera");
  EXPECT_EQ(out.reached[0].element_id, "Wait");
  EXPECT_EQ(status(id), "completed");
  EXPECT_EQ(trace(id), (Trace{"InstanceCreated", "ElementActivated", "ElementCompleted",
                              "FlowTaken", "ElementActivated", "MessageSubscriptionOpened",
                              "MessageCorrelated", "VariablesSet", "ElementCompleted", "FlowTaken",
                              "ElementActivated", "ElementCompleted", "InstanceCompleted"}));
  EXPECT_EQ(store_->variables(id).value().at("puntaje"), 87);
  EXPECT_TRUE(store_->subscriptions({}).value().empty());
  auto correlations = store_->correlations(out.message.key);
  ASSERT_TRUE(correlations.ok());
  ASSERT_EQ(correlations->size(), 1u);
  EXPECT_EQ(correlations->front().instance_id, id);
}

TEST_P(EngineMessages, AMessageAndItsFirstCorrelationAreOneCommit) {
  const std::int64_t id = wait_for("111");
  auto* sqlite = dynamic_cast<SqliteStore*>(store_.get());
  const std::uint64_t requests_before = sqlite != nullptr ? sqlite->stats().requests : 0;
  PublishOutcome out = publish(evaluation("111", 0, "eval-111"));
  ASSERT_EQ(out.reached.size(), 1u);
  EXPECT_EQ(status(id), "completed");
  // Stored (TTL 0: no longer buffered, its id remembered for the window) and correlated.
  auto stored = store_->messages({});
  ASSERT_EQ(stored.value().size(), 1u);
  EXPECT_EQ(stored->front().key, out.message.key);
  EXPECT_EQ(stored->front().message_id, "eval-111");
  EXPECT_EQ(store_->correlations(out.message.key).value().size(), 1u);
  // One request of the group commit: the message with the instance's events, one sync.
  if (sqlite != nullptr) {
    EXPECT_EQ(sqlite->stats().requests - requests_before, 1u);
  }
}

TEST_P(EngineMessages, AMessageBeforeItsCatchIsBufferedAndDeliveredWhenTheSubscriptionOpens) {
  PublishOutcome first = publish(evaluation("111001000123", 24 * kHour));
  clock_.advance(1000);
  PublishOutcome second = publish(evaluation("111001000123", 24 * kHour));
  EXPECT_TRUE(first.reached.empty());
  MessageQuery buffered;
  buffered.buffered_at = clock_.now_ms();
  EXPECT_EQ(store_->messages(buffered).value().size(), 2u);

  const std::int64_t id = wait_for("111001000123");
  EXPECT_EQ(status(id), "completed");
  // The oldest first: the first message reached it, the second is still buffered for others.
  auto correlations = store_->correlations(first.message.key);
  ASSERT_EQ(correlations.value().size(), 1u);
  EXPECT_EQ(correlations->front().instance_id, id);
  EXPECT_TRUE(store_->correlations(second.message.key).value().empty());
}

TEST_P(EngineMessages, OneMessageReachesOneInstanceOfAProcessTheOldestFirst) {
  const std::int64_t a = wait_for("111");
  // Another instance with the same key (a second business id waiting for the same school).
  auto b = engine_->start(StartRequest{{"espera", "111/2027"},
                                       {},
                                       Variables{{"codigo_dane", "111"}},
                                       runtime::Actor::user("ana", "g")});
  ASSERT_TRUE(b.ok());
  PublishOutcome out = publish(evaluation("111", 24 * kHour));
  ASSERT_EQ(out.reached.size(), 1u);
  EXPECT_EQ(out.reached[0].instance_id, a);
  EXPECT_EQ(status(a), "completed");
  EXPECT_EQ(status(b->instance_id), "active");
  // Still buffered, it does not reach the same process again, even by the recovery sweep.
  EXPECT_EQ(engine_->correlate_buffered().value(), 0u);
  EXPECT_EQ(status(b->instance_id), "active");
  // A second message does.
  EXPECT_EQ(publish(evaluation("111")).reached.size(), 1u);
  EXPECT_EQ(status(b->instance_id), "completed");
}

TEST_P(EngineMessages, ADuplicateIdInsideTheWindowWritesNothingAndAnswersWhatTheFirstReached) {
  const std::int64_t id = wait_for("111");
  PublishRequest r = evaluation("111", 0, "eval-111-2026");
  r.dedup_window_ms = 2 * kHour;
  PublishOutcome first = publish(r);
  ASSERT_EQ(first.reached.size(), 1u);

  clock_.advance(2 * kHour - 1);
  const std::int64_t again = [&] {
    auto started = engine_->start(StartRequest{{"espera", "111/2028"},
                                               {},
                                               Variables{{"codigo_dane", "111"}},
                                               runtime::Actor::user("ana", "g")});
    return started.value().instance_id;
  }();
  PublishOutcome duplicate = publish(r);
  EXPECT_TRUE(duplicate.duplicate);
  EXPECT_EQ(duplicate.message.key, first.message.key);
  ASSERT_EQ(duplicate.reached.size(), 1u);
  EXPECT_EQ(duplicate.reached[0].instance_id, id);
  EXPECT_EQ(status(again), "active");  // the duplicate reached no one

  clock_.advance(1);  // the window has passed: a new message
  PublishOutcome later = publish(r);
  EXPECT_FALSE(later.duplicate);
  EXPECT_NE(later.message.key, first.message.key);
  EXPECT_EQ(status(again), "completed");
}

TEST_P(EngineMessages, ABufferedMessageExpiresAfterItsTimeToLive) {
  PublishOutcome out = publish(evaluation("111", kHour));
  clock_.advance(kHour);  // expires_ms is not after now: no longer buffered
  const std::int64_t id = wait_for("111");
  EXPECT_EQ(status(id), "active");
  EXPECT_EQ(store_->expire_messages(clock_.now_ms()).value(), 1u);
  EXPECT_TRUE(store_->messages({}).value().empty());
  EXPECT_TRUE(store_->correlations(out.message.key).value().empty());
}

TEST_P(EngineMessages, AnUnknownNameIsBufferedAndListed) {
  PublishRequest r = evaluation("111", kHour);
  r.name = "nadie_espera";
  PublishOutcome out = publish(r);
  EXPECT_TRUE(out.reached.empty());
  MessageQuery query;
  query.buffered_at = clock_.now_ms();
  auto listed = store_->messages(query);
  ASSERT_EQ(listed.value().size(), 1u);
  EXPECT_EQ(listed->front().name, "nadie_espera");
  EXPECT_EQ(listed->front().variables.at("puntaje"), 87);
  EXPECT_EQ(listed->front().expires_ms, kT0 + kHour);
}

TEST_P(EngineMessages, AMessageStartCreatesOneInstanceByItsKey) {
  PublishRequest r;
  r.name = "pam_aprobado";
  r.correlation_key = "111001000123/2026";
  r.variables = Variables{{"plan", "PAM-7"}};
  PublishOutcome out = publish(r);
  ASSERT_EQ(out.reached.size(), 1u);
  EXPECT_TRUE(out.reached[0].started);
  EXPECT_EQ(out.reached[0].process, "apoyo");
  EXPECT_EQ(out.reached[0].element_id, "PamApproved");
  const std::int64_t id = out.reached[0].instance_id;
  auto row = store_->instance(id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->business_key.id, "111001000123/2026");
  EXPECT_EQ(trace(id),
            (Trace{"InstanceCreated", "MessageCorrelated", "ElementActivated", "ElementCompleted",
                   "FlowTaken", "ElementActivated", "UserTaskCreated"}));
  EXPECT_EQ(store_->variables(id).value().at("plan"), "PAM-7");
  // The same key again: the instance exists, none is started.
  EXPECT_TRUE(publish(r).reached.empty());
  EXPECT_EQ(store_->instances({}).value().size(), 1u);
}

TEST_P(EngineMessages, BadInputIsRefusedAndNothingIsWritten) {
  auto refused = [&](PublishRequest r, const std::string& expected) {
    auto out = engine_->publish_message(r);
    ASSERT_FALSE(out.ok()) << expected;
    EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(out.error().message.find(expected), std::string::npos) << out.error().message;
  };
  PublishRequest r = evaluation("111");
  r.ttl_ms = -1;
  refused(r, "time to live: -1 ms is negative");
  r = evaluation("111", 0, std::string(257, 'x'));
  refused(r, "message id: 257 bytes, more than the limit of 256");
  r = evaluation("111");
  r.name.clear();
  refused(r, "message name: a name is required");
  r = evaluation("\xff");
  refused(r, "correlation key: not valid UTF-8");
  r = evaluation("111", 0, "id");
  r.dedup_window_ms = -5;
  refused(r, "deduplication window: -5 ms is negative");
  EXPECT_TRUE(store_->messages({}).value().empty());
}

// Publishers and subscriptions racing: instances reach their catch while buffered messages for
// them are published from other threads. Whichever commits first, the other side sees it (a
// publish looks for subscriptions after its message is stored; an opened subscription looks
// for buffered messages after it is stored), and the store refuses a second correlation of a
// message to the process: every instance gets exactly one message, every message reaches
// exactly one instance.
TEST_P(EngineMessages, RacingPublishesAndSubscriptionsDeliverEachMessageExactlyOnce) {
  constexpr int kPairs = 40;
  std::atomic<int> next{0};
  std::atomic<int> errors{0};
  auto worker = [&] {
    for (int i = next++; i < 2 * kPairs; i = next++) {
      const std::string key = "k" + std::to_string(i / 2);
      if (i % 2 == 0) {
        auto started = engine_->start(StartRequest{{"espera", key},
                                                   {},
                                                   Variables{{"codigo_dane", "mismo"}},
                                                   runtime::Actor::user("ana", "g")});
        if (!started.ok()) ++errors;
      } else {
        PublishRequest r = evaluation("mismo", 24 * kHour, "id-" + key);
        if (!engine_->publish_message(r).ok()) ++errors;
      }
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  ASSERT_EQ(errors, 0);
  // A message may still be buffered while an instance waits only if neither side saw the
  // other; the recovery sweep would then deliver it: it must find nothing to do.
  EXPECT_EQ(engine_->correlate_buffered().value(), 0u);
  InstanceQuery completed;
  completed.status = "completed";
  EXPECT_EQ(store_->instances(completed).value().size(), static_cast<std::size_t>(kPairs));
  EXPECT_TRUE(store_->subscriptions({}).value().empty());
  auto messages = store_->messages({});
  ASSERT_TRUE(messages.ok());
  ASSERT_EQ(messages->size(), static_cast<std::size_t>(kPairs));
  for (const MessageRow& m : *messages) {
    EXPECT_EQ(store_->correlations(m.key).value().size(), 1u) << "message " << m.key;
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, EngineMessages, ::testing::Values("memory", "sqlite"));

// Two processes on one database reserve message keys in blocks: keys never collide, and a
// subscription gets the message published first, even when the other process's key is lower.
TEST(EngineMessagesTwoProcesses, KeysNeverCollideAndTheOldestPublishedIsDeliveredFirst) {
  TempDir dir;
  auto opened_a = SqliteStore::open(dir.file("pmiflow.db"));
  ASSERT_TRUE(opened_a.ok()) << opened_a.error().message;
  auto opened_b = SqliteStore::open(dir.file("pmiflow.db"));
  ASSERT_TRUE(opened_b.ok()) << opened_b.error().message;
  HandlerRegistry handlers;
  ManualClock clock_a{kT0};
  ManualClock clock_b{kT0};
  Engine a(**opened_a, **opened_a, **opened_a, handlers, clock_a);
  Engine b(**opened_b, **opened_b, **opened_b, handlers, clock_b);
  ASSERT_TRUE(a.deploy(good_file("message-wait.bpmn"), "message-wait.bpmn").ok());
  auto publish = [](Engine& engine, const std::string& key) {
    PublishRequest r;
    r.name = "evaluacion_recibida";
    r.correlation_key = key;
    r.ttl_ms = 24 * kHour;
    r.variables = Variables{{"origen", key}};
    auto out = engine.publish_message(r);
    EXPECT_TRUE(out.ok()) << out.error().message;
    return out.ok() ? out->message.key : 0;
  };
  // A takes a block of one key, then of two (it keeps the second); B takes the next one.
  const std::int64_t k1 = publish(a, "x");
  const std::int64_t k2 = publish(a, "y");
  clock_b.set(kT0 + 1000);
  const std::int64_t kb = publish(b, "mismo");
  clock_a.set(kT0 + 2000);
  const std::int64_t ka = publish(a, "mismo");  // later, but from A's block: a lower key
  EXPECT_LT(k1, k2);
  EXPECT_LT(ka, kb);
  EXPECT_EQ((std::set<std::int64_t>{k1, k2, ka, kb}).size(), 4u);

  auto started = b.start(StartRequest{{"espera", "mismo/2026"},
                                      {},
                                      Variables{{"codigo_dane", "mismo"}},
                                      runtime::Actor::user("ana", "g")});
  ASSERT_TRUE(started.ok()) << started.error().message;
  auto correlations = (*opened_b)->correlations(kb);
  ASSERT_TRUE(correlations.ok());
  ASSERT_EQ(correlations->size(), 1u);  // B's message, published first
  EXPECT_EQ(correlations->front().instance_id, started->instance_id);
  EXPECT_TRUE((*opened_a)->correlations(ka).value().empty());
}

}  // namespace
}  // namespace pmiflow
