#include <CLI/CLI.hpp>

#include <exception>

#include "handlers/d02_03/jurisdiction.h"
#include "tools/cli/audit_commands.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/d02_03_commands.h"
#include "tools/cli/format.h"
#include "tools/cli/incident_commands.h"
#include "tools/cli/job_commands.h"
#include "tools/cli/message_commands.h"
#include "tools/cli/outbox_commands.h"
#include "tools/cli/timer_commands.h"

namespace pmiflow::cli {
namespace {

using handlers::d02_03::kMaxJurisdictionSize;
using handlers::d02_03::known_etcs;
using handlers::d02_03::kSchoolsCsvHeader;

void add_common(CLI::App* sub, Common& c, bool json = true) {
  sub->add_option("--db", c.db, "database file (default: $PMIFLOW_DB, else ./pmiflow.db)");
  if (json) sub->add_flag("--json", c.json, "machine-readable JSON output");
}

template <typename T>
void add_optional(CLI::App* sub, const std::string& name, std::optional<T>& target,
                  const std::string& help) {
  sub->add_option_function<T>(
      name, [&target](const T& v) { target = v; }, help);
}

}  // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"pmiflow: a BPMN 2.0 workflow engine with durable, auditable instances"};
  app.name("pmiflow");
  app.require_subcommand(1);
  int code = kExitOk;

  std::vector<std::string> files;
  bool validate_json = false;
  auto* validate = app.add_subcommand("validate", "check BPMN files and print diagnostics");
  validate->add_option("FILE", files, "BPMN files")->required();
  validate->add_flag("--json", validate_json, "JSON diagnostics");
  validate->callback([&] { code = cmd_validate(files, validate_json, out, err); });

  Common deploy_c;
  std::vector<std::string> deploy_files;
  auto* deploy =
      app.add_subcommand("deploy", "deploy BPMN files (a changed file is a new version)");
  add_common(deploy, deploy_c);
  deploy->add_option("FILE", deploy_files, "BPMN files")->required();
  deploy->callback([&] { code = cmd_deploy(deploy_c, deploy_files, out, err); });

  Common defs_c;
  auto* defs = app.add_subcommand("definitions", "list deployed definitions and versions");
  add_common(defs, defs_c);
  defs->callback([&] { code = cmd_definitions(defs_c, out, err); });

  Common start_c;
  StartArgs start_a;
  auto* start = app.add_subcommand("start", "start an instance (idempotent by business key)");
  add_common(start, start_c, false);
  start->add_option("--process", start_a.process, "process key")->required();
  auto* start_id = start->add_option("--business-id", start_a.business_id,
                                     "the business id (unique per process)");
  start->add_option("--tag", start_a.tags, "name=value: a tag to find the instance by")
      ->needs(start_id);
  auto* start_school =
      start->add_option("--school", start_a.school, "D02.03: código DANE (12 digits)");
  auto* start_csv = start->add_option(
      "--from-csv", start_a.from_csv,
      "D02.03: one instance per row of a schools CSV (" + std::string(kSchoolsCsvHeader) + ")");
  auto* start_period =
      start->add_option("--period", start_a.period, "D02.03: period: YYYY, YYYY-1 or YYYY-2");
  start_csv->excludes(start_school);
  start_id->excludes(start_school)->excludes(start_csv)->excludes(start_period);
  start->add_option("--var", start_a.vars, "name=value (value is JSON if it parses)")
      ->excludes(start_csv);
  start->add_option("--vars", start_a.var_files, "JSON file with an object of variables")
      ->excludes(start_csv);
  start->add_option("--user", start_a.user, "who starts it (default: $USER)");
  start->add_flag("--json", start_c.json, "with --from-csv: a JSON summary");
  start->callback([&] {
    if (start_id->count() == 0) {
      if (start_school->count() == 0 && start_csv->count() == 0) {
        throw CLI::RequiredError("--business-id, --school or --from-csv");
      }
      if (start_period->count() == 0) throw CLI::RequiredError("--period");
    }
    code = cmd_start(start_c, start_a, out, err);
  });

