// Unit tests of the D02.03 service-task handlers. Every handler is reached through
// register_handlers + HandlerRegistry::find, so the tests also pin the type names.

#include "handlers/d02_03/d02_03_handlers.h"

#include <cstdint>
#include <limits>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "handlers/d02_03/business_key.h"

namespace pmiflow::handlers::d02_03 {
namespace {

constexpr std::int64_t kNow = 1773570600000;  // 2026-03-15T10:30:00Z

using Counts = std::map<std::string, int>;

HandlerResult run(const std::string& type, const Variables& vars, const Counts& counts = {},
                  const Settings& settings = {}, std::int64_t now_ms = kNow) {
  HandlerRegistry registry;
  register_handlers(registry, settings);
  const TaskHandler* handler = registry.find(type);
  if (handler == nullptr) {
    ADD_FAILURE() << "no handler registered for " << type;
    return HandlerResult::failure("not registered");
  }
  HandlerContext ctx;
  ctx.instance_id = 7;
  const runtime::Tags tags = period_tags("2026", "111001000123");
  ctx.business_key = {"D02_03", "111001000123/2026"};
  ctx.tags = &tags;
  ctx.element_id = "element";
  ctx.job_id = "job-1";
  ctx.now_ms = now_ms;
  ctx.variables = &vars;
  ctx.activation_counts = &counts;
  return handler->handle(ctx);
}

Settings settings_with_bajas(std::set<std::string> bajas) {
  Settings s;
  s.categorias_bajas = std::move(bajas);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Registration

TEST(D0203Registry, RegistersExactlyTheFourTypes) {
  HandlerRegistry registry;
  register_handlers(registry, Settings{});
  EXPECT_EQ(
      registry.types(),
      (std::set<std::string>{"d02_03.clasificar_establecimiento", "d02_03.consolidar_evaluacion",
                             "d02_03.generar_informacion", "d02_03.reporte_irregularidades"}));
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
// Activity 7: consolidation of the EE's evaluation

HandlerResult consolidar(const Variables& vars, const Settings& settings = {}) {
  return run("d02_03.consolidar_evaluacion", vars, {}, settings);
}

Json item(const std::string& name, const Json& puntaje) {
  return {{"item", name}, {"puntaje", puntaje}};
}

Json objetivo(const std::string& text, bool cumplido) {
  return {{"objetivo", text}, {"cumplido", cumplido}};
}

// An evaluation whose puntajes are `scores` on one item.
Json scores_on_one_item(std::initializer_list<int> scores) {
  Json items = Json::array();
  for (int s : scores) items.push_back(item("Pertinencia de la asesoría", s));
  return {{"items", items}};
}

TEST(D0203Consolidar, AveragesRepeatedItemsAndCountsObjectives) {
  const Json evaluacion = {
      {"items",
       {item("Pertinencia de la asesoría", 4), item("Oportunidad", 2),
        item("Pertinencia de la asesoría", 5), item("Oportunidad", 3),
        item("Pertinencia de la asesoría", 3)}},
      {"objetivos",
       {objetivo("PMI ajustado", true), objetivo("Indicadores definidos", true),
        objetivo("Seguimiento trimestral", false), objetivo("Evaluación anual", true)}},
      {"observaciones", "Faltó una visita"}};
  HandlerResult r = consolidar({{"evaluacion_ee", evaluacion}, {"evaluacion_registrada", true}});
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.variables.size(), 1u);
  const Json expected = {
      {"estado", "evaluada"},
      {"promedio_por_item", {{"Oportunidad", 2.5}, {"Pertinencia de la asesoría", 4.0}}},
      {"promedio_general", 3.4},  // 17 / 5
      {"respuestas", 5},
      {"objetivos_total", 4},
      {"objetivos_cumplidos", 3},
      {"porcentaje_objetivos_cumplidos", 75.0},
      {"umbral_satisfaccion", 3.5},
      {"bajo_umbral", true},
      {"observaciones", "Faltó una visita"}};
  EXPECT_EQ(r.variables.at("evaluacion_consolidada"), expected)
      << r.variables.at("evaluacion_consolidada").dump(2);
}

TEST(D0203Consolidar, RoundsAveragesToTwoDecimalsAndPercentageToOne) {
  const Json evaluacion = {
      {"items",
       {item("Claridad", 4), item("Claridad", 4), item("Claridad", 5), item("Utilidad", 5),
        item("Utilidad", 5), item("Utilidad", 4)}},
      {"objetivos", {objetivo("uno", true), objetivo("dos", false), objetivo("tres", true)}}};
  HandlerResult r = consolidar({{"evaluacion_ee", evaluacion}});
  ASSERT_TRUE(r.ok) << r.error;
  const Json& c = r.variables.at("evaluacion_consolidada");
  EXPECT_EQ(c["promedio_por_item"]["Claridad"], 4.33);
  EXPECT_EQ(c["promedio_por_item"]["Utilidad"], 4.67);
  EXPECT_EQ(c["promedio_general"], 4.5);
  EXPECT_EQ(c["porcentaje_objetivos_cumplidos"], 66.7);
  EXPECT_EQ(c["objetivos_cumplidos"], 2);
  EXPECT_EQ(c["bajo_umbral"], false);
  EXPECT_EQ(c["observaciones"], "");
}

TEST(D0203Consolidar, OverallAverageIsOverAllAnswersNotOverItems) {
  // Item averages 5 and 1.5 would give 3.25; the answers' mean is (5 + 1 + 2) / 3.
  const Json evaluacion = {{"items", {item("A", 5), item("B", 1), item("B", 2)}}};
  HandlerResult r = consolidar({{"evaluacion_ee", evaluacion}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("evaluacion_consolidada")["promedio_general"], 2.67);
}

TEST(D0203Consolidar, TrimsItemNamesBeforeGrouping) {
  const Json evaluacion = {{"items", {item("Oportunidad", 2), item("  Oportunidad ", 4)}}};
  HandlerResult r = consolidar({{"evaluacion_ee", evaluacion}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("evaluacion_consolidada")["promedio_por_item"],
            (Json{{"Oportunidad", 3.0}}));
}

TEST(D0203Consolidar, AverageEqualToThresholdIsNotBelowIt) {
  HandlerResult r = consolidar({{"evaluacion_ee", scores_on_one_item({3, 4})}});
  ASSERT_TRUE(r.ok) << r.error;
  const Json& c = r.variables.at("evaluacion_consolidada");
  EXPECT_EQ(c["promedio_general"], 3.5);
  EXPECT_EQ(c["bajo_umbral"], false);
}

TEST(D0203Consolidar, AverageJustBelowThresholdIsBelowIt) {
  // 24 / 7 = 3.4286 < 3.5.
  HandlerResult r = consolidar({{"evaluacion_ee", scores_on_one_item({3, 3, 3, 3, 4, 4, 4})}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("evaluacion_consolidada")["promedio_general"], 3.43);
  EXPECT_EQ(r.variables.at("evaluacion_consolidada")["bajo_umbral"], true);
}

TEST(D0203Consolidar, ThresholdComparesTheExactMeanNotTheRoundedOne) {
  Settings s;
  s.umbral_satisfaccion = 3.43;
  // 24 / 7 = 3.42857: shown as 3.43, yet below 3.43.
  HandlerResult r = consolidar({{"evaluacion_ee", scores_on_one_item({3, 3, 3, 3, 4, 4, 4})}}, s);
  ASSERT_TRUE(r.ok) << r.error;
  const Json& c = r.variables.at("evaluacion_consolidada");
  EXPECT_EQ(c["promedio_general"], 3.43);
  EXPECT_EQ(c["umbral_satisfaccion"], 3.43);
  EXPECT_EQ(c["bajo_umbral"], true);
}

TEST(D0203Consolidar, ThresholdWithoutExactBinaryFormIsMetByAnEqualMean) {
  Settings s;
  s.umbral_satisfaccion = 3.3;
  // 33 / 10 = 3.3.
  HandlerResult r =
      consolidar({{"evaluacion_ee", scores_on_one_item({3, 3, 3, 3, 3, 3, 3, 4, 4, 4})}}, s);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("evaluacion_consolidada")["promedio_general"], 3.3);
  EXPECT_EQ(r.variables.at("evaluacion_consolidada")["bajo_umbral"], false);
}

TEST(D0203Consolidar, CustomThresholdIsReportedAndApplied) {
  Settings s;
  s.umbral_satisfaccion = 4.0;
  HandlerResult r = consolidar({{"evaluacion_ee", scores_on_one_item({4, 3, 5, 3})}}, s);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("evaluacion_consolidada")["promedio_general"], 3.75);
  EXPECT_EQ(r.variables.at("evaluacion_consolidada")["umbral_satisfaccion"], 4.0);
  EXPECT_EQ(r.variables.at("evaluacion_consolidada")["bajo_umbral"], true);
}

TEST(D0203Consolidar, WithoutObjectivesThePercentageIsNull) {
  HandlerResult r = consolidar({{"evaluacion_ee", scores_on_one_item({5})}});
  ASSERT_TRUE(r.ok) << r.error;
  const Json& c = r.variables.at("evaluacion_consolidada");
  EXPECT_EQ(c["objetivos_total"], 0);
  EXPECT_EQ(c["objetivos_cumplidos"], 0);
  EXPECT_TRUE(c["porcentaje_objetivos_cumplidos"].is_null());
}

TEST(D0203Consolidar, AcceptsIntegralFloatPuntaje) {
  HandlerResult r = consolidar({{"evaluacion_ee", {{"items", {item("A", 4.0)}}}}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("evaluacion_consolidada")["promedio_general"], 4.0);
}

const Json kSinEvaluacion = {
    {"estado", "sin_evaluacion"},
    {"promedio_por_item", Json::object()},
    {"promedio_general", nullptr},
    {"respuestas", 0},
    {"objetivos_total", 0},
    {"objetivos_cumplidos", 0},
    {"porcentaje_objetivos_cumplidos", nullptr},
    {"umbral_satisfaccion", 3.5},
    {"bajo_umbral", false},
    {"observaciones", ""},
    {"motivo",
     "Sin evaluación dentro del plazo: el EE no registró su evaluación antes del plazo máximo de "
     "la SE"}};

TEST(D0203Consolidar, AbsentEvaluationIsSinEvaluacion) {
  HandlerResult r = consolidar({{"codigo_dane", "111001000123"}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("evaluacion_consolidada"), kSinEvaluacion);
}

TEST(D0203Consolidar, NullEvaluationIsSinEvaluacion) {
  HandlerResult r = consolidar({{"evaluacion_ee", nullptr}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("evaluacion_consolidada"), kSinEvaluacion);
}

TEST(D0203Consolidar, RegistradaFalseWinsOverLateData) {
  HandlerResult r =
      consolidar({{"evaluacion_registrada", false}, {"evaluacion_ee", scores_on_one_item({1, 2})}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("evaluacion_consolidada"), kSinEvaluacion);
}

TEST(D0203Consolidar, RegistradaFalseWithoutDataIsSinEvaluacion) {
  Settings s;
  s.umbral_satisfaccion = 4.2;
  HandlerResult r = consolidar({{"evaluacion_registrada", false}}, s);
  ASSERT_TRUE(r.ok) << r.error;
  Json expected = kSinEvaluacion;
  expected["umbral_satisfaccion"] = 4.2;
  EXPECT_EQ(r.variables.at("evaluacion_consolidada"), expected);
}

TEST(D0203Consolidar, RegistradaTrueWithoutDataFails) {
  HandlerResult r = consolidar({{"evaluacion_registrada", true}});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error,
            "evaluacion_ee: missing, but evaluacion_registrada is true (the EE's evaluation of the "
            "AT must come with it)");
}

TEST(D0203Consolidar, RegistradaMustBeBoolean) {
  HandlerResult r = consolidar({{"evaluacion_registrada", "no"}});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "evaluacion_registrada: expected true or false, got 'no'");
}

TEST(D0203Consolidar, PuntajeOutOfRangeNamesItemAndIndex) {
  const Json evaluacion = {
      {"items", {item("Pertinencia de la asesoría", 4), item("Oportunidad", 6)}}};
  HandlerResult r = consolidar({{"evaluacion_ee", evaluacion}});
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.variables.empty());
  EXPECT_EQ(r.error,
            "evaluacion_ee.items[1] ('Oportunidad'): puntaje 6 is not an integer from 1 to 5");
}

TEST(D0203Consolidar, PuntajeMustBeAnIntegerFromOneToFive) {
  const std::map<std::string, Json> bad = {{"0", 0},       {"4.5", 4.5}, {"'4'", "4"},
                                           {"true", true}, {"-1", -1},   {"null", nullptr},
                                           {"[4]", {4}}};
  for (const auto& [shown, puntaje] : bad) {
    HandlerResult r = consolidar({{"evaluacion_ee", {{"items", {item("Claridad", puntaje)}}}}});
    EXPECT_FALSE(r.ok) << shown;
    const std::string found = puntaje.is_null() ? "missing" : shown;
    EXPECT_EQ(r.error, "evaluacion_ee.items[0] ('Claridad'): puntaje " + found +
                           " is not an integer from 1 to 5");
  }
  HandlerResult no_puntaje = consolidar({{"evaluacion_ee", {{"items", {{{"item", "Claridad"}}}}}}});
  EXPECT_FALSE(no_puntaje.ok);
  EXPECT_EQ(no_puntaje.error,
            "evaluacion_ee.items[0] ('Claridad'): puntaje missing is not an integer from 1 to 5");
}

TEST(D0203Consolidar, ItemNeedsAName) {
  HandlerResult r = consolidar({{"evaluacion_ee", {{"items", {item("A", 3), {{"puntaje", 3}}}}}}});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error,
            "evaluacion_ee.items[1]: 'item' must name the evaluated aspect (a non-empty string)");
  HandlerResult blank = consolidar({{"evaluacion_ee", {{"items", {item("  ", 3)}}}}});
  EXPECT_FALSE(blank.ok);
  EXPECT_EQ(blank.error,
            "evaluacion_ee.items[0]: 'item' must name the evaluated aspect (a non-empty string)");
}

TEST(D0203Consolidar, ItemEntryMustBeAnObject) {
  HandlerResult r = consolidar({{"evaluacion_ee", {{"items", {4}}}}});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error,
            "evaluacion_ee.items[0]: expected an object {\"item\", \"puntaje\"}, got number 4");
}

TEST(D0203Consolidar, ItemsMustBeAnArray) {
  HandlerResult object = consolidar({{"evaluacion_ee", {{"items", {{"Claridad", 4}}}}}});
  EXPECT_FALSE(object.ok);
  EXPECT_EQ(object.error,
            "evaluacion_ee.items: expected an array of {\"item\", \"puntaje\"}, got object");
  HandlerResult missing = consolidar({{"evaluacion_ee", {{"observaciones", "x"}}}});
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.error,
            "evaluacion_ee.items: expected an array of {\"item\", \"puntaje\"}, got nothing");
}

TEST(D0203Consolidar, EmptyItemsFailUnlessRegistradaIsFalse) {
  const std::string message =
      "evaluacion_ee.items: empty, but the evaluation is registered (evaluacion_registrada is not "
      "false); set evaluacion_registrada to false if the EE did not evaluate";
  HandlerResult absent_flag = consolidar({{"evaluacion_ee", {{"items", Json::array()}}}});
  EXPECT_FALSE(absent_flag.ok);
  EXPECT_EQ(absent_flag.error, message);
  HandlerResult true_flag =
      consolidar({{"evaluacion_ee", {{"items", Json::array()}}}, {"evaluacion_registrada", true}});
  EXPECT_FALSE(true_flag.ok);
  EXPECT_EQ(true_flag.error, message);
  HandlerResult false_flag =
      consolidar({{"evaluacion_ee", {{"items", Json::array()}}}, {"evaluacion_registrada", false}});
  ASSERT_TRUE(false_flag.ok) << false_flag.error;
  EXPECT_EQ(false_flag.variables.at("evaluacion_consolidada")["estado"], "sin_evaluacion");
}

TEST(D0203Consolidar, ObjetivoNeedsBooleanCumplido) {
  Json evaluacion = scores_on_one_item({4});
  evaluacion["objetivos"] = {objetivo("PMI ajustado", true), {{"objetivo", "Indicadores"}}};
  HandlerResult missing = consolidar({{"evaluacion_ee", evaluacion}});
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.error,
            "evaluacion_ee.objetivos[1] ('Indicadores'): 'cumplido' must be true or false, got "
            "nothing");

