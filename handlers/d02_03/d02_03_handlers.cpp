// The four D02.03 service-task handlers. Each is a free function of (ctx, settings) wrapped
// in one TaskHandler adapter that turns any escaped exception into a failure; the functions
// themselves check every JSON type before reading it, so that adapter is only a safety net.

#include "handlers/d02_03/d02_03_handlers.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "handlers/d02_03/business_key.h"
#include "handlers/d02_03/catalogos.h"
#include "handlers/d02_03/clasificacion.h"
#include "handlers/d02_03/se_handlers.h"
#include "handlers/d02_03/se_start_data.h"
#include "handlers/d02_03/start_data.h"

namespace pmiflow::handlers::d02_03 {

namespace {

using detail::activation_count;
using detail::describe;
using detail::expected_one_of;
using detail::find_member;
using detail::find_var;
using detail::join;
using detail::kDestinatarios;
using detail::one_of;
using detail::required_enum;
using detail::round_to;
using detail::type_name;

// ---------------------------------------------------------------------------------------------
// Reading variables

// An optional string variable: nullopt when not given, an error when given but not a string.
Result<std::optional<std::string>> optional_string(const Variables& vars, const std::string& name) {
  const Json* value = find_var(vars, name);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) {
    return make_error(ErrorCode::kValidation, name + ": expected a string, got " +
                                                  type_name(*value) + " " + describe(*value));
  }
  return std::optional<std::string>(value->get<std::string>());
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

// The school's identification fields that are given, as an object. codigo_dane and periodo fall
// back to the instance's tags (business_key.h); nothing else is filled in.
Result<Json> school_fields(const HandlerContext& ctx, std::initializer_list<const char*> names) {
  Json out = Json::object();
  for (const char* name : names) {
    auto value = optional_string(*ctx.variables, name);
    if (!value) return value.error();
    std::optional<std::string> text = std::move(*value);
    const std::string_view field = name;
    const char* tag = field == "codigo_dane" ? kSchoolTag
                      : field == "periodo"   ? kPeriodTag
                                             : nullptr;
    if (!text && tag != nullptr) {
      auto it = ctx.tags->find(tag);
      if (it != ctx.tags->end()) text = it->second;
    }
    if (text) out[name] = std::move(*text);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Activity 3: d02_03.clasificar_establecimiento

HandlerResult clasificar_establecimiento(const HandlerContext& ctx, const Settings& settings) {
  auto clasificacion = clasificar(*ctx.variables, settings);
  if (!clasificacion) return HandlerResult::failure(clasificacion.error().message);
  return HandlerResult::success({{"tipo_acompanamiento", Json(clasificacion->tipo)},
                                 {"motivo_clasificacion", Json(clasificacion->motivo)}});
}

// ---------------------------------------------------------------------------------------------
// Activity 7: d02_03.consolidar_evaluacion

constexpr const char* kMotivoSinEvaluacion =
    "Sin evaluación dentro del plazo: el EE no registró su evaluación antes del plazo máximo de la "
    "SE";

HandlerResult sin_evaluacion(const Settings& settings) {
  Json out = {{"estado", "sin_evaluacion"},
              {"promedio_por_item", Json::object()},
              {"promedio_general", nullptr},
              {"respuestas", 0},
              {"objetivos_total", 0},
              {"objetivos_cumplidos", 0},
              {"porcentaje_objetivos_cumplidos", nullptr},
              {"umbral_satisfaccion", settings.umbral_satisfaccion},
              {"bajo_umbral", false},
              {"observaciones", ""},
              {"motivo", kMotivoSinEvaluacion}};
  return HandlerResult::success({{"evaluacion_consolidada", std::move(out)}});
}

// A puntaje as an integer 1..5, or nullopt. Accepts 4 and 4.0 (JSON does not tell them apart),
// rejects 4.5, "4", true.
std::optional<int> puntaje_value(const Json& value) {
  if (!value.is_number()) return std::nullopt;
  const double number = value.get<double>();
  if (!(number >= 1.0 && number <= 5.0) || std::floor(number) != number) return std::nullopt;
  return static_cast<int>(number);
}

HandlerResult consolidar_evaluacion(const HandlerContext& ctx, const Settings& settings) {
  const Variables& vars = *ctx.variables;
  std::optional<bool> registrada;
  if (const Json* flag = find_var(vars, "evaluacion_registrada")) {
    if (!flag->is_boolean()) {
      return HandlerResult::failure("evaluacion_registrada: expected true or false, got " +
                                    describe(*flag));
    }
    registrada = flag->get<bool>();
  }
  const Json* evaluacion = find_var(vars, "evaluacion_ee");
  // The deadline passed without an evaluation: a result, not an error.
  if (registrada == false || (evaluacion == nullptr && registrada != true)) {
    return sin_evaluacion(settings);
  }
  if (evaluacion == nullptr) {
    return HandlerResult::failure(
        "evaluacion_ee: missing, but evaluacion_registrada is true (the EE's evaluation of the AT "
        "must come with it)");
  }
  if (!evaluacion->is_object()) {
    return HandlerResult::failure(
        "evaluacion_ee: expected an object {items, objetivos, observaciones}, got " +
        type_name(*evaluacion));
  }

  // Items: one entry per respondent and item; the same item may come several times.
  const Json* items = find_member(*evaluacion, "items");
  if (items == nullptr || !items->is_array()) {
    return HandlerResult::failure(
        "evaluacion_ee.items: expected an array of {\"item\", \"puntaje\"}, got " +
        (items == nullptr ? std::string("nothing") : type_name(*items)));
  }
  if (items->empty()) {
    return HandlerResult::failure(
        "evaluacion_ee.items: empty, but the evaluation is registered (evaluacion_registrada is "
        "not false); set evaluacion_registrada to false if the EE did not evaluate");
  }
  struct Sum {
    long total = 0;
    long answers = 0;
  };
  std::map<std::string, Sum> per_item;
  Sum overall;
  std::size_t index = 0;
  for (const Json& entry : *items) {
    const std::string where = "evaluacion_ee.items[" + std::to_string(index) + "]";
    if (!entry.is_object()) {
      return HandlerResult::failure(where + ": expected an object {\"item\", \"puntaje\"}, got " +
                                    type_name(entry) + " " + describe(entry));
    }
    const Json* name = find_member(entry, "item");
    const std::string item =
        name != nullptr && name->is_string() ? trim(name->get_ref<const std::string&>()) : "";
    if (item.empty()) {
      return HandlerResult::failure(where +
                                    ": 'item' must name the evaluated aspect (a non-empty string)");
    }
    const Json* puntaje = find_member(entry, "puntaje");
    const std::optional<int> score = puntaje == nullptr ? std::nullopt : puntaje_value(*puntaje);
    if (!score) {
      return HandlerResult::failure(
          where + " ('" + item + "'): puntaje " +
          (puntaje == nullptr ? std::string("missing") : describe(*puntaje)) +
          " is not an integer from 1 to 5");
    }
    per_item[item].total += *score;
    per_item[item].answers += 1;
    overall.total += *score;
    overall.answers += 1;
    ++index;
  }

  // Objectives planned for the AT and whether the EE says they were met. Optional.
  long objetivos_total = 0;
  long objetivos_cumplidos = 0;
  if (const Json* objetivos = find_member(*evaluacion, "objetivos")) {
    if (!objetivos->is_array()) {
      return HandlerResult::failure(
          "evaluacion_ee.objetivos: expected an array of {\"objetivo\", \"cumplido\"}, got " +
          type_name(*objetivos));
    }
    index = 0;
    for (const Json& entry : *objetivos) {
      std::string where = "evaluacion_ee.objetivos[" + std::to_string(index) + "]";
      const Json* cumplido = entry.is_object() ? find_member(entry, "cumplido") : nullptr;
      if (cumplido == nullptr || !cumplido->is_boolean()) {
        if (entry.is_object()) {
          const Json* text = find_member(entry, "objetivo");
          if (text != nullptr && text->is_string()) where += " (" + describe(*text) + ")";
        }
        return HandlerResult::failure(
            where + ": 'cumplido' must be true or false, got " +
            (cumplido == nullptr ? std::string("nothing") : describe(*cumplido)));
      }
      ++objetivos_total;
      if (cumplido->get<bool>()) ++objetivos_cumplidos;
      ++index;
    }
  }

  std::string observaciones;
  if (const Json* obs = find_member(*evaluacion, "observaciones")) {
    if (!obs->is_string()) {
      return HandlerResult::failure("evaluacion_ee.observaciones: expected a string, got " +
                                    type_name(*obs));
    }
    observaciones = obs->get<std::string>();
  }

  Json promedios = Json::object();
  for (const auto& [item, sum] : per_item) {
    promedios[item] =
        round_to(static_cast<double>(sum.total) / static_cast<double>(sum.answers), 2);
  }
  const double promedio = static_cast<double>(overall.total) / static_cast<double>(overall.answers);
  // Compared unrounded: "below the threshold" is about the exact mean, not the shown one. The
  // tolerance absorbs binary representation error of thresholds such as 3.3.
  const bool bajo_umbral = promedio < settings.umbral_satisfaccion - 1e-9;
  Json porcentaje = nullptr;
  if (objetivos_total > 0) {
    porcentaje = round_to(
        100.0 * static_cast<double>(objetivos_cumplidos) / static_cast<double>(objetivos_total), 1);
  }
  Json out = {{"estado", "evaluada"},
              {"promedio_por_item", std::move(promedios)},
              {"promedio_general", round_to(promedio, 2)},
              {"respuestas", overall.answers},
              {"objetivos_total", objetivos_total},
              {"objetivos_cumplidos", objetivos_cumplidos},
              {"porcentaje_objetivos_cumplidos", std::move(porcentaje)},
              {"umbral_satisfaccion", settings.umbral_satisfaccion},
              {"bajo_umbral", bajo_umbral},
              {"observaciones", std::move(observaciones)}};
  return HandlerResult::success({{"evaluacion_consolidada", std::move(out)}});
}

// ---------------------------------------------------------------------------------------------
// Activity 9: d02_03.generar_informacion

constexpr std::array<std::string_view, 2> kTiposAcompanamiento = {"integral", "puntual"};

// tipo_acompanamiento as activity 3 wrote it.
Result<std::string> tipo_acompanamiento(const Variables& vars) {
  const Json* value = find_var(vars, "tipo_acompanamiento");
  if (value == nullptr) {
    return make_error(
        ErrorCode::kValidation,
        "tipo_acompanamiento: missing (activity 3, d02_03.clasificar_establecimiento, "
        "has not classified the school)");
  }
  if (!value->is_string() || !one_of(kTiposAcompanamiento, value->get_ref<const std::string&>())) {
    return make_error(ErrorCode::kValidation, "tipo_acompanamiento: invalid value " +
                                                  describe(*value) + " (" +
                                                  expected_one_of(kTiposAcompanamiento) + ")");
  }
  return value->get<std::string>();
}

HandlerResult generar_informacion(const HandlerContext& ctx, const Settings&) {
  const Variables& vars = *ctx.variables;
  auto tipo = tipo_acompanamiento(vars);
  if (!tipo) return HandlerResult::failure(tipo.error().message);
  auto school =
      school_fields(ctx, {"codigo_dane", "periodo", "nombre", "municipio", "etc", "sector"});
  if (!school) return HandlerResult::failure(school.error().message);
  auto motivo = optional_string(vars, "motivo_clasificacion");
  if (!motivo) return HandlerResult::failure(motivo.error().message);

  Json evaluacion = nullptr;  // activity 7 has not consolidated anything
  if (const Json* consolidada = find_var(vars, "evaluacion_consolidada")) {
    if (!consolidada->is_object()) {
      return HandlerResult::failure("evaluacion_consolidada: expected an object, got " +
                                    type_name(*consolidada));
    }
    evaluacion = Json::object();
    for (const char* field :
         {"estado", "promedio_general", "porcentaje_objetivos_cumplidos", "bajo_umbral"}) {
      const Json* value = find_member(*consolidada, field);
      evaluacion[field] = value == nullptr ? Json(nullptr) : *value;
    }
  }

  auto tratamientos = detail::tratamientos_of(vars);
  if (!tratamientos) return HandlerResult::failure(tratamientos.error().message);

  Json out = std::move(*school);
  out["tipo_acompanamiento"] = *tipo;
  if (*motivo) out["motivo_clasificacion"] = **motivo;
  out["ciclos_apoyo"] = activation_count(ctx, kElementApoyarEjecucionPmi);
  out["seguimientos"] = activation_count(ctx, kElementHacerSeguimiento);
  out["revisiones_alineacion"] = activation_count(ctx, kElementRevisarAlineacionPam);
  out["acciones_alineacion"] = activation_count(ctx, kElementEjecutarAccionMejoramiento);
  out["evaluacion"] = std::move(evaluacion);
  out["verificaciones"] = activation_count(ctx, kElementVerificarCumplimientoAt);
  out["desviaciones_tratadas"] = activation_count(ctx, kElementTratarDesviaciones);
  out["tratamientos"] = std::move(*tratamientos);
  Json destinatarios = Json::array();
  for (std::string_view d : kDestinatarios) destinatarios.push_back(std::string(d));
  out["destinatarios"] = std::move(destinatarios);
  out["generado_ms"] = ctx.now_ms;
  return HandlerResult::success({{"resultado_acompanamiento", std::move(out)}});
}

// ---------------------------------------------------------------------------------------------
// Activity 10: d02_03.reporte_irregularidades

// "YYYY-MM-DD" of a Unix time in milliseconds, in UTC; nullopt outside years 0000-9999.
// Days to civil date after H. Hinnant, "chrono-Compatible Low-Level Date Algorithms".
std::optional<std::string> iso_date_utc(std::int64_t epoch_ms) {
  constexpr std::int64_t kMsPerDay = 86'400'000;
  std::int64_t days = epoch_ms / kMsPerDay;
  if (epoch_ms % kMsPerDay < 0) --days;  // floor, not truncation, before 1970
  const std::int64_t z = days + 719'468;
  const std::int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
  const std::int64_t doe = z - era * 146'097;                                         // [0, 146096]
  const std::int64_t yoe = (doe - doe / 1'460 + doe / 36'524 - doe / 146'096) / 365;  // [0, 399]
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                   // [0, 365]
  const std::int64_t mp = (5 * doy + 2) / 153;                                        // [0, 11]
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;                              // [1, 31]
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;                               // [1, 12]
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return std::nullopt;
  char text[11];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02d", static_cast<int>(year),
                static_cast<int>(month), static_cast<int>(day));
  return std::string(text);
}

HandlerResult reporte_irregularidades(const HandlerContext& ctx, const Settings& settings) {
  const Variables& vars = *ctx.variables;

  const Json* hechos = find_var(vars, "descripcion_hechos");
  if (hechos == nullptr || !hechos->is_string() ||
      trim(hechos->get_ref<const std::string&>()).empty()) {
    return HandlerResult::failure(
        "descripcion_hechos: " +
        (hechos == nullptr ? std::string("missing") : "invalid value " + describe(*hechos)) +
        " (F01.03.F02 needs a non-empty description of the facts)");
  }
  auto norma = optional_string(vars, "norma_presuntamente_vulnerada");
  if (!norma) return HandlerResult::failure(norma.error().message);
  auto reportado_por = optional_string(vars, "reportado_por");
  if (!reportado_por) return HandlerResult::failure(reportado_por.error().message);

  std::optional<std::string> tipo;
  if (find_var(vars, "tipo_irregularidad") != nullptr) {
    auto value = required_enum(vars, "tipo_irregularidad", detail::kTiposIrregularidad);
    if (!value) return HandlerResult::failure(value.error().message);
    tipo = std::move(*value);
  }

  Json evidencias = Json::array();
  if (const Json* given = find_var(vars, "evidencias")) {
    if (!given->is_array()) {
      return HandlerResult::failure("evidencias: expected an array of strings, got " +
                                    type_name(*given));
    }
    std::size_t index = 0;
    for (const Json& e : *given) {
      if (!e.is_string()) {
        return HandlerResult::failure("evidencias[" + std::to_string(index) +
                                      "]: expected a string, got " + type_name(e) + " " +
                                      describe(e));
      }
      evidencias.push_back(e);
      ++index;
    }
  }

  auto establecimiento =
      school_fields(ctx, {"codigo_dane", "nombre", "sector", "municipio", "etc"});
  if (!establecimiento) return HandlerResult::failure(establecimiento.error().message);
  auto periodo = school_fields(ctx, {"periodo"});
  if (!periodo) return HandlerResult::failure(periodo.error().message);
  if (!establecimiento->contains("codigo_dane") || !periodo->contains("periodo")) {
    return HandlerResult::failure(
        std::string(establecimiento->contains("codigo_dane") ? "periodo" : "codigo_dane") +
        ": missing, and the instance has no business key to take it from (the F01.03.F02 "
        "consecutivo needs it)");
  }
  const auto fecha = iso_date_utc(ctx.now_ms);
  if (!fecha) {
    return HandlerResult::failure("now_ms: clock value " + std::to_string(ctx.now_ms) +
                                  " is not a date between years 0000 and 9999");
  }

  Json apoyo = Json::object();
  if (const Json* t = find_var(vars, "tipo_acompanamiento")) apoyo["tipo_acompanamiento"] = *t;
  apoyo["ciclos_apoyo"] = activation_count(ctx, kElementApoyarEjecucionPmi);
  if (const Json* consolidada = find_var(vars, "evaluacion_consolidada")) {
    if (consolidada->is_object()) {
      if (const Json* estado = find_member(*consolidada, "estado")) {
        apoyo["evaluacion_estado"] = *estado;
      }
    }
  }

  Json out = Json::object();
  out["formato"] = "F01.03.F02";
  out["consecutivo"] = "F01.03.F02-" + (*periodo)["periodo"].get<std::string>() + "-" +
                       (*establecimiento)["codigo_dane"].get<std::string>();
  out["fecha"] = *fecha;
  out["dependencia_reporta"] = settings.dependencia_reporta + " (D02.03)";
  if (*reportado_por) out["funcionario_reporta"] = **reportado_por;
  out["establecimiento"] = std::move(*establecimiento);
  out["origen"] = "Asistencia técnica y acompañamiento al PMI (D02.03)";
  out["descripcion_hechos"] = *hechos;
  if (*norma) out["norma_presuntamente_vulnerada"] = **norma;
  if (tipo) out["tipo_irregularidad"] = *tipo;
  out["evidencias"] = std::move(evidencias);
  out["apoyo_brindado"] = std::move(apoyo);
  out["destino"] = "F01.03 - Plan Operativo Anual de Inspección y Vigilancia";
  return HandlerResult::success({{"reporte_irregularidades", std::move(out)}});
}

// ---------------------------------------------------------------------------------------------
// Adapter

using HandlerFunction = HandlerResult (*)(const HandlerContext&, const Settings&);

class D0203Handler final : public TaskHandler {
 public:
  D0203Handler(std::string type, HandlerFunction function, std::shared_ptr<const Settings> settings)
      : type_(std::move(type)), function_(function), settings_(std::move(settings)) {}

  HandlerResult handle(const HandlerContext& ctx) const override {
    if (ctx.variables == nullptr || ctx.activation_counts == nullptr) {
      return HandlerResult::failure(type_ + ": called without variables or activation counts");
    }
    try {
      return function_(ctx, *settings_);
    } catch (const std::exception& e) {
      return HandlerResult::failure(type_ + ": unexpected error: " + e.what());
    } catch (...) {
      return HandlerResult::failure(type_ + ": unexpected error");
    }
  }

 private:
  std::string type_;
  HandlerFunction function_;
  std::shared_ptr<const Settings> settings_;
};

}  // namespace

void register_handlers(HandlerRegistry& registry, const Settings& settings) {
  auto shared = std::make_shared<const Settings>(settings);
  const std::pair<const char*, HandlerFunction> handlers[] = {
      {kClasificarEstablecimiento, &clasificar_establecimiento},
      {kConsolidarEvaluacion, &consolidar_evaluacion},
      {kGenerarInformacion, &generar_informacion},
      {kReporteIrregularidades, &reporte_irregularidades},
      {kClasificarEstablecimientos, &clasificar_establecimientos},
      {kConsolidarEvaluaciones, &consolidar_evaluaciones},
      {kGenerarInformacionSe, &generar_informacion_se},
      {kReporteIrregularidadesAnual, &reporte_irregularidades_anual},
  };
  for (const auto& [type, function] : handlers) {
    registry.add(type, std::make_shared<D0203Handler>(type, function, shared));
  }
  registry.add_start_validator(
      kProcessKey, [](const StartRequest& request) { return validate_start_data(request); });
  registry.add_start_preparer(kProcessKey, &prepare_start_data);
  // The two-level D02.03 (se_start_data.h): the school's process has the same data contract.
  registry.add_start_validator(
      kSchoolProcessKey, [](const StartRequest& request) { return validate_start_data(request); });
  registry.add_start_preparer(kSchoolProcessKey, &prepare_start_data);
  registry.add_start_validator(kSeProcessKey, &validate_se_start_data);
  registry.add_start_preparer(kSeProcessKey, &prepare_se_start_data);
}

}  // namespace pmiflow::handlers::d02_03
