#include "tools/cli/period_commands.h"

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

#include "engine/common/limits.h"
#include "engine/engine/business_key.h"
#include "tools/cli/cli.h"
#include "tools/cli/format.h"
#include "tools/cli/session.h"

namespace pmiflow::cli {
namespace {

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

}  // namespace

// ---------------------------------------------------------------------------------------------
// start --from-csv

Result<std::vector<RowOutcome>> start_rows(Engine& engine, const std::string& process,
                                           const std::string& period,
                                           const std::vector<SchoolRow>& rows,
                                           const runtime::Actor& actor, int threads) {
  std::vector<RowOutcome> outcomes(rows.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex error_mu;
  std::optional<Error> first_error;

  auto worker = [&] {
    for (std::size_t i = next++; i < rows.size() && !stop; i = next++) {
      const SchoolRow& row = rows[i];
      RowOutcome& o = outcomes[i];
      o.line = row.line;
      auto code = row.variables.find("codigo_dane");
      if (code != row.variables.end() && code->second.is_string()) {
        o.codigo_dane = code->second.get<std::string>();
      }
      if (!row.errors.empty()) {
        o.errors = row.errors;
        continue;
      }
      auto started = engine.start({process, o.codigo_dane, period}, row.variables, actor);
      if (started.ok()) {
        o.instance_id = started->instance_id;
        o.created = started->created;
        continue;
      }
      const ErrorCode kind = started.error().code;
      if (kind == ErrorCode::kValidation || kind == ErrorCode::kInvalidArgument) {
        o.errors.push_back(FieldError{"", started.error().message});
        continue;
      }
      std::lock_guard lock(error_mu);
      if (!first_error) first_error = started.error();
      stop = true;
    }
  };
  const std::size_t n =
      std::min<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)), rows.size());
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (first_error) return *first_error;
  return outcomes;
}

