// Opening a database: migrations, recognition of foreign files, I/O failures.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "engine/engine/audit.h"
#include "persistence/sqlite/sqlite_schema.h"
#include "sqlite_test_util.h"

namespace pmiflow::persistence::testing {
namespace {

constexpr std::int64_t kPmif = 0x504D4946;
const runtime::BusinessKey kKey = key_of("d02_03", "111001000001", "2024");

TEST(SqliteStoreOpen, NewFileGetsTheLatestSchemaAndApplicationId) {
  TempDir dir;
  const std::string path = dir.file("new.db");
  ASSERT_NE(open_ok(path), nullptr);

  RawDb raw(path);
  EXPECT_EQ(raw.scalar("PRAGMA user_version"), SqliteStore::schema_version());
  EXPECT_GE(SqliteStore::schema_version(), 1);
  EXPECT_EQ(raw.scalar("PRAGMA application_id"), kPmif);
  EXPECT_EQ(raw.rows("PRAGMA journal_mode")[0][0], "wal");
  for (const char* table :
       {"definitions", "instances", "event_batches", "tasks", "task_groups", "variables", "jobs",
        "incidents", "timers", "join_arrivals", "records", "outbox", "forms", "definition_forms"}) {
    EXPECT_EQ(raw.scalar(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                     "AND name = '") +
                         table + "'"),
              1)
        << table;
  }
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'view' AND name = "
                       "'events'"),
            1);
  // event_batches: update, delete, insert-or-replace; records: update, delete.
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"), 5);
}

TEST(SqliteStoreOpen, ReopeningKeepsDataAndDoesNotMigrateAgain) {
  TempDir dir;
  const std::string path = dir.file("reopen.db");
  std::int64_t id = 0;
  {
    auto store = open_ok(path);
    ASSERT_NE(store, nullptr);
    auto results = append_all(*store, create_request(*store, kKey));
    ASSERT_TRUE(results[0].status.ok()) << results[0].status.error().message;
    id = results[0].instance_id;
    ASSERT_TRUE(store->deploy("d02_03", "<xml/>", "abc", "d02.bpmn", {}, 5).ok());
  }
  auto store = open_ok(path);
  ASSERT_NE(store, nullptr);
  auto found = store->find_instance(kKey);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, id);
  auto events = store->events(id);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 1u);
  EXPECT_EQ(store->definitions()->size(), 1u);
  RawDb raw(path);
  EXPECT_EQ(raw.scalar("PRAGMA user_version"), SqliteStore::schema_version());
}

