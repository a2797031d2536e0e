#include "handlers/d02_03/se_start_data.h"

#include <set>
#include <utility>

#include "handlers/d02_03/business_key.h"
#include "handlers/d02_03/catalogos.h"
#include "handlers/d02_03/start_data.h"

namespace pmiflow::handlers::d02_03 {
namespace {

using detail::describe;
using detail::find_var;

std::string string_of(const Variables& vars, const char* name) {
  const Json* value = find_var(vars, name);
  return value != nullptr && value->is_string() ? value->get<std::string>() : "";
}

// The errors of school `index` (its start variables with the SE's periodo), each field named
// "establecimientos[i].field" and its message saying which school.
void check_school(const Json& school, std::size_t index, const std::string& etc,
                  const std::string& periodo, std::set<std::string>& seen,
                  std::vector<FieldError>& errors) {
  const std::string where = "establecimientos[" + std::to_string(index) + "]";
  if (!school.is_object()) {
    errors.push_back(FieldError{where, where +
                                           ": expected an object with the school's data, found " +
                                           std::string(school.type_name())});
    return;
  }
  Variables vars = school.get<Variables>();
  vars["periodo"] = periodo;
  const std::string code = string_of(vars, "codigo_dane");
  const std::string who = where + (code.empty() ? "" : " (" + code + ")");
  for (FieldError& e : validate_start_data(vars)) {
    errors.push_back(FieldError{where + "." + e.field, who + "." + e.message});
  }
  const std::string school_etc = string_of(vars, "etc");
  if (!school_etc.empty() && !etc.empty() && school_etc != etc) {
    errors.push_back(FieldError{where + ".etc", who + ".etc: expected " + describe(Json(etc)) +
                                                    " (the SE's ETC), found " +
                                                    describe(Json(school_etc))});
  }
  if (!code.empty() && !seen.insert(code).second) {
    errors.push_back(FieldError{where + ".codigo_dane",
                                who + ".codigo_dane: the school is already in the list"});
  }
}

}  // namespace

std::string se_business_id(const std::string& etc, const std::string& periodo) {
  return etc + "/" + periodo;
}

Result<StartRequest> se_start_request(const std::string& process, const std::string& etc,
                                      const std::string& periodo,
                                      const std::vector<Variables>& schools, runtime::Actor actor) {
  if (etc.find_first_not_of(" \t") == std::string::npos) {
    return make_error(ErrorCode::kInvalidArgument, "etc: the ETC's name is required");
  }
  PMIFLOW_TRY(validate_periodo(periodo));
  Json list = Json::array();
  for (const Variables& school : schools) {
    Json entry = Json::object();
    for (const auto& [name, value] : school) {
      if (name != "periodo") entry[name] = value;
    }
    list.push_back(std::move(entry));
  }
  Variables vars{{"etc", etc}, {"periodo", periodo}, {"establecimientos", std::move(list)}};
  return StartRequest{runtime::BusinessKey{process, se_business_id(etc, periodo)},
                      runtime::Tags{{kEtcTag, etc}, {kPeriodTag, periodo}}, std::move(vars),
                      std::move(actor)};
}

std::vector<FieldError> validate_se_start_data(const StartRequest& request) {
  const Variables& vars = request.variables;
  std::vector<FieldError> errors;
  auto tag = [&](const char* name) {
    auto it = request.tags.find(name);
    return it == request.tags.end() ? std::string() : it->second;
  };
  const std::string etc = string_of(vars, "etc");
  if (etc.find_first_not_of(" \t") == std::string::npos) {
    errors.push_back(FieldError{"etc",
                                "etc: expected the name of the entidad territorial "
                                "certificada, found " +
                                    (find_var(vars, "etc") == nullptr ? std::string("nothing")
                                                                      : describe(vars.at("etc")))});
  } else if (etc != tag(kEtcTag)) {
    errors.push_back(FieldError{"etc", "etc: expected " + describe(Json(tag(kEtcTag))) +
                                           " (the instance's ETC), found " + describe(Json(etc))});
  }
  const std::string periodo = string_of(vars, "periodo");
  if (!validate_periodo(periodo).ok()) {
    errors.push_back(FieldError{
        "periodo", "periodo: expected YYYY, YYYY-1 or YYYY-2, found " +
                       (find_var(vars, "periodo") == nullptr ? std::string("nothing")
                                                             : describe(vars.at("periodo")))});
  } else if (periodo != tag(kPeriodTag)) {
    errors.push_back(FieldError{"periodo", "periodo: expected " + describe(Json(tag(kPeriodTag))) +
                                               " (the instance's period), found " +
                                               describe(Json(periodo))});
  }
  const Json* schools = find_var(vars, "establecimientos");
  if (schools == nullptr || !schools->is_array() || schools->empty() ||
      schools->size() > static_cast<std::size_t>(kMaxJurisdictionSize)) {
    errors.push_back(
        FieldError{"establecimientos",
                   "establecimientos: expected a list of 1 to " +
                       std::to_string(kMaxJurisdictionSize) + " schools, found " +
                       (schools == nullptr    ? std::string("nothing")
                        : schools->is_array() ? std::to_string(schools->size()) + " schools"
                                              : std::string(schools->type_name()))});
  } else {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < schools->size(); ++i) {
      check_school((*schools)[i], i, etc, periodo, seen, errors);
    }
  }
  for (FieldError& e : validate_calendar(vars)) errors.push_back(std::move(e));
  return errors;
}

void prepare_se_start_data(StartRequest& request) {
  const std::pair<const char*, const char*> tags[] = {{kEtcTag, "etc"}, {kPeriodTag, "periodo"}};
  for (const auto& [tag, name] : tags) {
    const Json* value = find_var(request.variables, name);
    if (request.tags.count(tag) == 0 && value != nullptr && value->is_string()) {
      request.tags[tag] = value->get<std::string>();
    }
  }
  prepare_calendar(request.variables);
}

}  // namespace pmiflow::handlers::d02_03
