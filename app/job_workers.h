// In-process job workers (docs/jobs.md, "In-process workers"): what `pmiflow run` does with the
// jobs of the types this binary's handlers run that no request ran — a task that asks for
// asynchronous continuation (pmiflow.async), a job retried after its backoff, a job whose lease
// a dead runner left. They are leased like an external worker's (Engine::activate_job, with a
// fencing token), a batch per query and type, and worked on a Boost.Asio thread pool
// (Engine::work_on): each handler runs outside any lock and answers with its lease's token,
// and the answers of the pool's threads group-commit together.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "app/jobs.h"
#include "engine/common/result.h"
#include "engine/engine/engine.h"
#include "engine/engine/read_model.h"

namespace pmiflow::app {

struct JobWorkersOptions {
  std::string worker = "pmiflow-run";  // the name on the leases
  int threads = 64;         // mostly waiting for their commits: more of them group more per commit
  std::size_t batch = 256;  // jobs listed (then leased) per query and type
  std::int64_t lease_ms = kDefaultLeaseMs;
};

struct JobWorkReport {
  std::int64_t completed = 0;
  std::int64_t failed = 0;  // a failure (retried after its backoff, or an incident)
  std::int64_t errors = 0;  // a BPMN error thrown
  std::int64_t lost = 0;    // taken or ended meanwhile, or the lease lost: nothing written
};

class JobWorkers {
 public:
  JobWorkers(Engine& engine, ReadModel& read_model, JobWorkersOptions options = {});
  ~JobWorkers();
  JobWorkers(const JobWorkers&) = delete;
  JobWorkers& operator=(const JobWorkers&) = delete;

  // Works every job of the registered handlers' types activatable at the engine clock's time,
  // and those the work makes activatable, until none is left (at most 64 rounds of a batch per
  // type: the rest waits for the next call); returns what was done. A store error stops it
  // (the jobs in flight finish first).
  Result<JobWorkReport> work_due();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pmiflow::app
