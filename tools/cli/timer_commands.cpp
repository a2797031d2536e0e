#include "tools/cli/timer_commands.h"

#include <map>
#include <vector>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "app/due_timers.h"
#include "app/job_workers.h"
#include "app/runner.h"
#include "engine/common/time_text.h"
#include "engine/model/timer_definition.h"
#include "engine/time/cycle.h"
#include "engine/time/zone.h"
#include "tools/cli/autopilot.h"
#include "tools/cli/cli.h"
#include "tools/cli/format.h"
#include "tools/cli/session.h"

namespace pmiflow::cli {
namespace {

// A --from / --until value: a date (its midnight) or a date and time, in the engine's zone
// unless it says its own.
Result<std::int64_t> parse_instant(const std::string& text, const std::string& flag) {
  auto at =
      model::schedule_timer(model::TimerDefinition::Kind::kDate, text, 0, time::default_zone());
  if (!at.ok()) return make_error(ErrorCode::kInvalidArgument, flag + ": " + at.error().message);
  return at->due_ms;
}

Json fired_json(const app::FiredTimer& f) {
  return {{"instance_id", f.instance_id},
          {"timer_id", f.timer_id},
          {"element_id", f.element_id},
          {"due", format_time(f.due_ms)},
          {"fired", format_time(f.fired_ms)}};
}

}  // namespace

int cmd_timers(const Common& c, const std::optional<std::int64_t>& instance, std::ostream& out,
               std::ostream& err) {
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  TimerQuery query;
  query.instance_id = instance;
  auto rows = (*session)->store->timers(query);
  if (!rows.ok()) return fail(err, rows.error());
  if (c.json) {
    Json list = Json::array();
    for (const auto& t : *rows) {
      list.push_back({{"id", t.id},
                      {"instance_id", t.instance_id},
                      {"element_id", t.element_id},
                      {"due", format_time(t.due_ms)}});
    }
    out << list.dump(2) << '\n';
    return kExitOk;
  }
  std::vector<std::vector<std::string>> table;
  for (const auto& t : *rows) {
    table.push_back({t.id, std::to_string(t.instance_id), t.element_id, format_time(t.due_ms)});
  }
  print_table(out, {"TIMER", "INSTANCE", "ELEMENT", "DUE"}, table);
  return kExitOk;
}

int cmd_run_simulated(const Common& c, const RunArgs& a, std::ostream& out, std::ostream& err) {
  if (a.until.empty()) {
    return fail(err, make_error(ErrorCode::kInvalidArgument,
                                "--until: a simulated clock needs where to stop (a date)"));
  }
  auto until = parse_instant(a.until, "--until");
  if (!until.ok()) return fail(err, until.error());
  std::int64_t from = SystemClock().now_ms();
  if (!a.from.empty()) {
    auto parsed = parse_instant(a.from, "--from");
    if (!parsed.ok()) return fail(err, parsed.error());
    from = *parsed;
  }
  if (*until < from) {
    return fail(err, make_error(ErrorCode::kInvalidArgument, "--until " + a.until +
                                                                 " is before the clock's start " +
                                                                 format_time(from)));
  }
  std::optional<time::Duration> step;
  if (!a.step.empty()) {
    auto parsed = time::parse_timer_duration(a.step);
    if (!parsed.ok()) {
      return fail(err,
                  make_error(ErrorCode::kInvalidArgument, "--step: " + parsed.error().message));
    }
    step = *parsed;
  }
  auto simulated = std::make_unique<ManualClock>(from);
  ManualClock* clock = simulated.get();
  auto session = open_session(c.db, OpenMode::kExisting, {}, std::move(simulated));
  if (!session.ok()) return fail(err, session.error());

  // The stops: each step from the start, then --until.
  std::vector<std::int64_t> stops;
  for (std::int64_t i = 1; step; ++i) {
    auto at = time::add_duration(from,
                                 time::Duration{step->months * i, step->days * i, step->ms * i,
                                                step->has_months, step->has_time},
                                 time::default_zone());
    if (!at || *at >= *until) break;
    stops.push_back(*at);
  }
  stops.push_back(*until);

  Engine& engine = *(*session)->engine;
  persistence::SqliteStore& store = *(*session)->store;
  // The in-process workers, one thread (in order, on the simulated clock), work the jobs of
  // asynchronous tasks and the retries whose backoff is over at each instant.
  app::JobWorkersOptions one_thread;
  one_thread.threads = 1;
  app::JobWorkers workers(engine, store, one_thread);
  std::int64_t jobs_worked = 0;
  // With the autopilot, the open tasks are answered first, then the timers fire one due
  // instant at a time, each followed by the answers the tasks it opened call for.
  auto answer = [&](std::size_t& answered) -> Status {
    auto worked = workers.work_due();
    if (!worked.ok()) return worked.error();
    jobs_worked += worked->completed + worked->failed + worked->errors;
    if (!a.autopilot) return {};
    auto n = autopilot_answer_all(engine, store);
    if (!n.ok()) return n.error();
    answered += *n;
    return {};
  };
  Json steps = Json::array();
  std::size_t total = 0;
  std::size_t total_answered = 0;
  for (std::int64_t stop : stops) {
    std::vector<app::FiredTimer> fired_in_step;
    std::size_t answered = 0;
    if (Status s = answer(answered); !s.ok()) return fail(err, s.error());
    for (;;) {
      std::int64_t up_to = stop;
      if (a.autopilot) {
        auto next = app::next_due(store);
        if (!next.ok()) return fail(err, next.error());
        if (!*next || **next > stop) break;
        up_to = **next;
      }
      auto report =
          app::fire_due_timers(engine, store, up_to, clock, 1,
                               [&](const app::FiredTimer& f) { fired_in_step.push_back(f); });
      if (!report.ok()) return fail(err, report.error());
      if (Status s = answer(answered); !s.ok()) return fail(err, s.error());
      if (!a.autopilot || report->fired == 0) break;
    }
    if (clock->now_ms() < stop) clock->set(stop);
    total += fired_in_step.size();
    total_answered += answered;
    if (c.json) {
      Json fired = Json::array();
      for (const auto& f : fired_in_step) fired.push_back(fired_json(f));
      Json one = {{"until", format_time(stop)}, {"fired", fired}};
      if (a.autopilot) one["answered"] = answered;
      steps.push_back(std::move(one));
    } else {
      out << format_time(stop) << ": " << fired_in_step.size() << " timer(s) fired";
      if (a.autopilot) out << ", " << answered << " task(s) answered by the autopilot";
      out << "\n";
      if (a.autopilot) {  // a whole jurisdiction: how many of each timer event
        std::map<std::string, std::size_t> by_element;
        for (const auto& f : fired_in_step) ++by_element[f.element_id];
        for (const auto& [element, n] : by_element) out << "  " << n << "  " << element << "\n";
      } else {
        for (const auto& f : fired_in_step) {
          out << "  " << format_time(f.due_ms) << "  instance " << f.instance_id << "  "
              << f.element_id << "\n";
        }
      }
    }
  }
  auto expired = (*session)->store->expire_messages(*until);
  if (!expired.ok()) return fail(err, expired.error());
  auto next = app::next_due(*(*session)->store);
  if (!next.ok()) return fail(err, next.error());
  if (c.json) {
    out << Json{{"from", format_time(from)},
                {"until", format_time(*until)},
                {"fired", total},
                {"messages_expired", *expired},
                {"steps", steps},
                {"answered", total_answered},
                {"jobs_worked", jobs_worked},
                {"next_due", *next ? Json(format_time(**next)) : Json()}}
               .dump(2)
        << '\n';
  } else {
    out << total << " timer(s) fired from " << format_time(from) << " to " << format_time(*until)
        << "; next due: " << (*next ? format_time(**next) : "none") << "\n";
    if (jobs_worked > 0) out << jobs_worked << " job(s) worked by the in-process workers\n";
  }
  return kExitOk;
}

int cmd_run(const Common& c, const RunArgs& a, std::ostream& out, std::ostream& err) {
  if (a.clock == "simulated") return cmd_run_simulated(c, a, out, err);
  if (a.autopilot) {
    return fail(err,
                make_error(ErrorCode::kInvalidArgument, "--autopilot needs --clock simulated"));
  }
  for (const auto& [flag, value] :
       {std::pair{"--from", a.from}, {"--until", a.until}, {"--step", a.step}}) {
    if (!value.empty()) {
      return fail(err, make_error(ErrorCode::kInvalidArgument,
                                  std::string(flag) + " needs --clock simulated"));
    }
  }
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  // Lifecycle lines go to the log (stderr), one structured line each.
  spdlog::logger log("run", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  app::Runner runner(*(*session)->engine, *(*session)->store, {},
                     [&log](const std::string& line) { log.info("{}", line); });
  auto stats = runner.run();
  if (!stats.ok()) return fail(err, stats.error());
  if (c.json) {
    out << Json{{"overdue_at_start", stats->overdue_at_start},
                {"fired", stats->fired},
                {"skipped", stats->skipped}}
               .dump(2)
        << '\n';
  } else {
    out << stats->fired << " timer(s) fired (" << stats->overdue_at_start << " overdue at start), "
        << stats->skipped << " skipped\n";
  }
  return kExitOk;
}

}  // namespace pmiflow::cli
