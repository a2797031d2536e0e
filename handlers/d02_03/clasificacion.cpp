#include "handlers/d02_03/clasificacion.h"

#include <set>
#include <string_view>
#include <utility>

#include "handlers/d02_03/catalogos.h"

namespace pmiflow::handlers::d02_03 {
namespace {

using detail::one_of;
using detail::required_enum;

// "C, D", in catalogue order.
std::string bajas_text(const Settings& settings) {
  std::string out;
  for (std::string_view c : detail::kCategoriasSaber) {
    if (settings.categorias_bajas.count(std::string(c)) == 0) continue;
    if (!out.empty()) out += ", ";
    out += c;
  }
  for (const std::string& c : settings.categorias_bajas) {
    if (one_of(detail::kCategoriasSaber, c)) continue;
    if (!out.empty()) out += ", ";
    out += c;
  }
  return out;
}

}  // namespace

Result<Clasificacion> clasificar(const Variables& school, const Settings& settings) {
  auto sector = required_enum(school, "sector", detail::kSectores);
  if (!sector) return sector.error();

  std::string tipo;
  std::string motivo;
  if (*sector == "OFICIAL") {
    auto categoria = required_enum(school, "categoria_saber", detail::kCategoriasSaber,
                                   " for an OFICIAL school");
    if (!categoria) return categoria.error();
    if (settings.categorias_bajas.count(*categoria) > 0) {
      tipo = "integral";
      motivo = "Sector oficial con bajo desempeño en las pruebas SABER: categoría " + *categoria +
               " (el SE cuenta como bajas: " + bajas_text(settings) + ")";
    } else {
      tipo = "puntual";
      motivo = "Sector oficial con categoría SABER " + *categoria +
               ", que el SE no cuenta como baja (bajas: " + bajas_text(settings) + ")";
    }
  } else {
    auto regimen = required_enum(school, "regimen", detail::kRegimenes, " for a NO_OFICIAL school");
    if (!regimen) return regimen.error();
    if (*regimen == "REGIMEN_CONTROLADO") {
      tipo = "integral";
      motivo = "Sector no oficial clasificado en Régimen Controlado en su evaluación institucional";
    } else {
      tipo = "puntual";
      motivo = "Sector no oficial en régimen " + *regimen;
    }
  }
  return Clasificacion{std::move(tipo), std::move(motivo)};
}

}  // namespace pmiflow::handlers::d02_03
