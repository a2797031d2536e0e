// The SE-level D02.03 handlers (se_handlers.h) and the SE's start data (se_start_data.h):
// classification of every school, consolidation of the schools' evaluations, the annual
// F01.03.F02 report (including a first half-year's schools), and the errors that name the
// school and the field.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "d02_03_handler_test_util.h"
#include "handlers/d02_03/se_handlers.h"
#include "handlers/d02_03/se_start_data.h"

namespace pmiflow::handlers::d02_03 {
namespace {

using handler_testing::run;

Json oficial(const std::string& code, const std::string& categoria) {
  return {{"codigo_dane", code}, {"nombre", "IE " + code}, {"municipio", "Bello"},
          {"etc", "Antioquia"},  {"sector", "OFICIAL"},    {"categoria_saber", categoria}};
}

Json privado(const std::string& code, const std::string& regimen) {
  return {{"codigo_dane", code}, {"nombre", "Colegio " + code}, {"municipio", "Bello"},
          {"etc", "Antioquia"},  {"sector", "NO_OFICIAL"},      {"categoria_saber", "B"},
          {"regimen", regimen}};
}

Json resultado(const std::string& code, const std::string& tipo, const Json& evaluacion,
               const Json& indicios, const std::string& hechos = "") {
  Json r = {{"codigo_dane", code},         {"nombre", "IE " + code},
            {"municipio", "Bello"},        {"sector", "OFICIAL"},
            {"tipo_acompanamiento", tipo}, {"apoyos_realizados", 2},
            {"evaluacion", evaluacion},    {"indicios_irregularidades", indicios}};
  if (!hechos.empty()) r["descripcion_hechos"] = hechos;
  return r;
}

const Json kEvaluada = {{"estado", "evaluada"},
                        {"promedio_general", 3.0},
                        {"porcentaje_objetivos_cumplidos", 50.0},
                        {"bajo_umbral", true}};
const Json kEvaluadaAlta = {{"estado", "evaluada"},
                            {"promedio_general", 4.5},
                            {"porcentaje_objetivos_cumplidos", 100.0},
                            {"bajo_umbral", false}};
const Json kSinEvaluacion = {{"estado", "sin_evaluacion"}};

TEST(SeHandlers, ClassifiesEverySchoolInOrderAndCountsThem) {
  const Json schools =
      Json::array({oficial("105001000001", "D"), privado("305001000002", "LIBERTAD_VIGILADA"),
                   privado("305001000003", "REGIMEN_CONTROLADO"), oficial("105001000004", "A")});
  HandlerResult r = run(kClasificarEstablecimientos, {{"establecimientos", schools}});
  ASSERT_TRUE(r.ok) << r.error;
  const Json& selected = r.variables.at("establecimientos_seleccionados");
  ASSERT_EQ(selected.size(), 4U);
  std::vector<std::string> tipos;
  for (const Json& s : selected) tipos.push_back(s.at("tipo_acompanamiento"));
  EXPECT_EQ(tipos, (std::vector<std::string>{"integral", "puntual", "integral", "puntual"}));
  EXPECT_EQ(selected[1].at("codigo_dane"), "305001000002");  // the school's data stays
  EXPECT_EQ(selected[1].at("motivo_clasificacion"),
            "Sector no oficial en régimen LIBERTAD_VIGILADA");
  EXPECT_EQ(r.variables.at("clasificacion"),
            Json({{"establecimientos", 4}, {"integral", 2}, {"puntual", 2}}));
}

TEST(SeHandlers, ASchoolThatCannotBeClassifiedIsNamedWithItsField) {
  Json broken = privado("305001000002", "LIBERTAD_VIGILADA");
  broken.erase("regimen");
  HandlerResult r =
      run(kClasificarEstablecimientos,
          {{"establecimientos", Json::array({oficial("105001000001", "C"), broken})}});
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error,
            "establecimientos[1] (305001000002).regimen: missing for a NO_OFICIAL school (expected "
            "one of LIBERTAD_REGULADA, LIBERTAD_VIGILADA, REGIMEN_CONTROLADO)");
  r = run(kClasificarEstablecimientos, {{"establecimientos", Json::array({1})}});
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error, "establecimientos[0]: expected an object, got number 1");
}

