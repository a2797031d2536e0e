// append(): group commit, per-request atomicity, idempotent creation, optimistic concurrency,
// transaction-level failures (busy, disk full), and the append-only event log.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "engine/engine/audit.h"
#include "persistence/sqlite/sqlite_event_batch.h"
#include "sqlite_test_util.h"

namespace pmiflow::persistence::testing {
namespace {

const runtime::BusinessKey kKeyA = key_of("d02_03", "111001000001", "2024");
const runtime::BusinessKey kKeyB = key_of("d02_03", "222002000002", "2024");

class SqliteAppend : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("append.db");
    store_ = open_ok(path_);
    ASSERT_NE(store_, nullptr);
  }

  std::int64_t create(const runtime::BusinessKey& key, std::vector<Event> more = {}) {
    auto results = append_all(*store_, create_request(*store_, key, std::move(more)));
    EXPECT_TRUE(results[0].status.ok()) << results[0].status.error().message;
    EXPECT_TRUE(results[0].created);
    return results[0].instance_id;
  }

  std::int64_t count(const std::string& table) {
    RawDb raw(path_);
    return raw.scalar("SELECT count(*) FROM " + table);
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteAppend, CreationWritesInstanceAndEventsWithTheAssignedId) {
  const std::int64_t id = create(kKeyA, {activated("start", 1, "startEvent")});
  EXPECT_GT(id, 0);
  auto row = store_->instance(id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->business_key, kKeyA);
  EXPECT_EQ(row->status, "active");
  EXPECT_EQ(row->last_seq, 2);
  EXPECT_EQ(row->version, 1);
  EXPECT_EQ(row->created_ms, 1000);
  auto events = store_->events(id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  for (const Event& e : *events) EXPECT_EQ(e.instance_id, id);
}

TEST_F(SqliteAppend, CreationIsIdempotentByBusinessKey) {
  const std::int64_t id = create(kKeyA);
  auto again =
      append_all(*store_, create_request(*store_, kKeyA, {activated("start", 1, "startEvent")}));
  ASSERT_TRUE(again[0].status.ok());
  EXPECT_FALSE(again[0].created);
  EXPECT_EQ(again[0].instance_id, id);
  EXPECT_EQ(store_->events(id)->size(), 1u);
  EXPECT_EQ(count("instances"), 1);
  EXPECT_EQ(count("events"), 1);
  EXPECT_TRUE(store_->instance(id)->active_elements.empty());
}

TEST_F(SqliteAppend, TwoCreationsOfOneKeyInOneBatchMakeOneInstance) {
  auto results = append_all(*store_, create_request(*store_, kKeyA), create_request(*store_, kKeyB),
                            create_request(*store_, kKeyA));
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) ASSERT_TRUE(r.status.ok());
  EXPECT_TRUE(results[0].created);
  EXPECT_TRUE(results[1].created);
  EXPECT_FALSE(results[2].created);
  EXPECT_EQ(results[2].instance_id, results[0].instance_id);
  EXPECT_NE(results[1].instance_id, results[0].instance_id);
  EXPECT_EQ(count("instances"), 2);
}

TEST_F(SqliteAppend, StaleExpectedSeqConflictsAloneAndWritesNothing) {
  const std::int64_t a = create(kKeyA);
  const std::int64_t b = create(kKeyB);
  // The first is stale: the last seq is 1.
  auto results = append_all(*store_, request(*store_, a, 0, {activated("start", 1, "startEvent")}),
                            request(*store_, b, 1, {activated("start", 1, "startEvent")}),
                            create_request(*store_, key_of("d02_03", "333", "2024")));
  ASSERT_EQ(results.size(), 3u);
  ASSERT_FALSE(results[0].status.ok());
  EXPECT_EQ(results[0].status.error().code, ErrorCode::kConflict);
  EXPECT_EQ(results[0].status.error().message,
            "instance " + std::to_string(a) + " changed concurrently (expected seq 0, found 1)");
  EXPECT_EQ(results[0].instance_id, a);
  EXPECT_TRUE(results[1].status.ok());
  EXPECT_TRUE(results[2].status.ok());
  EXPECT_TRUE(results[2].created);

  EXPECT_EQ(store_->instance(a)->last_seq, 1);
  EXPECT_TRUE(store_->instance(a)->active_elements.empty());
  EXPECT_EQ(store_->events(a)->size(), 1u);
  EXPECT_EQ(store_->instance(b)->last_seq, 2);
  EXPECT_EQ(store_->instance(b)->active_elements, std::vector<std::string>{"start"});
}

// EventLog::append_all: requests of several instances (a call activity's parent and child) are
// written all or none.
TEST_F(SqliteAppend, LinkedRequestsAreWrittenAllOrNone) {
  const std::int64_t a = create(kKeyA);
  auto linked = [&](std::vector<Req>& reqs) {
    std::vector<AppendRequest> requests;
    for (Req& r : reqs) requests.push_back(r->request);
    return store_->append_all(requests);
  };
  // A stale parent fails the child's creation too.
  std::vector<Req> stale;
  stale.push_back(request(*store_, a, 0, {activated("start", 1, "startEvent")}));
  stale.push_back(create_request(*store_, kKeyB));
  auto failed = linked(stale);
  ASSERT_EQ(failed.size(), 2u);
  for (const auto& r : failed) {
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.error().code, ErrorCode::kConflict);
    EXPECT_FALSE(r.created);
  }
  EXPECT_EQ(count("instances"), 1);
  EXPECT_EQ(store_->instance(a)->last_seq, 1);

