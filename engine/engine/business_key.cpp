#include "engine/engine/business_key.h"

#include <algorithm>
#include <cctype>

namespace pmiflow {
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
  std::string year = period.substr(0, 4);
  bool ok = period.size() >= 4 && all_digits(year) && year >= "1900" && year <= "2999" &&
            (period.size() == 4 ||
             (period.size() == 6 && period[4] == '-' && (period[5] == '1' || period[5] == '2')));
  if (!ok) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "periodo: '" + period + "' is not a period (expected YYYY, YYYY-1 or YYYY-2)");
  }
  return {};
}

Status validate_business_key(const runtime::BusinessKey& key) {
  if (key.process.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "process: a process key is required");
  }
  PMIFLOW_TRY(validate_codigo_dane(key.school));
  return validate_periodo(key.period);
}

}  // namespace pmiflow
