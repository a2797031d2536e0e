// Durability: WalSync (the fdatasync that acknowledges a commit under Durability::kFull), the
// store's `committed` report before it, and events encoded by the caller.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "engine/engine/audit.h"
#include "persistence/sqlite/sqlite_wal_sync.h"
#include "sqlite_test_util.h"

namespace pmiflow::persistence::testing {
namespace {

const runtime::BusinessKey kKey = key_of("d02_03", "111001000001", "2024");

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
  Req r = create_request(*store, kKey);
  std::vector<AppendRequest*> batch{&r->request};
  auto results = store->append_batch(batch, [&] { ++calls; });
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
  Req r = create_request(*store, kKey);
  std::vector<AppendRequest*> batch{&r->request};
  auto results = store->append_batch(batch, [&] { ++calls; });
  ASSERT_TRUE(results[0].status.ok());
  EXPECT_EQ(calls, 0);
}

TEST(SqliteDurability, AcknowledgedMeansDurableThroughTheGroupCommit) {
  TempDir dir;
  const std::string path = dir.file("acked.db");
  std::int64_t id = 0;
  {
    auto store = open_ok(path);
    ASSERT_NE(store, nullptr);
    Req created = create_request(*store, kKey, {activated("start", 1, "startEvent")});
    AppendResult result = store->append(created->request);
    ASSERT_TRUE(result.status.ok()) << result.status.error().message;
    id = result.instance_id;
    EXPECT_EQ(store->stats().requests, 1U);
    EXPECT_EQ(store->stats().group_commits, 1U);
  }
  // What was acknowledged is there when the file is opened again.
  auto reopened = open_ok(path);
  ASSERT_NE(reopened, nullptr);
  auto events = reopened->events(id);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 2U);
  EXPECT_TRUE(audit::verify_chain(id, *events, reopened->instance(id)->head_hash).intact);
}

}  // namespace
}  // namespace pmiflow::persistence::testing
