#include "app/job_workers.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

namespace pmiflow::app {
namespace {

// Rounds per work_due(): a cycle of asynchronous tasks cannot hold the runner's loop forever
// (the rest waits for the next call).
constexpr int kMaxRounds = 64;

// An answer that lost to another command (the job was taken, answered or ended meanwhile, or
// its lease expired): not an error of the workers.
bool lost_race(ErrorCode code) {
  return code == ErrorCode::kInvalidState || code == ErrorCode::kNotFound ||
         code == ErrorCode::kConflict || code == ErrorCode::kStaleToken;
}

}  // namespace

struct JobWorkers::Impl {
  Impl(Engine& e, ReadModel& r, JobWorkersOptions o)
      : engine(e),
        read_model(r),
        options(std::move(o)),
        pool(static_cast<std::size_t>(std::max(1, options.threads))) {}

  // Leases job `row` and works it; tallies the outcome.
  void work(const JobRow& row) {
    auto leased = engine.activate_job(row.id, options.worker, options.lease_ms);
    Result<CommandOutcome> answer = leased.ok() ? engine.work_on(*leased) : leased.error();
    std::lock_guard<std::mutex> lock(mu);
    if (!answer.ok()) {
      if (lost_race(answer.error().code)) {
        ++report.lost;
      } else if (!failure) {
        failure = answer.error();
      }
      return;
    }
    std::int64_t instance = 0;
    std::int64_t key = 0;  // the job's element key, which its answer's event names
    runtime::parse_task_id(row.id, instance, key);
    for (const runtime::Event& e : answer->events) {
      const auto* done = e.get_if<runtime::JobCompleted>();
      const auto* failed = e.get_if<runtime::JobFailed>();
      const auto* thrown = e.get_if<runtime::ErrorThrown>();
      if (done != nullptr && done->key == key) ++report.completed;
      if (failed != nullptr && failed->key == key) ++report.failed;
      if (thrown != nullptr && thrown->key == key) ++report.errors;
    }
  }

  // One round: a batch of each type's activatable jobs, worked on the pool. The number leased
  // (0: nothing left, or everything lost to others).
  Result<std::size_t> round() {
    std::vector<JobRow> rows;
    const std::int64_t now = engine.clock().now_ms();
    for (const std::string& type : engine.handlers().types()) {
      auto free = read_model.activatable_jobs(type, now, options.batch);
      if (!free.ok()) return free.error();
      rows.insert(rows.end(), free->begin(), free->end());
    }
    std::int64_t lost_before = 0;
    {
      std::lock_guard<std::mutex> lock(mu);
      lost_before = report.lost;
      in_flight = rows.size();
    }
    for (const JobRow& row : rows) {
      boost::asio::post(pool, [this, &row] {
        work(row);
        std::lock_guard<std::mutex> lock(mu);
        if (--in_flight == 0) round_done.notify_all();
      });
    }
    std::unique_lock<std::mutex> lock(mu);
    round_done.wait(lock, [this] { return in_flight == 0; });
    if (failure) return *failure;
    return rows.size() - static_cast<std::size_t>(report.lost - lost_before);
  }

  Engine& engine;
  ReadModel& read_model;
  const JobWorkersOptions options;
  boost::asio::thread_pool pool;
  std::mutex mu;  // guards report, failure and in_flight
  std::condition_variable round_done;
  std::size_t in_flight = 0;  // jobs of the round not worked yet
  JobWorkReport report;
  std::optional<Error> failure;
};

JobWorkers::JobWorkers(Engine& engine, ReadModel& read_model, JobWorkersOptions options)
    : impl_(std::make_unique<Impl>(engine, read_model, std::move(options))) {}

JobWorkers::~JobWorkers() {
  impl_->pool.join();
}

Result<JobWorkReport> JobWorkers::work_due() {
  Impl& w = *impl_;
  {
    std::lock_guard<std::mutex> lock(w.mu);
    w.report = {};
    w.failure.reset();
  }
  for (int round = 0; round < kMaxRounds; ++round) {
    auto leased = w.round();
    if (!leased.ok()) return leased.error();
    if (*leased == 0) break;
  }
  std::lock_guard<std::mutex> lock(w.mu);
  return w.report;
}

}  // namespace pmiflow::app
