// Unit tests of the D02.03 service-task handlers but activity 7's (d02_03_consolidar_test.cpp):
// registration, classification (3), information (9) and the F01.03.F02 report (10).

#include "handlers/d02_03/d02_03_handlers.h"

#include <cstdint>
#include <limits>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "d02_03_handler_test_util.h"
#include "handlers/d02_03/business_key.h"

namespace pmiflow::handlers::d02_03 {
namespace {

using namespace handler_testing;  // the harness of these tests

Settings settings_with_bajas(std::set<std::string> bajas) {
  Settings s;
  s.categorias_bajas = std::move(bajas);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Registration

TEST(D0203Registry, RegistersTheFourTypesOfASchoolAndTheFourOfTheSe) {
  HandlerRegistry registry;
  register_handlers(registry, Settings{});
  EXPECT_EQ(registry.types(),
            (std::set<std::string>{
                "d02_03.clasificar_establecimiento", "d02_03.consolidar_evaluacion",
                "d02_03.generar_informacion", "d02_03.reporte_irregularidades",
                "d02_03.clasificar_establecimientos", "d02_03.consolidar_evaluaciones",
                "d02_03.generar_informacion_se", "d02_03.reporte_irregularidades_anual"}));
  EXPECT_NE(registry.find("d02_03.clasificar_establecimiento"), nullptr);
  EXPECT_NE(registry.find("d02_03.consolidar_evaluacion"), nullptr);
  EXPECT_NE(registry.find("d02_03.generar_informacion"), nullptr);
  EXPECT_NE(registry.find("d02_03.reporte_irregularidades"), nullptr);
  EXPECT_EQ(registry.find("d02_03.clasificar"), nullptr);
}

TEST(D0203Registry, HandlerKeepsItsOwnCopyOfTheSettings) {
  HandlerRegistry registry;
  {
    Settings s = settings_with_bajas({"D"});
    register_handlers(registry, s);
  }  // the caller's Settings is gone
  Variables vars{{"sector", "OFICIAL"}, {"categoria_saber", "C"}};
  Counts counts;
  HandlerContext ctx;
  ctx.variables = &vars;
  ctx.activation_counts = &counts;
  HandlerResult r = registry.find(kClasificarEstablecimiento)->handle(ctx);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("tipo_acompanamiento"), "puntual");
}

TEST(D0203Registry, MissingContextPointersFailInsteadOfCrashing) {
  HandlerRegistry registry;
  register_handlers(registry, Settings{});
  HandlerContext ctx;  // variables and activation_counts are null
  for (const std::string& type : registry.types()) {
    HandlerResult r = registry.find(type)->handle(ctx);
    EXPECT_FALSE(r.ok) << type;
    EXPECT_EQ(r.error, type + ": called without variables or activation counts");
  }
}

// ---------------------------------------------------------------------------------------------
// Activity 3: classification

HandlerResult clasificar(const Variables& vars, const Settings& settings = {}) {
  return run("d02_03.clasificar_establecimiento", vars, {}, settings);
}

TEST(D0203Clasificar, OficialCategoriaDIsIntegral) {
  HandlerResult r = clasificar({{"sector", "OFICIAL"}, {"categoria_saber", "D"}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.size(), 2u);
  EXPECT_EQ(r.variables.at("tipo_acompanamiento"), "integral");
  EXPECT_EQ(r.variables.at("motivo_clasificacion"),
            "Sector oficial con bajo desempeño en las pruebas SABER: categoría D (el SE cuenta "
            "como bajas: C, D)");
}

TEST(D0203Clasificar, OficialCategoriaCIsIntegral) {
  HandlerResult r = clasificar({{"sector", "OFICIAL"}, {"categoria_saber", "C"}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("tipo_acompanamiento"), "integral");
  EXPECT_EQ(r.variables.at("motivo_clasificacion"),
            "Sector oficial con bajo desempeño en las pruebas SABER: categoría C (el SE cuenta "
            "como bajas: C, D)");
}

TEST(D0203Clasificar, OficialCategoriaBIsPuntual) {
  HandlerResult r = clasificar({{"sector", "OFICIAL"}, {"categoria_saber", "B"}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("tipo_acompanamiento"), "puntual");
  EXPECT_EQ(r.variables.at("motivo_clasificacion"),
            "Sector oficial con categoría SABER B, que el SE no cuenta como baja (bajas: C, D)");
}

TEST(D0203Clasificar, OficialHighCategoriesArePuntual) {
  for (const char* categoria : {"A+", "A"}) {
    HandlerResult r = clasificar({{"sector", "OFICIAL"}, {"categoria_saber", categoria}});
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.variables.at("tipo_acompanamiento"), "puntual") << categoria;
    EXPECT_EQ(r.variables.at("motivo_clasificacion"),
              std::string("Sector oficial con categoría SABER ") + categoria +
                  ", que el SE no cuenta como baja (bajas: C, D)");
  }
}

TEST(D0203Clasificar, OficialSinClasificarIsPuntualByDefault) {
  HandlerResult r = clasificar({{"sector", "OFICIAL"}, {"categoria_saber", "SIN_CLASIFICAR"}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("tipo_acompanamiento"), "puntual");
  EXPECT_EQ(r.variables.at("motivo_clasificacion"),
            "Sector oficial con categoría SABER SIN_CLASIFICAR, que el SE no cuenta como baja "
            "(bajas: C, D)");
}

TEST(D0203Clasificar, OficialSinClasificarIsIntegralWhenTheSeCountsItAsLow) {
  HandlerResult r = clasificar({{"sector", "OFICIAL"}, {"categoria_saber", "SIN_CLASIFICAR"}},
                               settings_with_bajas({"SIN_CLASIFICAR", "D", "C"}));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("tipo_acompanamiento"), "integral");
  EXPECT_EQ(r.variables.at("motivo_clasificacion"),
            "Sector oficial con bajo desempeño en las pruebas SABER: categoría SIN_CLASIFICAR (el "
            "SE cuenta como bajas: C, D, SIN_CLASIFICAR)");
}

TEST(D0203Clasificar, CustomBajasOnlyDMakesCPuntual) {
  const Settings only_d = settings_with_bajas({"D"});
  HandlerResult c = clasificar({{"sector", "OFICIAL"}, {"categoria_saber", "C"}}, only_d);
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.variables.at("tipo_acompanamiento"), "puntual");
  EXPECT_EQ(c.variables.at("motivo_clasificacion"),
            "Sector oficial con categoría SABER C, que el SE no cuenta como baja (bajas: D)");
  HandlerResult d = clasificar({{"sector", "OFICIAL"}, {"categoria_saber", "D"}}, only_d);
  ASSERT_TRUE(d.ok) << d.error;
  EXPECT_EQ(d.variables.at("tipo_acompanamiento"), "integral");
  EXPECT_EQ(d.variables.at("motivo_clasificacion"),
            "Sector oficial con bajo desempeño en las pruebas SABER: categoría D (el SE cuenta "
            "como bajas: D)");
}

TEST(D0203Clasificar, CustomBajasCanIncludeB) {
  HandlerResult r = clasificar({{"sector", "OFICIAL"}, {"categoria_saber", "B"}},
                               settings_with_bajas({"B", "C", "D"}));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("tipo_acompanamiento"), "integral");
  EXPECT_EQ(r.variables.at("motivo_clasificacion"),
            "Sector oficial con bajo desempeño en las pruebas SABER: categoría B (el SE cuenta "
            "como bajas: B, C, D)");
}

TEST(D0203Clasificar, OficialIgnoresRegimen) {
  HandlerResult r = clasificar(
      {{"sector", "OFICIAL"}, {"categoria_saber", "A"}, {"regimen", "REGIMEN_CONTROLADO"}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("tipo_acompanamiento"), "puntual");
}

TEST(D0203Clasificar, NoOficialRegimenControladoIsIntegral) {
  HandlerResult r = clasificar(
      {{"sector", "NO_OFICIAL"}, {"regimen", "REGIMEN_CONTROLADO"}, {"categoria_saber", "A+"}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("tipo_acompanamiento"), "integral");
  EXPECT_EQ(r.variables.at("motivo_clasificacion"),
            "Sector no oficial clasificado en Régimen Controlado en su evaluación institucional");
}

TEST(D0203Clasificar, NoOficialLibertadVigiladaIsPuntualEvenWithLowSaber) {
  HandlerResult r = clasificar(
      {{"sector", "NO_OFICIAL"}, {"regimen", "LIBERTAD_VIGILADA"}, {"categoria_saber", "D"}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("tipo_acompanamiento"), "puntual");
  EXPECT_EQ(r.variables.at("motivo_clasificacion"),
            "Sector no oficial en régimen LIBERTAD_VIGILADA");
}

TEST(D0203Clasificar, NoOficialLibertadReguladaIsPuntualWithoutSaberCategory) {
  HandlerResult r = clasificar({{"sector", "NO_OFICIAL"}, {"regimen", "LIBERTAD_REGULADA"}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("tipo_acompanamiento"), "puntual");
  EXPECT_EQ(r.variables.at("motivo_clasificacion"),
            "Sector no oficial en régimen LIBERTAD_REGULADA");
}

TEST(D0203Clasificar, MissingOrInvalidSectorFails) {
  HandlerResult missing = clasificar({{"categoria_saber", "D"}});
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.error, "sector: missing (expected one of OFICIAL, NO_OFICIAL)");
  EXPECT_TRUE(missing.variables.empty());

  HandlerResult null = clasificar({{"sector", nullptr}, {"categoria_saber", "D"}});
  EXPECT_FALSE(null.ok);
  EXPECT_EQ(null.error, "sector: missing (expected one of OFICIAL, NO_OFICIAL)");

  HandlerResult privado = clasificar({{"sector", "PRIVADO"}, {"regimen", "LIBERTAD_REGULADA"}});
  EXPECT_FALSE(privado.ok);
  EXPECT_EQ(privado.error, "sector: invalid value 'PRIVADO' (expected one of OFICIAL, NO_OFICIAL)");

  HandlerResult lower = clasificar({{"sector", "oficial"}, {"categoria_saber", "D"}});
  EXPECT_FALSE(lower.ok);
  EXPECT_EQ(lower.error, "sector: invalid value 'oficial' (expected one of OFICIAL, NO_OFICIAL)");

  HandlerResult number = clasificar({{"sector", 1}, {"categoria_saber", "D"}});
  EXPECT_FALSE(number.ok);
  EXPECT_EQ(number.error, "sector: invalid value 1 (expected one of OFICIAL, NO_OFICIAL)");
}

TEST(D0203Clasificar, OficialNeedsAValidCategoriaSaber) {
  HandlerResult missing = clasificar({{"sector", "OFICIAL"}});
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.error,
            "categoria_saber: missing for an OFICIAL school (expected one of A+, A, B, C, D, "
            "SIN_CLASIFICAR)");

  HandlerResult invalid = clasificar({{"sector", "OFICIAL"}, {"categoria_saber", "E"}});
  EXPECT_FALSE(invalid.ok);
  EXPECT_EQ(invalid.error,
            "categoria_saber: invalid value 'E' for an OFICIAL school (expected one of A+, A, B, "
            "C, D, SIN_CLASIFICAR)");

  HandlerResult array = clasificar({{"sector", "OFICIAL"}, {"categoria_saber", {"C"}}});
  EXPECT_FALSE(array.ok);
  EXPECT_EQ(array.error,
            "categoria_saber: invalid value [\"C\"] for an OFICIAL school (expected one of A+, A, "
            "B, C, D, SIN_CLASIFICAR)");
}

TEST(D0203Clasificar, NoOficialNeedsAValidRegimen) {
  HandlerResult missing = clasificar({{"sector", "NO_OFICIAL"}, {"categoria_saber", "D"}});
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.error,
            "regimen: missing for a NO_OFICIAL school (expected one of LIBERTAD_REGULADA, "
            "LIBERTAD_VIGILADA, REGIMEN_CONTROLADO)");

  HandlerResult invalid = clasificar({{"sector", "NO_OFICIAL"}, {"regimen", "CONTROLADO"}});
  EXPECT_FALSE(invalid.ok);
  EXPECT_EQ(invalid.error,
            "regimen: invalid value 'CONTROLADO' for a NO_OFICIAL school (expected one of "
            "LIBERTAD_REGULADA, LIBERTAD_VIGILADA, REGIMEN_CONTROLADO)");
}

// ---------------------------------------------------------------------------------------------
// Activity 9: results for the characterization and educational profile

HandlerResult generar(const Variables& vars, const Counts& counts, std::int64_t now_ms = kNow) {
  return run("d02_03.generar_informacion", vars, counts, Settings{}, now_ms);
}

const Json kDestinatarios = {"D01.04", "D02.01", "D02.02", "F01.03", "I02.04"};

TEST(D0203Generar, SummarisesTheInstanceFromVariablesAndActivationCounts) {
  const Variables vars = {
      {"codigo_dane", "111001000456"},
      {"periodo", "2026-1"},
      {"nombre", "IED La Esperanza"},
      {"municipio", "Bogotá D.C."},
      {"etc", "Bogotá"},
      {"sector", "OFICIAL"},
      {"categoria_saber", "D"},
      {"tipo_acompanamiento", "integral"},
      {"motivo_clasificacion", "Sector oficial con bajo desempeño"},
      {"evaluacion_consolidada",
       {{"estado", "evaluada"},
        {"promedio_general", 3.4},
        {"porcentaje_objetivos_cumplidos", 75.0},
        {"bajo_umbral", true},
        {"respuestas", 5}}},
      {"tratamiento_desviacion", {"N01.04 producto no conforme", "N01.02 acción correctiva"}}};
  const Counts counts = {{"A05_ApoyarEjecucionPMI", 3},      {"A06_HacerSeguimiento", 4},
                         {"A04_RevisarAlineacionPAM", 2},    {"A04_EjecutarAccionMejoramiento", 1},
                         {"A08_VerificarCumplimientoAT", 3}, {"A08_TratarDesviaciones", 2},
                         {"A09_GenerarInformacion", 1}};
  HandlerResult r = generar(vars, counts);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.variables.size(), 1u);
  const Json expected = {
      {"codigo_dane", "111001000456"},
      {"periodo", "2026-1"},
      {"nombre", "IED La Esperanza"},
      {"municipio", "Bogotá D.C."},
      {"etc", "Bogotá"},
      {"sector", "OFICIAL"},
      {"tipo_acompanamiento", "integral"},
      {"motivo_clasificacion", "Sector oficial con bajo desempeño"},
      {"ciclos_apoyo", 3},
      {"seguimientos", 4},
      {"revisiones_alineacion", 2},
      {"acciones_alineacion", 1},
      {"evaluacion",
       {{"estado", "evaluada"},
        {"promedio_general", 3.4},
        {"porcentaje_objetivos_cumplidos", 75.0},
        {"bajo_umbral", true}}},
      {"verificaciones", 3},
      {"desviaciones_tratadas", 2},
      {"tratamientos", {"N01.04 producto no conforme", "N01.02 acción correctiva"}},
      {"destinatarios", kDestinatarios},
      {"generado_ms", kNow}};
  EXPECT_EQ(r.variables.at("resultado_acompanamiento"), expected)
      << r.variables.at("resultado_acompanamiento").dump(2);
}

TEST(D0203Generar, OmitsMissingSchoolDataAndTakesTheBusinessKeyFromTheContext) {
  HandlerResult r = generar({{"tipo_acompanamiento", "puntual"}}, {});
  ASSERT_TRUE(r.ok) << r.error;
  const Json expected = {{"codigo_dane", "111001000123"},
                         {"periodo", "2026"},
                         {"tipo_acompanamiento", "puntual"},
                         {"ciclos_apoyo", 0},
                         {"seguimientos", 0},
                         {"revisiones_alineacion", 0},
                         {"acciones_alineacion", 0},
                         {"evaluacion", nullptr},
                         {"verificaciones", 0},
                         {"desviaciones_tratadas", 0},
                         {"tratamientos", Json::array()},
                         {"destinatarios", kDestinatarios},
                         {"generado_ms", kNow}};
  EXPECT_EQ(r.variables.at("resultado_acompanamiento"), expected)
      << r.variables.at("resultado_acompanamiento").dump(2);
}

TEST(D0203Generar, SingleTratamientoBecomesAList) {
  HandlerResult r = generar(
      {{"tipo_acompanamiento", "puntual"}, {"tratamiento_desviacion", "Nueva visita de AT"}},
      {{"A08_TratarDesviaciones", 1}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("resultado_acompanamiento")["tratamientos"],
            (Json{"Nueva visita de AT"}));
  EXPECT_EQ(r.variables.at("resultado_acompanamiento")["desviaciones_tratadas"], 1);
}

TEST(D0203Generar, SinEvaluacionIsCarriedOver) {
  HandlerResult r = generar(
      {{"tipo_acompanamiento", "integral"}, {"evaluacion_consolidada", kSinEvaluacion}}, {});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("resultado_acompanamiento")["evaluacion"],
            (Json{{"estado", "sin_evaluacion"},
                  {"promedio_general", nullptr},
                  {"porcentaje_objetivos_cumplidos", nullptr},
                  {"bajo_umbral", false}}));
}

TEST(D0203Generar, FailsWhenActivityThreeDidNotRun) {
  HandlerResult r = generar({{"codigo_dane", "111001000456"}}, {{"A05_ApoyarEjecucionPMI", 2}});
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.variables.empty());
  EXPECT_EQ(r.error,
            "tipo_acompanamiento: missing (activity 3, d02_03.clasificar_establecimiento, has not "
            "classified the school)");
  HandlerResult invalid = generar({{"tipo_acompanamiento", "total"}}, {});
  EXPECT_FALSE(invalid.ok);
  EXPECT_EQ(invalid.error,
            "tipo_acompanamiento: invalid value 'total' (expected one of integral, puntual)");
}

TEST(D0203Generar, BadTypesFailNamingTheVariable) {
  HandlerResult tratamiento =
      generar({{"tipo_acompanamiento", "integral"}, {"tratamiento_desviacion", 3}}, {});
  EXPECT_FALSE(tratamiento.ok);
  EXPECT_EQ(tratamiento.error, "tratamiento_desviacion: expected a string or an array, got number");
  HandlerResult nombre = generar({{"tipo_acompanamiento", "integral"}, {"nombre", 12}}, {});
  EXPECT_FALSE(nombre.ok);
  EXPECT_EQ(nombre.error, "nombre: expected a string, got number 12");
  HandlerResult consolidada =
      generar({{"tipo_acompanamiento", "integral"}, {"evaluacion_consolidada", "ok"}}, {});
  EXPECT_FALSE(consolidada.ok);
  EXPECT_EQ(consolidada.error, "evaluacion_consolidada: expected an object, got string");
}

TEST(D0203Generar, ChainsWithTheOutputsOfActivitiesThreeAndSeven) {
  Variables vars = {{"codigo_dane", "311001000789"},
                    {"periodo", "2026"},
                    {"sector", "NO_OFICIAL"},
                    {"regimen", "REGIMEN_CONTROLADO"},
                    {"evaluacion_ee", scores_on_one_item({5, 4})}};
  HandlerResult a3 = clasificar(vars);
  ASSERT_TRUE(a3.ok) << a3.error;
  vars.insert(a3.variables.begin(), a3.variables.end());
  HandlerResult a7 = consolidar(vars);
  ASSERT_TRUE(a7.ok) << a7.error;
  vars.insert(a7.variables.begin(), a7.variables.end());
  HandlerResult a9 = generar(vars, {{"A05_ApoyarEjecucionPMI", 2}, {"A06_HacerSeguimiento", 2}});
  ASSERT_TRUE(a9.ok) << a9.error;
  const Json& out = a9.variables.at("resultado_acompanamiento");
  EXPECT_EQ(out["tipo_acompanamiento"], "integral");
  EXPECT_EQ(out["motivo_clasificacion"],
            "Sector no oficial clasificado en Régimen Controlado en su evaluación institucional");
  EXPECT_EQ(out["evaluacion"], (Json{{"estado", "evaluada"},
                                     {"promedio_general", 4.5},
                                     {"porcentaje_objetivos_cumplidos", nullptr},
                                     {"bajo_umbral", false}}));
  EXPECT_EQ(out["ciclos_apoyo"], 2);
  EXPECT_EQ(out["seguimientos"], 2);
  EXPECT_EQ(out["sector"], "NO_OFICIAL");
}

// ---------------------------------------------------------------------------------------------
// Activity 10: F01.03.F02 entry

HandlerResult reportar(const Variables& vars, const Counts& counts = {}, std::int64_t now_ms = kNow,
                       const Settings& settings = {}) {
  return run("d02_03.reporte_irregularidades", vars, counts, settings, now_ms);
}

TEST(D0203Reporte, FillsTheF0103F02Entry) {
  const Variables vars = {
      {"codigo_dane", "311001000789"},
      {"periodo", "2026"},
      {"nombre", "Colegio Los Andes"},
      {"municipio", "Bogotá D.C."},
      {"etc", "Bogotá"},
      {"sector", "NO_OFICIAL"},
      {"regimen", "REGIMEN_CONTROLADO"},
      {"tipo_acompanamiento", "integral"},
      {"evaluacion_consolidada", kSinEvaluacion},
      {"descripcion_hechos", "El EE no ajustó su PMI tras tres ciclos de asistencia técnica"},
      {"norma_presuntamente_vulnerada", "Decreto 1075 de 2015"},
      {"tipo_irregularidad", "PEI"},
      {"evidencias", {"Acta AT 2026-02-10", "Informe de seguimiento"}},
      {"reportado_por", "María Pérez"}};
  HandlerResult r = reportar(vars, {{"A05_ApoyarEjecucionPMI", 3}});
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.variables.size(), 1u);
  const Json expected = {
      {"formato", "F01.03.F02"},
      {"consecutivo", "F01.03.F02-2026-311001000789"},
      {"fecha", "2026-03-15"},
      {"dependencia_reporta", "Calidad Educativa (D02.03)"},
      {"funcionario_reporta", "María Pérez"},
      {"establecimiento",
       {{"codigo_dane", "311001000789"},
        {"nombre", "Colegio Los Andes"},
        {"sector", "NO_OFICIAL"},
        {"municipio", "Bogotá D.C."},
        {"etc", "Bogotá"}}},
      {"origen", "Asistencia técnica y acompañamiento al PMI (D02.03)"},
      {"descripcion_hechos", "El EE no ajustó su PMI tras tres ciclos de asistencia técnica"},
      {"norma_presuntamente_vulnerada", "Decreto 1075 de 2015"},
      {"tipo_irregularidad", "PEI"},
      {"evidencias", {"Acta AT 2026-02-10", "Informe de seguimiento"}},
      {"apoyo_brindado",
       {{"tipo_acompanamiento", "integral"},
        {"ciclos_apoyo", 3},
        {"evaluacion_estado", "sin_evaluacion"}}},
      {"destino", "F01.03 - Plan Operativo Anual de Inspección y Vigilancia"}};
  EXPECT_EQ(r.variables.at("reporte_irregularidades"), expected)
      << r.variables.at("reporte_irregularidades").dump(2);
}

