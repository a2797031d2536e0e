// D02.03 as the SE works (process-definitions/README.md, "Two levels"): one instance of the SE's
// process for a generated jurisdiction of 300 schools, which starts one school instance per
// school it classified (a parallel multi-instance call activity), every school taken through
// activities 5, 6 and 7 with answers that satisfy the forms, and the SE through 7, 8, 9 and the
// annual 10. The real definitions, forms and handlers, an in-memory store, a manual clock.
// Then:
//   * each SE-wide activity ran once, each school activity once per school;
//   * the classification, the consolidated evaluations and the annual F01.03.F02 report equal
//     what is computed here, independently, from the CSV rows and the answers given.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "app/due_timers.h"
#include "engine/engine/clock.h"
#include "engine/engine/engine.h"
#include "handlers/d02_03/d02_03_handlers.h"
#include "handlers/d02_03/jurisdiction.h"
#include "handlers/d02_03/period_start.h"
#include "handlers/d02_03/se_start_data.h"
#include "persistence/memory/memory_store.h"
#include "tools/cli/session.h"

namespace pmiflow {
namespace {

using handlers::d02_03::kSchoolProcessKey;
using handlers::d02_03::kSeProcessKey;
using runtime::Actor;
using runtime::InstanceStatus;

constexpr std::int64_t kT0 = 1773570600000;  // 2026-03-15T10:30:00Z
constexpr std::int64_t kStepMs = 10'000;
constexpr std::int64_t kDayMs = std::int64_t{24} * 60 * 60 * 1000;
constexpr const char* kPeriodo = "2026";
constexpr int kSchools = 300;
constexpr const char* kEtc = "Antioquia";

const Actor kProfesional = Actor::user("p.gomez", "profesional_mejoramiento");
const Actor kLider = Actor::user("l.rojas", "lider_calidad");
const Actor kEstablecimiento = Actor::user("rectoria", "establecimiento");

// What people answer, as the forms ask it.
const Variables kAnalisis = {
    {"analisis_caracterizacion", "Caracterización de la ETC y perfil educativo revisados"}};
const Variables kNecesidades = {
    {"necesidades_apoyo", Json::array({{{"necesidad", "Seguimiento a indicadores del PMI"},
                                        {"origen", "ANALISIS_CARACTERIZACION"},
                                        {"area_gestion", "ACADEMICA"}}})}};
const Variables kEstrategia = {
    {"cronograma", Json::array({{{"actividad", "Visitas de acompañamiento"}, {"mes", 4}}})},
    {"responsables",
     Json::array({{{"nombre", "Paula Gómez"}, {"cargo", "PROFESIONAL_MEJORAMIENTO"}}})},
    {"metodos", Json::array({"ASESORIA", "VISITA_SEGUIMIENTO"})},
    {"recursos", "Equipo de Calidad Educativa"}};
const Variables kApoyo = {{"asesorias_realizadas", 1}, {"fecha_asesoria", "2026-04-15"}};

// School i's answers: its evaluation (none for one in four: the deadline passes), and whether
// its last follow-up finds irregularities that persist (one in nine).
bool evalua(int i) {
  return i % 4 != 3;
}
bool con_indicios(int i) {
  return i % 9 == 4;
}
Json evaluacion_ee(int i) {
  const int puntaje = i % 4 == 0 ? 5 : 3;  // 5: above the SE's threshold of 3.5; 3: below
  return {
      {"items", Json::array({{{"item", "Pertinencia de la asesoría"}, {"puntaje", puntaje}},
                             {{"item", "Oportunidad"}, {"puntaje", puntaje}}})},
      {"objetivos", Json::array({{{"objetivo", "Ajustar metas del PMI"}, {"cumplido", true}}})}};
}
Variables seguimiento(int i, const std::string& codigo) {
  Variables vars = {{"periodo_cumplido", true}, {"actividades_pendientes", 0}};
  if (con_indicios(i)) {
    vars["indicios_irregularidades"] = true;
    vars["descripcion_hechos"] = "El EE " + codigo + " no ajusta su PMI";
    vars["tipo_irregularidad"] = "PEI";
  } else if (i % 2 == 0) {
    vars["indicios_irregularidades"] = false;
  }
  return vars;
}

class D0203Se : public ::testing::Test {
 protected:
  void SetUp() override {
    handlers::d02_03::register_handlers(registry_, handlers::d02_03::Settings{});
    engine_ = std::make_unique<Engine>(store_, store_, store_, registry_, clock_);
    const std::string dir = std::string(PMIFLOW_SOURCE_DIR) + "/process-definitions/";
    for (const char* file :
         {"d02_03_acompanamiento_ee.bpmn", "d02_03_apoyar_gestion_pmi_se.bpmn"}) {
      auto deployed = cli::deploy_file(*engine_, dir + file);  // with its forms
      ASSERT_TRUE(deployed.ok()) << file << ": " << deployed.error().message;
    }
  }