  SampleJurisdictionArgs sample_a;
  auto* sample =
      app.add_subcommand("sample-jurisdiction",
                         "write a synthetic jurisdiction's schools as CSV (deterministic by seed)");
  sample->add_option("--schools", sample_a.schools, "number of schools (default 300)")
      ->check(CLI::Range(0, kMaxJurisdictionSize));
  sample->add_option("--seed", sample_a.seed, "random seed (default 1)");
  sample->add_option("--etc", sample_a.etc,
                     "the ETC (default Antioquia): " + join(known_etcs(), ", "));
  sample->add_option("--out", sample_a.out, "CSV file to write (default: standard output)");
  sample->add_flag("--bom", sample_a.bom, "start with a UTF-8 byte order mark (for Excel)");
  sample->callback([&] { code = cmd_sample_jurisdiction(sample_a, out, err); });

  Common summary_c;
  SummaryArgs summary_a;
  auto* summary = app.add_subcommand(
      "summary", "a period at a glance: instances per activity, open tasks per role");
  add_common(summary, summary_c);
  summary->add_option("--period", summary_a.period, "period")->required();
  add_optional(summary, "--process", summary_a.process, "process key");
  summary->callback([&] { code = cmd_summary(summary_c, summary_a, out, err); });

  Common inst_c;
  InstanceFilter inst_f;
  auto* instances = app.add_subcommand("instances", "list instances");
  add_common(instances, inst_c);
  add_optional(instances, "--school", inst_f.school, "D02.03: código DANE (the school tag)");
  add_optional(instances, "--period", inst_f.period, "D02.03: period (the period tag)");
  instances->add_option("--tag", inst_f.tags, "name=value: instances with this tag");
  add_optional(instances, "--state", inst_f.state, "active, completed or terminated");
  add_optional(instances, "--process", inst_f.process, "process key");
  add_optional(instances, "--parent", inst_f.parent,
               "instance id: the instances its call activities started");
  instances->callback([&] { code = cmd_instances(inst_c, inst_f, out, err); });

  Common show_c;
  std::string show_id;
  auto* show = app.add_subcommand("show", "where an instance's tokens stand, its tasks, variables");
  add_common(show, show_c);
  show->add_option("INSTANCE", show_id, "instance id")->required();
  show->callback([&] { code = cmd_show(show_c, show_id, out, err); });

  Common tasks_c;
  TaskFilter tasks_f;
  auto* tasks = app.add_subcommand("tasks", "list open user tasks");
  add_common(tasks, tasks_c);
  add_optional(tasks, "--role", tasks_f.role, "candidate group");
  add_optional(tasks, "--school", tasks_f.school, "D02.03: código DANE (the school tag)");
  add_optional(tasks, "--period", tasks_f.period, "D02.03: period (the period tag)");
  tasks->add_option("--tag", tasks_f.tags, "name=value: tasks of instances with this tag");
  tasks->callback([&] { code = cmd_tasks(tasks_c, tasks_f, out, err); });

  Common complete_c;
  CompleteArgs complete_a;
  auto* complete = app.add_subcommand("complete", "complete a user task in a role");
  add_common(complete, complete_c);
  complete->add_option("TASK", complete_a.task, "task id")->required();
  complete->add_option("--as", complete_a.role, "the role (candidate group) acting")->required();
  complete->add_option("--user", complete_a.user, "who acts (default: $USER)");
  complete->add_option("--var", complete_a.vars, "name=value (value is JSON if it parses)");
  complete->add_option("--vars", complete_a.var_files, "JSON file with an object of variables");
  complete->callback([&] { code = cmd_complete(complete_c, complete_a, out, err); });

