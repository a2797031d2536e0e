// `pmiflow bench-audit`: times the auditors' two heavy reads, the replay of a long instance and
// `verify --all` over many instances, on databases it builds (docs/benchmarks.md).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <variant>

#include "app/replay.h"
#include "engine/engine/audit.h"
#include "engine/runtime/event_applier.h"
#include "tools/cli/audit_commands.h"
#include "tools/cli/cli.h"
#include "tools/cli/session.h"

namespace pmiflow::cli {
namespace {

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

constexpr const char* kBenchLoopBpmn = R"xml(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="bench_audit_defs"
    targetNamespace="http://pmiflow.invalid/bench-audit">
  <bpmn:process id="bench_audit_loop" name="Bucle de revisión (bench-audit)" isExecutable="true">
    <bpmn:startEvent id="inicio" name="Inicio" />
    <bpmn:sequenceFlow id="f_inicio" sourceRef="inicio" targetRef="unir" />
    <bpmn:exclusiveGateway id="unir" name="Unir" />
    <bpmn:sequenceFlow id="f_unir" sourceRef="unir" targetRef="revisar" />
    <bpmn:userTask id="revisar" name="Revisar el avance del PMI">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="auditor" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f_revisar" sourceRef="revisar" targetRef="decidir" />
    <bpmn:exclusiveGateway id="decidir" name="¿Revisión terminada?" default="f_otra_vez" />
    <bpmn:sequenceFlow id="f_terminada" sourceRef="decidir" targetRef="fin">
      <bpmn:conditionExpression>=terminada = true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_otra_vez" sourceRef="decidir" targetRef="unir" />
    <bpmn:endEvent id="fin" name="Fin" />
  </bpmn:process>
</bpmn:definitions>
)xml";

using SteadyClock = std::chrono::steady_clock;

double elapsed_ms(SteadyClock::time_point since) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - since).count();
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Completes the loop's task until the instance has at least `events` events.
Result<std::int64_t> grow_loop_instance(Engine& engine, const std::string& key,
                                        const std::string& school, std::int64_t events) {
  auto started = engine.start(StartRequest{{key, school},
                                           {},
                                           Variables{{"n", 0}, {"terminada", false}},
                                           runtime::Actor::user("bench", "auditor")});
  if (!started.ok()) return started.error();
  const std::int64_t id = started->instance_id;
  for (std::int64_t n = 1;; ++n) {
    auto snap = engine.snapshot(id);
    if (!snap.ok()) return snap.error();
    if ((*snap)->last_seq >= events) break;
    if ((*snap)->tasks.empty()) {
      return make_error(ErrorCode::kInternal, "bench instance has no open task");
    }
    auto done = engine.complete_task((*snap)->tasks.begin()->first,
                                     runtime::Actor::user("bench", "auditor"),
                                     Variables{{"n", n}, {"terminada", false}});
    if (!done.ok()) return done.error();
  }
  return id;
}

void remove_db_files(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
}

}  // namespace

