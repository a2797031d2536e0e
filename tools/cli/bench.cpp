// `pmiflow bench`: N schools through the whole D02.03 flow on a fresh database, every user
// task completed by the autopilot (the same decisions for each school, including two passes of
// the 5 -> 6 loop), from --threads client threads whose commands group-commit together.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "engine/common/mutex.h"
#include "handlers/d02_03/business_key.h"
#include "handlers/d02_03/start_data.h"
#include "tools/cli/autopilot.h"
#include "tools/cli/bench_db.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/session.h"

namespace pmiflow::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Latency histogram with logarithmic buckets (64 per power of two: under 1.1 % error), so
// that its memory is constant whatever N is.
class Histogram {
 public:
  Histogram() : buckets_(kBuckets, 0) {}
  void add(std::chrono::nanoseconds d) {
    double ns = std::max<double>(1.0, static_cast<double>(d.count()));
    auto b = static_cast<std::size_t>(std::log2(ns) * kPerOctave);
    ++buckets_[std::min(b, kBuckets - 1)];
    ++count_;
  }
  void merge(const Histogram& o) {
    for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += o.buckets_[i];
    count_ += o.count_;
  }
  // Upper bound of the bucket holding the q-quantile, in milliseconds.
  double quantile_ms(double q) const {
    auto target = static_cast<std::uint64_t>(q * static_cast<double>(count_));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
      seen += buckets_[i];
      if (seen > target) return std::exp2(static_cast<double>(i + 1) / kPerOctave) / 1e6;
    }
    return 0;
  }

 private:
  static constexpr double kPerOctave = 64;
  static constexpr std::size_t kBuckets = std::size_t{64} * 40;  // up to 2^40 ns
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
};

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown CPU";
}

std::uintmax_t file_size_or_zero(const std::string& path) {
  std::error_code ec;
  auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : n;
}

}  // namespace