TEST(D0203Reporte, OptionalFieldsAreOmittedAndKeyComesFromTheContext) {
  HandlerResult r = reportar({{"descripcion_hechos", "Cobros no autorizados"}});
  ASSERT_TRUE(r.ok) << r.error;
  const Json expected = {{"formato", "F01.03.F02"},
                         {"consecutivo", "F01.03.F02-2026-111001000123"},
                         {"fecha", "2026-03-15"},
                         {"dependencia_reporta", "Calidad Educativa (D02.03)"},
                         {"establecimiento", {{"codigo_dane", "111001000123"}}},
                         {"origen", "Asistencia técnica y acompañamiento al PMI (D02.03)"},
                         {"descripcion_hechos", "Cobros no autorizados"},
                         {"evidencias", Json::array()},
                         {"apoyo_brindado", {{"ciclos_apoyo", 0}}},
                         {"destino", "F01.03 - Plan Operativo Anual de Inspección y Vigilancia"}};
  EXPECT_EQ(r.variables.at("reporte_irregularidades"), expected)
      << r.variables.at("reporte_irregularidades").dump(2);
}

TEST(D0203Reporte, DependenciaComesFromTheSettings) {
  Settings s;
  s.dependencia_reporta = "Dirección de Calidad";
  HandlerResult r = reportar({{"descripcion_hechos", "x"}}, {}, kNow, s);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("reporte_irregularidades")["dependencia_reporta"],
            "Dirección de Calidad (D02.03)");
}