// A database made by the first release (schema 1: only migration 1 applied) with a definition
// and an instance whose events are rows of the old events table: opening it runs migrations 2
// and 3. Its definition stays, bound to no form; its events become batches of one, read back
// exactly, their chain intact; its active element moves to instances.active_elements; the
// instance goes on with new requests.
TEST(SqliteStoreOpen, SchemaOneDatabaseIsMigratedWithItsDefinitionsAndEvents) {
  TempDir dir;
  const std::string path = dir.file("v1.db");
  const std::vector<runtime::Event> made = {activated("start", 1, "startEvent")};
  std::vector<runtime::Event> old_events;  // as a schema-1 store sealed them
  {
    RawDb raw(path);
    ASSERT_EQ(raw.exec(detail::migrations()[0].sql), SQLITE_OK) << raw.last_error();
    ASSERT_EQ(
        raw.exec("PRAGMA user_version = 1; PRAGMA application_id = " + std::to_string(kPmif) + ";"),
        SQLITE_OK);
    ASSERT_EQ(raw.exec("INSERT INTO definitions VALUES('d02_03', 1, 'abc', '<xml/>', 'd02.bpmn', "
                       "5)"),
              SQLITE_OK);
    // InstanceCreated as version 1 wrote it: the business key was (process, school, period).
    runtime::Event created;
    created.type_version = 1;
    created.time_ms = 1000;
    created.actor = runtime::Actor::engine();
    created.definition_version = 1;
    created.stored_payload =
        R"({"period":"2024","process":"d02_03","school":"111001000001","variables":{}})";
    created.body = runtime::decode_payload(runtime::EventType::kInstanceCreated, 1,
                                           Json::parse(created.stored_payload))
                       .value();
    old_events = {created};
    for (auto e : made) old_events.push_back(e);
    for (std::size_t i = 0; i < old_events.size(); ++i) {
      old_events[i].instance_id = 1;
      old_events[i].seq = static_cast<std::int64_t>(i) + 1;
    }
    const std::string head = audit::seal(1, audit::kGenesisHash, old_events);
    ASSERT_EQ(raw.exec("INSERT INTO instances(id, process, school, period, version, status, "
                       "last_seq, head_hash, created_ms) VALUES(1, 'd02_03', '111001000001', "
                       "'2024', 1, 'active', 2, '" +
                       head + "', 5)"),
              SQLITE_OK);
    ASSERT_EQ(raw.exec("INSERT INTO elements VALUES(1, 1, 'start')"), SQLITE_OK);
    for (const auto& e : old_events) {
      const auto enc = audit::encode(1, e.prev_hash, e);
      ASSERT_EQ(raw.exec("INSERT INTO events VALUES(1, " + std::to_string(e.seq) + ", " +
                         std::to_string(static_cast<int>(e.type())) + ", " +
                         std::to_string(e.type_version) + ", " + std::to_string(e.time_ms) + ", '" +
                         enc.actor + "', " + std::to_string(e.definition_version) + ", '" +
                         enc.payload + "', '" + e.prev_hash + "', '" + e.hash + "')"),
                SQLITE_OK)
          << raw.last_error();
    }
  }
  auto store = open_ok(path);
  ASSERT_NE(store, nullptr);
  RawDb raw(path);
  EXPECT_EQ(raw.scalar("PRAGMA user_version"), SqliteStore::schema_version());
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM event_batches WHERE first_seq = last_seq"), 2);
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'activation_counts'"), 0);
  auto events = store->events(1);
  ASSERT_TRUE(events.ok()) << events.error().message;
  ASSERT_EQ(events->size(), old_events.size());
  for (std::size_t i = 0; i < old_events.size(); ++i) {
    EXPECT_EQ((*events)[i].type(), old_events[i].type()) << i;
    EXPECT_EQ((*events)[i].seq, old_events[i].seq) << i;
    EXPECT_EQ((*events)[i].time_ms, old_events[i].time_ms) << i;
    EXPECT_EQ((*events)[i].actor, old_events[i].actor) << i;
    EXPECT_EQ(runtime::payload_json((*events)[i]), runtime::payload_json(old_events[i])) << i;
    EXPECT_EQ((*events)[i].prev_hash, old_events[i].prev_hash) << i;
    EXPECT_EQ((*events)[i].hash, old_events[i].hash) << i;
  }
  EXPECT_TRUE(audit::verify_chain(1, *events, store->instance(1)->head_hash).intact);
  EXPECT_EQ(store->instance(1)->active_elements, std::vector<std::string>{"start"});
  auto more = append_all(*store, request(*store, 1, 2, {completed("start", 1)}));
  ASSERT_TRUE(more[0].status.ok()) << more[0].status.error().message;
  EXPECT_EQ(store->events(1)->size(), 3u);
  EXPECT_TRUE(store->instance(1)->active_elements.empty());

  auto old = store->definition("d02_03", 1);
  ASSERT_TRUE(old.ok()) << old.error().message;
  EXPECT_EQ(old->xml, "<xml/>");
  EXPECT_TRUE(old->forms.empty());
  auto deployed =
      store->deploy("d02_03", "<xml/>", "abc", "d02.bpmn", {{"f", "{}", "sha-f", "f.form"}}, 6);
  ASSERT_TRUE(deployed.ok()) << deployed.error().message;
  EXPECT_TRUE(deployed->created) << "the same XML bound to a form is a new version";
  EXPECT_EQ(deployed->definition.version, 2);
  EXPECT_EQ(store->definition("d02_03", 2)->forms, (std::map<std::string, std::int32_t>{{"f", 1}}));
}