  Common form_c;
  std::string form_task;
  auto* form = app.add_subcommand("form", "print an open task's form (form-js JSON) as deployed");
  add_common(form, form_c, false);
  form->add_option("TASK", form_task, "task id")->required();
  form->callback([&] { code = cmd_form(form_c, form_task, out, err); });

  Common inc_c;
  IncidentFilter inc_f;
  auto* incidents = app.add_subcommand("incidents", "list open incidents; resolve one");
  add_common(incidents, inc_c);
  add_optional(incidents, "--school", inc_f.school, "D02.03: código DANE (the school tag)");
  add_optional(incidents, "--period", inc_f.period, "D02.03: period (the period tag)");
  incidents->add_option("--tag", inc_f.tags, "name=value: incidents of instances with this tag");
  add_optional(incidents, "--kind", inc_f.kind,
               "job, condition, no-flow, error, timer, message, runaway");
  add_optional(incidents, "--instance", inc_f.instance, "only this instance's");
  Common resolve_c;
  ResolveArgs resolve_a;
  auto* resolve = incidents->add_subcommand(
      "resolve", "repair an incident: give its job retries, or re-evaluate where it stopped");
  add_common(resolve, resolve_c);
  resolve->add_option("INCIDENT", resolve_a.incident, "incident id")->required();
  add_optional(resolve, "--retries", resolve_a.retries, "a job's new retries (default 1)");
  resolve->add_option("--as", resolve_a.role, "the role acting")->required();
  resolve->add_option("--user", resolve_a.user, "who acts (default: $USER)");
  resolve->callback([&] { code = cmd_incidents_resolve(resolve_c, resolve_a, out, err); });
  incidents->callback([&] {
    if (!resolve->parsed()) code = cmd_incidents(inc_c, inc_f, out, err);
  });

  Common setvars_c;
  SetVariablesArgs setvars_a;
  auto* set_variables = app.add_subcommand(
      "set-variables", "set variables on an instance (audited), e.g. to fix a gateway's input");
  add_common(set_variables, setvars_c);
  set_variables->add_option("INSTANCE", setvars_a.instance, "instance id")->required();
  set_variables->add_option("--var", setvars_a.vars, "name=value (value is JSON if it parses)");
  set_variables->add_option("--vars", setvars_a.var_files, "JSON file with an object of variables");
  set_variables->add_option("--as", setvars_a.role, "the role acting")->required();
  set_variables->add_option("--user", setvars_a.user, "who acts (default: $USER)");
  set_variables->callback([&] { code = cmd_set_variables(setvars_c, setvars_a, out, err); });

  Common timers_c;
  std::optional<std::int64_t> timers_instance;
  auto* timers = app.add_subcommand("timers", "list waiting timers, soonest due first");
  add_common(timers, timers_c);
  add_optional(timers, "--instance", timers_instance, "only this instance's");
  timers->callback([&] { code = cmd_timers(timers_c, timers_instance, out, err); });

  Common publish_c;
  PublishArgs publish_a;
  auto* message = app.add_subcommand("message", "messages to instances");
  message->require_subcommand(1);
  auto* publish = message->add_subcommand(
      "publish", "publish a message: correlate it, or buffer it for its time to live");
  add_common(publish, publish_c);
  publish->add_option("NAME", publish_a.name, "the message name")->required();
  publish->add_option("--key", publish_a.key, "the correlation key")->required();
  publish->add_option("--id", publish_a.id, "a message id: published once within its window");
  publish->add_option("--ttl", publish_a.ttl, "how long it is buffered (default PT1H)");
  publish->add_option("--dedup-window", publish_a.dedup_window,
                      "how long its id is remembered (default PT24H, at least the TTL)");
  publish->add_option("--var", publish_a.vars, "name=value (value is JSON if it parses)");
  publish->add_option("--vars", publish_a.var_files, "JSON file with an object of variables");
  publish->callback([&] { code = cmd_message_publish(publish_c, publish_a, out, err); });