TEST(SeHandlers, ConsolidatesTheSchoolsEvaluationsByType) {
  const Json resultados =
      Json::array({resultado("105001000001", "integral", kEvaluada, false),
                   resultado("105001000002", "integral", kSinEvaluacion, false),
                   resultado("105001000003", "puntual", kEvaluadaAlta, nullptr)});
  HandlerResult r = run(kConsolidarEvaluaciones, {{"resultados_ee", resultados}});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.variables.at("evaluaciones_consolidadas"), Json::parse(R"({
    "establecimientos": 3, "evaluadas": 2, "sin_evaluacion": 1, "promedio_general": 3.75,
    "porcentaje_objetivos_cumplidos": 75.0, "bajo_umbral": 1, "umbral_satisfaccion": 3.5,
    "por_tipo": {"integral": {"establecimientos": 2, "evaluadas": 1, "promedio_general": 3.0},
                 "puntual": {"establecimientos": 1, "evaluadas": 1, "promedio_general": 4.5}}})"));
}

TEST(SeHandlers, TheAnnualReportListsTheFlaggedSchoolsOfTheYear) {
  const Json resultados =
      Json::array({resultado("105001000003", "integral", kEvaluada, true, "Sin ajustes al PMI"),
                   resultado("105001000001", "puntual", kSinEvaluacion, false),
                   resultado("105001000002", "integral", kSinEvaluacion, true)});
  // The first half-year flagged 105001000002 too (this period's entry wins) and 105001000009.
  Json anterior =
      Json::array({resultado("105001000002", "integral", kEvaluada, true, "Del primer semestre"),
                   resultado("105001000009", "puntual", kEvaluada, true, "Cobros no autorizados")});
  for (Json& a : anterior) a["periodo"] = "2026-1";
  HandlerResult r =
      run(kReporteIrregularidadesAnual, {{"etc", "Antioquia"},
                                         {"periodo", "2026-2"},
                                         {"resultados_ee", resultados},
                                         {"irregularidades_periodo_anterior", anterior}});
  ASSERT_TRUE(r.ok) << r.error;
  const Json& reporte = r.variables.at("reporte_irregularidades");
  EXPECT_EQ(reporte.at("consecutivo"), "F01.03.F02-2026-Antioquia");
  EXPECT_EQ(reporte.at("fecha"), "2026-03-15");  // in Bogotá
  EXPECT_EQ(reporte.at("total"), 3);
  std::vector<std::string> listed;
  for (const Json& e : reporte.at("establecimientos")) {
    listed.push_back(e.at("codigo_dane").get<std::string>() + " " +
                     e.at("periodo").get<std::string>());
  }
  EXPECT_EQ(listed, (std::vector<std::string>{"105001000002 2026-2", "105001000003 2026-2",
                                              "105001000009 2026-1"}));
  EXPECT_EQ(reporte.at("establecimientos")[0].at("descripcion_hechos"),
            "(el último seguimiento no describe los hechos)");
  EXPECT_EQ(reporte.at("establecimientos")[1].at("apoyo_brindado"),
            Json({{"tipo_acompanamiento", "integral"},
                  {"apoyos_realizados", 2},
                  {"evaluacion_estado", "evaluada"}}));
}

// The SE's start data: every school is checked as a school's, named by its place in the list.
TEST(SeStartData, NamesTheSchoolAndTheFieldOfEachError) {
  Json bad = oficial("105001000002", "E");
  bad["etc"] = "Boyacá";
  auto request =
      se_start_request(kSeProcessKey, "Antioquia", "2026",
                       {oficial("105001000001", "C").get<Variables>(), bad.get<Variables>(),
                        oficial("105001000001", "A").get<Variables>()},
                       runtime::Actor::user("p", "g"));
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->key.id, "Antioquia/2026");
  std::vector<std::string> messages;
  for (const FieldError& e : validate_se_start_data(*request)) messages.push_back(e.message);
  EXPECT_EQ(messages,
            (std::vector<std::string>{
                "establecimientos[1] (105001000002).categoria_saber: expected one of A+, A, B, C, "
                "D, SIN_CLASIFICAR, found 'E'",
                "establecimientos[1] (105001000002).etc: expected 'Antioquia' (the SE's ETC), "
                "found 'Boyacá'",
                "establecimientos[2] (105001000001).codigo_dane: the school is already in the "
                "list"}));
  request->variables["establecimientos"] = Json::array();
  messages.clear();
  for (const FieldError& e : validate_se_start_data(*request)) messages.push_back(e.message);
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "establecimientos: expected a list of 1 to 100000 schools, found 0 "
                          "schools"}));
}

}  // namespace
}  // namespace pmiflow::handlers::d02_03
