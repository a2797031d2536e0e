#include "handlers/d02_03/business_key.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace pmiflow::handlers::d02_03 {
namespace {

bool all_digits(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

Status validate_codigo_dane(const std::string& code) {
  if (code.size() != 12 || !all_digits(code)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "codigo_dane: '" + code + "' is not a código DANE (expected 12 digits)");
  }
  return {};
}

Status validate_periodo(const std::string& period) {
  const std::string year = period.substr(0, 4);
  const bool ok = period.size() >= 4 && all_digits(year) && year >= "1900" && year <= "2999" &&
                  (period.size() == 4 || (period.size() == 6 && period[4] == '-' &&
                                          (period[5] == '1' || period[5] == '2')));
  if (!ok) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "periodo: '" + period + "' is not a period (expected YYYY, YYYY-1 or YYYY-2)");
  }
  return {};
}

std::string business_id(const std::string& codigo_dane, const std::string& periodo) {
  return codigo_dane + "/" + periodo;
}

Result<StartRequest> start_request(const std::string& process, const std::string& codigo_dane,
                                   const std::string& periodo, Variables variables,
                                   runtime::Actor actor) {
  if (process.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "process: a process key is required");
  }
  PMIFLOW_TRY(validate_codigo_dane(codigo_dane));
  PMIFLOW_TRY(validate_periodo(periodo));
  variables["codigo_dane"] = codigo_dane;
  variables["periodo"] = periodo;
  return StartRequest{runtime::BusinessKey{process, business_id(codigo_dane, periodo)},
                      period_tags(periodo, codigo_dane), std::move(variables), std::move(actor)};
}

runtime::Tags period_tags(const std::string& periodo, const std::string& codigo_dane) {
  runtime::Tags tags{{kPeriodTag, periodo}};
  if (!codigo_dane.empty()) tags[kSchoolTag] = codigo_dane;
  return tags;
}

}  // namespace pmiflow::handlers::d02_03