TEST(D0203Reporte, FechaIsTheUtcDateOfTheEngineClock) {
  const std::map<std::int64_t, std::string> dates = {{0, "1970-01-01"},
                                                     {-1, "1969-12-31"},
                                                     {951782400000, "2000-02-29"},
                                                     {1709208000000, "2024-02-29"},
                                                     {1767225599999, "2025-12-31"},
                                                     {1767225600000, "2026-01-01"},
                                                     {-11670912000000, "1600-03-01"},
                                                     {253402300799999, "9999-12-31"}};
  for (const auto& [ms, date] : dates) {
    HandlerResult r = reportar({{"descripcion_hechos", "x"}}, {}, ms);
    ASSERT_TRUE(r.ok) << ms << ": " << r.error;
    EXPECT_EQ(r.variables.at("reporte_irregularidades")["fecha"], date) << ms;
  }
}

TEST(D0203Reporte, ClockOutsideFourDigitYearsFails) {
  for (std::int64_t ms :
       {std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(),
        std::int64_t{253402300800000}}) {
    HandlerResult r = reportar({{"descripcion_hechos", "x"}}, {}, ms);
    EXPECT_FALSE(r.ok) << ms;
    EXPECT_EQ(r.error, "now_ms: clock value " + std::to_string(ms) +
                           " is not a date between years 0000 and 9999");
  }
}