int cmd_bench_audit(const BenchAuditArgs& a, std::ostream& out, std::ostream& err) {
  namespace fs = std::filesystem;
  const bool temporary = a.dir.empty();
  const fs::path dir =
      temporary ? fs::temp_directory_path() / ("pmiflow-bench-audit-" + std::to_string(getpid()))
                : fs::path(a.dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string replay_db = (dir / "replay.db").string();
  const std::string verify_db_path = (dir / "verify.db").string();
  remove_db_files(replay_db);
  remove_db_files(verify_db_path);
  persistence::SqliteOptions fast;
  fast.durability = persistence::SqliteOptions::Durability::kFast;
  std::ostream null_out(nullptr);
  char buf[256];

  int rc = [&]() -> int {
    out << "pmiflow bench-audit\n";
    out << "machine: " << cpu_model() << ", " << std::thread::hardware_concurrency() << " cores\n";
#ifdef NDEBUG
    out << "build: optimised (NDEBUG)\n";
#else
    out << "build: DEBUG (figures are not representative; use the release preset)\n";
#endif

    // (a) replay of one instance with `events` events.
    std::int64_t replay_id = 0;
    std::int64_t replay_events = 0;
    {
      auto session = open_session(replay_db, OpenMode::kCreate, fast);
      if (!session.ok()) return fail(err, session.error());
      Engine& engine = *(*session)->engine;
      auto deployed = engine.deploy(kBenchLoopBpmn, "bench-audit-loop.bpmn");
      if (!deployed.ok()) return fail(err, deployed.error());
      auto t0 = SteadyClock::now();
      auto id = grow_loop_instance(engine, deployed->definition.key, "105001000001", a.events);
      if (!id.ok()) return fail(err, id.error());
      replay_id = *id;
      auto row = (*session)->store->instance(replay_id);
      if (!row.ok()) return fail(err, row.error());
      replay_events = row->last_seq;
      std::snprintf(buf, sizeof buf, "%.1f s", elapsed_ms(t0) / 1000);
      out << "\n(a) replay: one instance of " << replay_events
          << " events (a user task in a loop), built in " << buf << '\n';
    }
    std::vector<double> fold_ms;
    std::vector<double> until_ms;
    std::vector<double> full_ms;
    {
      auto store = persistence::SqliteStore::open(replay_db, fast);
      if (!store.ok()) return fail(err, store.error());
      for (int r = 0; r < a.runs; ++r) {
        auto t0 = SteadyClock::now();
        auto events = (*store)->events(replay_id, 1, replay_events);
        if (!events.ok()) return fail(err, events.error());
        auto state = app::fold_events(replay_id, *events);
        if (!state.ok()) return fail(err, state.error());
        fold_ms.push_back(elapsed_ms(t0));
      }
    }
    Common common;
    common.db = replay_db;
    for (int r = 0; r < a.runs; ++r) {
      ReplayArgs until{std::to_string(replay_id), replay_events, std::nullopt, ""};
      auto t0 = SteadyClock::now();
      int code = cmd_replay(common, until, null_out, err);
      until_ms.push_back(elapsed_ms(t0));
      if (code != kExitOk) return code;
      ReplayArgs full{std::to_string(replay_id), std::nullopt, std::nullopt, ""};
      t0 = SteadyClock::now();
      code = cmd_replay(common, full, null_out, err);
      full_ms.push_back(elapsed_ms(t0));
      if (code != kExitOk) return code;
    }
    const double fold_median = median(fold_ms);
    auto line = [&](const std::string& label, const char* fmt, double v) {
      std::snprintf(buf, sizeof buf, fmt, v);
      out << "  " << label << buf << '\n';
    };
    out << "  median of " << a.runs << " runs:\n";
    line("read from SQLite + fold:            ", "%.1f ms", fold_median);
    line("`replay --until N` (whole command): ", "%.1f ms", median(until_ms));
    line("`replay` + projection check:        ", "%.1f ms", median(full_ms));
    out << "  target: < 50 ms for 10,000 events: "
        << (median(until_ms) < 50 * static_cast<double>(replay_events) / 10000 ? "met" : "NOT met")
        << '\n';

    // (b) verify --all over instances x instance_events events.
    std::int64_t built_events = 0;
    {
      auto session = open_session(verify_db_path, OpenMode::kCreate, fast);
      if (!session.ok()) return fail(err, session.error());
      Engine& engine = *(*session)->engine;
      persistence::SqliteStore& store = *(*session)->store;
      auto deployed = engine.deploy(kBenchLoopBpmn, "bench-audit-loop.bpmn");
      if (!deployed.ok()) return fail(err, deployed.error());
      const std::string key = deployed->definition.key;
      auto t0 = SteadyClock::now();
      // One real instance made by the engine; the others are copies of its first events
      // appended through SqliteStore::append_batch in big batches (the store seals each chain).
      auto first = grow_loop_instance(engine, key, "205001000000", a.instance_events);
      if (!first.ok()) return fail(err, first.error());
      auto sample = store.events(*first, 1, a.instance_events);
      if (!sample.ok()) return fail(err, sample.error());
      auto more = store.instance(*first);
      if (!more.ok()) return fail(err, more.error());
      built_events = more->last_seq;
      std::vector<runtime::Event> model_events = *sample;
      for (auto& e : model_events) {
        e.prev_hash.clear();
        e.hash.clear();
        e.stored_payload.clear();
      }
      constexpr int kBatch = 200;
      for (int i = 1; i < a.instances; i += kBatch) {
        // Each copy is a new instance of its own id, business id and fold.
        struct Copy {
          runtime::InstanceState state;
          runtime::ProjectionChanges changes;
          AppendRequest request;
        };
        std::vector<Copy> copies(static_cast<std::size_t>(std::min(a.instances, i + kBatch) - i));
        std::vector<AppendRequest*> batch;
        for (std::size_t k = 0; k < copies.size(); ++k) {
          auto id = store.reserve_instance_id();
          if (!id.ok()) return fail(err, id.error());
          char business_id[16];
          std::snprintf(business_id, sizeof business_id, "2%011d", i + static_cast<int>(k));
          Copy& copy = copies[k];
          copy.request.events = model_events;
          for (auto& e : copy.request.events) e.instance_id = *id;
          auto& created = std::get<runtime::InstanceCreated>(copy.request.events.front().body);
          created.business_id = business_id;
          for (const auto& e : copy.request.events) runtime::apply(copy.state, e, &copy.changes);
          copy.request.instance_id = *id;
          copy.request.create = true;
          copy.request.business_key = {key, business_id};
          copy.request.head_hash = audit::kGenesisHash;
          copy.request.new_state = &copy.state;
          copy.request.changes = &copy.changes;
          batch.push_back(&copy.request);
        }
        for (const auto& result : store.append_batch(batch)) {
          if (!result.status.ok()) return fail(err, result.status.error());
        }
        built_events += static_cast<std::int64_t>(batch.size() * model_events.size());
      }
      std::snprintf(buf, sizeof buf, "%.1f s", elapsed_ms(t0) / 1000);
      out << "\n(b) verify --all: " << a.instances << " instances, " << built_events
          << " events, built in " << buf << '\n';
    }
    Common vc;
    vc.db = verify_db_path;
    VerifyArgs all;
    all.all = true;
    all.threads = a.threads;
    std::ostringstream verdict;
    auto t0 = SteadyClock::now();
    int code = cmd_verify(vc, all, verdict, err);
    const double seconds = elapsed_ms(t0) / 1000;
    if (code != kExitOk) {
      err << "error: verify --all did not find the bench database intact:\n" << verdict.str();
      return code;
    }
    const unsigned workers = a.threads > 0 ? static_cast<unsigned>(a.threads)
                                           : std::max(1u, std::thread::hardware_concurrency());
    out << "  workers (one connection each):      " << workers << '\n';
    line("total:                              ", "%.2f s", seconds);
    line("events verified/s:                  ", "%.0f",
         static_cast<double>(built_events) / seconds);
    out << "  " << verdict.str();
    out << "  target: < 30 s for 1,000,000 events: "
        << (seconds < 30.0 * static_cast<double>(built_events) / 1e6 ? "met" : "NOT met") << '\n';
    return kExitOk;
  }();
  if (temporary) {
    remove_db_files(replay_db);
    remove_db_files(verify_db_path);
    fs::remove_all(dir, ec);
  }
  return rc;
}

}  // namespace pmiflow::cli
