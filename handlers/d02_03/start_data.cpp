#include "handlers/d02_03/start_data.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/model/timer_definition.h"
#include "engine/time/zone.h"
#include "handlers/d02_03/business_key.h"
#include "handlers/d02_03/catalogos.h"

namespace pmiflow::handlers::d02_03 {

namespace {

using detail::describe;
using detail::join;
using detail::one_of;

// What a message shows for a value: "nothing" when absent, "number 5", "'text'".
std::string found(const Json* value) {
  if (value == nullptr) return "nothing";
  if (value->is_string()) return describe(*value);
  return std::string(value->type_name()) + " " + describe(*value);
}

const Json* find(const Variables& vars, const char* name) {
  auto it = vars.find(name);
  return it == vars.end() || it->second.is_null() ? nullptr : &it->second;
}

bool blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n\f\v") == std::string::npos;
}

class Checker {
 public:
  explicit Checker(const Variables& vars) : vars_(vars) {}

  // The field's string value, or nullptr after reporting it missing, not a string or blank.
  const std::string* text(const char* name, const std::string& expected) {
    const Json* value = find(vars_, name);
    if (value == nullptr || !value->is_string() || blank(value->get_ref<const std::string&>())) {
      fail(name, "expected " + expected + ", found " +
                     (value != nullptr && value->is_string() ? "an empty string" : found(value)));
      return nullptr;
    }
    return &value->get_ref<const std::string&>();
  }

  template <std::size_t N>
  const std::string* choice(const char* name, const std::array<std::string_view, N>& values,
                            const std::string& why = {}) {
    const std::string expected = "one of " + join(values) + why;
    const std::string* value = text(name, expected);
    if (value != nullptr && !one_of(values, *value)) {
      fail(name, "expected " + expected + ", found " + describe(Json(*value)));
      return nullptr;
    }
    return value;
  }

  void fail(const std::string& field, const std::string& what) {
    errors_.push_back(FieldError{field, field + ": " + what});
  }

  const Variables& vars() const { return vars_; }
  std::vector<FieldError> take() { return std::move(errors_); }

 private:
  const Variables& vars_;
  std::vector<FieldError> errors_;
};

// The calendar of the period, when given (prepare_start_data fills what is left out): the
// dates are those of the timers the BPMN arms with them (`timeDate`, in the engine's zone when
// they name none), the frequency a `timeDuration`.
void check_calendar(Checker& check) {
  std::int64_t fin_ms = 0;
  const std::pair<const char*, std::int64_t*> dates[] = {{kFechaFinPeriodo, &fin_ms},
                                                         {kFechaLimiteEvaluacion, nullptr}};
  for (const auto& [name, out] : dates) {
    const Json* value = find(check.vars(), name);
    if (value == nullptr) continue;
    auto due =
        value->is_string()
            ? model::schedule_timer(model::TimerDefinition::Kind::kDate,
                                    value->get_ref<const std::string&>(), 0, time::default_zone())
            : Result<model::TimerSchedule>(make_error(ErrorCode::kInvalidArgument, "not a string"));
    if (!due.ok()) {
      check.fail(name,
                 "expected a date and time such as 2026-11-30T23:59:59 (in the engine's "
                 "zone) or with a zone, found " +
                     found(value));
    } else if (out != nullptr) {
      *out = due->due_ms;
    } else if (fin_ms != 0 && due->due_ms < fin_ms) {
      check.fail(name,
                 "expected a date and time not before fecha_fin_periodo (the SE receives "
                 "the evaluations after the period), found " +
                     found(value));
    }
  }
  const Json* frecuencia = find(check.vars(), kFrecuenciaSeguimiento);
  if (frecuencia != nullptr &&
      (!frecuencia->is_string() ||
       !model::schedule_timer(model::TimerDefinition::Kind::kDuration,
                              frecuencia->get_ref<const std::string&>(), 0, time::Zone::utc())
            .ok())) {
    check.fail(kFrecuenciaSeguimiento,
               "expected an ISO 8601 duration more than zero such as P1M or P15D, found " +
                   found(frecuencia));
  }
}

}  // namespace

