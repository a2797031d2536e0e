// `pmiflow bench-jobs`: N instances each wait at an asynchronous service task whose type an
// in-process handler runs (it adds two of the instance's variables); then the in-process
// workers (app::JobWorkers, --threads on the Asio pool) lease and work every job, each lease
// and each answer a durable command, their commits grouped. Prints the rate of jobs worked
// (activated and completed) and the resident memory.
#include <chrono>
#include <cstdio>
#include <memory>

#include "app/job_workers.h"
#include "tools/cli/bench_db.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/session.h"

namespace pmiflow::cli {
namespace {

constexpr const char* kType = "bench.sumar";

constexpr const char* kBpmn = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="bench_job" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Sumar" />
    <bpmn:serviceTask id="Sumar">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="bench.sumar" />
        <zeebe:properties><zeebe:property name="pmiflow.async" value="true" /></zeebe:properties>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Sumar" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
)";

// suma = a + b: a handler that reads the instance's variables and answers with a new one.
class Sumar : public TaskHandler {
 public:
  HandlerResult handle(const HandlerContext& ctx) const override {
    auto a = ctx.variables->find("a");
    auto b = ctx.variables->find("b");
    if (a == ctx.variables->end() || b == ctx.variables->end() || !a->second.is_number() ||
        !b->second.is_number()) {
      return HandlerResult::failure("a and b: expected two numbers");
    }
    return HandlerResult::success(
        Variables{{"suma", a->second.get<std::int64_t>() + b->second.get<std::int64_t>()}});
  }
};

}  // namespace

int cmd_bench_jobs(const BenchJobsArgs& a, std::ostream& out, std::ostream& err) {
  const BenchDb db(a.db, "bench-jobs", a.fast);
  auto session = open_session(db.path(), OpenMode::kCreate, db.options());
  if (!session.ok()) return fail(err, session.error());
  (*session)->handlers.add(kType, std::make_shared<Sumar>());
  Engine& engine = *(*session)->engine;
  auto deployed = engine.deploy(kBpmn, "bench_job.bpmn");
  if (!deployed.ok()) return fail(err, deployed.error());
  const double rss_before = rss_mib();

  // One instance per job, from --threads client threads: each waits at its job.
  auto start_s = run_parallel(a.jobs, a.threads, [&](int i) -> Status {
    auto started = engine.start(StartRequest{{"bench_job", "j" + std::to_string(i)},
                                             {},
                                             Variables{{"a", i}, {"b", 1}},
                                             runtime::Actor::user("bench", "")});
    if (!started.ok()) return started.error();
    return {};
  });
  if (!start_s.ok()) return fail(err, start_s.error());
  const double rss_waiting = rss_mib();

  app::JobWorkersOptions options;  // as `pmiflow run`'s, but for the number of threads
  options.threads = a.threads;
  app::JobWorkers workers(engine, *(*session)->store, options);
  app::JobWorkReport total;
  const auto work_start = std::chrono::steady_clock::now();
  for (;;) {
    auto report = workers.work_due();
    if (!report.ok()) return fail(err, report.error());
    total.completed += report->completed;
    total.failed += report->failed;
    total.lost += report->lost;
    if (report->completed == 0) break;
  }
  const double work_s = seconds_since(work_start);
  const double rss_worked = rss_mib();
  InstanceQuery active;
  active.status = "active";
  auto left = (*session)->store->instances(active);
  if (!left.ok()) return fail(err, left.error());

  char buf[160];
  auto line = [&](const char* label, const char* fmt, double v) {
    std::snprintf(buf, sizeof buf, fmt, v);
    out << label << buf << '\n';
  };
  out << "pmiflow bench-jobs: " << a.jobs << " jobs of an in-process handler, " << a.threads
      << " workers, durability " << (a.fast ? "fast (synchronous=NORMAL)" : "full (fsync)") << '\n';
  line("instances started per second: ", "%.0f", static_cast<double>(a.jobs) / *start_s);
  line("jobs completed:               ", "%.0f", static_cast<double>(total.completed));
  line("jobs failed:                  ", "%.0f", static_cast<double>(total.failed));
  line("leases lost to a race:        ", "%.0f", static_cast<double>(total.lost));
  line("instances left active:        ", "%.0f", static_cast<double>(left->size()));
  line("working time:                 ", "%.2f s", work_s);
  line("jobs worked per second:       ", "%.0f", static_cast<double>(total.completed) / work_s);
  out << "  (each job: a lease and an answer, two durable commands)\n";
  line("RSS before starting:          ", "%.1f MiB", rss_before);
  line("RSS with the jobs waiting:    ", "%.1f MiB", rss_waiting);
  line("RSS after working them:       ", "%.1f MiB", rss_worked);
  if (total.completed != a.jobs || !left->empty()) {
    return fail(err, make_error(ErrorCode::kInternal, "not every job was completed exactly once"));
  }
  return kExitOk;
}

}  // namespace pmiflow::cli