  // A creation whose business key exists is a conflict of all, not an idempotent success.
  std::vector<Req> taken;
  taken.push_back(request(*store_, a, 1, {activated("start", 1, "startEvent")}));
  taken.push_back(create_request(*store_, kKeyA));
  auto refused = linked(taken);
  ASSERT_FALSE(refused[0].status.ok());
  EXPECT_NE(refused[1].status.error().message.find("has an instance with business id " + kKeyA.id +
                                                   " already (instance " + std::to_string(a) + ")"),
            std::string::npos)
      << refused[1].status.error().message;
  EXPECT_EQ(store_->instance(a)->last_seq, 1);
  EXPECT_EQ(count("events"), 1);

  // Both good: both written, in one commit.
  std::vector<Req> good;
  good.push_back(request(*store_, a, 1, {activated("start", 1, "startEvent")}));
  good.push_back(create_request(*store_, kKeyB));
  auto written = linked(good);
  ASSERT_TRUE(written[0].status.ok()) << written[0].status.error().message;
  ASSERT_TRUE(written[1].status.ok()) << written[1].status.error().message;
  EXPECT_TRUE(written[1].created);
  EXPECT_FALSE(written[0].head_hash.empty());
  EXPECT_EQ(store_->instance(a)->last_seq, 2);
  EXPECT_EQ(store_->instance(written[1].instance_id)->business_key, kKeyB);
  EXPECT_EQ(count("instances"), 2);
}

TEST_F(SqliteAppend, UnknownInstanceIsNotFound) {
  auto results =
      append_all(*store_, request(*store_, 4242, 0, {activated("start", 1, "startEvent")}));
  ASSERT_FALSE(results[0].status.ok());
  EXPECT_EQ(results[0].status.error().code, ErrorCode::kNotFound);
  EXPECT_NE(results[0].status.error().message.find("4242"), std::string::npos);
  EXPECT_EQ(count("events"), 0);
  EXPECT_EQ(count("instances"), 0);
}