  // The open tasks, by element.
  std::map<std::string, std::vector<TaskRow>> open_tasks() {
    auto tasks = store_.tasks(TaskQuery{});
    EXPECT_TRUE(tasks.ok());
    std::map<std::string, std::vector<TaskRow>> by_element;
    for (TaskRow& t : *tasks) by_element[t.element_id].push_back(std::move(t));
    return by_element;
  }

  void completa(const TaskRow& task, const Actor& actor, const Variables& vars) {
    clock_.advance(kStepMs);
    auto done = engine_->complete_task(task.id, actor, vars);
    ASSERT_TRUE(done.ok()) << task.element_id << " of " << task.business_key.id << ": "
                           << done.error().message;
  }

  // Completes the only open task, which must be at `element`.
  void completa_la_unica(const std::string& element, const Actor& actor, const Variables& vars) {
    auto tasks = open_tasks();
    ASSERT_EQ(tasks.size(), 1U) << "open: " << tasks.begin()->first;
    ASSERT_EQ(tasks.begin()->first, element);
    ASSERT_EQ(tasks.begin()->second.size(), 1U) << element;
    completa(tasks.begin()->second.front(), actor, vars);
  }

  void pasa_hasta(std::int64_t until_ms) {
    auto fired = app::fire_due_timers(*engine_, store_, until_ms, &clock_);
    ASSERT_TRUE(fired.ok()) << fired.error().message;
  }

  MemoryStore store_;
  HandlerRegistry registry_;
  ManualClock clock_{kT0};
  std::unique_ptr<Engine> engine_;
};

TEST_F(D0203Se, ThreeHundredSchoolsRunOnceAtTheSeLevelAndOncePerSchoolBelowIt) {
  auto schools = handlers::d02_03::generate_jurisdiction(kSchools, 7, kEtc);
  ASSERT_TRUE(schools.ok());
  auto rows = handlers::d02_03::read_period_csv(registry_, kSchoolProcessKey, kPeriodo,
                                                handlers::d02_03::to_csv(*schools));
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  auto started = handlers::d02_03::start_se_rows(*engine_, store_, kSeProcessKey, kPeriodo, *rows,
                                                 kProfesional);
  ASSERT_TRUE(started.ok()) << started.error().message;
  ASSERT_EQ(started->size(), 1U);
  const std::int64_t se = started->front().instance_id;
  EXPECT_EQ(started->front().schools, kSchools);
  // Starting it again starts nothing.
  auto again = handlers::d02_03::start_se_rows(*engine_, store_, kSeProcessKey, kPeriodo, *rows,
                                               kProfesional);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->front().instance_id, se);
  EXPECT_FALSE(again->front().created);

  // Activities 1 to 4, once for the whole SE.
  completa_la_unica("A01_AnalizarCaracterizacion", kProfesional, kAnalisis);
  completa_la_unica("A02_IdentificarNecesidades", kProfesional, kNecesidades);
  completa_la_unica("A03_DefinirEstrategiaAT", kProfesional, kEstrategia);
  completa_la_unica("A04_RevisarAlineacionPAM", kLider, {{"alineada", true}});