TEST(SqliteStoreOpen, SchemaThreeDatabaseKeepsItsVariablesRecordsAndTasksWhenMigrated) {
  TempDir dir;
  const std::string path = dir.file("v3.db");
  {
    RawDb raw(path);
    for (std::size_t i = 0; i < 3; ++i) {
      ASSERT_EQ(raw.exec(detail::migrations()[i].sql), SQLITE_OK) << i << raw.last_error();
    }
    ASSERT_EQ(
        raw.exec("PRAGMA user_version = 3; PRAGMA application_id = " + std::to_string(kPmif) + ";"),
        SQLITE_OK);
    ASSERT_EQ(raw.exec("INSERT INTO instances(id, process, school, period, version, status, "
                       "last_seq, head_hash, created_ms) VALUES(1, 'd02_03', '111001000001', "
                       "'2024', 1, 'active', 9, 'h', 5), (2, 'd02_03', '111001000002', '2024', 1, "
                       "'active', 4, 'h', 5)"),
              SQLITE_OK);
    ASSERT_EQ(raw.exec("INSERT INTO variables VALUES(1, 'b', '2'), (1, 'a', '\"x\"'), "
                       "(2, 'a', 'true')"),
              SQLITE_OK);
    ASSERT_EQ(raw.exec("INSERT INTO records VALUES(2, 4, 'plan', 'A05', '111001000002', '2024', "
                       "'{\"n\":2}', 7), (1, 9, 'acta', 'A07', '111001000001', '2024', "
                       "'{\"n\":1}', 8), (1, 3, 'plan', 'A05', '111001000001', '2024', "
                       "'{\"n\":0}', 6)"),
              SQLITE_OK)
        << raw.last_error();
    ASSERT_EQ(raw.exec("INSERT INTO tasks VALUES('1-4', 1, 4, 'A05', 'Apoyar', "
                       "'[\"lider\",\"rector\"]', '', 6), ('2-3', 2, 3, 'A01', 'Analizar', "
                       "'[\"lider\"]', '', 7); INSERT INTO task_groups VALUES('lider', '1-4'), "
                       "('rector', '1-4'), ('lider', '2-3')"),
              SQLITE_OK)
        << raw.last_error();
  }
  auto store = open_ok(path);
  ASSERT_NE(store, nullptr);
  RawDb raw(path);
  EXPECT_EQ(raw.scalar("PRAGMA user_version"), SqliteStore::schema_version());
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM sqlite_schema WHERE name IN ('variables', 'records') "
                       "AND sql NOT LIKE '%WITHOUT ROWID%'"),
            2);
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'tasks' AND sql LIKE "
                       "'%WITHOUT ROWID%'"),
            1);
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'task_groups_by_task'"), 0);
  auto lider = store->tasks(TaskQuery{"lider", {}, {}});
  ASSERT_TRUE(lider.ok()) << lider.error().message;
  ASSERT_EQ(lider->size(), 2u);
  EXPECT_EQ((*lider)[0].id, "1-4");
  EXPECT_EQ((*lider)[0].candidate_groups, (std::vector<std::string>{"lider", "rector"}));
  EXPECT_EQ(store->tasks(TaskQuery{"rector", {}, {}})->size(), 1u);
  EXPECT_EQ(store->tasks(TaskQuery{{}, 2, {}})->front().id, "2-3");
  EXPECT_EQ(*store->variables(1), (Variables{{"a", "x"}, {"b", 2}}));
  EXPECT_EQ(*store->variables(2), (Variables{{"a", true}}));
  auto records = store->records({});
  ASSERT_TRUE(records.ok()) << records.error().message;
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].seq, 3);
  EXPECT_EQ((*records)[0].data, (Json{{"n", 0}}));
  EXPECT_EQ((*records)[1].seq, 9);
  EXPECT_EQ((*records)[2].instance_id, 2);
  EXPECT_EQ(store->records({"plan", {{"period", "2024"}}})->size(), 2u);
  // The business key of before migration 5 became D02.03's (business id and tags).
  EXPECT_EQ(store->instance(1)->business_key, key_of("d02_03", "111001000001", "2024"));
  EXPECT_EQ(store->instance(1)->tags,
            (runtime::Tags{{"period", "2024"}, {"school", "111001000001"}}));
  EXPECT_EQ((*records)[2].tags.at("school"), "111001000002");
  // The keys stay unique, and records stay append-only.
  EXPECT_NE(raw.exec("INSERT INTO variables VALUES(1, 'a', '1')"), SQLITE_OK);
  EXPECT_NE(raw.exec("INSERT INTO records VALUES(1, 9, 'acta', 'A07', '{}', 9)"), SQLITE_OK);
  EXPECT_NE(raw.exec("UPDATE records SET data = '{}'"), SQLITE_OK);
  EXPECT_NE(raw.exec("DELETE FROM records"), SQLITE_OK);
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM records"), 3);
}