int cmd_bench(const BenchArgs& a, std::ostream& out, std::ostream& err) {
  const BenchDb db(a.db, "bench", a.fast);
  const std::string& path = db.path();
  int rc = [&]() -> int {
    // A simulated clock, from the opening of the period: the autopilot lets time pass to
    // each follow-up and deadline.
    auto opening = handlers::d02_03::period_opening_ms(a.period);
    if (!opening.ok()) return fail(err, opening.error());
    auto simulated = std::make_unique<ManualClock>(*opening);
    ManualClock& clock = *simulated;
    auto session = open_session(path, OpenMode::kCreate, db.options(), std::move(simulated));
    if (!session.ok()) return fail(err, session.error());
    Engine& engine = *(*session)->engine;
    auto deployed = deploy_file(engine, d02_03_definition_path());
    if (!deployed.ok()) return fail(err, deployed.error());
    const std::string key = deployed->definition.key;

    std::atomic<int> next{0};
    std::atomic<int> completed{0};
    std::atomic<bool> failed{false};
    std::string first_error;
    Mutex error_mu;
    std::vector<Histogram> histograms(static_cast<std::size_t>(a.threads));
    auto worker = [&](std::size_t t) {
      Histogram& h = histograms[t];
      auto record_error = [&](const std::string& m) {
        MutexLock lock(error_mu);
        if (first_error.empty()) first_error = m;
        failed = true;
      };
      for (int i = next++; i < a.schools && !failed; i = next++) {
        char dane[16];
        std::snprintf(dane, sizeof dane, "105001%06d", i % 1000000);
        std::string school = i < 1000000 ? dane : std::to_string(205001000000LL + i);
        auto t0 = Clock::now();
        auto request = handlers::d02_03::start_request(key, school, a.period,
                                                       sample_school_variables(school, a.period, i),
                                                       runtime::Actor::user("bench", ""));
        if (!request.ok()) return record_error(request.error().message);
        auto started = engine.start(*request);
        h.add(Clock::now() - t0);
        if (!started.ok()) return record_error(started.error().message);
        // Until a command's events end the instance (ended instances leave the engine's
        // cache, so asking for their state would replay them from the store).
        for (bool ended = false; !ended;) {
          AutopilotMove move;
          {
            // Released before the command, so that the engine changes the state in place
            // instead of copying it (a held snapshot must not change).
            auto snapshot = engine.snapshot(started->instance_id);
            if (!snapshot.ok()) return record_error(snapshot.error().message);
            const runtime::InstanceState& state = **snapshot;
            move = autopilot_move(state);
            if (move.kind == AutopilotMove::Kind::kNone) {
              return record_error("instance " + std::to_string(state.id) +
                                  " waits with no open task or timer (incident?)");
            }
          }
          auto t1 = Clock::now();
          auto done = autopilot_apply(engine, clock, started->instance_id, move);
          h.add(Clock::now() - t1);
          if (!done.ok()) return record_error(done.error().message);
          ended = std::any_of(done->events.begin(), done->events.end(), [](const auto& e) {
            return e.type() == runtime::EventType::kInstanceCompleted;
          });
        }
        ++completed;
      }
    };
    auto begin = Clock::now();
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(a.threads));
    for (int t = 0; t < a.threads; ++t) threads.emplace_back(worker, static_cast<std::size_t>(t));
    for (auto& th : threads) th.join();
    double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    if (failed) {
      err << "error: benchmark failed: " << first_error << '\n';
      return kExitInternal;
    }
    Histogram all;
    for (const auto& h : histograms) all.merge(h);
    const EngineStats stats = engine.stats();
    const persistence::SqliteStats store_stats = (*session)->store->stats();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);

    char buf[256];
    out << "pmiflow bench: D02.03, " << a.schools << " schools, " << a.threads
        << " client threads, durability "
        << (a.fast ? "fast (no fsync per commit)"
                   : "full (each group fsynced before it is acknowledged)")
        << '\n';
    out << "machine: " << cpu_model() << ", " << std::thread::hardware_concurrency() << " cores\n";
    auto line = [&](const char* label, const char* fmt, double v) {
      std::snprintf(buf, sizeof buf, fmt, v);
      out << "  " << label << buf << '\n';
    };
    line("elapsed:                    ", "%.2f s", seconds);
    line("completed instances:        ", "%.0f", completed.load());
    line("completed instances/s:      ", "%.0f", completed.load() / seconds);
    line("commands:                   ", "%.0f", static_cast<double>(stats.commands));
    line("commands/s:                 ", "%.0f", static_cast<double>(stats.commands) / seconds);
    const double groups =
        static_cast<double>(std::max<std::uint64_t>(1, store_stats.group_commits));
    line("group commits:              ", "%.0f", static_cast<double>(store_stats.group_commits));
    line("commands per group commit:  ", "%.1f",
         static_cast<double>(store_stats.requests) / groups);
    line("write per group commit:     ", "%.2f ms (serial: BEGIN to COMMIT)",
         static_cast<double>(store_stats.write_ns) / 1e6 / groups);
    line("write + sync per group:     ", "%.2f ms (until durable)",
         static_cast<double>(store_stats.append_ns) / 1e6 / groups);
    line("writer busy share:          ", "%.0f %% of elapsed",
         100.0 * static_cast<double>(store_stats.write_ns) / 1e9 / seconds);
    line("events:                     ", "%.0f", static_cast<double>(stats.events));
    line("flow-node activations:      ", "%.0f", static_cast<double>(stats.activations));
    line("flow-node activations/s:    ", "%.0f", static_cast<double>(stats.activations) / seconds);
    line("client call latency p50:    ", "%.2f ms", all.quantile_ms(0.50));
    line("client call latency p99:    ", "%.2f ms", all.quantile_ms(0.99));
    line("peak RSS:                   ", "%.1f MiB", static_cast<double>(usage.ru_maxrss) / 1024.0);
    auto cpu_s = [](const timeval& t) {
      return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    line("CPU per completed instance: ", "%.2f ms (user + system, all threads)",
         1e3 * (cpu_s(usage.ru_utime) + cpu_s(usage.ru_stime)) / std::max(1, completed.load()));
    return completed.load() == a.schools ? kExitOk : kExitInternal;
  }();
  // Measured after the store is closed, which checkpoints the WAL into the file.
  if (rc == kExitOk) {
    auto db_bytes = file_size_or_zero(path) + file_size_or_zero(path + "-wal");
    char buf[128];
    std::snprintf(buf, sizeof buf, "  db bytes per instance:      %.0f\n",
                  static_cast<double>(db_bytes) / std::max(1, a.schools));
    out << buf;
  }
  return rc;
}

}  // namespace pmiflow::cli
