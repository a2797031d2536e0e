#include "tools/cli/d02_03_commands.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <utility>

#include "app/summary.h"
#include "engine/common/limits.h"
#include "handlers/d02_03/business_key.h"
#include "handlers/d02_03/jurisdiction.h"
#include "handlers/d02_03/period_start.h"
#include "handlers/d02_03/reports.h"
#include "handlers/d02_03/se_start_data.h"
#include "tools/cli/cli.h"
#include "tools/cli/format.h"
#include "tools/cli/session.h"

namespace pmiflow::cli {
namespace {

using handlers::d02_03::validate_periodo;

Json field_errors_json(const std::vector<FieldError>& errors) {
  Json list = Json::array();
  for (const FieldError& e : errors) list.push_back({{"field", e.field}, {"message", e.message}});
  return list;
}

// Writes `text` to `path` through a temporary file renamed over it, so that a failed write
// never leaves half a file.
Status write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    if (!file) return make_error(ErrorCode::kIo, path + ": cannot write the file");
    file << text;
    file.flush();
    if (!file) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      return make_error(ErrorCode::kIo, path + ": write error");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return make_error(ErrorCode::kIo, path + ": cannot write the file");
  }
  return {};
}

// Reports the rows `rows` rejected (error: FILE:LINE: message), and returns their lines.
std::vector<int> report_rejected_rows(const std::string& file,
                                      const std::vector<handlers::d02_03::SchoolRow>& rows,
                                      Json& rejected, std::ostream& err) {
  std::vector<int> lines;
  for (const handlers::d02_03::SchoolRow& row : rows) {
    if (row.errors.empty()) continue;
    for (const FieldError& e : row.errors)
      err << "error: " << file << ':' << row.line << ": " << e.message << '\n';
    lines.push_back(row.line);
    auto code = row.variables.find("codigo_dane");
    rejected.push_back({{"line", row.line},
                        {"codigo_dane", code != row.variables.end() ? code->second : Json("")},
                        {"errors", field_errors_json(row.errors)}});
  }
  return lines;
}

// `start --from-csv` for the SE's process: one instance per ETC of the file.
int start_se_csv(const Common& c, const StartArgs& a, Engine& engine, ReadModel& read_model,
                 const std::vector<handlers::d02_03::SchoolRow>& rows, std::ostream& out,
                 std::ostream& err) {
  Json rejected = Json::array();
  const std::vector<int> rejected_lines = report_rejected_rows(a.from_csv, rows, rejected, err);
  auto outcomes = handlers::d02_03::start_se_rows(
      engine, read_model, a.process, a.period, rows,
      runtime::Actor::user(a.user.empty() ? default_user() : a.user, ""));
  if (!outcomes.ok()) return fail(err, outcomes.error());
  Json instances = Json::array();
  bool refused = false;
  for (const handlers::d02_03::SeOutcome& o : *outcomes) {
    for (const FieldError& e : o.errors) err << "error: " << o.etc << ": " << e.message << '\n';
    refused = refused || !o.errors.empty();
    instances.push_back({{"etc", o.etc},
                         {"schools", o.schools},
                         {"id", o.instance_id},
                         {"created", o.created},
                         {"errors", field_errors_json(o.errors)}});
  }
  if (c.json) {
    out << Json{{"process", a.process}, {"period", a.period},   {"file", a.from_csv},
                {"rows", rows.size()},  {"rejected", rejected}, {"instances", instances}}
               .dump(2)
        << '\n';
  } else {
    out << a.process << ", period " << a.period << ", " << a.from_csv << ": " << rows.size()
        << " rows, " << rejected_lines.size() << " rejected\n";
    for (const handlers::d02_03::SeOutcome& o : *outcomes) {
      out << "  " << o.etc << ": " << o.schools << " schools, ";
      if (!o.errors.empty()) {
        out << "refused (nothing written)\n";
      } else {
        out << "instance " << o.instance_id << (o.created ? " created" : " (already started)")
            << '\n';
      }
    }
  }
  return rejected_lines.empty() && !refused ? kExitOk : kExitValidation;
}

}  // namespace