TEST(SqliteStoreOpen, TwoOpenersOfANewFileMigrateItOnce) {
  TempDir dir;
  const std::string path = dir.file("race.db");
  std::unique_ptr<SqliteStore> a;
  std::unique_ptr<SqliteStore> b;
  std::thread ta([&] { a = open_ok(path); });
  std::thread tb([&] { b = open_ok(path); });
  ta.join();
  tb.join();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  auto results = append_all(*a, create_request(*a, kKey));
  ASSERT_TRUE(results[0].status.ok());
  EXPECT_TRUE(b->find_instance(kKey)->has_value());
}

TEST(SqliteStoreOpen, PlainTextFileIsNotADatabase) {
  TempDir dir;
  const std::string path = dir.file("notes.txt");
  const std::string text(4096, 'x');
  write_bytes(path, "these are my notes, not a database\n" + text);
  const std::string before = read_bytes(path);

  auto store = SqliteStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kNotADatabase) << store.error().message;
  EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
  EXPECT_EQ(read_bytes(path), before);
}

TEST(SqliteStoreOpen, ForeignSqliteDatabaseIsRefusedAndLeftUnchanged) {
  TempDir dir;
  const std::string path = dir.file("other.db");
  {
    RawDb raw(path);
    ASSERT_EQ(raw.exec("CREATE TABLE foo(x); INSERT INTO foo VALUES (1), (2);"), SQLITE_OK);
  }
  const std::string before = read_bytes(path);
  ASSERT_FALSE(before.empty());

  auto store = SqliteStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kNotADatabase) << store.error().message;
  EXPECT_NE(store.error().message.find(path), std::string::npos);
  EXPECT_EQ(read_bytes(path), before);
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST(SqliteStoreOpen, ForeignApplicationIdIsRefused) {
  TempDir dir;
  const std::string path = dir.file("other-app.db");
  {
    RawDb raw(path);
    ASSERT_EQ(raw.exec("PRAGMA application_id = 1234; PRAGMA user_version = 1;"), SQLITE_OK);
  }
  const std::string before = read_bytes(path);
  auto store = SqliteStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kNotADatabase) << store.error().message;
  EXPECT_EQ(read_bytes(path), before);
}

TEST(SqliteStoreOpen, NewerSchemaIsRefusedAndLeftUnchanged) {
  TempDir dir;
  const std::string path = dir.file("future.db");
  ASSERT_NE(open_ok(path), nullptr);
  {
    RawDb raw(path);
    ASSERT_EQ(
        raw.exec("PRAGMA user_version = " + std::to_string(SqliteStore::schema_version() + 1)),
        SQLITE_OK);
  }
  const std::string before = read_bytes(path);

  auto store = SqliteStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kSchemaTooNew) << store.error().message;
  EXPECT_NE(store.error().message.find(path), std::string::npos);
  EXPECT_EQ(read_bytes(path), before);
  RawDb raw(path);
  EXPECT_EQ(raw.scalar("PRAGMA user_version"), SqliteStore::schema_version() + 1);
}