  Common messages_c;
  bool messages_all = false;
  auto* messages = app.add_subcommand("messages", "list buffered messages, oldest first");
  add_common(messages, messages_c);
  messages->add_flag("--all", messages_all, "also those kept only for their id's window");
  messages->callback([&] { code = cmd_messages(messages_c, messages_all, out, err); });

  Common activate_c;
  ActivateArgs activate_a;
  Common answer_c;
  JobAnswerArgs answer_a;
  auto* jobs = app.add_subcommand("jobs", "jobs for workers: activate, complete, fail, error");
  jobs->require_subcommand(1);
  auto* activate = jobs->add_subcommand("activate", "lease jobs of a type to a worker");
  add_common(activate, activate_c);
  activate->add_option("--type", activate_a.type, "the job type")->required();
  activate->add_option("--worker", activate_a.worker, "the worker's name")->required();
  activate->add_option("--max", activate_a.max, "at most this many jobs (default 1)");
  activate->add_option("--timeout", activate_a.timeout, "the lease (default PT30S)");
  activate->callback([&] { code = cmd_jobs_activate(activate_c, activate_a, out, err); });
  // The answers share their arguments: each subcommand declares the ones it takes.
  auto answer = [&](const char* name, const char* help) {
    auto* sub = jobs->add_subcommand(name, help);
    add_common(sub, answer_c);
    sub->add_option("KEY", answer_a.key, "the job key (INSTANCE-KEY)")->required();
    sub->add_option("--token", answer_a.token, "the lease's fencing token")->required();
    return sub;
  };
  auto* complete_job = answer("complete", "complete a job the worker holds");
  complete_job->add_option("--var", answer_a.vars, "name=value (value is JSON if it parses)");
  complete_job->add_option("--vars", answer_a.var_files, "JSON file with an object of variables");
  complete_job->callback([&] { code = cmd_jobs_complete(answer_c, answer_a, out, err); });
  auto* fail_job = answer("fail", "fail a job: retries left, retried after a backoff");
  fail_job->add_option("--message", answer_a.message, "what went wrong")->required();
  add_optional(fail_job, "--retries", answer_a.retries,
               "retries left (default one fewer; 0: an incident)");
  fail_job->add_option("--backoff", answer_a.backoff,
                       "wait before it is retried (default: the task's retryBackoff, else "
                       "exponential from PT1S)");
  fail_job->callback([&] { code = cmd_jobs_fail(answer_c, answer_a, out, err); });
  auto* error_job = answer("error", "throw a BPMN error from the job's task");
  error_job->add_option("--code", answer_a.code, "the error code")->required();
  error_job->add_option("--message", answer_a.message, "what happened");
  error_job->callback([&] { code = cmd_jobs_error(answer_c, answer_a, out, err); });
  auto* extend = answer("extend", "extend the lease of a job the worker holds");
  extend->add_option("--timeout", answer_a.timeout, "the new lease, from now")->required();
  extend->callback([&] { code = cmd_jobs_extend(answer_c, answer_a, out, err); });

  Common run_c;
  RunArgs run_a;
  auto* run_cmd = app.add_subcommand("run", "fire timers as they come due; work in-process jobs");
  add_common(run_cmd, run_c);
  run_cmd->add_option("--clock", run_a.clock, "system (default) or simulated")
      ->check(CLI::IsMember({"system", "simulated"}));
  run_cmd->add_option("--from", run_a.from, "simulated: where the clock starts (default: now)");
  run_cmd->add_option("--until", run_a.until, "simulated: fire what is due up to DATE, then exit");
  run_cmd->add_option("--step", run_a.step, "simulated: report at each step (e.g. P1M)");
  run_cmd->add_flag("--autopilot", run_a.autopilot,
                    "simulated: D02.03's autopilot answers every open task as it comes");
  run_cmd->callback([&] { code = cmd_run(run_c, run_a, out, err); });