  // Activity 3 classified every school by the rule, computed here from its row.
  auto se_state = engine_->state(se);
  ASSERT_TRUE(se_state.ok());
  const Json& clasificacion = se_state->variables.at("clasificacion");
  int integral = 0;
  for (const auto& s : *schools) {
    const bool baja = s.categoria_saber == "C" || s.categoria_saber == "D";
    if ((s.sector == "OFICIAL" && baja) || s.regimen == "REGIMEN_CONTROLADO") ++integral;
  }
  EXPECT_EQ(clasificacion, Json({{"establecimientos", kSchools},
                                 {"integral", integral},
                                 {"puntual", kSchools - integral}}));

  // One school instance per school, business id código DANE/period, tagged with its school.
  auto children = store_.instances(InstanceQuery{kSchoolProcessKey, {}, {}, se});
  ASSERT_TRUE(children.ok());
  ASSERT_EQ(children->size(), static_cast<std::size_t>(kSchools));
  std::map<std::string, int> index_of;  // código DANE -> position in the CSV
  for (int i = 0; i < kSchools; ++i) index_of[(*schools)[i].codigo_dane] = i;
  for (const InstanceRow& child : *children) {
    const std::string code = child.tags.at("school");
    ASSERT_EQ(index_of.count(code), 1U);
    EXPECT_EQ(child.business_key.id, code + "/" + kPeriodo);
    EXPECT_EQ(child.tags.at("period"), kPeriodo);
    EXPECT_EQ(child.tags.at("etc"), kEtc);
  }

  // Activity 5 for every school, a month, then activity 6.
  auto tasks = open_tasks();
  ASSERT_EQ(tasks.size(), 1U);
  ASSERT_EQ(tasks["A05_ApoyarEjecucionPMI"].size(), static_cast<std::size_t>(kSchools));
  for (const TaskRow& t : tasks["A05_ApoyarEjecucionPMI"]) completa(t, kProfesional, kApoyo);
  pasa_hasta(kT0 + 32 * kDayMs);  // P1M after the last support
  tasks = open_tasks();
  ASSERT_EQ(tasks["A06_HacerSeguimiento"].size(), static_cast<std::size_t>(kSchools));
  for (const TaskRow& t : tasks["A06_HacerSeguimiento"]) {
    const std::string code = t.tags.at("school");
    completa(t, kProfesional, seguimiento(index_of.at(code), code));
  }
  // Activity 7: three in four schools register their evaluation; the others let the SE's
  // deadline pass.
  tasks = open_tasks();
  ASSERT_EQ(tasks.size(), 1U);
  ASSERT_EQ(tasks["A07_RegistrarEvaluacionEE"].size(), static_cast<std::size_t>(kSchools));
  for (const TaskRow& t : tasks["A07_RegistrarEvaluacionEE"]) {
    const int i = index_of.at(t.tags.at("school"));
    if (!evalua(i)) continue;
    completa(t, kEstablecimiento,
             {{"evaluacion_registrada", true}, {"evaluacion_ee", evaluacion_ee(i)}});
  }
  pasa_hasta(kT0 + 280 * kDayMs);  // past 2026-12-15, the deadline