TEST_F(SqliteAppend, MalformedRequestsFailTheirRequestOnly) {
  const std::int64_t a = create(kKeyA);
  const std::int64_t b = create(kKeyB);
  Req gap = request(*store_, b, 1, {activated("start", 1, "startEvent")});
  gap->request.events[0].seq = 5;  // not dense
  Req stateless = request(*store_, a, 1, {activated("start", 1, "startEvent")});
  stateless->request.new_state = nullptr;  // the engine always gives the state
  auto results = append_all(*store_, stateless, gap,
                            request(*store_, b, 1, {activated("start", 1, "startEvent")}));
  ASSERT_FALSE(results[0].status.ok());
  EXPECT_EQ(results[0].status.error().code, ErrorCode::kInternal);
  EXPECT_NE(results[0].status.error().message.find("without its state"), std::string::npos)
      << results[0].status.error().message;
  ASSERT_FALSE(results[1].status.ok());
  EXPECT_EQ(results[1].status.error().code, ErrorCode::kInternal);
  EXPECT_NE(results[1].status.error().message.find("not dense"), std::string::npos)
      << results[1].status.error().message;
  EXPECT_TRUE(results[2].status.ok());
  EXPECT_EQ(store_->instance(a)->last_seq, 1);
  EXPECT_EQ(store_->events(a)->size(), 1u);
  EXPECT_TRUE(store_->instance(a)->active_elements.empty());
  EXPECT_EQ(store_->instance(b)->last_seq, 2);
}

TEST_F(SqliteAppend, DuplicateKeyInTheProjectionFailsTheRequestOnly) {
  const std::int64_t a = create(
      kKeyA, {activated("start", 1, "startEvent"), task_created(2, "t", "Tarea", {"rector"}, "f")});
  auto results =
      append_all(*store_, request(*store_, a, 3, {task_created(2, "t", "Tarea", {"rector"}, "f")}));
  ASSERT_FALSE(results[0].status.ok());
  EXPECT_EQ(results[0].status.error().code, ErrorCode::kInternal);
  EXPECT_EQ(store_->instance(a)->last_seq, 3);
  auto later = append_all(*store_, request(*store_, a, 3, {completed("start", 1)}));
  EXPECT_TRUE(later[0].status.ok());
}

// Requests are not wrapped in savepoints: one that fails after it has written rows (here a new
// task, before its duplicate task) rolls the transaction back, and the batch is
// written again without it, so the requests before and after it commit exactly once.
TEST_F(SqliteAppend, ARequestThatFailsAfterWritingIsUndoneAloneAndTheOthersCommitOnce) {
  const std::int64_t a = create(kKeyA, {task_created(2, "t", "Tarea", {"rector"}, "f")});
  const std::int64_t b = create(kKeyB);
  auto results = append_all(*store_, request(*store_, b, 1, {activated("start", 1, "startEvent")}),
                            request(*store_, a, 2,
                                    {task_created(3, "u", "Otra", {"rector"}, "f"),
                                     task_created(2, "t", "Tarea", {"rector"}, "f")}),
                            create_request(*store_, key_of("d02_03", "333", "2024")));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].status.ok());
  ASSERT_FALSE(results[1].status.ok());
  EXPECT_EQ(results[1].status.error().code, ErrorCode::kInternal);
  ASSERT_TRUE(results[2].status.ok());
  EXPECT_TRUE(results[2].created);
  EXPECT_EQ(store_->instance(a)->last_seq, 2);
  EXPECT_EQ(store_->task(runtime::task_id_for(a, 3)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->tasks(Q().with_instance(a))->size(), 1u);
  EXPECT_EQ(store_->instance(b)->last_seq, 2);
  EXPECT_EQ(store_->events(b)->size(), 2u);
  EXPECT_EQ(store_->instance(results[2].instance_id)->last_seq, 1);
  EXPECT_EQ(count("instances"), 3);
  EXPECT_EQ(count("event_batches"), 4);  // a's creation, b's creation and request, the new one
}

