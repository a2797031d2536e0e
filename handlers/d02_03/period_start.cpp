#include "handlers/d02_03/period_start.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <thread>

#include "engine/common/mutex.h"
#include "handlers/d02_03/business_key.h"
#include "handlers/d02_03/se_handlers.h"
#include "handlers/d02_03/se_start_data.h"

namespace pmiflow::handlers::d02_03 {
namespace {

std::string codigo_dane_of(const Variables& vars) {
  auto code = vars.find("codigo_dane");
  return code != vars.end() && code->second.is_string() ? code->second.get<std::string>() : "";
}

}  // namespace

Result<std::vector<SchoolRow>> read_period_csv(const HandlerRegistry& registry,
                                               const std::string& process,
                                               const std::string& periodo,
                                               const std::string& text) {
  return read_schools_csv(text, periodo, [&](const Variables& vars) {
    const std::string school = codigo_dane_of(vars);
    return registry.start_data_errors(registry.prepare_start(
        StartRequest{runtime::BusinessKey{process, business_id(school, periodo)},
                     period_tags(periodo, school), vars, runtime::Actor{}}));
  });
}

Result<std::vector<RowOutcome>> start_rows(Engine& engine, const std::string& process,
                                           const std::string& periodo,
                                           const std::vector<SchoolRow>& rows,
                                           const runtime::Actor& actor, int threads) {
  std::vector<RowOutcome> outcomes(rows.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  Mutex error_mu;
  std::optional<Error> first_error;

  auto worker = [&] {
    for (std::size_t i = next++; i < rows.size() && !stop; i = next++) {
      const SchoolRow& row = rows[i];
      RowOutcome& o = outcomes[i];
      o.line = row.line;
      o.codigo_dane = codigo_dane_of(row.variables);
      if (!row.errors.empty()) {
        o.errors = row.errors;
        continue;
      }
      auto request = start_request(process, o.codigo_dane, periodo, row.variables, actor);
      auto started = request.ok() ? engine.start(*request) : Result<StartOutcome>(request.error());
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
      MutexLock lock(error_mu);
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

// The first half-year's flagged results of `etc`'s SE instance, each with its period; empty when
// `periodo` is not a second half-year or there is no such instance.
Result<Json> flagged_in_first_half(Engine& engine, ReadModel& read_model,
                                   const std::string& process, const std::string& etc,
                                   const std::string& periodo) {
  Json flagged = Json::array();
  if (periodo.size() != 6 || periodo[5] != '2') return flagged;
  const std::string first = periodo.substr(0, 5) + "1";
  auto found = read_model.instances(
      InstanceQuery{process, {}, runtime::Tags{{kEtcTag, etc}, {kPeriodTag, first}}, {}});
  if (!found.ok()) return found.error();
  for (const InstanceRow& row : *found) {
    auto state = engine.snapshot(row.id);
    if (!state.ok()) return state.error();
    auto resultados = (*state)->variables.find("resultados_ee");
    if (resultados == (*state)->variables.end() || !resultados->second.is_array()) continue;
    for (const Json& r : resultados->second) {
      if (!r.is_object() || !indicios_persisten(r)) continue;
      Json entry = r;
      entry["periodo"] = first;
      flagged.push_back(std::move(entry));
    }
  }
  return flagged;
}

Result<std::vector<SeOutcome>> start_se_rows(Engine& engine, ReadModel& read_model,
                                             const std::string& process, const std::string& periodo,
                                             const std::vector<SchoolRow>& rows,
                                             const runtime::Actor& actor) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<Variables>> by_etc;
  for (const SchoolRow& row : rows) {
    if (!row.errors.empty()) continue;
    auto etc = row.variables.find("etc");
    if (etc == row.variables.end() || !etc->second.is_string()) continue;  // a valid row has it
    const std::string name = etc->second.get<std::string>();
    if (by_etc.count(name) == 0) order.push_back(name);
    by_etc[name].push_back(row.variables);
  }
  std::vector<SeOutcome> outcomes;
  for (const std::string& etc : order) {
    SeOutcome o;
    o.etc = etc;
    o.schools = static_cast<int>(by_etc[etc].size());
    auto request = se_start_request(process, etc, periodo, by_etc[etc], actor);
    auto anterior = flagged_in_first_half(engine, read_model, process, etc, periodo);
    if (!anterior.ok()) return anterior.error();
    if (request.ok() && !anterior->empty()) {
      request->variables["irregularidades_periodo_anterior"] = std::move(*anterior);
    }
    auto started = request.ok() ? engine.start(*request) : Result<StartOutcome>(request.error());
    if (started.ok()) {
      o.instance_id = started->instance_id;
      o.created = started->created;
    } else if (started.error().code == ErrorCode::kValidation ||
               started.error().code == ErrorCode::kInvalidArgument) {
      o.errors.push_back(FieldError{"", started.error().message});
    } else {
      return started.error();
    }
    outcomes.push_back(std::move(o));
  }
  return outcomes;
}

}  // namespace pmiflow::handlers::d02_03
