// The engine's jobs for workers (engine.h, docs/jobs.md): activation with a lease and a
// fencing token, the worker's answers, each checked against the job's current lease, and the
// turn of an in-process worker (work_on).
#include <string>
#include <utility>
#include <vector>

#include "engine/engine/engine.h"
#include "engine/runtime/variable_scope.h"

namespace pmiflow {

namespace {

// A worker's answer must carry a lease's token: token 0 is the in-process handlers' own, which
// answer inside the request (Engine::Request), never through these calls.
Status check_token(const JobAnswer& a) {
  if (a.token > 0) return {};
  return make_error(ErrorCode::kStaleToken, "job " + a.job_id + ": token " +
                                                std::to_string(a.token) +
                                                " holds no lease (activate the job first)");
}

// The instance of job `id` ("<instance>-<key>").
Result<std::int64_t> job_instance(const std::string& id) {
  std::int64_t instance_id = 0;
  std::int64_t key = 0;
  if (!runtime::parse_task_id(id, instance_id, key)) {
    return make_error(ErrorCode::kNotFound,
                      "'" + id + "' is not a job key (expected INSTANCE-KEY, e.g. 12-7)");
  }
  return instance_id;
}

}  // namespace

Result<ActivatedJob> Engine::activate_job(const std::string& job_id, const std::string& worker,
                                          std::int64_t timeout_ms) {
  PMIFLOW_TRY(check_text_field("worker", worker, true));
  PMIFLOW_TRY(check_lease_timeout(timeout_ms));
  auto instance = job_instance(job_id);
  if (!instance.ok()) return instance.error();
  const runtime::Command command = runtime::ActivateJob{job_id, worker, timeout_ms};
  auto done = submit(*instance, &command, false);
  if (!done.ok()) return done.error();
  // The lease is the one this request wrote; the variables are the instance's right after it.
  const runtime::JobActivated* lease = nullptr;
  for (const runtime::Event& e : done->events) {
    if (const auto* p = e.get_if<runtime::JobActivated>()) lease = p;
  }
  auto state = snapshot(*instance);
  if (!state.ok()) return state.error();
  auto job = (*state)->jobs.find(job_id);
  if (lease == nullptr || job == (*state)->jobs.end()) {
    return make_error(ErrorCode::kConflict, "job " + job_id + " ended right after its activation");
  }
  const runtime::Job& j = job->second;
  auto def = definitions_.definition((*state)->business_key.process, (*state)->definition_version);
  if (!def.ok()) return def.error();
  const model::NodeIndex node = (*def)->model->find_node(j.element_id);
  return ActivatedJob{job_id,
                      *instance,
                      j.element_id,
                      j.type,
                      j.retries_left,
                      lease->deadline,
                      lease->token,
                      runtime::VisibleVariables(**state, j.element_key).get(),
                      node == model::kNone ? decltype(ActivatedJob::custom_headers){}
                                           : (*def)->model->node(node).task_headers};
}

Result<CommandOutcome> Engine::complete_job(const JobAnswer& a, const Variables& variables) {
  PMIFLOW_TRY(check_token(a));
  auto instance = job_instance(a.job_id);
  if (!instance.ok()) return instance.error();
  const runtime::Command command = runtime::CompleteJob{a.job_id, variables, a.token};
  return submit(*instance, &command, true);
}

Result<CommandOutcome> Engine::fail_job(const JobAnswer& a, const JobFailure& f) {
  PMIFLOW_TRY(check_token(a));
  if (f.retries && *f.retries < 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "retries: " + std::to_string(*f.retries) + " is negative");
  }
  if (f.backoff_ms && *f.backoff_ms < 0) {
    return make_error(ErrorCode::kInvalidArgument, "backoff: a backoff cannot be negative");
  }
  auto instance = job_instance(a.job_id);
  if (!instance.ok()) return instance.error();
  const runtime::Command command =
      runtime::FailJob{a.job_id, f.message, a.token, f.retries, f.backoff_ms};
  return submit(*instance, &command, true);
}

Result<CommandOutcome> Engine::throw_job_error(const JobAnswer& a, const std::string& code,
                                               const std::string& message) {
  PMIFLOW_TRY(check_token(a));
  auto instance = job_instance(a.job_id);
  if (!instance.ok()) return instance.error();
  if (code.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "error code: a code is required");
  }
  const runtime::Command command = runtime::ThrowJobError{a.job_id, code, message, a.token};
  return submit(*instance, &command, true);
}

Result<CommandOutcome> Engine::extend_job_lease(const JobAnswer& a, std::int64_t timeout_ms) {
  PMIFLOW_TRY(check_token(a));
  PMIFLOW_TRY(check_lease_timeout(timeout_ms));
  auto instance = job_instance(a.job_id);
  if (!instance.ok()) return instance.error();
  const runtime::Command command = runtime::ExtendJobLease{a.job_id, a.token, timeout_ms};
  return submit(*instance, &command, false);
}

Result<CommandOutcome> Engine::work_on(const ActivatedJob& leased) {
  const TaskHandler* handler = handlers_.find(leased.type);
  if (handler == nullptr) {
    return make_error(ErrorCode::kNotFound,
                      "job " + leased.key + ": no in-process handler for type " + leased.type);
  }
  auto state = snapshot(leased.instance_id);
  if (!state.ok()) return state.error();
  auto job = (*state)->jobs.find(leased.key);
  if (job == (*state)->jobs.end() || job->second.state != runtime::JobState::kActivated ||
      job->second.token != leased.token) {
    return make_error(ErrorCode::kStaleToken, "job " + leased.key + ": the lease of token " +
                                                  std::to_string(leased.token) +
                                                  " is no longer held");
  }
  auto def = definitions_.definition((*state)->business_key.process, (*state)->definition_version);
  if (!def.ok()) return def.error();
  const runtime::Command answer = attempt_job(**state, job->second, *(*def)->model, *handler);
  return submit(leased.instance_id, &answer, true);
}

}  // namespace pmiflow