// append() plans a request's writes on the caller's thread from the chain head the request
// names; in its turn it executes the plan only when that head is the instance's real one, and
// plans again otherwise (here: a request naming a wrong head), with the same outcome.
TEST_F(SqliteAppend, ARequestPlannedFromAStaleHeadWritesWhatAFreshOneWrites) {
  for (bool stale : {false, true}) {
    SCOPED_TRACE(stale ? "stale head" : "fresh head");
    const runtime::BusinessKey key =
        key_of("d02_03", stale ? "111001000009" : "111001000008", "2024");
    const std::int64_t id = create(key, {activated("start", 1, "startEvent")});
    Req r = request(*store_, id, 2,
                    {completed("start", 1), activated("t", 2, "userTask"),
                     task_created(2, "t", "Tarea", {"rector"}, "f"), variables_set({{"x", 1}})});
    if (stale) r->request.head_hash = std::string(64, 'f');
    auto results = append_all(*store_, r);
    ASSERT_TRUE(results[0].status.ok()) << results[0].status.error().message;

    auto events = store_->events(id).value();
    ASSERT_EQ(events.size(), 6u);
    EXPECT_TRUE(audit::verify_chain(id, events, store_->instance(id)->head_hash).intact);
    EXPECT_EQ(results[0].head_hash, events.back().hash);
    EXPECT_EQ(store_->instance(id)->active_elements, std::vector<std::string>{"t"});
    EXPECT_EQ(store_->variables(id).value(), (Variables{{"x", 1}}));
    EXPECT_EQ(store_->tasks(Q().with_instance(id))->size(), 1u);
  }
}

TEST_F(SqliteAppend, EventsAreAppendOnlyInTheDatabase) {
  const std::int64_t id = create(kKeyA, {activated("start", 1, "startEvent")});
  RawDb raw(path_);
  const std::string batch = "instance_id = " + std::to_string(id);
  EXPECT_NE(raw.exec("UPDATE event_batches SET events = '[]' WHERE " + batch), SQLITE_OK);
  EXPECT_NE(raw.last_error().find("events are append-only"), std::string::npos) << raw.last_error();
  EXPECT_NE(raw.exec("DELETE FROM event_batches"), SQLITE_OK);
  EXPECT_NE(raw.last_error().find("events are append-only"), std::string::npos) << raw.last_error();
  EXPECT_NE(raw.exec("INSERT OR REPLACE INTO event_batches SELECT * FROM event_batches"),
            SQLITE_OK);
  EXPECT_NE(raw.last_error().find("events are append-only"), std::string::npos) << raw.last_error();
  EXPECT_NE(raw.exec("INSERT OR REPLACE INTO event_batches(instance_id, first_seq, last_seq, "
                     "prev_hash, events) SELECT instance_id, first_seq, last_seq, prev_hash, '[]' "
                     "FROM event_batches"),
            SQLITE_OK);
  EXPECT_NE(raw.last_error().find("events are append-only"), std::string::npos) << raw.last_error();
  // The view of one row per event cannot be written at all.
  EXPECT_NE(raw.exec("DELETE FROM events"), SQLITE_OK);
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM events"), 2);
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM event_batches"), 1) << "one row per request";
  auto events = store_->events(id);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(runtime::payload_json((*events)[1]).at("element"), "start");
}

TEST_F(SqliteAppend, TwoStoresOnOneFileRaceAndExactlyOneWins) {
  const std::int64_t id = create(kKeyA, {activated("task", 1, "userTask")});
  for (int round = 0; round < 5; ++round) {
    const std::int64_t seq = store_->instance(id)->last_seq;
    auto one = open_ok(path_);
    auto two = open_ok(path_);
    ASSERT_NE(one, nullptr);
    ASSERT_NE(two, nullptr);
    std::atomic<int> ready{0};
    std::vector<AppendResult> r1;
    std::vector<AppendResult> r2;
    auto race = [&](SqliteStore& s, std::vector<AppendResult>& out, const std::string& name) {
      Req req = request(s, id, seq, {variables_set({{"who", name}})});
      ++ready;
      while (ready.load() < 2) std::this_thread::yield();
      out = {s.append(req->request)};
    };
    std::thread t1(race, std::ref(*one), std::ref(r1), "one");
    std::thread t2(race, std::ref(*two), std::ref(r2), "two");
    t1.join();
    t2.join();
    const bool ok1 = r1[0].status.ok();
    const bool ok2 = r2[0].status.ok();
    EXPECT_NE(ok1, ok2) << "exactly one must win";
    const AppendResult& loser = ok1 ? r2[0] : r1[0];
    ASSERT_FALSE(loser.status.ok());
    EXPECT_EQ(loser.status.error().code, ErrorCode::kConflict) << loser.status.error().message;
    EXPECT_EQ(store_->instance(id)->last_seq, seq + 1);
    EXPECT_EQ(store_->variables(id)->at("who"), ok1 ? "one" : "two");
  }
}

