// Durability and the event table's layout: WalSync (the fdatasync that acknowledges a commit
// under Durability::kFull), pre-encoded events, and migration 3 (events in a rowid table).
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "engine/engine/audit.h"
#include "persistence/sqlite_schema.h"
#include "persistence/sqlite_wal_sync.h"
#include "sqlite_test_util.h"

namespace pmiflow::persistence::testing {
namespace {

const runtime::BusinessKey kKey{"d02_03", "111001000001", "2024"};

TEST(WalSync, EveryTicketUpToTheLastNotedIsDurableAfterOneWait) {
  TempDir dir;
  const std::string wal = dir.file("x.db-wal");
  write_bytes(wal, "frames");
  detail::WalSync sync(wal);
  const auto first = sync.note_commit();
  const auto second = sync.note_commit();
  EXPECT_LT(first, second);
  EXPECT_TRUE(sync.wait_durable(second).ok());
  EXPECT_TRUE(sync.wait_durable(first).ok());  // covered by the same fdatasync
}

TEST(WalSync, AFailureNamesTheFileAndFailsEveryLaterWait) {
  TempDir dir;
  const std::string wal = dir.file("missing.db-wal");  // never created: open() fails
  detail::WalSync sync(wal);
  auto failed = sync.wait_durable(sync.note_commit());
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kIo);
  EXPECT_NE(failed.error().message.find(wal), std::string::npos) << failed.error().message;

  write_bytes(wal, "frames");  // even once the file is there, durability cannot be vouched for
  auto later = sync.wait_durable(sync.note_commit());
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().message, failed.error().message);
}

TEST(SqliteDurability, FullDurabilityAcknowledgesAfterItsOwnSyncOfTheWal) {
  TempDir dir;
  const std::string path = dir.file("full.db");
  auto store = open_ok(path);
  ASSERT_NE(store, nullptr);
  // WalSync replaces SQLite's per-commit fsync: the commit is reported, then made durable.
  int calls = 0;
  auto results = store->append({create_request(kKey)}, [&] { ++calls; });
  ASSERT_TRUE(results[0].status.ok()) << results[0].status.error().message;
  EXPECT_EQ(calls, 1) << "the store reports the commit before making it durable";
  EXPECT_TRUE(std::filesystem::exists(path + "-wal"));
  EXPECT_FALSE(results[0].head_hash.empty());
}

TEST(SqliteDurability, FastDurabilityHasNoSeparateSyncStep) {
  TempDir dir;
  SqliteOptions options;
  options.durability = SqliteOptions::Durability::kFast;
  auto store = open_ok(dir.file("fast.db"), options);
  ASSERT_NE(store, nullptr);
  int calls = 0;
  auto results = store->append({create_request(kKey)}, [&] { ++calls; });
  ASSERT_TRUE(results[0].status.ok());
  EXPECT_EQ(calls, 0);
}

TEST(SqliteDurability, PreEncodedEventsAreStoredAsGivenOnlyWhenTheyContinueTheHead) {
  TempDir dir;
  auto store = open_ok(dir.file("encoded.db"));
  ASSERT_NE(store, nullptr);
  auto created = store->append({create_request(kKey)});
  ASSERT_TRUE(created[0].status.ok());
  const std::int64_t id = created[0].instance_id;
  const std::string head = created[0].head_hash;

  // Encoded from the right head: stored as given (and equal to what the store computes).
  AppendRequest good = request(id, 1, {activated("start", 1, "startEvent")});
  good.encoded = audit::encode_all(id, head, good.events);
  auto r1 = store->append({good});
  ASSERT_TRUE(r1[0].status.ok());
  EXPECT_EQ(r1[0].head_hash, good.encoded.back().hash);

  // Encoded from a stale head: ignored, the store seals the event itself.
  AppendRequest stale = request(id, 2, {completed("start", 1)});
  stale.encoded = audit::encode_all(id, head, stale.events);
  auto r2 = store->append({stale});
  ASSERT_TRUE(r2[0].status.ok());
  EXPECT_NE(r2[0].head_hash, stale.encoded.back().hash);

  auto events = store->events(id);
  ASSERT_TRUE(events.ok());
  auto check = audit::verify_chain(id, *events, r2[0].head_hash);
  EXPECT_TRUE(check.intact) << check.problem;
  EXPECT_EQ(check.events, 3);
}