  evaluacion["objetivos"] = {{{"objetivo", "Indicadores"}, {"cumplido", "si"}}};
  HandlerResult text = consolidar({{"evaluacion_ee", evaluacion}});
  EXPECT_FALSE(text.ok);
  EXPECT_EQ(text.error,
            "evaluacion_ee.objetivos[0] ('Indicadores'): 'cumplido' must be true or false, got "
            "'si'");

  evaluacion["objetivos"] = {true};
  HandlerResult bare = consolidar({{"evaluacion_ee", evaluacion}});
  EXPECT_FALSE(bare.ok);
  EXPECT_EQ(bare.error,
            "evaluacion_ee.objetivos[0]: 'cumplido' must be true or false, got nothing");

  evaluacion["objetivos"] = "todos";
  HandlerResult not_array = consolidar({{"evaluacion_ee", evaluacion}});
  EXPECT_FALSE(not_array.ok);
  EXPECT_EQ(not_array.error,
            "evaluacion_ee.objetivos: expected an array of {\"objetivo\", \"cumplido\"}, got "
            "string");
}

TEST(D0203Consolidar, EvaluationMustBeAnObjectAndObservacionesAString) {
  HandlerResult r = consolidar({{"evaluacion_ee", "bien"}});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error,
            "evaluacion_ee: expected an object {items, objetivos, observaciones}, got string");
  Json evaluacion = scores_on_one_item({4});
  evaluacion["observaciones"] = 3;
  HandlerResult obs = consolidar({{"evaluacion_ee", evaluacion}});
  EXPECT_FALSE(obs.ok);
  EXPECT_EQ(obs.error, "evaluacion_ee.observaciones: expected a string, got number");
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