TEST_F(SqliteAppend, BusyDatabaseFailsTheWholeBatchWithConflict) {
  const std::int64_t id = create(kKeyA);
  store_.reset();
  SqliteOptions options;
  options.busy_timeout_ms = 50;
  store_ = open_ok(path_, options);
  ASSERT_NE(store_, nullptr);

  Req first = request(*store_, id, 1, {activated("start", 1, "startEvent")});
  Req second = create_request(*store_, kKeyB);  // its id reserved before the lock
  RawDb locker(path_);
  ASSERT_EQ(locker.exec("BEGIN IMMEDIATE"), SQLITE_OK);
  auto results = append_all(*store_, first, second);
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.error().code, ErrorCode::kConflict);
    EXPECT_NE(r.status.error().message.find("database is busy"), std::string::npos)
        << r.status.error().message;
    EXPECT_FALSE(r.created);
  }
  ASSERT_EQ(locker.exec("ROLLBACK"), SQLITE_OK);

  auto retry = append_all(*store_, request(*store_, id, 1, {activated("start", 1, "startEvent")}));
  EXPECT_TRUE(retry[0].status.ok());
}

TEST_F(SqliteAppend, FullDiskFailsTheWholeBatchWithIoAndWritesNothing) {
  const std::int64_t id = create(kKeyA);
  std::int64_t pages = 0;
  {
    RawDb raw(path_);
    pages = raw.scalar("PRAGMA page_count");
  }
  store_.reset();
  SqliteOptions options;
  options.max_page_count = pages + 2;
  store_ = open_ok(path_, options);
  ASSERT_NE(store_, nullptr);

  const std::string big(256 * 1024, 'z');  // far more than two pages
  auto results = append_all(*store_, request(*store_, id, 1, {variables_set({{"small", 1}})}),
                            create_request(*store_, kKeyB),
                            request(*store_, id, 2, {variables_set({{"big", big}})}));
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) {
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.error().code, ErrorCode::kIo) << r.status.error().message;
    EXPECT_NE(r.status.error().message.find(path_), std::string::npos);
    EXPECT_FALSE(r.created);
  }
  EXPECT_EQ(store_->instance(id)->last_seq, 1);
  EXPECT_FALSE(store_->find_instance(kKeyB)->has_value());
  EXPECT_TRUE(store_->variables(id)->empty());
  EXPECT_EQ(count("events"), 1);

  // The store stays usable for what fits.
  auto small = append_all(*store_, request(*store_, id, 1, {variables_set({{"small", 1}})}));
  EXPECT_TRUE(small[0].status.ok()) << small[0].status.error().message;
}

TEST_F(SqliteAppend, EmptyBatchAndEmptyRequestAreFine) {
  EXPECT_TRUE(append_all(*store_).empty());
  const std::int64_t id = create(kKeyA);
  auto results = append_all(*store_, request(*store_, id, 1, {}));
  EXPECT_TRUE(results[0].status.ok());
  EXPECT_EQ(store_->instance(id)->last_seq, 1);
}

