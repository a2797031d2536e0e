// Internal to handlers/d02_03: the closed value lists of the D02.03 data contract, small
// helpers to name them in error messages, and the readers of variables the handlers share.
#pragma once

#include <array>
#include <cmath>
#include <string>
#include <string_view>

#include "engine/common/json.h"
#include "engine/common/result.h"
#include "engine/engine/handler.h"

namespace pmiflow::handlers::d02_03::detail {

inline constexpr std::array<std::string_view, 2> kSectores = {"OFICIAL", "NO_OFICIAL"};
// Saber plantel categories, best to worst, then the unclassified.
inline constexpr std::array<std::string_view, 6> kCategoriasSaber = {"A+", "A", "B",
                                                                     "C",  "D", "SIN_CLASIFICAR"};
inline constexpr std::array<std::string_view, 3> kRegimenes = {
    "LIBERTAD_REGULADA", "LIBERTAD_VIGILADA", "REGIMEN_CONTROLADO"};
inline constexpr std::array<std::string_view, 7> kTiposIrregularidad = {
    "LEGAL_LICENCIA",    "PEI", "COSTOS_TARIFAS", "CONVIVENCIA", "PLANTA",
    "INFORMACION_FALSA", "OTRA"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& values, std::string_view value) {
  for (std::string_view v : values) {
    if (v == value) return true;
  }
  return false;
}

// "A, B, C".
template <typename Range>
std::string join(const Range& values, std::string_view separator = ", ") {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += separator;
    out += v;
  }
  return out;
}

// A value as an error message shows it: strings in single quotes, anything else as compact
// JSON, cut at 80 characters.
inline std::string describe(const Json& value) {
  std::string text = value.is_string() ? "'" + value.get_ref<const std::string&>() + "'"
                                       : value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 80) {
    std::size_t cut = 77;
    // Do not split a UTF-8 sequence: back up over continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
    text = text.substr(0, cut) + "...";
  }
  return text;
}

// The JSON type name for "expected a string, got number".
inline std::string type_name(const Json& value) {
  return value.type_name();
}

// The variable's value, or null when it is absent or JSON null (both mean "not given").
inline const Json* find_var(const Variables& vars, const std::string& name) {
  auto it = vars.find(name);
  if (it == vars.end() || it->second.is_null()) return nullptr;
  return &it->second;
}

// A member of a JSON object, or null when it is absent or JSON null. REQUIRES: obj is an object.
inline const Json* find_member(const Json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

template <std::size_t N>
std::string expected_one_of(const std::array<std::string_view, N>& values) {
  return "expected one of " + join(values);
}

// A required variable whose value is one of `values`. `context` (may be empty) tells why it is
// required, e.g. " for a NO_OFICIAL school".
template <std::size_t N>
Result<std::string> required_enum(const Variables& vars, const std::string& name,
                                  const std::array<std::string_view, N>& values,
                                  const std::string& context = {}) {
  const Json* value = find_var(vars, name);
  if (value == nullptr) {
    return make_error(ErrorCode::kValidation,
                      name + ": missing" + context + " (" + expected_one_of(values) + ")");
  }
  if (!value->is_string() || !one_of(values, value->get_ref<const std::string&>())) {
    return make_error(ErrorCode::kValidation, name + ": invalid value " + describe(*value) +
                                                  context + " (" + expected_one_of(values) + ")");
  }
  return value->get<std::string>();
}

// tratamiento_desviacion (activity 8's treatments) as a list: absent is empty, a text is a list
// of one. kValidation for anything else.
inline Result<Json> tratamientos_of(const Variables& vars) {
  const Json* tratamiento = find_var(vars, "tratamiento_desviacion");
  if (tratamiento == nullptr) return Json::array();
  if (tratamiento->is_string()) return Json::array({*tratamiento});
  if (tratamiento->is_array()) return *tratamiento;
  return make_error(
      ErrorCode::kValidation,
      "tratamiento_desviacion: expected a string or an array, got " + type_name(*tratamiento));
}

// The consumers of activity 9's results (seed, activity 9).
inline constexpr std::array<std::string_view, 5> kDestinatarios = {"D01.04", "D02.01", "D02.02",
                                                                   "F01.03", "I02.04"};

inline double round_to(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

// How many times the instance has activated `element_id` so far.
inline int activation_count(const HandlerContext& ctx, const char* element_id) {
  auto it = ctx.activation_counts->find(element_id);
  return it == ctx.activation_counts->end() ? 0 : it->second;
}

}  // namespace pmiflow::handlers::d02_03::detail