std::vector<FieldError> validate_start_data(const Variables& vars) {
  Checker check(vars);

  static const std::string kDaneExpected = "12 digits, the first 1-4 (sector and zona)";
  if (const std::string* code = check.text("codigo_dane", kDaneExpected)) {
    if (!validate_codigo_dane(*code).ok() || (*code)[0] < '1' || (*code)[0] > '4') {
      check.fail("codigo_dane", "expected " + kDaneExpected + ", found " + describe(Json(*code)));
    }
  }
  if (const std::string* periodo = check.text("periodo", "YYYY, YYYY-1 or YYYY-2")) {
    if (!validate_periodo(*periodo).ok()) {
      check.fail("periodo", "expected YYYY, YYYY-1 or YYYY-2 (year 1900-2999), found " +
                                describe(Json(*periodo)));
    }
  }
  check.text("nombre", "the school's name");
  check.text("municipio", "the municipio's name");
  check.text("etc", "the name of the entidad territorial certificada");
  const std::string* sector = check.choice("sector", detail::kSectores);
  check.choice("categoria_saber", detail::kCategoriasSaber);

  const Json* regimen = find(vars, "regimen");
  const bool regimen_given =
      regimen != nullptr &&
      !(regimen->is_string() && regimen->get_ref<const std::string&>().empty());
  if (sector != nullptr && *sector == "OFICIAL") {
    if (regimen_given) {
      check.fail("regimen",
                 "expected nothing for an OFICIAL school (the régimen applies only to "
                 "NO_OFICIAL schools), found " +
                     found(regimen));
    }
  } else if (sector != nullptr || regimen_given) {
    check.choice("regimen", detail::kRegimenes,
                 sector != nullptr ? " (required for a NO_OFICIAL school)" : "");
  }
  check_calendar(check);
  return check.take();
}

std::vector<FieldError> validate_calendar(const Variables& vars) {
  Checker check(vars);
  check_calendar(check);
  return check.take();
}

Result<std::int64_t> period_opening_ms(const std::string& periodo) {
  PMIFLOW_TRY(validate_periodo(periodo));
  const bool second_half = periodo.size() == 6 && periodo[5] == '2';
  auto opening = model::schedule_timer(
      model::TimerDefinition::Kind::kDate,
      periodo.substr(0, 4) + (second_half ? "-07-15T08:00:00" : "-02-01T08:00:00"), 0,
      time::default_zone());
  if (!opening.ok()) return opening.error();
  return opening->due_ms;
}

void prepare_start_data(StartRequest& request) {
  Variables& vars = request.variables;
  // Each tag the request does not have (a child of the SE's process has the SE's tags).
  const std::pair<const char*, const char*> tags[] = {{kSchoolTag, "codigo_dane"},
                                                      {kPeriodTag, "periodo"}};
  for (const auto& [tag, name] : tags) {
    const Json* value = find(vars, name);
    if (request.tags.count(tag) == 0 && value != nullptr && value->is_string()) {
      request.tags[tag] = value->get<std::string>();
    }
  }
  prepare_calendar(vars);
}

void prepare_calendar(Variables& vars) {
  const Json* periodo = find(vars, "periodo");
  if (periodo != nullptr && periodo->is_string() &&
      validate_periodo(periodo->get_ref<const std::string&>()).ok()) {
    const std::string& p = periodo->get_ref<const std::string&>();
    const std::string year = p.substr(0, 4);
    const bool first_half = p.size() == 6 && p[5] == '1';
    if (find(vars, kFechaFinPeriodo) == nullptr) {
      vars[kFechaFinPeriodo] = year + (first_half ? "-06-30T23:59:59" : "-11-30T23:59:59");
    }
    if (find(vars, kFechaLimiteEvaluacion) == nullptr) {
      vars[kFechaLimiteEvaluacion] = year + (first_half ? "-07-15T23:59:59" : "-12-15T23:59:59");
    }
  }
  if (find(vars, kFrecuenciaSeguimiento) == nullptr) vars[kFrecuenciaSeguimiento] = "P1M";
}

std::vector<FieldError> validate_start_data(const StartRequest& request) {
  const Variables& vars = request.variables;
  std::vector<FieldError> errors = validate_start_data(vars);
  auto tag = [&](const char* name) {
    auto it = request.tags.find(name);
    return it == request.tags.end() ? std::string() : it->second;
  };
  const std::string school = tag(kSchoolTag);
  const std::string period = tag(kPeriodTag);
  auto reported = [&](const std::string& field) {
    return std::any_of(errors.begin(), errors.end(),
                       [&](const FieldError& e) { return e.field == field; });
  };
  const std::pair<const char*, const std::string*> fields[] = {
      {"codigo_dane", &school},
      {"periodo", &period},
  };
  for (const auto& [name, expected] : fields) {
    const Json* value = find(vars, name);
    if (value == nullptr || reported(name) || *value == *expected) continue;
    const std::string what =
        std::string(name) == "codigo_dane" ? "the instance's school" : "the instance's period";
    errors.push_back(FieldError{name, std::string(name) + ": expected " +
                                          describe(Json(*expected)) + " (" + what + "), found " +
                                          found(value)});
  }
  return errors;
}

}  // namespace pmiflow::handlers::d02_03