TEST_F(SqliteAppend, CreationWithoutInstanceCreatedIsRefused) {
  Req r =
      request(*store_, *store_->reserve_instance_id(), 0, {activated("start", 1, "startEvent")});
  r->request.create = true;
  r->request.business_key = kKeyA;
  auto results = append_all(*store_, r);
  ASSERT_FALSE(results[0].status.ok());
  EXPECT_EQ(results[0].status.error().code, ErrorCode::kInternal);
  EXPECT_EQ(count("instances"), 0);
}

TEST_F(SqliteAppend, ManyRequestsInOneBatch) {
  std::vector<Req> batch;
  for (int i = 0; i < 200; ++i) {
    batch.push_back(create_request(
        *store_, key_of("p", "school-" + std::to_string(i), "2024"),
        {activated("start", 1, "startEvent"), completed("start", 1),
         activated("task", 2, "userTask"), task_created(2, "task", "Task", {"rector"}, "f")}));
  }
  auto results = append_all(*store_, batch);
  ASSERT_EQ(results.size(), 200u);
  for (const auto& r : results) EXPECT_TRUE(r.status.ok());
  EXPECT_EQ(count("events"), 1000);
  EXPECT_EQ(store_->tasks(Q().with_role("rector"))->size(), 200u);
}

// An event_batches row is read by a scanner of the store's own layout, and by a generic JSON
// parse when the row is laid out otherwise (keys reordered, spaces: changed by hand): both
// give the same events, and text that is not events is refused with a reason.
TEST_F(SqliteAppend, ABatchReadsTheSameInTheStoresLayoutAndInAnyOtherJson) {
  const std::int64_t id = create(kKeyA, {activated("start", 1, "startEvent"),
                                         task_created(2, "t", "Tarea", {"rector"}, "f", 2000)});
  RawDb raw(path_);
  const auto row = raw.rows("SELECT prev_hash, events FROM event_batches WHERE instance_id = " +
                            std::to_string(id));
  ASSERT_EQ(row.size(), 1u);
  const std::string& prev_hash = row[0][0];
  const std::string& text = row[0][1];
  std::vector<Event> stored;
  ASSERT_EQ(detail::read_batch(id, text, 1, INT64_MAX, prev_hash, stored), std::nullopt);
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_TRUE(audit::verify_chain(id, stored, store_->instance(id)->head_hash).intact);

  std::vector<Event> generic;
  const std::string indented = Json::parse(text).dump(2);  // keys sorted, spaces
  ASSERT_NE(indented, text);
  ASSERT_EQ(detail::read_batch(id, indented, 1, INT64_MAX, prev_hash, generic), std::nullopt);
  ASSERT_EQ(generic.size(), stored.size());
  for (std::size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ(generic[i].seq, stored[i].seq);
    EXPECT_EQ(generic[i].type(), stored[i].type());
    EXPECT_EQ(generic[i].time_ms, stored[i].time_ms);
    EXPECT_EQ(generic[i].actor, stored[i].actor);
    EXPECT_EQ(runtime::payload_json(generic[i]), runtime::payload_json(stored[i]));
    EXPECT_EQ(generic[i].prev_hash, stored[i].prev_hash);
    EXPECT_EQ(generic[i].hash, stored[i].hash);
  }
  std::vector<Event> some;  // a seq range keeps the chain of the events before it
  ASSERT_EQ(detail::read_batch(id, text, 2, 2, prev_hash, some), std::nullopt);
  ASSERT_EQ(some.size(), 1u);
  EXPECT_EQ(some[0].prev_hash, stored[0].hash);

  std::vector<Event> none;
  EXPECT_EQ(detail::read_batch(id, "[{oops", 1, INT64_MAX, prev_hash, none), "not JSON");
  EXPECT_EQ(detail::read_batch(id, "{}", 1, INT64_MAX, prev_hash, none),
            "not a JSON array of events");
  EXPECT_NE(detail::read_batch(id, R"([{"type":1,"hash":"ab"}])", 1, INT64_MAX, prev_hash, none),
            std::nullopt);
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace pmiflow::persistence::testing
