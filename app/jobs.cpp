#include "app/jobs.h"

namespace pmiflow::app {

Result<std::vector<ActivatedJob>> activate_jobs(Engine& engine, ReadModel& read_model,
                                                const ActivateJobsRequest& r) {
  PMIFLOW_TRY(check_text_field("job type", r.type, true));
  PMIFLOW_TRY(check_text_field("worker", r.worker, true));
  if (r.max_jobs < 1 || r.max_jobs > kMaxJobsPerActivation) {
    return make_error(ErrorCode::kInvalidArgument, "max jobs: " + std::to_string(r.max_jobs) +
                                                       " is not in 1.." +
                                                       std::to_string(kMaxJobsPerActivation));
  }
  PMIFLOW_TRY(check_lease_timeout(r.timeout_ms));
  std::vector<ActivatedJob> out;
  // A listed job another worker takes first is skipped and the next query lists what is left,
  // until enough are taken, none is left, or a whole batch was lost to others.
  for (bool took = true; took && static_cast<int>(out.size()) < r.max_jobs;) {
    took = false;
    auto free = read_model.activatable_jobs(r.type, engine.clock().now_ms(),
                                            static_cast<std::size_t>(r.max_jobs) - out.size());
    if (!free.ok()) return free.error();
    for (const JobRow& row : *free) {
      auto job = engine.activate_job(row.id, r.worker, r.timeout_ms);
      if (!job.ok()) {
        const ErrorCode code = job.error().code;
        if (code == ErrorCode::kInvalidState || code == ErrorCode::kNotFound ||
            code == ErrorCode::kConflict) {
          continue;  // taken, failed or ended meanwhile
        }
        return job.error();
      }
      out.push_back(std::move(*job));
      took = true;
    }
  }
  return out;
}

}  // namespace pmiflow::app