int cmd_start_csv(const Common& c, const StartArgs& a, std::ostream& out, std::ostream& err) {
  if (Status s = validate_periodo(a.period); !s.ok()) return fail(err, s.error());
  // Everything about the file is checked before the database is opened.
  auto text = read_file(a.from_csv, limits::kMaxSchoolsCsvBytes, "a schools CSV");
  if (!text.ok()) return fail(err, text.error());

  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  Engine& engine = *(*session)->engine;
  if (auto deployed = (*session)->store->definition(a.process, 0); !deployed.ok()) {
    return fail(err, deployed.error());
  }
  const HandlerRegistry& registry = engine.handlers();
  auto rows = read_schools_csv(*text, a.period, [&](const Variables& vars) {
    auto code = vars.find("codigo_dane");
    const std::string school =
        code != vars.end() && code->second.is_string() ? code->second.get<std::string>() : "";
    return registry.start_data_errors({a.process, school, a.period}, vars);
  });
  if (!rows.ok()) {
    return fail(err, make_error(rows.error().code, a.from_csv + ": " + rows.error().message));
  }

  auto outcomes = start_rows(engine, a.process, a.period, *rows,
                             runtime::Actor::user(a.user.empty() ? default_user() : a.user, ""));
  if (!outcomes.ok()) return fail(err, outcomes.error());

  int created = 0;
  int existing = 0;
  Json instances = Json::array();
  Json rejected = Json::array();
  std::vector<int> rejected_lines;
  for (const RowOutcome& o : *outcomes) {
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
  auto schools = generate_jurisdiction(a.schools, a.seed, a.etc);
  if (!schools.ok()) return fail(err, schools.error());
  const std::string csv = to_csv(*schools, a.bom);
  if (a.out.empty()) {
    out << csv;
    return kExitOk;
  }
  if (Status s = write_file(a.out, csv); !s.ok()) return fail(err, s.error());
  std::map<std::string, int> sector;
  std::map<std::string, int> categoria;
  std::map<std::string, int> regimen;
  for (const School& s : *schools) {
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
  Store& store = *(*session)->store;
  Engine& engine = *(*session)->engine;
  auto instances = store.instances(InstanceQuery{a.process, {}, a.period, {}});
  if (!instances.ok()) return fail(err, instances.error());
  auto tasks = store.tasks(TaskQuery{{}, {}, a.period, {}});
  if (!tasks.ok()) return fail(err, tasks.error());

  // The definitions the instances run, to name and order their activities.
  std::map<std::pair<std::string, std::int32_t>, model::ProcessDefinitionPtr> defs;
  auto def_of = [&](const std::string& key, std::int32_t version) {
    auto [it, inserted] = defs.try_emplace({key, version});
    if (inserted) {
      auto loaded = engine.definition(key, version);
      if (loaded.ok()) it->second = *loaded;
    }
    return it->second.get();
  };
  // The element's name in the definition, else its id.
  auto name_of = [](const model::ProcessDefinition* d, const std::string& element) {
    if (d != nullptr) {
      auto n = d->find_node(element);
      if (n != model::kNone && !d->node(n).name.empty()) return d->node(n).name;
    }
    return element;
  };
  // Activities are ordered by process, then by their place in the definition.
  struct Place {
    std::string process;
    std::size_t order = 0;
    std::string element;
    bool operator<(const Place& o) const {
      return std::tie(process, order, element) < std::tie(o.process, o.order, o.element);
    }
  };
  auto place_of = [&](const InstanceRow& r, const std::string& element) {
    const model::ProcessDefinition* d = def_of(r.business_key.process, r.version);
    std::size_t order = SIZE_MAX;
    if (d != nullptr) {
      auto n = d->find_node(element);
      if (n != model::kNone) order = static_cast<std::size_t>(n);
    }
    return Place{r.business_key.process, order, element};
  };

  std::map<std::string, int> states = {{"active", 0}, {"completed", 0}, {"terminated", 0}};
  int with_incidents = 0;
  std::map<Place, std::pair<std::string, int>> activities;  // -> (name, instances)
  std::map<std::int64_t, const InstanceRow*> by_id;
  for (const InstanceRow& r : *instances) {
    by_id[r.id] = &r;
    ++states[r.status];
    if (r.open_incidents > 0) ++with_incidents;
    const model::ProcessDefinition* d = def_of(r.business_key.process, r.version);
    for (const std::string& e :
         std::set<std::string>(r.active_elements.begin(), r.active_elements.end())) {
      auto& entry = activities[place_of(r, e)];
      entry.first = name_of(d, e);
      ++entry.second;
    }
  }
  // Open tasks per role: a task offered to several candidate groups counts for each.
  std::map<std::string, std::map<Place, std::pair<std::string, int>>> roles;
  for (const TaskRow& t : *tasks) {
    auto it = by_id.find(t.instance_id);
    if (it == by_id.end()) continue;  // another process (--process)
    for (const std::string& role : t.candidate_groups) {
      auto& entry = roles[role][place_of(*it->second, t.element_id)];
      entry.first = t.name;
      ++entry.second;
    }
  }

  if (c.json) {
    Json j = {{"period", a.period},
              {"process", a.process ? Json(*a.process) : Json()},
              {"instances", instances->size()},
              {"states", states},
              {"with_incidents", with_incidents}};
    j["activities"] = Json::array();
    for (const auto& [place, entry] : activities) {
      j["activities"].push_back({{"process", place.process},
                                 {"element_id", place.element},
                                 {"name", entry.first},
                                 {"instances", entry.second}});
    }
    j["roles"] = Json::array();
    for (const auto& [role, open] : roles) {
      Json role_tasks = Json::array();
      int total = 0;
      for (const auto& [place, entry] : open) {
        role_tasks.push_back({{"process", place.process},
                              {"element_id", place.element},
                              {"name", entry.first},
                              {"open", entry.second}});
        total += entry.second;
      }
      j["roles"].push_back({{"role", role}, {"open_tasks", total}, {"tasks", role_tasks}});
    }
    out << j.dump(2) << '\n';
    return kExitOk;
  }

  out << "period " << a.period << (a.process ? ", process " + *a.process : std::string()) << ": "
      << instances->size() << (instances->size() == 1 ? " instance" : " instances") << " ("
      << states["active"] << " active, " << states["completed"] << " completed, "
      << states["terminated"] << " terminated; " << with_incidents << " with incidents)\n";
  int widest = 1;
  for (const auto& [place, entry] : activities) widest = std::max(widest, entry.second);
  for (const auto& [role, open] : roles) {
    for (const auto& [place, entry] : open) widest = std::max(widest, entry.second);
  }
  const int width = static_cast<int>(std::to_string(widest).size());
  auto line = [&](int indent, int count, const std::string& name, const std::string& element) {
    char number[16];
    std::snprintf(number, sizeof number, "%*d", width, count);
    out << std::string(static_cast<std::size_t>(indent), ' ') << number << "  " << name << "  ["
        << element << "]\n";
  };
  out << "\nwhere they stand (instances per activity):\n";
  for (const auto& [place, entry] : activities) line(2, entry.second, entry.first, place.element);
  if (activities.empty()) out << "  (no instance is active)\n";
  out << "\nwhat each role has to do next (open tasks):\n";
  for (const auto& [role, open] : roles) {
    int total = 0;
    for (const auto& [place, entry] : open) total += entry.second;
    out << "  " << role << ": " << total << (total == 1 ? " open task" : " open tasks") << '\n';
    for (const auto& [place, entry] : open) line(4, entry.second, entry.first, place.element);
  }
  if (roles.empty()) out << "  (no open task)\n";
  return kExitOk;
}

}  // namespace pmiflow::cli
