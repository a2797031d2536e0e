// The SQLite store's writer queue (sqlite_group_commit.h), driven by a scripted group writer:
// groups are written by the queue's own threads, and pipelined: the next group is written
// while the previous one is being made durable, and nothing is acknowledged before its own
// group is durable.
#include <condition_variable>
#include <future>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "persistence/sqlite/sqlite_group_commit.h"

namespace pmiflow::persistence::detail {
namespace {

// Writes groups by recording them; once armed, holds the next group between "committed" and
// "durable" until opened, as SqliteStore does while it fsyncs.
class ScriptedWriter {
 public:
  std::vector<AppendResult> write(std::vector<PendingAppend*>& group,
                                  const std::function<void()>& committed) {
    bool hold = false;
    {
      std::lock_guard lock(mu_);
      std::vector<std::int64_t> ids;
      for (const PendingAppend* p : group) ids.push_back(p->request->instance_id);
      groups_.push_back(std::move(ids));
      threads_.push_back(std::this_thread::get_id());
      hold = std::exchange(armed_, false);
    }
    committed();
    if (hold) {
      held_.count_down();
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return open_; });
    }
    std::vector<AppendResult> results;
    for (const PendingAppend* p : group) {
      results.push_back(AppendResult{{}, p->request->instance_id, false, "head"});
    }
    return results;
  }

  void arm() {
    std::lock_guard lock(mu_);
    armed_ = true;
  }
  void wait_until_held() { held_.wait(); }
  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  std::vector<std::vector<std::int64_t>> groups() {
    std::lock_guard lock(mu_);
    return groups_;
  }
  std::vector<std::thread::id> threads() {
    std::lock_guard lock(mu_);
    return threads_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::latch held_{1};
  bool armed_ = false;
  bool open_ = false;
  std::vector<std::vector<std::int64_t>> groups_;
  std::vector<std::thread::id> threads_;
};

struct Queue {
  ScriptedWriter writer;
  GroupCommit commit{
      [this](std::vector<PendingAppend*>& group, const std::function<void()>& committed) {
        return writer.write(group, committed);
      },
      512};

  AppendResult append(std::int64_t id) {
    AppendRequest request;
    request.instance_id = id;
    PendingAppend pending{&request, std::nullopt, std::nullopt, {}, {}};
    return commit.append(pending);
  }
};

TEST(SqliteGroupCommit, NextGroupIsWrittenWhileThePreviousIsMadeDurable) {
  Queue q;
  q.writer.arm();  // the next group (A's) commits, then waits to become durable
  std::promise<bool> a_done;
  std::thread first([&] { a_done.set_value(q.append(1).status.ok()); });
  q.writer.wait_until_held();
  auto a_result = a_done.get_future();

  // B is written, committed and acknowledged while A's group is not durable.
  auto b_result = std::async(std::launch::async, [&] { return q.append(2).status.ok(); });
  const bool b_went_through = b_result.wait_for(std::chrono::seconds(60)) ==
                              std::future_status::ready;  // a guard against a hang only
  EXPECT_TRUE(b_went_through) << "the second group waited for the first one's sync";
  EXPECT_EQ(a_result.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "A was acknowledged before its group was durable";

  q.writer.open();
  first.join();
  EXPECT_TRUE(b_result.get());
  EXPECT_TRUE(a_result.get());
  EXPECT_EQ(q.writer.groups(), (std::vector<std::vector<std::int64_t>>{{1}, {2}}));
  const GroupCommitStats stats = q.commit.stats();
  EXPECT_EQ(stats.requests, 2U);
  EXPECT_EQ(stats.group_commits, 2U);
}

TEST(SqliteGroupCommit, GroupsAreWrittenByTheQueuesWritersNotByTheCallersThreads) {
  Queue q;
  std::thread::id caller;
  std::thread other([&] {
    caller = std::this_thread::get_id();
    EXPECT_TRUE(q.append(7).status.ok());
  });
  other.join();
  EXPECT_TRUE(q.append(8).status.ok());

  const auto threads = q.writer.threads();
  ASSERT_EQ(threads.size(), 2U);
  for (const std::thread::id& t : threads) {
    EXPECT_NE(t, std::this_thread::get_id());
    EXPECT_NE(t, caller);
  }
}

TEST(SqliteGroupCommit, AWriterThatThrowsFailsItsGroupWithInternal) {
  GroupCommit commit(
      [](std::vector<PendingAppend*>&, const std::function<void()>&) -> std::vector<AppendResult> {
        throw std::runtime_error("disk gone");
      },
      512);
  AppendRequest request;
  request.instance_id = 3;
  PendingAppend pending{&request, std::nullopt, std::nullopt, {}, {}};
  AppendResult result = commit.append(pending);
  ASSERT_FALSE(result.status.ok());
  EXPECT_EQ(result.status.error().code, ErrorCode::kInternal);
  EXPECT_EQ(result.status.error().message, "disk gone");
}

}  // namespace
}  // namespace pmiflow::persistence::detail