TEST(D0203Reporte, DescripcionHechosIsRequired) {
  HandlerResult missing = reportar({{"tipo_irregularidad", "PEI"}});
  EXPECT_FALSE(missing.ok);
  EXPECT_TRUE(missing.variables.empty());
  EXPECT_EQ(missing.error,
            "descripcion_hechos: missing (F01.03.F02 needs a non-empty description of the facts)");
  HandlerResult blank = reportar({{"descripcion_hechos", "  \n"}});
  EXPECT_FALSE(blank.ok);
  EXPECT_EQ(blank.error,
            "descripcion_hechos: invalid value '  \n' (F01.03.F02 needs a non-empty description "
            "of the facts)");
  HandlerResult number = reportar({{"descripcion_hechos", 5}});
  EXPECT_FALSE(number.ok);
  EXPECT_EQ(number.error,
            "descripcion_hechos: invalid value 5 (F01.03.F02 needs a non-empty description of the "
            "facts)");
}

TEST(D0203Reporte, TipoIrregularidadMustBeOneOfTheList) {
  HandlerResult r = reportar({{"descripcion_hechos", "x"}, {"tipo_irregularidad", "TARIFAS"}});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error,
            "tipo_irregularidad: invalid value 'TARIFAS' (expected one of LEGAL_LICENCIA, PEI, "
            "COSTOS_TARIFAS, CONVIVENCIA, PLANTA, INFORMACION_FALSA, OTRA)");
  for (const char* tipo : {"LEGAL_LICENCIA", "PEI", "COSTOS_TARIFAS", "CONVIVENCIA", "PLANTA",
                           "INFORMACION_FALSA", "OTRA"}) {
    HandlerResult ok = reportar({{"descripcion_hechos", "x"}, {"tipo_irregularidad", tipo}});
    ASSERT_TRUE(ok.ok) << ok.error;
    EXPECT_EQ(ok.variables.at("reporte_irregularidades")["tipo_irregularidad"], tipo);
  }
}