int cmd_start_csv(const Common& c, const StartArgs& a, std::ostream& out, std::ostream& err) {
  if (Status s = validate_periodo(a.period); !s.ok()) return fail(err, s.error());
  // Everything about the file is checked before the database is opened.
  auto text = read_file(a.from_csv, limits::kMaxSchoolsCsvBytes, "a schools CSV");
  if (!text.ok()) return fail(err, text.error());

  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  Engine& engine = *(*session)->engine;
  if (auto deployed = (*session)->store->latest_version(a.process); !deployed.ok()) {
    return fail(err, deployed.error());
  }
  // The SE's process takes the rows as its schools: each is checked as a school's start data.
  const bool se = a.process == handlers::d02_03::kSeProcessKey;
  auto rows = handlers::d02_03::read_period_csv(
      engine.handlers(), se ? handlers::d02_03::kSchoolProcessKey : a.process, a.period, *text);
  if (!rows.ok()) {
    return fail(err, make_error(rows.error().code, a.from_csv + ": " + rows.error().message));
  }
  if (se) return start_se_csv(c, a, engine, *(*session)->store, *rows, out, err);

  auto outcomes = handlers::d02_03::start_rows(
      engine, a.process, a.period, *rows,
      runtime::Actor::user(a.user.empty() ? default_user() : a.user, ""));
  if (!outcomes.ok()) return fail(err, outcomes.error());

  int created = 0;
  int existing = 0;
  Json instances = Json::array();
  Json rejected = Json::array();
  std::vector<int> rejected_lines;
  for (const handlers::d02_03::RowOutcome& o : *outcomes) {
    if (!o.errors.empty()) {
      for (const FieldError& e : o.errors) {
        err << "error: " << a.from_csv << ':' << o.line << ": " << e.message << '\n';
      }
      rejected_lines.push_back(o.line);
      rejected.push_back({{"line", o.line},
                          {"codigo_dane", o.codigo_dane},
                          {"errors", field_errors_json(o.errors)}});
      continue;
    }
    ++(o.created ? created : existing);
    instances.push_back({{"line", o.line},
                         {"codigo_dane", o.codigo_dane},
                         {"id", o.instance_id},
                         {"created", o.created}});
  }
  if (!rejected_lines.empty()) {
    std::string lines;
    for (int line : rejected_lines) lines += (lines.empty() ? "" : ", ") + std::to_string(line);
    err << "error: " << rejected_lines.size() << " of " << outcomes->size() << " rows rejected ("
        << (rejected_lines.size() == 1 ? "line " : "lines ") << lines
        << "): nothing was written for them; the other "
        << "rows were started\n";
  }
  if (c.json) {
    out << Json{{"process", a.process},     {"period", a.period},    {"file", a.from_csv},
                {"rows", outcomes->size()}, {"created", created},    {"existing", existing},
                {"rejected", rejected},     {"instances", instances}}
               .dump(2)
        << '\n';
  } else {
    out << a.process << ", period " << a.period << ", " << a.from_csv << ": " << outcomes->size()
        << " rows\n";
    out << "  created:  " << created << '\n'
        << "  existing: " << existing << " (already started: nothing written)\n"
        << "  rejected: " << rejected_lines.size() << '\n';
  }
  return rejected_lines.empty() ? kExitOk : kExitValidation;
}

// ---------------------------------------------------------------------------------------------
// sample-jurisdiction