  // Every school instance ended; the líder reviews the consolidated evaluations once.
  children = store_.instances(InstanceQuery{kSchoolProcessKey, {}, {}, se});
  ASSERT_TRUE(children.ok());
  for (const InstanceRow& child : *children) EXPECT_EQ(child.status, "completed");
  se_state = engine_->state(se);
  ASSERT_TRUE(se_state.ok());
  int evaluadas = 0;
  int bajo = 0;
  for (int i = 0; i < kSchools; ++i) {
    if (!evalua(i)) continue;
    ++evaluadas;
    if (i % 4 != 0) ++bajo;
  }
  const Json& consolidadas = se_state->variables.at("evaluaciones_consolidadas");
  EXPECT_EQ(consolidadas.at("establecimientos"), kSchools);
  EXPECT_EQ(consolidadas.at("evaluadas"), evaluadas);
  EXPECT_EQ(consolidadas.at("sin_evaluacion"), kSchools - evaluadas);
  EXPECT_EQ(consolidadas.at("bajo_umbral"), bajo);
  // The outputs come in the order of the schools, whatever order they ended in.
  const Json& resultados = se_state->variables.at("resultados_ee");
  ASSERT_EQ(resultados.size(), static_cast<std::size_t>(kSchools));
  for (int i = 0; i < kSchools; ++i) {
    EXPECT_EQ(resultados[i].at("codigo_dane"), (*schools)[i].codigo_dane);
    EXPECT_EQ(resultados[i].at("apoyos_realizados"), 1);
  }

  completa_la_unica("A07_RevisarEvaluacionAT", kLider,
                    {{"revision_evaluacion", "Evaluaciones de los EE revisadas"}});
  completa_la_unica("A08_VerificarCumplimientoAT", kLider, {{"desviaciones", false}});
  // 9, then 10 (2026 is a year): the F01.03.F02 report lists exactly the flagged schools.
  se_state = engine_->state(se);
  ASSERT_TRUE(se_state.ok());
  const Json& informe = se_state->variables.at("informe_consolidado");
  EXPECT_EQ(informe.at("establecimientos_acompanados"), kSchools);
  EXPECT_EQ(informe.at("apoyos_realizados"), kSchools);
  std::set<std::string> expected;
  for (int i = 0; i < kSchools; ++i) {
    if (con_indicios(i)) expected.insert((*schools)[i].codigo_dane);
  }
  const Json& reporte = se_state->variables.at("reporte_irregularidades");
  EXPECT_EQ(reporte.at("consecutivo"), std::string("F01.03.F02-2026-") + kEtc);
  EXPECT_EQ(reporte.at("total"), expected.size());
  std::set<std::string> listed;
  for (const Json& entry : reporte.at("establecimientos")) {
    listed.insert(entry.at("codigo_dane").get<std::string>());
    EXPECT_EQ(entry.at("descripcion_hechos"),
              "El EE " + entry.at("codigo_dane").get<std::string>() + " no ajusta su PMI");
  }
  EXPECT_EQ(listed, expected);
  completa_la_unica("A10_ReportarEEInspeccionVigilancia", kLider,
                    {{"reportado_por", "Líder de Calidad Educativa"}});

  // Each SE-wide activity ran once; each school activity once per school.
  se_state = engine_->state(se);
  ASSERT_TRUE(se_state.ok());
  EXPECT_EQ(se_state->status, InstanceStatus::kCompleted);
  for (const char* element :
       {"A01_AnalizarCaracterizacion", "A02_IdentificarNecesidades",
        "A03_ClasificarEstablecimientos", "A03_DefinirEstrategiaAT", "A04_RevisarAlineacionPAM",
        "A07_ConsolidarEvaluaciones", "A07_RevisarEvaluacionAT", "A08_VerificarCumplimientoAT",
        "A09_GenerarInformacion", "A10_DiligenciarF0103F02", "A10_ReportarEEInspeccionVigilancia",
        "EndEvent_ReportadoIV"}) {
    EXPECT_EQ(se_state->activation_counts[element], 1) << element;
  }
  for (const InstanceRow& child : *children) {
    auto state = engine_->state(child.id);
    ASSERT_TRUE(state.ok());
    const int i = index_of.at(child.tags.at("school"));
    for (const char* element : {"A05_ApoyarEjecucionPMI", "A06_HacerSeguimiento",
                                "A07_RegistrarEvaluacionEE", "A07_ConsolidarEvaluacion"}) {
      EXPECT_EQ(state->activation_counts[element], 1) << element << " of " << child.business_key.id;
    }
    EXPECT_EQ(state->activation_counts["B_PlazoEvaluacion"], evalua(i) ? 0 : 1);
  }
}

}  // namespace
}  // namespace pmiflow