  Common outbox_c;
  std::optional<std::string> outbox_subprocess;
  bool outbox_all = false;
  bool outbox_csv = false;
  auto* outbox = app.add_subcommand("outbox", "messages queued for other subprocesses");
  add_common(outbox, outbox_c);
  add_optional(outbox, "--subprocess", outbox_subprocess, "e.g. E02.01, F01.03");
  outbox->add_flag("--all", outbox_all, "include acknowledged messages");
  outbox->add_flag("--csv", outbox_csv, "CSV for spreadsheets (UTF-8 with a BOM, ';')")
      ->excludes(outbox->get_option("--json"));
  std::string ack_id;
  auto* ack = outbox->add_subcommand("ack", "acknowledge (mark delivered) one message");
  ack->fallthrough();  // --db and --json given after ack belong to outbox
  ack->add_option("ID", ack_id, "message id")->required();
  ack->callback([&] { code = cmd_outbox_ack(outbox_c, ack_id, out, err); });
  outbox->callback([&] {
    if (ack->parsed()) return;
    code = cmd_outbox(outbox_c, outbox_subprocess, outbox_all, outbox_csv, out, err);
  });

  Common report_c;
  ReportArgs report_a;
  auto* report =
      app.add_subcommand("report", "a record of the process over a period, as CSV or JSON");
  add_common(report, report_c, false);
  report
      ->add_option("KIND", report_a.kind,
                   "programacion, revision, seguimiento, evaluacion, irregularidades, "
                   "caracterizacion")
      ->required();
  report->add_option("--period", report_a.period, "period")->required();
  add_optional(report, "--etc", report_a.etc, "certified territorial entity");
  report->add_option("--format", report_a.format, "csv (default) or json")
      ->check(CLI::IsMember({"csv", "json"}));
  report->callback([&] { code = cmd_report(report_c, report_a, out, err); });

  // The auditors' commands (tools/cli/audit_commands.h, docs/audit.md).
  Common history_c;
  HistoryArgs history_a;
  auto* history = app.add_subcommand("history", "an instance's timeline: when, who, what");
  add_common(history, history_c);
  history->add_option("INSTANCE", history_a.instance, "instance id")->required();
  history->add_flag("--csv", history_a.csv, "CSV for spreadsheets (UTF-8 with a BOM, ';')")
      ->excludes(history->get_option("--json"));
  history->add_option("--archive", history_a.archive, "read it from an archive, not the db");
  history->callback([&] { code = cmd_history(history_c, history_a, out, err); });

  Common replay_c;
  ReplayArgs replay_a;
  auto* replay = app.add_subcommand("replay", "rebuild an instance from its events alone");
  add_common(replay, replay_c);
  replay->add_option("INSTANCE", replay_a.instance, "instance id")->required();
  auto* replay_until = replay->add_option_function<std::int64_t>(
      "--until", [&](const std::int64_t& v) { replay_a.until = v; }, "fold events 1..SEQ");
  replay
      ->add_option_function<std::string>(
          "--at", [&](const std::string& v) { replay_a.at = v; },
          "fold the events at or before an ISO-8601 time (a date: the end of that day, UTC)")
      ->excludes(replay_until);
  replay->add_option("--archive", replay_a.archive, "read it from an archive, not the db");
  replay->callback([&] { code = cmd_replay(replay_c, replay_a, out, err); });

  Common verify_c;
  VerifyArgs verify_a;
  auto* verify = app.add_subcommand("verify", "recompute the hash chains of the history");
  add_common(verify, verify_c);
  auto* verify_id = verify->add_option("INSTANCE", verify_a.instance, "instance id");
  verify->add_flag("--all", verify_a.all, "every instance (the default)")->excludes(verify_id);
  verify->add_option("--archive", verify_a.archive, "verify an archive file, not the db")
      ->excludes(verify_id);
  verify->add_option("--threads", verify_a.threads, "workers (default: one per core)")
      ->check(CLI::Range(0, 256));
  verify->callback([&] { code = cmd_verify(verify_c, verify_a, out, err); });