TEST(D0203Reporte, OptionalFieldsMustHaveTheirTypes) {
  HandlerResult evidencias = reportar({{"descripcion_hechos", "x"}, {"evidencias", "acta"}});
  EXPECT_FALSE(evidencias.ok);
  EXPECT_EQ(evidencias.error, "evidencias: expected an array of strings, got string");
  HandlerResult evidencia = reportar({{"descripcion_hechos", "x"}, {"evidencias", {"acta", 2}}});
  EXPECT_FALSE(evidencia.ok);
  EXPECT_EQ(evidencia.error, "evidencias[1]: expected a string, got number 2");
  HandlerResult norma =
      reportar({{"descripcion_hechos", "x"}, {"norma_presuntamente_vulnerada", {"Ley 115"}}});
  EXPECT_FALSE(norma.ok);
  EXPECT_EQ(norma.error,
            "norma_presuntamente_vulnerada: expected a string, got array [\"Ley 115\"]");
  HandlerResult por = reportar({{"descripcion_hechos", "x"}, {"reportado_por", false}});
  EXPECT_FALSE(por.ok);
  EXPECT_EQ(por.error, "reportado_por: expected a string, got boolean false");
}

// ---------------------------------------------------------------------------------------------
// Settings

TEST(D0203Settings, DefaultsRoundTrip) {
  const Json json = Settings{}.to_json();
  EXPECT_EQ(json, (Json{{"categorias_bajas", {"C", "D"}},
                        {"umbral_satisfaccion", 3.5},
                        {"dependencia_reporta", "Calidad Educativa"}}));
  auto parsed = Settings::from_json(json);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->categorias_bajas, (std::set<std::string>{"C", "D"}));
  EXPECT_EQ(parsed->umbral_satisfaccion, 3.5);
  EXPECT_EQ(parsed->dependencia_reporta, "Calidad Educativa");
}

