// Unit tests of activity 7's handler, d02_03.consolidar_evaluacion: averages, thresholds,
// objectives, "sin evaluación", and bad evaluations named field by field.

#include <string>

#include <gtest/gtest.h>

#include "d02_03_handler_test_util.h"

namespace pmiflow::handlers::d02_03 {
namespace {

using namespace handler_testing;  // the harness of these tests

// ---------------------------------------------------------------------------------------------
// Activity 7: consolidation of the EE's evaluation

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

}  // namespace
}  // namespace pmiflow::handlers::d02_03
