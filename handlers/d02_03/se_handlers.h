// The service tasks of the SE's D02.03 process (process-definitions/
// d02_03_apoyar_gestion_pmi_se.bpmn): what the seed gives to the SE as a whole, computed once
// over every school of the ETC. Pure functions of the instance's variables, its activation
// counts, ctx.now_ms and the SE's Settings, like the per-school handlers
// (d02_03_handlers.h); bad input is a failure naming the variable and the school.
#pragma once

#include "engine/engine/handler.h"
#include "handlers/d02_03/d02_03_handlers.h"

namespace pmiflow::handlers::d02_03 {

inline constexpr const char* kClasificarEstablecimientos = "d02_03.clasificar_establecimientos";
inline constexpr const char* kConsolidarEvaluaciones = "d02_03.consolidar_evaluaciones";
inline constexpr const char* kGenerarInformacionSe = "d02_03.generar_informacion_se";
inline constexpr const char* kReporteIrregularidadesAnual = "d02_03.reporte_irregularidades_anual";

// register_handlers registers the four, and the SE process's start-data validator and
// preparer (se_start_data.h).
//
// d02_03.clasificar_establecimientos (activity 3)
//   reads  establecimientos (list of schools)
//   writes establecimientos_seleccionados: every school with tipo_acompanamiento and
//          motivo_clasificacion (clasificacion.h), in the list's order; clasificacion
//          {establecimientos, integral, puntual}
//
// d02_03.consolidar_evaluaciones (activity 7, before the líder's review)
//   reads  resultados_ee (what each school's instance gave back: {codigo_dane, ...,
//          tipo_acompanamiento, apoyos_realizados, evaluacion (its evaluacion_consolidada),
//          indicios_irregularidades})
//   writes evaluaciones_consolidadas {establecimientos, evaluadas, sin_evaluacion,
//          promedio_general (mean of the evaluated schools' overall means, or null),
//          porcentaje_objetivos_cumplidos (mean, or null), bajo_umbral (schools below the
//          SE's satisfaction threshold), umbral_satisfaccion, por_tipo {integral, puntual}:
//          {establecimientos, evaluadas, promedio_general}}
//
// d02_03.generar_informacion_se (activity 9)
//   reads  etc, periodo, resultados_ee, clasificacion, evaluaciones_consolidadas,
//          tratamiento_desviacion; activation counts of the SE's activities 4 and 8
//   writes informe_consolidado: the consolidated report for D01.04, D02.01, D02.02, F01.03 and
//          I02.04, and the PMI formulation results for the Ministry
//
// d02_03.reporte_irregularidades_anual (activity 10, once a year)
//   reads  etc, periodo, resultados_ee, irregularidades_periodo_anterior (optional: the
//          schools the first half-year's instance flagged, for an SE that works in
//          half-years)
//   writes reporte_irregularidades: one F01.03.F02 report of the year listing every school
//          whose accompaniment ended with indicios_irregularidades true, by código DANE
//          (the second half-year's entry wins over the first's), and total
// Whether a school's result (an item of resultados_ee) says its last follow-up found indicios de
// irregularidades despite the support: what puts it in the annual F01.03.F02 report.
bool indicios_persisten(const Json& resultado);

HandlerResult clasificar_establecimientos(const HandlerContext& ctx, const Settings& settings);
HandlerResult consolidar_evaluaciones(const HandlerContext& ctx, const Settings& settings);
HandlerResult generar_informacion_se(const HandlerContext& ctx, const Settings& settings);
HandlerResult reporte_irregularidades_anual(const HandlerContext& ctx, const Settings& settings);

}  // namespace pmiflow::handlers::d02_03