TEST(D0203Settings, AbsentFieldsKeepTheirDefaults) {
  auto parsed = Settings::from_json(Json::object());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->categorias_bajas, (std::set<std::string>{"C", "D"}));
  EXPECT_EQ(parsed->umbral_satisfaccion, 3.5);
  EXPECT_EQ(parsed->dependencia_reporta, "Calidad Educativa");
}

TEST(D0203Settings, ReadsEveryField) {
  auto parsed = Settings::from_json(Json{{"categorias_bajas", {"SIN_CLASIFICAR", "D", "D"}},
                                         {"umbral_satisfaccion", 4},
                                         {"dependencia_reporta", "Subdirección de Calidad"}});
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->categorias_bajas, (std::set<std::string>{"D", "SIN_CLASIFICAR"}));
  EXPECT_EQ(parsed->umbral_satisfaccion, 4.0);
  EXPECT_EQ(parsed->dependencia_reporta, "Subdirección de Calidad");
  EXPECT_EQ(parsed->to_json(), (Json{{"categorias_bajas", {"D", "SIN_CLASIFICAR"}},
                                     {"umbral_satisfaccion", 4.0},
                                     {"dependencia_reporta", "Subdirección de Calidad"}}));
}

TEST(D0203Settings, ParsedSettingsDriveTheHandlers) {
  auto parsed = Settings::from_json(Json{{"categorias_bajas", {"D"}}});
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  HandlerResult r = clasificar({{"sector", "OFICIAL"}, {"categoria_saber", "C"}}, *parsed);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("tipo_acompanamiento"), "puntual");
}