  Common export_c;
  ExportArgs export_a;
  auto* export_cmd =
      app.add_subcommand("export", "write a period's instances to a self-contained archive");
  add_common(export_cmd, export_c);
  add_optional(export_cmd, "--period", export_a.period, "D02.03: period (the period tag)");
  add_optional(export_cmd, "--school", export_a.school, "D02.03: código DANE (the school tag)");
  export_cmd->add_option("--tag", export_a.tags, "name=value: instances with this tag");
  add_optional(export_cmd, "--process", export_a.process, "process key");
  export_cmd->add_option("--out", export_a.out, "archive file (JSON lines)")->required();
  export_cmd->callback([&] { code = cmd_export(export_c, export_a, out, err); });

  BenchAuditArgs bench_audit_a;
  auto* bench_audit =
      app.add_subcommand("bench-audit", "time replay of a long instance and verify --all");
  bench_audit->add_option("--events", bench_audit_a.events, "events of the replayed instance")
      ->check(CLI::Range(std::int64_t{10}, std::int64_t{100000000}));
  bench_audit->add_option("--instances", bench_audit_a.instances, "instances to verify")
      ->check(CLI::Range(1, 10000000));
  bench_audit
      ->add_option("--instance-events", bench_audit_a.instance_events,
                   "events of each instance to verify")
      ->check(CLI::Range(10, 1000000));
  bench_audit->add_option("--runs", bench_audit_a.runs, "replay runs")->check(CLI::Range(1, 1000));
  bench_audit->add_option("--threads", bench_audit_a.threads, "verify workers (0: one per core)")
      ->check(CLI::Range(0, 256));
  bench_audit->add_option("--dir", bench_audit_a.dir, "directory for the databases (kept)");
  bench_audit->callback([&] { code = cmd_bench_audit(bench_audit_a, out, err); });

  DemoArgs demo_a;
  auto* demo = app.add_subcommand("demo", "run D02.03 for a sample school, printing each step");
  demo->add_option("--db", demo_a.db, "database file (default: a temporary one)");
  demo->add_option("--school", demo_a.school, "código DANE");
  demo->add_option("--period", demo_a.period, "period");
  demo->callback([&] { code = cmd_demo(demo_a, out, err); });

