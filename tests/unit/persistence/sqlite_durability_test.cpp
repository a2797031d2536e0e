// Durability: WalSync (the fdatasync that acknowledges a commit under Durability::kFull), the
// store's `committed` report before it, and events encoded by the caller.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "engine/engine/audit.h"
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

}  // namespace
}  // namespace pmiflow::persistence::testing