TEST(SqliteMigration, VersionOneEventsMoveToARowidTableWithTheirChainIntact) {
  TempDir dir;
  const std::string path = dir.file("v1.db");
  // A database as pmiflow with only migration 1 left it (migrations 2 and 3 run at open), holding
  // one instance with 2 events.
  std::vector<Event> events{instance_created(kKey), activated("start", 1, "startEvent")};
  for (std::size_t i = 0; i < events.size(); ++i) {
    events[i].instance_id = 1;
    events[i].seq = static_cast<std::int64_t>(i + 1);
  }
  const auto encoded = audit::encode_all(1, audit::kGenesisHash, events);
  {
    RawDb raw(path);
    ASSERT_EQ(raw.exec("PRAGMA journal_mode = WAL"), SQLITE_OK);
    ASSERT_EQ(raw.exec(detail::migrations()[0].sql), SQLITE_OK);
    ASSERT_EQ(raw.exec("PRAGMA user_version = 1; PRAGMA application_id = " +
                       std::to_string(detail::kApplicationId)),
              SQLITE_OK);
    ASSERT_EQ(raw.exec("INSERT INTO instances(process, school, period, version, status, "
                       "last_seq, head_hash, created_ms) VALUES('d02_03', '111001000001', "
                       "'2024', 1, 'active', 2, '" +
                       encoded.back().hash + "', 1000)"),
              SQLITE_OK);
    for (std::size_t i = 0; i < events.size(); ++i) {
      const Event& e = events[i];
      ASSERT_EQ(raw.exec("INSERT INTO events VALUES(1, " + std::to_string(e.seq) + ", " +
                         std::to_string(static_cast<int>(e.type)) + ", 1, " +
                         std::to_string(e.time_ms) + ", '" + encoded[i].actor + "', " +
                         std::to_string(e.definition_version) + ", '" + encoded[i].payload +
                         "', '" + encoded[i].prev_hash + "', '" + encoded[i].hash + "')"),
                SQLITE_OK);
    }
  }

  auto store = open_ok(path);
  ASSERT_NE(store, nullptr);
  {
    RawDb raw(path);
    EXPECT_EQ(raw.scalar("PRAGMA user_version"), SqliteStore::schema_version());
    const auto ddl = raw.rows("SELECT sql FROM sqlite_schema WHERE name = 'events'");
    ASSERT_EQ(ddl.size(), 1U);
    EXPECT_EQ(ddl[0][0].find("WITHOUT ROWID"), std::string::npos) << ddl[0][0];
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = "
                         "'events_by_instance'"),
              1);
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND "
                         "tbl_name = 'events'"),
              3);
    EXPECT_NE(raw.exec("UPDATE events SET payload = '{}'"), SQLITE_OK);
    EXPECT_NE(raw.exec("INSERT OR REPLACE INTO events SELECT * FROM events"), SQLITE_OK);
  }
  auto stored = store->events(1);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  ASSERT_EQ(stored->size(), 2U);
  EXPECT_EQ(stored->back().hash, encoded.back().hash);
  EXPECT_TRUE(audit::verify_chain(1, *stored, encoded.back().hash).intact);

  // The chain goes on after the migration.
  auto more = store->append({request(1, 2, {completed("start", 1)})});
  ASSERT_TRUE(more[0].status.ok()) << more[0].status.error().message;
  auto after = store->events(1);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(audit::verify_chain(1, *after, more[0].head_hash).intact);
}

}  // namespace
}  // namespace pmiflow::persistence::testing
