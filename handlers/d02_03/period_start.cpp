#include "handlers/d02_03/period_start.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

#include "engine/common/mutex.h"
#include "handlers/d02_03/business_key.h"

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

}  // namespace pmiflow::handlers::d02_03
