#include "tools/cli/job_commands.h"

#include "app/jobs.h"
#include "engine/common/time_text.h"
#include "tools/cli/cli.h"
#include "tools/cli/duration_input.h"
#include "tools/cli/format.h"
#include "tools/cli/session.h"
#include "tools/cli/variables_input.h"

namespace pmiflow::cli {
namespace {

Json job_json(const ActivatedJob& j) {
  Json vars = Json::object();
  for (const auto& [name, value] : j.variables) vars[name] = value;
  Json headers = Json::object();
  for (const auto& [name, value] : j.custom_headers) headers[name] = value;
  return {{"key", j.key},
          {"token", j.token},
          {"deadline", format_time(j.deadline_ms)},
          {"type", j.type},
          {"retries", j.retries},
          {"instance_id", j.instance_id},
          {"element_id", j.element_id},
          {"custom_headers", std::move(headers)},
          {"variables", std::move(vars)}};
}

// A --timeout: a positive ISO 8601 duration.
Result<std::int64_t> lease_timeout(const std::string& text, std::int64_t now_ms) {
  auto ms = parse_duration_flag(text, "--timeout", now_ms);
  if (!ms.ok()) return ms.error();
  if (*ms <= 0) {
    return make_error(ErrorCode::kInvalidArgument, "--timeout: '" + text + "' is not positive");
  }
  return *ms;
}

// Prints what an answer wrote (or its error) and returns the exit code.
int answered(const Common& c, const JobAnswerArgs& a, const char* what,
             const Result<CommandOutcome>& outcome, std::ostream& out, std::ostream& err) {
  if (!outcome.ok()) return fail(err, outcome.error());
  if (c.json) {
    Json j = {{"key", a.key}, {"instance_id", outcome->instance_id}, {"events", Json::array()}};
    for (const auto& e : outcome->events) j["events"].push_back(event_to_json(e));
    out << j.dump(2) << '\n';
    return kExitOk;
  }
  out << "job " << a.key << " " << what << ":\n";
  print_events(out, outcome->events, nullptr);
  return kExitOk;
}

}  // namespace

int cmd_jobs_activate(const Common& c, const ActivateArgs& a, std::ostream& out,
                      std::ostream& err) {
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  Engine& engine = *(*session)->engine;
  Result<std::int64_t> timeout = app::kDefaultLeaseMs;
  if (!a.timeout.empty()) timeout = lease_timeout(a.timeout, engine.clock().now_ms());
  if (!timeout.ok()) return fail(err, timeout.error());
  auto jobs = app::activate_jobs(engine, *(*session)->store,
                                 app::ActivateJobsRequest{a.type, a.worker, a.max, *timeout});
  if (!jobs.ok()) return fail(err, jobs.error());
  if (c.json) {
    Json list = Json::array();
    for (const ActivatedJob& j : *jobs) list.push_back(job_json(j));
    out << Json{{"jobs", std::move(list)}}.dump(2) << '\n';
    return kExitOk;
  }
  if (jobs->empty()) {
    out << "no job of type " << a.type << " to activate\n";
    return kExitOk;
  }
  for (const ActivatedJob& j : *jobs) {
    out << "job " << j.key << "  token " << j.token << "  until " << format_time(j.deadline_ms)
        << "  " << j.type << "  instance " << j.instance_id << " at " << j.element_id
        << "  retries " << j.retries << '\n';
  }
  return kExitOk;
}

int cmd_jobs_complete(const Common& c, const JobAnswerArgs& a, std::ostream& out,
                      std::ostream& err) {
  auto vars = parse_variables(a.vars, a.var_files);
  if (!vars.ok()) return fail(err, vars.error());
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  return answered(c, a, "completed",
                  (*session)->engine->complete_job(JobAnswer{a.key, a.token}, *vars), out, err);
}

int cmd_jobs_fail(const Common& c, const JobAnswerArgs& a, std::ostream& out, std::ostream& err) {
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  Engine& engine = *(*session)->engine;
  JobFailure failure{a.message, a.retries, std::nullopt};
  if (!a.backoff.empty()) {
    auto backoff = parse_duration_flag(a.backoff, "--backoff", engine.clock().now_ms());
    if (!backoff.ok()) return fail(err, backoff.error());
    failure.backoff_ms = *backoff;
  }
  return answered(c, a, "failed", engine.fail_job(JobAnswer{a.key, a.token}, failure), out, err);
}

int cmd_jobs_error(const Common& c, const JobAnswerArgs& a, std::ostream& out, std::ostream& err) {
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  return answered(c, a, "threw an error",
                  (*session)->engine->throw_job_error(JobAnswer{a.key, a.token}, a.code, a.message),
                  out, err);
}

int cmd_jobs_extend(const Common& c, const JobAnswerArgs& a, std::ostream& out, std::ostream& err) {
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  Engine& engine = *(*session)->engine;
  auto timeout = lease_timeout(a.timeout, engine.clock().now_ms());
  if (!timeout.ok()) return fail(err, timeout.error());
  return answered(c, a, "lease extended",
                  engine.extend_job_lease(JobAnswer{a.key, a.token}, *timeout), out, err);
}

}  // namespace pmiflow::cli
