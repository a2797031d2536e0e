#include "handlers/d02_03/se_handlers.h"

#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "engine/common/time_text.h"
#include "engine/time/zone.h"
#include "handlers/d02_03/catalogos.h"
#include "handlers/d02_03/clasificacion.h"

namespace pmiflow::handlers::d02_03 {
namespace {

using detail::activation_count;
using detail::describe;
using detail::find_member;
using detail::find_var;
using detail::kDestinatarios;
using detail::round_to;
using detail::type_name;

std::string text_of(const Json& object, const char* name) {
  const Json* value = find_member(object, name);
  return value != nullptr && value->is_string() ? value->get<std::string>() : "";
}

// The list variable `name` whose elements are all objects; else a failure naming the first
// that is not.
Result<const Json*> object_list(const Variables& vars, const char* name, bool required) {
  static const Json kEmpty = Json::array();
  const Json* list = find_var(vars, name);
  if (list == nullptr) {
    if (!required) return &kEmpty;
    return make_error(ErrorCode::kValidation, std::string(name) + ": missing");
  }
  if (!list->is_array()) {
    return make_error(ErrorCode::kValidation,
                      std::string(name) + ": expected a list, got " + type_name(*list));
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (!(*list)[i].is_object()) {
      return make_error(ErrorCode::kValidation, std::string(name) + "[" + std::to_string(i) +
                                                    "]: expected an object, got " +
                                                    type_name((*list)[i]) + " " +
                                                    describe((*list)[i]));
    }
  }
  return list;
}

// A mean kept as a sum and a count; null when nothing was added.
struct Mean {
  double sum = 0;
  long count = 0;
  void add(const Json* value) {
    if (value == nullptr || !value->is_number()) return;
    sum += value->get<double>();
    ++count;
  }
  Json value(int decimals) const {
    return count == 0 ? Json(nullptr) : Json(round_to(sum / static_cast<double>(count), decimals));
  }
};

}  // namespace

bool indicios_persisten(const Json& resultado) {
  const Json* flag = find_member(resultado, "indicios_irregularidades");
  return flag != nullptr && flag->is_boolean() && flag->get<bool>();
}

HandlerResult clasificar_establecimientos(const HandlerContext& ctx, const Settings& settings) {
  auto schools = object_list(*ctx.variables, "establecimientos", true);
  if (!schools) return HandlerResult::failure(schools.error().message);
  Json selected = Json::array();
  long integral = 0;
  for (std::size_t i = 0; i < (*schools)->size(); ++i) {
    const Json& school = (**schools)[i];
    auto clasificacion = clasificar(school.get<Variables>(), settings);
    if (!clasificacion) {
      const std::string code = text_of(school, "codigo_dane");
      return HandlerResult::failure("establecimientos[" + std::to_string(i) + "]" +
                                    (code.empty() ? "" : " (" + code + ")") + "." +
                                    clasificacion.error().message);
    }
    if (clasificacion->tipo == "integral") ++integral;
    Json entry = school;
    entry["tipo_acompanamiento"] = std::move(clasificacion->tipo);
    entry["motivo_clasificacion"] = std::move(clasificacion->motivo);
    selected.push_back(std::move(entry));
  }
  const long total = static_cast<long>(selected.size());
  Json resumen = {
      {"establecimientos", total}, {"integral", integral}, {"puntual", total - integral}};
  return HandlerResult::success({{"establecimientos_seleccionados", std::move(selected)},
                                 {"clasificacion", std::move(resumen)}});
}

HandlerResult consolidar_evaluaciones(const HandlerContext& ctx, const Settings& settings) {
  auto resultados = object_list(*ctx.variables, "resultados_ee", true);
  if (!resultados) return HandlerResult::failure(resultados.error().message);
  struct Tally {
    long establecimientos = 0;
    long evaluadas = 0;
    long bajo_umbral = 0;
    Mean promedio;
    Mean objetivos;
  };
  Tally all;
  std::map<std::string, Tally> by_type;
  for (const Json& r : **resultados) {
    Tally& type = by_type[text_of(r, "tipo_acompanamiento")];
    for (Tally* t : {&all, &type}) ++t->establecimientos;
    const Json* evaluacion = find_member(r, "evaluacion");
    if (evaluacion == nullptr || !evaluacion->is_object() ||
        text_of(*evaluacion, "estado") != "evaluada") {
      continue;
    }
    const Json* bajo = find_member(*evaluacion, "bajo_umbral");
    for (Tally* t : {&all, &type}) {
      ++t->evaluadas;
      if (bajo != nullptr && bajo->is_boolean() && bajo->get<bool>()) ++t->bajo_umbral;
      t->promedio.add(find_member(*evaluacion, "promedio_general"));
      t->objetivos.add(find_member(*evaluacion, "porcentaje_objetivos_cumplidos"));
    }
  }
  Json por_tipo = Json::object();
  for (const char* tipo : {"integral", "puntual"}) {
    const Tally& t = by_type[tipo];
    por_tipo[tipo] = {{"establecimientos", t.establecimientos},
                      {"evaluadas", t.evaluadas},
                      {"promedio_general", t.promedio.value(2)}};
  }
  Json out = {{"establecimientos", all.establecimientos},
              {"evaluadas", all.evaluadas},
              {"sin_evaluacion", all.establecimientos - all.evaluadas},
              {"promedio_general", all.promedio.value(2)},
              {"porcentaje_objetivos_cumplidos", all.objetivos.value(1)},
              {"bajo_umbral", all.bajo_umbral},
              {"umbral_satisfaccion", settings.umbral_satisfaccion},
              {"por_tipo", std::move(por_tipo)}};
  return HandlerResult::success({{"evaluaciones_consolidadas", std::move(out)}});
}

HandlerResult generar_informacion_se(const HandlerContext& ctx, const Settings&) {
  const Variables& vars = *ctx.variables;
  auto resultados = object_list(vars, "resultados_ee", true);
  if (!resultados) return HandlerResult::failure(resultados.error().message);
  long apoyos = 0;
  long integral = 0;
  long indicios = 0;
  for (const Json& r : **resultados) {
    const Json* n = find_member(r, "apoyos_realizados");
    if (n != nullptr && n->is_number_integer()) apoyos += n->get<long>();
    if (text_of(r, "tipo_acompanamiento") == "integral") ++integral;
    if (indicios_persisten(r)) ++indicios;
  }
  const long total = static_cast<long>((*resultados)->size());
  auto tratamientos = detail::tratamientos_of(vars);
  if (!tratamientos) return HandlerResult::failure(tratamientos.error().message);
  Json out = Json::object();
  for (const char* name : {"etc", "periodo"}) {
    const Json* value = find_var(vars, name);
    out[name] = value == nullptr ? Json(nullptr) : *value;
  }
  out["establecimientos_acompanados"] = total;
  out["integral"] = integral;
  out["puntual"] = total - integral;
  out["apoyos_realizados"] = apoyos;
  out["promedio_apoyos_por_establecimiento"] =
      total == 0 ? Json(nullptr)
                 : Json(round_to(static_cast<double>(apoyos) / static_cast<double>(total), 2));
  const Json* evaluaciones = find_var(vars, "evaluaciones_consolidadas");
  out["evaluaciones"] = evaluaciones == nullptr ? Json(nullptr) : *evaluaciones;
  out["revisiones_alineacion"] = activation_count(ctx, "A04_RevisarAlineacionPAM");
  out["acciones_alineacion"] = activation_count(ctx, "A04_EjecutarAccionMejoramiento");
  out["verificaciones"] = activation_count(ctx, "A08_VerificarCumplimientoAT");
  out["desviaciones_tratadas"] = activation_count(ctx, "A08_TratarDesviaciones");
  out["tratamientos"] = std::move(*tratamientos);
  out["establecimientos_con_indicios_irregularidades"] = indicios;
  Json destinatarios = Json::array();
  for (std::string_view d : kDestinatarios) destinatarios.push_back(std::string(d));
  out["destinatarios"] = std::move(destinatarios);
  out["resultados_formulacion_pmi_men"] = {{"establecimientos_acompanados", total},
                                           {"integral", integral},
                                           {"puntual", total - integral}};
  out["generado_ms"] = ctx.now_ms;
  return HandlerResult::success({{"informe_consolidado", std::move(out)}});
}

HandlerResult reporte_irregularidades_anual(const HandlerContext& ctx, const Settings& settings) {
  const Variables& vars = *ctx.variables;
  const Json* etc = find_var(vars, "etc");
  const Json* periodo = find_var(vars, "periodo");
  if (etc == nullptr || !etc->is_string() || periodo == nullptr || !periodo->is_string() ||
      periodo->get_ref<const std::string&>().size() < 4) {
    return HandlerResult::failure(
        "etc, periodo: the SE's ETC and period are required (the F01.03.F02 consecutivo needs "
        "them)");
  }
  auto resultados = object_list(vars, "resultados_ee", true);
  if (!resultados) return HandlerResult::failure(resultados.error().message);
  auto anterior = object_list(vars, "irregularidades_periodo_anterior", false);
  if (!anterior) return HandlerResult::failure(anterior.error().message);
  const std::string anio = periodo->get<std::string>().substr(0, 4);
  // By código DANE: the earlier half-year first, so that this period's entry replaces it.
  std::map<std::string, Json> entries;
  auto add = [&](const Json& r, const Json& from_period) {
    if (!indicios_persisten(r)) return;
    Json entry = Json::object();
    for (const char* field : {"codigo_dane", "nombre", "municipio", "sector"}) {
      entry[field] = text_of(r, field);
    }
    entry["periodo"] = from_period;
    const std::string hechos = text_of(r, "descripcion_hechos");
    entry["descripcion_hechos"] =
        hechos.empty() ? "(el último seguimiento no describe los hechos)" : hechos;
    const Json* tipo = find_member(r, "tipo_irregularidad");
    entry["tipo_irregularidad"] = tipo == nullptr ? Json(nullptr) : *tipo;
    Json apoyo = Json::object();
    apoyo["tipo_acompanamiento"] = text_of(r, "tipo_acompanamiento");
    const Json* apoyos = find_member(r, "apoyos_realizados");
    apoyo["apoyos_realizados"] = apoyos == nullptr ? Json(0) : *apoyos;
    const Json* evaluacion = find_member(r, "evaluacion");
    apoyo["evaluacion_estado"] = evaluacion != nullptr && evaluacion->is_object()
                                     ? Json(text_of(*evaluacion, "estado"))
                                     : Json(nullptr);
    entry["apoyo_brindado"] = std::move(apoyo);
    entries[text_of(r, "codigo_dane")] = std::move(entry);
  };
  for (const Json& r : **anterior) {
    const Json* from = find_member(r, "periodo");
    add(r, from == nullptr ? Json(anio + "-1") : *from);
  }
  for (const Json& r : **resultados) add(r, *periodo);
  Json list = Json::array();
  for (auto& [code, entry] : entries) list.push_back(std::move(entry));
  const std::string fecha =
      format_time(time::default_zone().to_local(ctx.now_ms)).substr(0, 10);  // the SE's day

  Json out = Json::object();
  out["formato"] = "F01.03.F02";
  out["consecutivo"] = "F01.03.F02-" + anio + "-" + etc->get<std::string>();
  out["anio"] = anio;
  out["fecha"] = fecha;
  out["etc"] = *etc;
  out["dependencia_reporta"] = settings.dependencia_reporta + " (D02.03)";
  out["origen"] = "Asistencia técnica y acompañamiento al PMI (D02.03)";
  out["destino"] = "F01.03 - Plan Operativo Anual de Inspección y Vigilancia";
  out["total"] = static_cast<long>(list.size());
  out["establecimientos"] = std::move(list);
  return HandlerResult::success({{"reporte_irregularidades", std::move(out)}});
}

}  // namespace pmiflow::handlers::d02_03