int cmd_sample_jurisdiction(const SampleJurisdictionArgs& a, std::ostream& out, std::ostream& err) {
  auto schools = handlers::d02_03::generate_jurisdiction(a.schools, a.seed, a.etc);
  if (!schools.ok()) return fail(err, schools.error());
  const std::string csv = handlers::d02_03::to_csv(*schools, a.bom);
  if (a.out.empty()) {
    out << csv;
    return kExitOk;
  }
  if (Status s = write_file(a.out, csv); !s.ok()) return fail(err, s.error());
  std::map<std::string, int> sector;
  std::map<std::string, int> categoria;
  std::map<std::string, int> regimen;
  for (const handlers::d02_03::School& s : *schools) {
    ++sector[s.sector];
    ++categoria[s.categoria_saber];
    if (!s.regimen.empty()) ++regimen[s.regimen];
  }
  auto counts = [](const std::map<std::string, int>& m) {
    std::string text;
    for (const auto& [name, n] : m) {
      text += (text.empty() ? "" : ", ") + name + " " + std::to_string(n);
    }
    return text.empty() ? std::string("none") : text;
  };
  const std::string etc = schools->empty() ? a.etc : schools->front().etc;
  out << "wrote " << schools->size() << " schools of " << etc << " (seed " << a.seed << ") to "
      << a.out << '\n'
      << "  sector:          " << counts(sector) << '\n'
      << "  categoria_saber: " << counts(categoria) << '\n'
      << "  regimen:         " << counts(regimen) << '\n';
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// summary

int cmd_summary(const Common& c, const SummaryArgs& a, std::ostream& out, std::ostream& err) {
  if (Status s = validate_periodo(a.period); !s.ok()) return fail(err, s.error());
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  auto summary =
      app::summarize(*(*session)->store, *(*session)->engine,
                     InstanceQuery{a.process, {}, handlers::d02_03::period_tags(a.period), {}});
  if (!summary.ok()) return fail(err, summary.error());
  const app::Summary& s = *summary;
  if (c.json) {
    Json j = {{"period", a.period},
              {"process", a.process ? Json(*a.process) : Json()},
              {"instances", s.instances},
              {"states", s.states},
              {"with_incidents", s.with_incidents}};
    j["activities"] = Json::array();
    for (const auto& e : s.elements) {
      j["activities"].push_back({{"process", e.process},
                                 {"element_id", e.element_id},
                                 {"name", e.name},
                                 {"instances", e.count}});
    }
    j["roles"] = Json::array();
    for (const auto& r : s.roles) {
      Json role_tasks = Json::array();
      for (const auto& e : r.tasks) {
        role_tasks.push_back({{"process", e.process},
                              {"element_id", e.element_id},
                              {"name", e.name},
                              {"open", e.count}});
      }
      j["roles"].push_back({{"role", r.role}, {"open_tasks", r.open_tasks}, {"tasks", role_tasks}});
    }
    out << j.dump(2) << '\n';
    return kExitOk;
  }
  auto state = [&](const char* name) {
    auto it = s.states.find(name);
    return it == s.states.end() ? 0 : it->second;
  };
  auto count = [](int n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  out << "periodo " << a.period << (a.process ? ", proceso " + *a.process : std::string()) << ": "
      << count(static_cast<int>(s.instances), "instancia", "instancias") << " ("
      << count(state("active"), "activa", "activas") << ", "
      << count(state("completed"), "completada", "completadas") << ", "
      << count(state("terminated"), "terminada", "terminadas") << "; "
      << count(s.with_incidents, "con incidentes", "con incidentes") << ")\n";
  int widest = 1;
  for (const auto& e : s.elements) widest = std::max(widest, e.count);
  for (const auto& r : s.roles) {
    for (const auto& e : r.tasks) widest = std::max(widest, e.count);
  }
  const int width = static_cast<int>(std::to_string(widest).size());
  auto line = [&](int indent, const app::ElementCount& e) {
    char number[16];
    std::snprintf(number, sizeof number, "%*d", width, e.count);
    out << std::string(static_cast<std::size_t>(indent), ' ') << number << "  " << e.name << "  ["
        << e.element_id << "]\n";
  };
  out << "\ndónde están (instancias en cada actividad):\n";
  for (const auto& e : s.elements) line(2, e);
  if (s.elements.empty()) out << "  (ninguna instancia está activa)\n";
  out << "\nqué tiene pendiente cada rol (tareas abiertas):\n";
  const model::Vocabulary words = shipped_vocabulary(**session, a.process.value_or(""));
  for (const auto& r : s.roles) {
    out << "  " << words.role(r.role) << ": "
        << count(r.open_tasks, "tarea abierta", "tareas abiertas") << '\n';
    for (const auto& e : r.tasks) line(4, e);
  }
  if (s.roles.empty()) out << "  (ninguna tarea abierta)\n";
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// report

int cmd_report(const Common& c, const ReportArgs& a, std::ostream& out, std::ostream& err) {
  const auto kinds = handlers::d02_03::report_kinds();
  if (std::find(kinds.begin(), kinds.end(), a.kind) == kinds.end()) {
    return fail(err,
                make_error(ErrorCode::kInvalidArgument,
                           "unknown report '" + a.kind + "' (reports: " + join(kinds, ", ") + ")"));
  }
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  auto report = handlers::d02_03::build_report(*(*session)->store, a.kind, a.period, a.etc);
  if (!report.ok()) return fail(err, report.error());
  if (a.format == "json") {
    Json rows = Json::array();
    Json columns = Json::array();
    for (const auto& col : report->columns)
      columns.push_back({{"key", col.key}, {"label", col.label}});
    for (const auto& row : report->rows) {
      Json j = Json::object();
      for (std::size_t i = 0; i < row.size(); ++i) j[report->columns[i].key] = row[i];
      rows.push_back(std::move(j));
    }
    out << Json{{"report", report->kind},
                {"titulo", report->title},
                {"periodo", a.period},
                {"columns", columns},
                {"filas", rows}}
               .dump(2)
        << '\n';
    return kExitOk;
  }
  const model::Vocabulary words = shipped_vocabulary(**session);
  std::vector<std::string> header;
  for (const auto& col : report->columns) header.push_back(col.label);
  std::vector<std::vector<std::string>> cells;
  cells.reserve(report->rows.size());
  for (const auto& row : report->rows) {
    std::vector<std::string> line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line.push_back(words.value(report->columns[i].words, row[i]));
    }
    cells.push_back(std::move(line));
  }
  write_csv(out, header, cells);
  return kExitOk;
}

}  // namespace pmiflow::cli
