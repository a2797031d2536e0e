// The auditors' commands: history, replay, verify and export (docs/audit.md). The work is the
// application layer's (app/history.h, replay.h, verify.h, archive.h); these print it.
#include "tools/cli/audit_commands.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "app/archive.h"
#include "app/audited_instance.h"
#include "app/history.h"
#include "app/replay.h"
#include "app/verify.h"
#include "engine/common/time_text.h"
#include "engine/runtime/event_describer.h"
#include "engine/time/zone.h"
#include "handlers/d02_03/business_key.h"
#include "handlers/d02_03/vocabulary.h"
#include "tools/cli/cli.h"
#include "tools/cli/format.h"
#include "tools/cli/session.h"

namespace pmiflow::cli {
namespace {

using app::parse_instance_id;

std::string plural(std::int64_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// Who, without the role (the CSV has a column for it).
std::string actor_name(const runtime::Actor& a) {
  return a.kind == "user" ? a.id : runtime::describe_actor(a);
}

Json replay_json(const app::AuditedInstance& a, const runtime::InstanceState& s) {
  const model::ProcessDefinition* def = a.def.get();
  Json j = {{"instance_id", a.row.id},
            {"process", a.row.business_key.process},
            {"business_id", a.row.business_key.id},
            {"tags", tags_to_json(a.row.tags)},
            {"version", a.row.version},
            {"status", runtime::to_string(s.status)},
            {"last_seq", s.last_seq},
            {"last_time", s.last_seq == 0 ? Json() : Json(format_time(a.events.back().time_ms))}};
  j["active"] = Json::array();
  for (const auto& [key, el] : s.elements) {
    j["active"].push_back({{"key", key},
                           {"element_id", el.element_id},
                           {"element_name", runtime::bpmn_name(def, el.element_id)}});
  }
  j["tasks"] = Json::array();
  for (const auto& [id, t] : s.tasks) {
    j["tasks"].push_back({{"id", id},
                          {"element_id", t.element_id},
                          {"name", t.name},
                          {"candidate_groups", t.candidate_groups}});
  }
  j["variables"] = Json::object();
  for (const auto& [name, value] : s.variables) j["variables"][name] = value;
  j["jobs"] = Json::array();
  for (const auto& [id, jb] : s.jobs) {
    j["jobs"].push_back({{"id", id},
                         {"element_id", jb.element_id},
                         {"type", jb.type},
                         {"retries_left", jb.retries_left},
                         {"state", runtime::to_string(jb.state)}});
  }
  j["incidents"] = Json::array();
  for (const auto& [id, i] : s.incidents) {
    j["incidents"].push_back(
        {{"id", id}, {"element_id", i.element_id}, {"kind", i.kind}, {"message", i.message}});
  }
  add_d02_03_keys(j, a.row.tags);
  j["activation_counts"] = Json::object();
  j["activities"] = Json::array();
  for (const auto& [element, count] : s.activation_counts) {
    j["activation_counts"][element] = count;
    j["activities"].push_back({{"element_id", element},
                               {"element_name", runtime::bpmn_name(def, element)},
                               {"count", count}});
  }
  return j;
}

void print_replay(std::ostream& out, const app::AuditedInstance& a, const runtime::InstanceState& s,
                  const std::string& point) {
  const model::ProcessDefinition* def = a.def.get();
  out << "instance " << a.row.id << ": " << a.row.business_key.process << " v" << a.row.version
      << ", business id " << a.row.business_key.id << '\n';
  out << "rebuilt from its events alone: " << point << '\n';
  out << "last event folded: ";
  if (s.last_seq == 0) {
    out << "none (the instance had not started)\n";
  } else {
    out << "#" << s.last_seq << " at " << format_time(a.events.back().time_ms) << '\n';
  }
  out << "status: " << runtime::to_string(s.status) << "\n\nactive activities:\n";
  for (const auto& [key, el] : s.elements)
    out << "  " << runtime::element_label(def, el.element_id) << '\n';
  if (s.elements.empty()) out << "  (none)\n";
  out << "\nopen tasks:\n";
  for (const auto& [id, t] : s.tasks) {
    out << "  " << id << "  " << (t.name.empty() ? t.element_id : t.name) << "  ["
        << join(t.candidate_groups, ", ") << "]\n";
  }
  if (s.tasks.empty()) out << "  (none)\n";
  if (!s.jobs.empty()) {
    out << "\njobs:\n";
    for (const auto& [id, jb] : s.jobs) {
      out << "  " << id << "  " << jb.type << "  " << runtime::to_string(jb.state) << " ("
          << jb.retries_left << " retries left)\n";
    }
  }
  if (!s.incidents.empty()) {
    out << "\nincidents:\n";
    for (const auto& [id, i] : s.incidents) {
      out << "  " << id << "  " << runtime::element_label(def, i.element_id) << ": " << i.message
          << '\n';
    }
  }
  out << "\nvariables:\n";
  for (const auto& [name, value] : s.variables)
    out << "  " << name << " = " << json_text(value) << '\n';
  if (s.variables.empty()) out << "  (none)\n";
  out << "\ntimes each activity ran:\n";
  for (const auto& [element, count] : s.activation_counts) {
    out << "  " << count << "x  " << runtime::element_label(def, element) << '\n';
  }
  if (s.activation_counts.empty()) out << "  (none)\n";
}

int print_verify(const Common& c, const app::VerifyReport& r, const std::string& what,
                 std::ostream& out) {
  const bool intact = r.findings.empty();
  if (c.json) {
    Json j = {{"intact", intact}, {"instances", r.instances}, {"events", r.events}};
    if (r.definitions > 0) j["definitions"] = r.definitions;
    if (r.heads_digest) j["heads_digest"] = *r.heads_digest;
    j["problems"] = Json::array();
    for (const auto& f : r.findings) {
      j["problems"].push_back({{"instance_id", f.instance_id},
                               {"seq", f.seq},
                               {"kind", f.kind},
                               {"message", f.message}});
    }
    out << j.dump(2) << '\n';
  } else {
    for (const auto& f : r.findings) out << "TAMPERED " << f.line() << '\n';
    out << "verified " << what << plural(r.events, "event") << " of "
        << plural(r.instances, "instance") << ": "
        << (intact ? "intact"
                   : "TAMPERED (" +
                         plural(static_cast<std::int64_t>(r.findings.size()), "problem") + ")")
        << '\n';
    if (r.heads_digest) out << "heads digest: " << *r.heads_digest << '\n';
  }
  return intact ? kExitOk : kExitValidation;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int cmd_history(const Common& c, const HistoryArgs& a, std::ostream& out, std::ostream& err) {
  if (c.json && a.csv) {
    err << "error: --json and --csv exclude each other\n";
    return kExitUsage;
  }
  auto id = parse_instance_id(a.instance);
  if (!id.ok()) return fail(err, id.error());
  Result<app::AuditedInstance> loaded = make_error(ErrorCode::kInternal, "not loaded");
  std::unique_ptr<Session> session;
  if (!a.archive.empty()) {
    loaded = app::load_audited_from_archive(a.archive, *id);
  } else {
    auto opened = open_session(c.db, OpenMode::kExisting);
    if (!opened.ok()) return fail(err, opened.error());
    session = std::move(*opened);
    loaded = app::load_audited(*session->store, *session->engine, *id);
  }
  if (!loaded.ok()) return fail(err, loaded.error());
  const app::AuditedInstance& h = *loaded;
  // From an archive, which holds no forms: the domain's labels alone.
  const model::Vocabulary words =
      session ? shipped_vocabulary(*session, h.row.business_key.process, h.row.version)
              : handlers::d02_03::vocabulary();
  const std::vector<app::HistoryEntry> entries = app::history(h, &words);

  if (c.json) {
    Json list = Json::array();
    for (const auto& e : entries) {
      list.push_back(
          {{"seq", e.seq},
           {"time", format_time(e.time_ms)},
           {"time_ms", e.time_ms},
           {"actor", {{"kind", e.actor.kind}, {"id", e.actor.id}, {"role", e.actor.role}}},
           {"type", e.type},
           {"element_id", e.element_id},
           {"element_name", e.element_name},
           {"description", e.description},
           {"payload", e.payload},
           {"prev_hash", e.prev_hash},
           {"hash", e.hash}});
    }
    out << list.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  rows.reserve(entries.size());
  for (const auto& e : entries) {
    if (a.csv) {
      rows.push_back({std::to_string(e.seq), model::date_time_text(e.time_ms), actor_name(e.actor),
                      e.actor.role.empty() ? "" : words.role(e.actor.role), e.description,
                      e.element_name, e.element_id, e.type});
    } else {
      rows.push_back({std::to_string(e.seq), model::date_time_text(e.time_ms),
                      runtime::describe_actor(e.actor, &words), e.description});
    }
  }
  if (a.csv) {
    write_csv(out,
              {"N.º", "Fecha y hora", "Quién", "Rol", "Qué pasó", "Elemento", "Id del elemento",
               "Tipo de evento"},
              rows);
    return kExitOk;
  }
  out << "instancia " << h.row.id << ": " << h.row.business_key.process << " v" << h.row.version
      << ", id de negocio " << h.row.business_key.id << ", " << status_word(h.row.status) << ", "
      << entries.size() << (entries.size() == 1 ? " evento" : " eventos") << " (horas de "
      << time::default_zone().name() << ")\n\n";
  print_table(out, {"N.º", "FECHA Y HORA", "QUIÉN", "QUÉ"}, rows);
  return kExitOk;
}

int cmd_replay(const Common& c, const ReplayArgs& a, std::ostream& out, std::ostream& err) {
  auto id = parse_instance_id(a.instance);
  if (!id.ok()) return fail(err, id.error());
  if (a.until && a.at) {
    err << "error: --until and --at exclude each other\n";
    return kExitUsage;
  }
  if (a.until && *a.until < 0) {
    return fail(err, make_error(ErrorCode::kInvalidArgument,
                                "--until " + std::to_string(*a.until) + " is not a seq (>= 0)"));
  }
  app::ReplayPoint point;
  point.until = a.until;
  if (a.at) {
    auto t = parse_time(*a.at, "--at");
    if (!t.ok()) return fail(err, t.error());
    point.at_ms = *t;
  }
  Result<app::Replay> replayed = make_error(ErrorCode::kInternal, "not replayed");
  if (a.archive.empty()) {
    auto session = open_session(c.db, OpenMode::kExisting);
    if (!session.ok()) return fail(err, session.error());
    replayed = app::replay(*(*session)->store, *(*session)->engine, *id, point);
  } else {
    replayed = app::replay_archive(a.archive, *id, point);
  }
  if (!replayed.ok()) return fail(err, replayed.error());
  const app::Replay& r = *replayed;
  const runtime::InstanceState& state = r.state;
  std::string at;
  if (a.until) {
    at = "events 1.." + std::to_string(state.last_seq) + " of " + std::to_string(r.events_total) +
         " (--until " + std::to_string(*a.until) + ")";
  } else if (point.at_ms) {
    at = "events 1.." + std::to_string(state.last_seq) + " of " + std::to_string(r.events_total) +
         " (--at " + format_time(*point.at_ms) + ": the events at or before it)";
  } else {
    at = "all " + plural(state.last_seq, "event");
  }
  if (c.json) {
    Json j = replay_json(r.instance, state);
    j["until"] = a.until ? Json(*a.until) : Json();
    j["at"] = point.at_ms ? Json(format_time(*point.at_ms)) : Json();
    j["events_total"] = r.events_total;
    if (point.all()) {
      j["projections"] = {{"compared_with", r.compared_with},
                          {"agree", !r.difference},
                          {"difference", r.difference ? Json(*r.difference) : Json()}};
    }
    out << j.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
  } else {
    print_replay(out, r.instance, state, at);
    if (point.all()) {
      out << '\n'
          << (r.difference ? r.compared_with + " DIFFER from the events: " + *r.difference
                           : r.compared_with + " agree with the events")
          << '\n';
    }
  }
  if (r.difference) {
    err << "error: " << r.compared_with << " of instance " << r.instance.row.id
        << " differ from its events: " << *r.difference << '\n';
    return kExitValidation;
  }
  return kExitOk;
}

int cmd_verify(const Common& c, const VerifyArgs& a, std::ostream& out, std::ostream& err) {
  if (a.all && !a.instance.empty()) {
    err << "error: give an INSTANCE or --all, not both\n";
    return kExitUsage;
  }
  if (!a.archive.empty()) {
    if (!a.instance.empty()) {
      err << "error: --archive verifies the whole archive; it takes no INSTANCE\n";
      return kExitUsage;
    }
    auto report = app::verify_archive(a.archive);
    if (!report.ok()) return fail(err, report.error());
    return print_verify(
        c, *report,
        "archive " + a.archive + ": " + plural(report->definitions, "definition") + ", ", out);
  }
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  Result<app::VerifyReport> report = make_error(ErrorCode::kInternal, "not verified");
  if (!a.instance.empty()) {
    auto id = parse_instance_id(a.instance);
    if (!id.ok()) return fail(err, id.error());
    report = app::verify_instance(*(*session)->store, *id);
  } else {
    const unsigned workers = a.threads > 0 ? static_cast<unsigned>(a.threads)
                                           : std::max(1u, std::thread::hardware_concurrency());
    report = app::verify_all(*(*session)->store, workers, more_readers(**session));
  }
  if (!report.ok()) return fail(err, report.error());
  return print_verify(c, *report, "", out);
}

int cmd_export(const Common& c, const ExportArgs& a, std::ostream& out, std::ostream& err) {
  if (a.period) {
    if (Status s = handlers::d02_03::validate_periodo(*a.period); !s.ok())
      return fail(err, s.error());
  }
  if (a.school) {
    if (Status s = handlers::d02_03::validate_codigo_dane(*a.school); !s.ok()) {
      return fail(err, s.error());
    }
  }
  auto tags = selected_tags(a.tags, a.school, a.period);
  if (!tags.ok()) return fail(err, tags.error());
  if (tags->empty() && !a.process) {
    err << "error: say which instances to export: --period, --school, --tag or --process\n";
    return kExitUsage;
  }
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  auto summary = app::export_archive(*(*session)->store, *tags, a.process, a.out, now_ms());
  if (!summary.ok()) return fail(err, summary.error());
  if (c.json) {
    out << Json{{"out", a.out},
                {"instances", summary->instances},
                {"events", summary->events},
                {"definitions", summary->definitions},
                {"heads_digest", summary->heads_digest}}
               .dump(2)
        << '\n';
  } else {
    out << "exported " << plural(summary->instances, "instance") << ", "
        << plural(summary->events, "event") << " and " << plural(summary->definitions, "definition")
        << " to " << a.out << '\n'
        << "heads digest: " << summary->heads_digest
        << "\n(keep this digest apart from the archive: `pmiflow verify --archive` prints the "
           "same value while the archive is untouched)\n";
  }
  return kExitOk;
}

}  // namespace pmiflow::cli
