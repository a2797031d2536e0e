// Internal to handlers/d02_03: the closed value lists of the D02.03 data contract and small
// helpers to name them in error messages.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "engine/common/json.h"

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

}  // namespace pmiflow::handlers::d02_03::detail