  BenchArgs bench_a;
  std::string durability = "full";
  auto* bench = app.add_subcommand("bench", "run N schools through D02.03 and print figures");
  bench->add_option("--schools", bench_a.schools, "number of schools")
      ->check(CLI::Range(1, 10000000));
  bench->add_option("--threads", bench_a.threads, "client threads: schools in progress at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  bench->add_option("--db", bench_a.db, "database file (default: a fresh temporary one)");
  bench->add_option("--durability", durability, "full (fsync each group commit) or fast")
      ->check(CLI::IsMember({"full", "fast"}));
  bench->callback([&] {
    bench_a.fast = durability == "fast";
    code = cmd_bench(bench_a, out, err);
  });

  BenchTimersArgs bench_timers_a;
  std::string timers_durability = "full";
  auto* bench_timers =
      app.add_subcommand("bench-timers", "arm N timers due at once, fire them, print figures");
  bench_timers->add_option("--timers", bench_timers_a.timers, "number of timers")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  bench_timers->add_option("--threads", bench_timers_a.threads, "starting and firing threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  bench_timers->add_option("--db", bench_timers_a.db,
                           "database file (default: a fresh temporary one)");
  bench_timers->add_option("--durability", timers_durability, "full (fsync) or fast")
      ->check(CLI::IsMember({"full", "fast"}));
  bench_timers->callback([&] {
    bench_timers_a.fast = timers_durability == "fast";
    code = cmd_bench_timers(bench_timers_a, out, err);
  });

  BenchJobsArgs bench_jobs_a;
  std::string jobs_durability = "full";
  auto* bench_jobs = app.add_subcommand(
      "bench-jobs", "N jobs waiting for the in-process workers; work them, print figures");
  bench_jobs->add_option("--jobs", bench_jobs_a.jobs, "number of jobs")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  bench_jobs->add_option("--threads", bench_jobs_a.threads, "starting threads and workers")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  bench_jobs->add_option("--db", bench_jobs_a.db, "database file (default: a fresh temporary one)");
  bench_jobs->add_option("--durability", jobs_durability, "full (fsync) or fast")
      ->check(CLI::IsMember({"full", "fast"}));
  bench_jobs->callback([&] {
    bench_jobs_a.fast = jobs_durability == "fast";
    code = cmd_bench_jobs(bench_jobs_a, out, err);
  });

  BenchCallsArgs bench_calls_a;
  std::string calls_durability = "full";
  auto* bench_calls = app.add_subcommand(
      "bench-calls", "N parents each calling a child; complete the children, print figures");
  bench_calls->add_option("--calls", bench_calls_a.calls, "number of parents (and children)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  bench_calls
      ->add_option("--each", bench_calls_a.each,
                   "children per parent (over 1: a parallel multi-instance call activity "
                   "over a list of that many)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  bench_calls->add_option("--threads", bench_calls_a.threads, "client threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  bench_calls->add_option("--db", bench_calls_a.db,
                          "database file (default: a fresh temporary one)");
  bench_calls->add_option("--durability", calls_durability, "full (fsync) or fast")
      ->check(CLI::IsMember({"full", "fast"}));
  bench_calls->callback([&] {
    bench_calls_a.fast = calls_durability == "fast";
    code = cmd_bench_calls(bench_calls_a, out, err);
  });

  BenchSeArgs bench_se_a;
  std::string se_durability = "full";
  auto* bench_se = app.add_subcommand(
      "bench-se",
      "an SE period of D02.03 at the SE's level: N schools through the SE's and the schools' "
      "processes, print figures");
  bench_se->add_option("--schools", bench_se_a.schools, "schools of the period")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  bench_se->add_option("--etcs", bench_se_a.etcs, "SE instances (ETCs) sharing the schools")
      ->capture_default_str()
      ->check(CLI::Range(1, 9));
  bench_se->add_option("--threads", bench_se_a.threads, "client threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  bench_se->add_option("--db", bench_se_a.db, "database file (default: a fresh temporary one)");
  bench_se->add_option("--durability", se_durability, "full (fsync) or fast")
      ->check(CLI::IsMember({"full", "fast"}));
  bench_se->callback([&] {
    bench_se_a.fast = se_durability == "fast";
    code = cmd_bench_se(bench_se_a, out, err);
  });

  BenchMessagesArgs bench_messages_a;
  std::string messages_durability = "full";
  auto* bench_messages = app.add_subcommand(
      "bench-messages", "N waiting instances, N messages correlated, N buffered; print figures");
  bench_messages->add_option("--messages", bench_messages_a.messages, "number of messages")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  bench_messages
      ->add_option("--threads", bench_messages_a.threads, "starting and publishing threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  bench_messages->add_option("--db", bench_messages_a.db,
                             "database file (default: a fresh temporary one)");
  bench_messages->add_option("--durability", messages_durability, "full (fsync) or fast")
      ->check(CLI::IsMember({"full", "fast"}));
  bench_messages->callback([&] {
    bench_messages_a.fast = messages_durability == "fast";
    code = cmd_bench_messages(bench_messages_a, out, err);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e, out, err);
    return rc == 0 ? kExitOk : kExitUsage;
  } catch (const std::exception& e) {
    err << "internal error: " << e.what() << " (please report it)\n";
    return kExitInternal;
  }
  return code;
}

}  // namespace pmiflow::cli
