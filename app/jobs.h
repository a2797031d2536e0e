// Activating jobs for a worker (docs/jobs.md): what `pmiflow jobs activate` does, and what the
// HTTP API will. The open jobs of a type are found in the read model; each is leased by its
// own command (Engine::activate_job), so a job another worker takes meanwhile is skipped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/engine.h"
#include "engine/engine/read_model.h"

namespace pmiflow::app {

// The most jobs one activation leases.
inline constexpr int kMaxJobsPerActivation = 1000;
// A lease's length when the worker names none (Zeebe's default is 5 minutes; a short lease
// gives a dead worker's jobs back sooner).
inline constexpr std::int64_t kDefaultLeaseMs = 30000;

struct ActivateJobsRequest {
  std::string type;
  std::string worker;
  int max_jobs = 1;
  std::int64_t timeout_ms = kDefaultLeaseMs;
};

// Leases up to request.max_jobs open jobs of request.type that no in-process handler runs
// (activatable ones, and those whose lease expired), by instance and element key.
// kInvalidArgument (nothing written) for an empty type or worker, one over 256 bytes or not
// UTF-8, max_jobs outside 1..kMaxJobsPerActivation, a timeout that is not positive.
Result<std::vector<ActivatedJob>> activate_jobs(Engine& engine, ReadModel& read_model,
                                                const ActivateJobsRequest& request);

}  // namespace pmiflow::app