void expect_settings_error(const Json& json, const std::string& message) {
  auto parsed = Settings::from_json(json);
  ASSERT_FALSE(parsed.ok()) << json.dump();
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(parsed.error().message, message);
}

TEST(D0203Settings, ErrorsNameTheBadField) {
  expect_settings_error(Json{{"categorias_bajas", {"C", "E"}}},
                        "categorias_bajas: unknown Saber category 'E' (expected A+, A, B, C, D, "
                        "SIN_CLASIFICAR)");
  expect_settings_error(Json{{"categorias_bajas", "C"}},
                        "categorias_bajas: expected an array of Saber categories, got string");
  expect_settings_error(Json{{"categorias_bajas", {"C", 4}}},
                        "categorias_bajas[1]: expected a string, got number");
  expect_settings_error(Json{{"categorias_bajas", Json::array()}},
                        "categorias_bajas: must name at least one Saber category (expected some "
                        "of A+, A, B, C, D, SIN_CLASIFICAR)");
  expect_settings_error(Json{{"umbral_satisfaccion", 7}},
                        "umbral_satisfaccion: 7 is outside the 1-5 scale of the evaluation");
  expect_settings_error(Json{{"umbral_satisfaccion", 0.5}},
                        "umbral_satisfaccion: 0.5 is outside the 1-5 scale of the evaluation");
  expect_settings_error(Json{{"umbral_satisfaccion", "3.5"}},
                        "umbral_satisfaccion: expected a number from 1 to 5, got string '3.5'");
  expect_settings_error(Json{{"dependencia_reporta", ""}},
                        "dependencia_reporta: expected a non-empty string, got ''");
  expect_settings_error(Json{{"dependencia_reporta", 1}},
                        "dependencia_reporta: expected a non-empty string, got 1");
  expect_settings_error(Json{{"umbral", 3}},
                        "settings: unknown field 'umbral' (expected categorias_bajas, "
                        "umbral_satisfaccion, dependencia_reporta)");
  expect_settings_error(Json::array(), "settings: expected a JSON object, got array");
}

TEST(D0203Settings, ThresholdEdgesAreAccepted) {
  for (double umbral : {1.0, 5.0}) {
    auto parsed = Settings::from_json(Json{{"umbral_satisfaccion", umbral}});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->umbral_satisfaccion, umbral);
  }
}

}  // namespace
}  // namespace pmiflow::handlers::d02_03
