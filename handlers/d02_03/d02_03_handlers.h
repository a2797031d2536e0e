// Service-task handlers of subprocess D02.03 "Apoyar la gestión de los PMI" and the SE's
// settings they read. The variable contract follows design/d02-03-process.md ("The data
// contract", "What the service tasks compute"); the comment of register_handlers states what
// each handler reads and writes.
//
// Every handler is a pure function of (instance variables, activation counts, ctx.now_ms,
// Settings): it never throws, never reads a clock, and reports bad input as
// HandlerResult::failure with a message that names the variable and the value it found.
#pragma once

#include <set>
#include <string>

#include "engine/common/json.h"
#include "engine/common/result.h"
#include "engine/engine/handler.h"

namespace pmiflow::handlers::d02_03 {

// The process key of the D02.03 definition (process-definitions/d02_03_apoyar_gestion_pmi.bpmn).
inline constexpr const char* kProcessKey = "D02_03_ApoyarGestionPMI";

// Handler types (zeebe:taskDefinition type of the service tasks in the D02.03 definition).
inline constexpr const char* kClasificarEstablecimiento = "d02_03.clasificar_establecimiento";
inline constexpr const char* kConsolidarEvaluacion = "d02_03.consolidar_evaluacion";
inline constexpr const char* kGenerarInformacion = "d02_03.generar_informacion";
inline constexpr const char* kReporteIrregularidades = "d02_03.reporte_irregularidades";

// Element ids of the D02.03 definition whose activation counts activities 9 and 10 report.
inline constexpr const char* kElementApoyarEjecucionPmi = "A05_ApoyarEjecucionPMI";
inline constexpr const char* kElementHacerSeguimiento = "A06_HacerSeguimiento";
inline constexpr const char* kElementRevisarAlineacionPam = "A04_RevisarAlineacionPAM";
inline constexpr const char* kElementEjecutarAccionMejoramiento = "A04_EjecutarAccionMejoramiento";
inline constexpr const char* kElementVerificarCumplimientoAt = "A08_VerificarCumplimientoAT";
inline constexpr const char* kElementTratarDesviaciones = "A08_TratarDesviaciones";

// The SE's own parameters. Defaults are the ones proposed in domain-notes.md §4; every SE may
// change them, so no handler hard-codes them.
struct Settings {
  // Saber plantel categories (A+, A, B, C, D, SIN_CLASIFICAR) that count as "bajo desempeño":
  // an official school in one of them gets integral accompaniment. Never empty.
  std::set<std::string> categorias_bajas = {"C", "D"};
  // On the 1–5 scale of the EE's evaluation of the AT: an overall average strictly below it is
  // "bajo umbral". In [1, 5].
  double umbral_satisfaccion = 3.5;
  // The SE's unit that signs F01.03.F02 reports. Non-empty.
  std::string dependencia_reporta = "Calidad Educativa";

  // Reads a settings object. Absent fields keep their defaults; unknown fields, wrong types and
  // out-of-range values are errors (ErrorCode::kInvalidArgument) whose message starts with the
  // field name, e.g. "categorias_bajas: unknown Saber category 'E' (expected A+, A, B, C, D,
  // SIN_CLASIFICAR)".
  static Result<Settings> from_json(const Json& json);
  // The inverse of from_json: from_json(s.to_json()) yields s.
  Json to_json() const;
};

// Registers the four handlers above and the SE's four (se_handlers.h); validate_start_data
// (start_data.h) as the start-data validator of kProcessKey and of the school's process of the
// two-level D02.03 (se_start_data.h), and validate_se_start_data as the SE process's, so that
// Engine::start refuses an instance that breaks the data contract. Each handler keeps its own
// copy of `settings`.
//
// d02_03.clasificar_establecimiento (activity 3)
//   reads  sector (OFICIAL | NO_OFICIAL); categoria_saber (A+ | A | B | C | D | SIN_CLASIFICAR,
//          required for OFICIAL); regimen (LIBERTAD_REGULADA | LIBERTAD_VIGILADA |
//          REGIMEN_CONTROLADO, required for NO_OFICIAL)
//   writes tipo_acompanamiento: "integral" when OFICIAL and categoria_saber is in
//          settings.categorias_bajas, or NO_OFICIAL and REGIMEN_CONTROLADO; "puntual" otherwise.
//          motivo_clasificacion: the rule that applied and the values seen, in Spanish.
//
// d02_03.consolidar_evaluacion (activity 7)
//   reads  evaluacion_registrada (optional boolean), evaluacion_ee (optional object
//          {items: [{item, puntaje 1..5}], objetivos: [{objetivo, cumplido}], observaciones})
//   writes evaluacion_consolidada {estado "evaluada" | "sin_evaluacion", promedio_por_item,
//          promedio_general, respuestas, objetivos_total, objetivos_cumplidos,
//          porcentaje_objetivos_cumplidos, umbral_satisfaccion, bajo_umbral, observaciones
//          [, motivo]}. "sin_evaluacion" when evaluacion_registrada is false or evaluacion_ee is
//          absent (and evaluacion_registrada is not true).
//
// d02_03.generar_informacion (activity 9)
//   reads  codigo_dane, periodo (fall back to the instance's school and period tags), nombre,
//   municipio, etc,
//          sector, tipo_acompanamiento (required), motivo_clasificacion, evaluacion_consolidada,
//          tratamiento_desviacion; activation counts of the kElement* ids above
//   writes resultado_acompanamiento (see the .cpp for the fields).
//
// d02_03.reporte_irregularidades (activity 10)
//   reads  descripcion_hechos (required), norma_presuntamente_vulnerada, tipo_irregularidad
//          (LEGAL_LICENCIA | PEI | COSTOS_TARIFAS | CONVIVENCIA | PLANTA | INFORMACION_FALSA |
//          OTRA), evidencias (array of strings), reportado_por; the school's data as above;
//          tipo_acompanamiento, evaluacion_consolidada; activation count of
//          kElementApoyarEjecucionPmi
//   writes reporte_irregularidades: the school's entry of form F01.03.F02.
void register_handlers(HandlerRegistry& registry, const Settings& settings);

}  // namespace pmiflow::handlers::d02_03