TEST(SqliteStoreOpen, MissingDirectoryIsIo) {
  TempDir dir;
  const std::string path = dir.file("no/such/dir/x.db");
  auto store = SqliteStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kIo);
  EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "no"));
}

TEST(SqliteStoreOpen, UnwritableLocationIsIo) {
  // /proc refuses new files even to root.
  auto store = SqliteStore::open("/proc/self/pmiflow-test.db");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kIo) << store.error().message;
  EXPECT_NE(store.error().message.find("/proc/self/pmiflow-test.db"), std::string::npos);
}

TEST(SqliteStoreOpen, ReadOnlyDirectoryIsIo) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  TempDir dir;
  const std::filesystem::path locked = dir.path() / "locked";
  std::filesystem::create_directory(locked);
  ASSERT_EQ(::chmod(locked.c_str(), 0555), 0);
  auto store = SqliteStore::open((locked / "x.db").string());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kIo) << store.error().message;
  EXPECT_NE(store.error().message.find("locked/x.db"), std::string::npos);
  ::chmod(locked.c_str(), 0755);
}

TEST(SqliteStoreOpen, ReadOnlyFileOpenedForWritingIsIo) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores file permissions";
  TempDir dir;
  const std::string path = dir.file("ro.db");
  ASSERT_NE(open_ok(path), nullptr);
  ASSERT_EQ(::chmod(path.c_str(), 0444), 0);
  auto store = SqliteStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kIo) << store.error().message;
}

TEST(SqliteStoreOpen, ReadOnlyOptionOnAMissingFileIsIo) {
  TempDir dir;
  const std::string path = dir.file("absent.db");
  SqliteOptions options;
  options.read_only = true;
  auto store = SqliteStore::open(path, options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kIo);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(SqliteStoreOpen, ReadOnlyOptionAnswersQueriesAndRefusesWrites) {
  TempDir dir;
  const std::string path = dir.file("shared.db");
  std::int64_t id = 0;
  {
    auto store = open_ok(path);
    ASSERT_NE(store, nullptr);
    auto results = append_all(*store, create_request(*store, kKey));
    ASSERT_TRUE(results[0].status.ok());
    id = results[0].instance_id;
  }
  SqliteOptions options;
  options.read_only = true;
  auto reader = open_ok(path, options);
  ASSERT_NE(reader, nullptr);
  auto row = reader->instance(id);
  ASSERT_TRUE(row.ok()) << row.error().message;
  EXPECT_EQ(row->business_key, kKey);

  auto results = append_all(*reader, request(*reader, id, 1, {instance_completed()}));
  ASSERT_EQ(results.size(), 1u);
  ASSERT_FALSE(results[0].status.ok());
  EXPECT_EQ(results[0].status.error().code, ErrorCode::kIo) << results[0].status.error().message;
  auto deployed = reader->deploy("k", "<x/>", "sha", "k.bpmn", {}, 1);
  ASSERT_FALSE(deployed.ok());
  EXPECT_EQ(deployed.error().code, ErrorCode::kIo) << deployed.error().message;
  EXPECT_EQ(reader->instance(id)->last_seq, 1);
}

TEST(SqliteStoreOpen, FastDurabilityUsesSynchronousNormal) {
  TempDir dir;
  const std::string path = dir.file("fast.db");
  SqliteOptions options;
  options.durability = SqliteOptions::Durability::kFast;
  auto store = open_ok(path, options);
  ASSERT_NE(store, nullptr);
  auto results = append_all(*store, create_request(*store, kKey));
  EXPECT_TRUE(results[0].status.ok());
}

}  // namespace
}  // namespace pmiflow::persistence::testing
