#include <string>

#include "handlers/d02_03/catalogos.h"
#include "handlers/d02_03/d02_03_handlers.h"

namespace pmiflow::handlers::d02_03 {

namespace {

constexpr const char* kFieldCategorias = "categorias_bajas";
constexpr const char* kFieldUmbral = "umbral_satisfaccion";
constexpr const char* kFieldDependencia = "dependencia_reporta";

Error bad(const std::string& message) {
  return make_error(ErrorCode::kInvalidArgument, message);
}

}  // namespace

Result<Settings> Settings::from_json(const Json& json) {
  if (!json.is_object()) {
    return bad("settings: expected a JSON object, got " + detail::type_name(json));
  }
  Settings out;
  for (const auto& [key, value] : json.items()) {
    if (key == kFieldCategorias) {
      if (!value.is_array()) {
        return bad(std::string(kFieldCategorias) + ": expected an array of Saber categories, got " +
                   detail::type_name(value));
      }
      if (value.empty()) {
        return bad(std::string(kFieldCategorias) +
                   ": must name at least one Saber category (expected some of " +
                   detail::join(detail::kCategoriasSaber) + ")");
      }
      std::set<std::string> categorias;
      std::size_t index = 0;
      for (const Json& element : value) {
        if (!element.is_string()) {
          return bad(std::string(kFieldCategorias) + "[" + std::to_string(index) +
                     "]: expected a string, got " + detail::type_name(element));
        }
        const auto& categoria = element.get_ref<const std::string&>();
        if (!detail::one_of(detail::kCategoriasSaber, categoria)) {
          return bad(std::string(kFieldCategorias) + ": unknown Saber category " +
                     detail::describe(element) + " (expected " +
                     detail::join(detail::kCategoriasSaber) + ")");
        }
        categorias.insert(categoria);
        ++index;
      }
      out.categorias_bajas = std::move(categorias);
    } else if (key == kFieldUmbral) {
      if (!value.is_number()) {
        return bad(std::string(kFieldUmbral) + ": expected a number from 1 to 5, got " +
                   detail::type_name(value) + " " + detail::describe(value));
      }
      const double umbral = value.get<double>();
      if (!(umbral >= 1.0 && umbral <= 5.0)) {
        return bad(std::string(kFieldUmbral) + ": " + detail::describe(value) +
                   " is outside the 1-5 scale of the evaluation");
      }
      out.umbral_satisfaccion = umbral;
    } else if (key == kFieldDependencia) {
      if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
        return bad(std::string(kFieldDependencia) + ": expected a non-empty string, got " +
                   detail::describe(value));
      }
      out.dependencia_reporta = value.get<std::string>();
    } else {
      return bad("settings: unknown field '" + key + "' (expected " + kFieldCategorias + ", " +
                 kFieldUmbral + ", " + kFieldDependencia + ")");
    }
  }
  return out;
}

Json Settings::to_json() const {
  Json categorias = Json::array();
  // In catalogue order (A+ ... SIN_CLASIFICAR), then anything unknown a caller put in by hand.
  for (std::string_view c : detail::kCategoriasSaber) {
    if (categorias_bajas.count(std::string(c)) > 0) categorias.push_back(std::string(c));
  }
  for (const std::string& c : categorias_bajas) {
    if (!detail::one_of(detail::kCategoriasSaber, c)) categorias.push_back(c);
  }
  return Json{{kFieldCategorias, std::move(categorias)},
              {kFieldUmbral, umbral_satisfaccion},
              {kFieldDependencia, dependencia_reporta}};
}

}  // namespace pmiflow::handlers::d02_03
