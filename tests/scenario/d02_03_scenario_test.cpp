// Scenario tests of D02.03 "Apoyar la gestión de los PMI": the real process definition, the real
// D02.03 handlers, an in-memory store and a manual clock. Each scenario is given/when/then and
// asserts the activities entered (ElementActivated, in order) and the decisions taken
// (DecisionTaken flows), not only where the instance ended.

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/engine/clock.h"
#include "engine/engine/engine.h"
#include "engine/runtime/event_applier.h"
#include "engine/runtime/event_codec.h"
#include "handlers/d02_03/business_key.h"
#include "handlers/d02_03/d02_03_handlers.h"
#include "persistence/memory/memory_store.h"
#include "tools/cli/session.h"

namespace pmiflow {
namespace {

using handlers::d02_03::Settings;
using runtime::Actor;
using runtime::BusinessKey;
using runtime::Event;
using runtime::EventType;
using runtime::InstanceStatus;
using Ids = std::vector<std::string>;

constexpr std::int64_t kT0 = 1773570600000;  // 2026-03-15T10:30:00Z
constexpr std::int64_t kStepMs = 60'000;     // each person acts one minute after the last
constexpr const char* kProcessKey = "D02_03_ApoyarGestionPMI";
constexpr const char* kPeriodo = "2026";

const Actor kProfesional = Actor::user("p.gomez", "profesional_mejoramiento");
const Actor kLider = Actor::user("l.rojas", "lider_calidad");
const Actor kEstablecimiento = Actor::user("rectoria", "establecimiento");

// ---------------------------------------------------------------------------------------------
// Element and flow ids of the definition (process-definitions/README.md)

constexpr const char* kStart = "StartEvent_Inicio";
constexpr const char* kA01 = "A01_AnalizarCaracterizacion";
constexpr const char* kA02 = "A02_IdentificarNecesidades";
constexpr const char* kA03Clasificar = "A03_ClasificarEstablecimiento";
constexpr const char* kA03Definir = "A03_DefinirEstrategiaAT";
constexpr const char* kA04Revisar = "A04_RevisarAlineacionPAM";
constexpr const char* kA04Gw = "A04_GW_EstrategiaAlineada";
constexpr const char* kA04Accion = "A04_EjecutarAccionMejoramiento";
constexpr const char* kA05 = "A05_ApoyarEjecucionPMI";
constexpr const char* kA06 = "A06_HacerSeguimiento";
constexpr const char* kA06Gw = "A06_GW_PeriodoCumplido";
constexpr const char* kA07Registrar = "A07_RegistrarEvaluacionEE";
constexpr const char* kA07Consolidar = "A07_ConsolidarEvaluacion";
constexpr const char* kA07Revisar = "A07_RevisarEvaluacionAT";
constexpr const char* kA08Verificar = "A08_VerificarCumplimientoAT";
constexpr const char* kA08Gw = "A08_GW_Desviaciones";
constexpr const char* kA08Tratar = "A08_TratarDesviaciones";
constexpr const char* kA09 = "A09_GenerarInformacion";
constexpr const char* kA10Reportar = "A10_ReportarEEInspeccionVigilancia";
constexpr const char* kA10Gw = "A10_GW_Irregularidades";
constexpr const char* kA10Diligenciar = "A10_DiligenciarF0103F02";
constexpr const char* kEndReportado = "EndEvent_ReportadoIV";
constexpr const char* kEndSinReporte = "EndEvent_SinReporte";

constexpr const char* kFlowAlineada = "Flow_A04_Alineada";
constexpr const char* kFlowNoAlineada = "Flow_A04_NoAlineada";
constexpr const char* kFlowContinuar = "Flow_A06_Continuar";
constexpr const char* kFlowVolverA05 = "Flow_A06_VolverA05";
constexpr const char* kFlowConDesviaciones = "Flow_A08_ConDesviaciones";
constexpr const char* kFlowSinDesviaciones = "Flow_A08_SinDesviaciones";
constexpr const char* kFlowConIrregularidades = "Flow_A10_ConIrregularidades";
constexpr const char* kFlowSinIrregularidades = "Flow_A10_SinIrregularidades";

// Concatenates pieces of an expected path.
Ids path(std::initializer_list<Ids> pieces) {
  Ids out;
  for (const auto& piece : pieces) out.insert(out.end(), piece.begin(), piece.end());
  return out;
}

// Activities 1 to 4 up to the first review of the alignment.
const Ids kHastaRevisionPam = {kStart,      kA01,        kA02,  kA03Clasificar,
                               kA03Definir, kA04Revisar, kA04Gw};
// One pass of the 5 -> 6 loop.
const Ids kCiclo = {kA05, kA06, kA06Gw};
// Activity 7 and the first verification of activity 8.
const Ids kEvaluacionYVerificacion = {kA07Registrar, kA07Consolidar, kA07Revisar, kA08Verificar,
                                      kA08Gw};
// Activity 9 and the review of activity 10.
const Ids kInformacionYRevisionIv = {kA09, kA10Reportar, kA10Gw};

// ---------------------------------------------------------------------------------------------
// The school's data and the answers people give

Variables escuela_oficial(const std::string& dane, const std::string& categoria_saber) {
  return {{"codigo_dane", dane},
          {"periodo", kPeriodo},
          {"nombre", "Institución Educativa Técnica San José"},
          {"municipio", "Duitama"},
          {"etc", "Boyacá"},
          {"sector", "OFICIAL"},
          {"categoria_saber", categoria_saber}};
}

Variables escuela_privada(const std::string& dane, const std::string& regimen) {
  return {{"codigo_dane", dane},    {"periodo", kPeriodo}, {"nombre", "Colegio Los Andes"},
          {"municipio", "Tunja"},   {"etc", "Boyacá"},     {"sector", "NO_OFICIAL"},
          {"categoria_saber", "B"}, {"regimen", regimen}};
}

// Activity 2's answer (form_a02_identificar_necesidades: one object per need).
Json necesidades_apoyo() {
  return Json::array({{{"necesidad", "Seguimiento a indicadores del PMI"},
                       {"origen", "ANALISIS_CARACTERIZACION"},
                       {"area_gestion", "ACADEMICA"}}});
}

Json evaluacion_ee(std::initializer_list<std::pair<const char*, int>> puntajes,
                   std::initializer_list<bool> objetivos_cumplidos) {
  Json items = Json::array();
  for (const auto& [item, puntaje] : puntajes) {
    items.push_back({{"item", item}, {"puntaje", puntaje}});
  }
  Json objetivos = Json::array();
  int n = 0;
  for (bool cumplido : objetivos_cumplidos) {
    objetivos.push_back({{"objetivo", "Objetivo " + std::to_string(++n)}, {"cumplido", cumplido}});
  }
  return {
      {"items", items}, {"objetivos", objetivos}, {"observaciones", "Registrada por la rectoría"}};
}

// ---------------------------------------------------------------------------------------------
// The world of one scenario: an SE running D02.03 in memory with the real handlers.

class SecretariaDeEducacion {
 public:
  explicit SecretariaDeEducacion(const Settings& settings = {})
      : engine_(store_, store_, store_, registry_with(settings), clock_) {
    const std::string file =
        std::string(PMIFLOW_SOURCE_DIR) + "/process-definitions/d02_03_apoyar_gestion_pmi.bpmn";
    auto deployed = cli::deploy_file(engine_, file);  // with its forms
    EXPECT_TRUE(deployed.ok()) << deployed.error().message;
  }

  // Given: a school starts its accompaniment in the period.
  std::int64_t inicia(const Variables& escuela) {
    const std::string dane = escuela.at("codigo_dane").get<std::string>();
    auto started = engine_.start(
        handlers::d02_03::start_request(kProcessKey, dane, kPeriodo, escuela, kProfesional)
            .value());
    if (!started.ok()) {
      ADD_FAILURE() << "start failed: " << started.error().message;
      return 0;
    }
    EXPECT_TRUE(started->created);
    return started->instance_id;
  }

  // The id of the only open task of the instance, which must be `element`.
  std::string tarea(std::int64_t id, const std::string& element) {
    auto tasks = store_.tasks(TaskQuery{{}, id, {}});
    if (!tasks.ok() || tasks->size() != 1) {
      ADD_FAILURE() << "expected exactly one open task (" << element << ") in instance " << id
                    << "; activities so far: " << ::testing::PrintToString(actividades(id));
      return {};
    }
    EXPECT_EQ(tasks->front().element_id, element);
    return tasks->front().id;
  }

  // When: `actor` completes the open task `element` with `variables`, a minute after the last
  // step. Every event the command writes (including the service tasks that follow) carries
  // the clock's time.
  CommandOutcome completa(std::int64_t id, const std::string& element, const Actor& actor,
                          const Variables& variables = {}) {
    clock_.advance(kStepMs);
    const std::string task = tarea(id, element);
    auto done = engine_.complete_task(task, actor, variables);
    if (!done.ok()) {
      ADD_FAILURE() << element << " as " << actor.role << ": " << done.error().message;
      return {};
    }
    for (const auto& e : done->events) EXPECT_EQ(e.time_ms, clock_.now_ms());
    return *done;
  }

  // The common answers of each activity.
  void analiza_e_identifica_necesidades(std::int64_t id) {
    completa(id, kA01, kProfesional,
             {{"analisis_caracterizacion", "Resultados D01.03, D01.04 y D02.02 revisados"}});
    completa(id, kA02, kProfesional, {{"necesidades_apoyo", necesidades_apoyo()}});
  }
  void define_estrategia(std::int64_t id) {
    completa(id, kA03Definir, kProfesional,
             {{"cronograma", Json::array({{{"actividad", "Visita"}, {"mes", 3}}})},
              {"responsables", Json::array({{{"nombre", "Equipo de mejoramiento"},
                                             {"cargo", "PROFESIONAL_MEJORAMIENTO"}}})},
              {"metodos", Json::array({"ASESORIA"})},
              {"recursos", "Equipo de Calidad Educativa"}});
  }
  void revisa_alineacion(std::int64_t id, bool alineada) {
    Variables v = {{"alineada", alineada}};
    if (!alineada) v["accion_mejoramiento"] = "Incluir la estrategia en el PAM";
    completa(id, kA04Revisar, kLider, v);
  }
  void ejecuta_accion_mejoramiento(std::int64_t id) {
    completa(id, kA04Accion, kProfesional, {{"accion_mejoramiento_ejecutada", true}});
  }
  void apoya(std::int64_t id, int asesorias) {
    completa(id, kA05, kProfesional, {{"asesorias_realizadas", asesorias}});
  }
  void hace_seguimiento(std::int64_t id, bool periodo_cumplido, int actividades_pendientes) {
    completa(id, kA06, kProfesional,
             {{"periodo_cumplido", periodo_cumplido},
              {"actividades_pendientes", actividades_pendientes}});
  }
  void registra_evaluacion(std::int64_t id, const Json& evaluacion) {
    completa(id, kA07Registrar, kEstablecimiento, {{"evaluacion_ee", evaluacion}});
  }
  void revisa_evaluacion(std::int64_t id) {
    completa(id, kA07Revisar, kLider, {{"revision_evaluacion", "Revisada"}});
  }
  void verifica(std::int64_t id, bool desviaciones) {
    Variables v = {{"desviaciones", desviaciones}};
    if (desviaciones) v["requisito_ficha_tecnica"] = "Visitas de acompañamiento programadas";
    completa(id, kA08Verificar, kLider, v);
  }
  void trata_desviaciones(std::int64_t id) {
    completa(id, kA08Tratar, kLider,
             {{"tipo_tratamiento", Json::array({"N01.04"})},
              {"tratamiento_desviacion", "N01.04: reprogramar la visita no realizada"}});
  }
  void revisa_irregularidades(std::int64_t id, bool persisten) {
    Variables v = {{"irregularidades_persisten", persisten}};
    if (persisten) {
      v["descripcion_hechos"] = "El EE no ajustó su PMI tras los ciclos de acompañamiento";
      v["tipo_irregularidad"] = "PEI";
      v["reportado_por"] = "Líder de Calidad Educativa";
    }
    completa(id, kA10Reportar, kLider, v);
  }

  // From the start to activity 5, aligned at the first review.
  void hasta_apoyo(std::int64_t id) {
    analiza_e_identifica_necesidades(id);
    define_estrategia(id);
    revisa_alineacion(id, true);
  }
  // From activity 7 to the end of activity 8, without deviations.
  void evaluacion_y_verificacion(std::int64_t id) {
    registra_evaluacion(id, evaluacion_ee({{"Pertinencia", 4}, {"Oportunidad", 4}}, {true}));
    revisa_evaluacion(id);
    verifica(id, false);
  }

  // Then: what the log says.
  std::vector<Event> eventos(std::int64_t id) {
    auto events = store_.events(id, 1, INT64_MAX);
    if (!events.ok()) {
      ADD_FAILURE() << events.error().message;
      return {};
    }
    return *events;
  }
  Ids actividades(std::int64_t id) {
    return payload_strings(id, EventType::kElementActivated, "element");
  }
  Ids decisiones(std::int64_t id) { return payload_strings(id, EventType::kDecisionTaken, "flow"); }
  std::vector<Json> decisiones_completas(std::int64_t id) {
    std::vector<Json> out;
    for (const auto& e : eventos(id)) {
      if (e.type() == EventType::kDecisionTaken) out.push_back(runtime::payload_json(e));
    }
    return out;
  }
  Variables variables(std::int64_t id) {
    auto vars = store_.variables(id);
    if (!vars.ok()) {
      ADD_FAILURE() << vars.error().message;
      return {};
    }
    return *vars;
  }
  Json variable(std::int64_t id, const std::string& name) {
    Variables vars = variables(id);
    auto it = vars.find(name);
    if (it == vars.end()) {
      ADD_FAILURE() << "variable " << name << " is not set";
      return {};
    }
    return it->second;
  }
  runtime::InstanceState estado(std::int64_t id) {
    auto state = engine_.state(id);
    if (!state.ok()) {
      ADD_FAILURE() << state.error().message;
      return {};
    }
    return *state;
  }
  // Ended, with no incident, and the store's log folds to the engine's state.
  void termino_sin_incidentes(std::int64_t id) {
    const runtime::InstanceState s = estado(id);
    EXPECT_EQ(s.status, InstanceStatus::kCompleted);
    EXPECT_TRUE(s.incidents.empty());
    EXPECT_TRUE(s.tasks.empty());
    EXPECT_TRUE(s.jobs.empty());
    EXPECT_TRUE(store_.incidents(id)->empty());
    EXPECT_TRUE(runtime::fold(eventos(id)) == s);
  }

  MemoryStore& store() { return store_; }
  ManualClock& clock() { return clock_; }
  Engine& engine() { return engine_; }

 private:
  const HandlerRegistry& registry_with(const Settings& settings) {
    handlers::d02_03::register_handlers(registry_, settings);
    return registry_;
  }

  Ids payload_strings(std::int64_t id, EventType type, const char* field) {
    Ids out;
    for (const auto& e : eventos(id)) {
      if (e.type() == type) out.push_back(runtime::payload_json(e).at(field).get<std::string>());
    }
    return out;
  }

  MemoryStore store_;
  ManualClock clock_{kT0};
  HandlerRegistry registry_;
  Engine engine_;
};

// ---------------------------------------------------------------------------------------------
// (a) The straight path

TEST(D0203Scenario, StraightPathEndsWithoutReport) {
  // Given an official school with good SABER results.
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000101", "A"));

  // When the strategy is aligned at the first review, the period is over at the first
  // follow-up, there are no deviations and no irregularities.
  se.hasta_apoyo(id);
  se.apoya(id, 1);
  se.hace_seguimiento(id, true, 0);
  se.evaluacion_y_verificacion(id);
  se.revisa_irregularidades(id, false);

  // Then every activity was entered once, in the order of the seed, and it ends without a
  // report to Inspección y Vigilancia.
  EXPECT_EQ(se.actividades(id), path({kHastaRevisionPam,
                                      kCiclo,
                                      kEvaluacionYVerificacion,
                                      kInformacionYRevisionIv,
                                      {kEndSinReporte}}));
  EXPECT_EQ(se.decisiones(id),
            (Ids{kFlowAlineada, kFlowContinuar, kFlowSinDesviaciones, kFlowSinIrregularidades}));
  se.termino_sin_incidentes(id);
  EXPECT_EQ(se.variables(id).count("reporte_irregularidades"), 0U);
  const Json resultado = se.variable(id, "resultado_acompanamiento");
  EXPECT_EQ(resultado.at("codigo_dane"), "115238000101");
  EXPECT_EQ(resultado.at("periodo"), kPeriodo);
  EXPECT_EQ(resultado.at("tipo_acompanamiento"), "puntual");
  EXPECT_EQ(resultado.at("ciclos_apoyo"), 1);
  EXPECT_EQ(resultado.at("seguimientos"), 1);
  EXPECT_EQ(resultado.at("revisiones_alineacion"), 1);
  EXPECT_EQ(resultado.at("acciones_alineacion"), 0);
  EXPECT_EQ(resultado.at("verificaciones"), 1);
  EXPECT_EQ(resultado.at("desviaciones_tratadas"), 0);
  auto row = se.store().instance(id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->status, "completed");
  EXPECT_EQ(row->ended_ms, se.clock().now_ms());
}

TEST(D0203Scenario, EachRoleGetsItsOwnTasks) {
  // Given a school in its first follow-up.
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000102", "A"));
  // Then each task is offered to the role of the seed.
  auto offered_to = [&](const std::string& element) {
    auto tasks = se.store().tasks(TaskQuery{{}, id, {}});
    EXPECT_TRUE(tasks.ok() && tasks->size() == 1);
    EXPECT_EQ(tasks->front().element_id, element);
    return tasks->front().candidate_groups;
  };
  const std::vector<std::string> profesional = {"profesional_mejoramiento"};
  const std::vector<std::string> lider = {"lider_calidad"};
  EXPECT_EQ(offered_to(kA01), profesional);
  se.analiza_e_identifica_necesidades(id);
  EXPECT_EQ(offered_to(kA03Definir), profesional);
  se.define_estrategia(id);
  EXPECT_EQ(offered_to(kA04Revisar), lider);
  se.revisa_alineacion(id, true);
  EXPECT_EQ(offered_to(kA05), profesional);
  se.apoya(id, 1);
  EXPECT_EQ(offered_to(kA06), profesional);
  se.hace_seguimiento(id, true, 0);
  EXPECT_EQ(offered_to(kA07Registrar), std::vector<std::string>{"establecimiento"});
  se.registra_evaluacion(id, evaluacion_ee({{"Pertinencia", 5}}, {}));
  EXPECT_EQ(offered_to(kA07Revisar), lider);
  se.revisa_evaluacion(id);
  EXPECT_EQ(offered_to(kA08Verificar), lider);
  se.verifica(id, false);
  EXPECT_EQ(offered_to(kA10Reportar), lider);
}

// ---------------------------------------------------------------------------------------------
// (b) Not aligned, then aligned

TEST(D0203Scenario, NotAlignedRunsAnImprovementActionAndReviewsAgain) {
  // Given a school whose strategy is not in the PAM at the first review.
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000103", "D"));
  se.analiza_e_identifica_necesidades(id);
  se.define_estrategia(id);

  // When the leader says "not aligned", the improvement action is executed, and the second
  // review says "aligned".
  se.revisa_alineacion(id, false);
  EXPECT_FALSE(se.tarea(id, kA04Accion).empty());
  se.ejecuta_accion_mejoramiento(id);
  se.revisa_alineacion(id, true);
  se.apoya(id, 1);

  // Then 4 -> improvement action -> 4 -> 5 (and on to 6).
  EXPECT_EQ(se.actividades(id),
            path({kHastaRevisionPam, {kA04Accion, kA04Revisar, kA04Gw, kA05, kA06}}));
  EXPECT_EQ(se.decisiones(id), (Ids{kFlowNoAlineada, kFlowAlineada}));
  const auto decisiones = se.decisiones_completas(id);
  ASSERT_EQ(decisiones.size(), 2U);
  EXPECT_EQ(decisiones[0].at("default"), true) << "'not aligned' is the default flow";
  EXPECT_EQ(decisiones[0].at("inputs").at("alineada"), false);
  EXPECT_EQ(decisiones[1].at("default"), false);
  EXPECT_EQ(decisiones[1].at("inputs").at("alineada"), true);
  EXPECT_EQ(se.estado(id).activation_counts.at(kA04Revisar), 2);

  // And the rest of the process counts the two reviews.
  se.hace_seguimiento(id, true, 0);
  se.evaluacion_y_verificacion(id);
  se.revisa_irregularidades(id, false);
  se.termino_sin_incidentes(id);
  const Json resultado = se.variable(id, "resultado_acompanamiento");
  EXPECT_EQ(resultado.at("revisiones_alineacion"), 2);
  EXPECT_EQ(resultado.at("acciones_alineacion"), 1);
}

// ---------------------------------------------------------------------------------------------
// (c) The 5 -> 6 -> 5 loop

TEST(D0203Scenario, SupportLoopRunsUntilNoActivityIsPending) {
  // Given a school in its first support cycle.
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000104", "C"));
  se.hasta_apoyo(id);

  // When each follow-up reports 3, 2, 1 and finally 0 pending activities, the period not over.
  for (int pendientes = 3; pendientes >= 0; --pendientes) {
    se.apoya(id, 4 - pendientes);
    se.hace_seguimiento(id, false, pendientes);
  }

  // Then the loop 5 -> 6 -> 5 was taken three times and left on the fourth follow-up.
  EXPECT_EQ(se.actividades(id),
            path({kHastaRevisionPam, kCiclo, kCiclo, kCiclo, kCiclo, {kA07Registrar}}));
  EXPECT_EQ(se.decisiones(id),
            (Ids{kFlowAlineada, kFlowVolverA05, kFlowVolverA05, kFlowVolverA05, kFlowContinuar}));
  const runtime::InstanceState s = se.estado(id);
  EXPECT_EQ(s.activation_counts.at(kA05), 4);
  EXPECT_EQ(s.activation_counts.at(kA06), 4);
  const Json salida = se.decisiones_completas(id).back();
  EXPECT_EQ(salida.at("inputs"),
            Json({{"periodo_cumplido", false}, {"actividades_pendientes", 0}}));

  // And activity 9 reports four support cycles.
  se.evaluacion_y_verificacion(id);
  se.revisa_irregularidades(id, false);
  se.termino_sin_incidentes(id);
  const Json resultado = se.variable(id, "resultado_acompanamiento");
  EXPECT_EQ(resultado.at("ciclos_apoyo"), 4);
  EXPECT_EQ(resultado.at("seguimientos"), 4);
  EXPECT_EQ(resultado.at("tipo_acompanamiento"), "integral");
}

TEST(D0203Scenario, SupportLoopEndsWhenThePeriodIsOverEvenWithPendingActivities) {
  // Given a school in the support loop.
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000105", "B"));
  se.hasta_apoyo(id);

  // When the first follow-up leaves 3 pending, and at the second the period is over with 2
  // still pending.
  se.apoya(id, 1);
  se.hace_seguimiento(id, false, 3);
  se.apoya(id, 2);
  se.hace_seguimiento(id, true, 2);

  // Then the loop is left for activity 7.
  EXPECT_EQ(se.actividades(id), path({kHastaRevisionPam, kCiclo, kCiclo, {kA07Registrar}}));
  EXPECT_EQ(se.decisiones(id), (Ids{kFlowAlineada, kFlowVolverA05, kFlowContinuar}));
  EXPECT_EQ(se.decisiones_completas(id).back().at("inputs"),
            Json({{"periodo_cumplido", true}, {"actividades_pendientes", 2}}));
  EXPECT_EQ(se.estado(id).activation_counts.at(kA05), 2);
  se.evaluacion_y_verificacion(id);
  se.revisa_irregularidades(id, false);
  se.termino_sin_incidentes(id);
  EXPECT_EQ(se.variable(id, "resultado_acompanamiento").at("ciclos_apoyo"), 2);
}

// ---------------------------------------------------------------------------------------------
// (d) Deviations, then a new verification

TEST(D0203Scenario, DeviationsAreTreatedAndVerifiedAgain) {
  // Given a school whose AT was evaluated.
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000106", "A"));
  se.hasta_apoyo(id);
  se.apoya(id, 1);
  se.hace_seguimiento(id, true, 0);
  se.registra_evaluacion(id, evaluacion_ee({{"Pertinencia", 4}}, {true}));
  se.revisa_evaluacion(id);

  // When the first verification finds deviations, they are treated, and the second finds none.
  se.verifica(id, true);
  se.trata_desviaciones(id);
  se.verifica(id, false);

  // Then 8 -> treatment -> 8 -> 9 (and on to the review of 10).
  EXPECT_EQ(se.actividades(id), path({kHastaRevisionPam,
                                      kCiclo,
                                      kEvaluacionYVerificacion,
                                      {kA08Tratar, kA08Verificar, kA08Gw, kA09, kA10Reportar}}));
  EXPECT_EQ(se.decisiones(id),
            (Ids{kFlowAlineada, kFlowContinuar, kFlowConDesviaciones, kFlowSinDesviaciones}));
  const Json resultado = se.variable(id, "resultado_acompanamiento");
  EXPECT_EQ(resultado.at("verificaciones"), 2);
  EXPECT_EQ(resultado.at("desviaciones_tratadas"), 1);
  EXPECT_EQ(resultado.at("tratamientos"),
            Json::array({"N01.04: reprogramar la visita no realizada"}));
  se.revisa_irregularidades(id, false);
  se.termino_sin_incidentes(id);
}

// ---------------------------------------------------------------------------------------------
// (e) Irregularities reported to Inspección y Vigilancia, or not

TEST(D0203Scenario, PersistentIrregularitiesAreReportedOnF0103F02) {
  // Given a school at the end of its accompaniment.
  SecretariaDeEducacion se;
  const std::string dane = "115238000107";
  const std::int64_t id = se.inicia(escuela_privada(dane, "REGIMEN_CONTROLADO"));
  se.hasta_apoyo(id);
  se.apoya(id, 1);
  se.hace_seguimiento(id, true, 0);
  se.evaluacion_y_verificacion(id);

  // When the leader finds that irregularities persist.
  const CommandOutcome reporte = se.completa(
      id, kA10Reportar, kLider,
      {{"irregularidades_persisten", true},
       {"descripcion_hechos", "El EE cobra costos no autorizados pese al acompañamiento"},
       {"tipo_irregularidad", "COSTOS_TARIFAS"},
       {"reportado_por", "Líder de Calidad Educativa"}});

  // Then the F01.03.F02 form is filled within the same command and the instance ends as
  // reported.
  bool diligenciado = false;
  for (const auto& e : reporte.events) {
    if (e.type() == EventType::kJobCompleted &&
        runtime::payload_json(e).at("element") == kA10Diligenciar) {
      diligenciado = true;
      EXPECT_EQ(e.actor, Actor::handler(handlers::d02_03::kReporteIrregularidades));
    }
  }
  EXPECT_TRUE(diligenciado);
  EXPECT_EQ(se.actividades(id), path({kHastaRevisionPam,
                                      kCiclo,
                                      kEvaluacionYVerificacion,
                                      kInformacionYRevisionIv,
                                      {kA10Diligenciar, kEndReportado}}));
  EXPECT_EQ(se.decisiones(id),
            (Ids{kFlowAlineada, kFlowContinuar, kFlowSinDesviaciones, kFlowConIrregularidades}));
  se.termino_sin_incidentes(id);

  const Json f = se.variable(id, "reporte_irregularidades");
  EXPECT_EQ(f.at("formato"), "F01.03.F02");
  EXPECT_EQ(f.at("consecutivo"), "F01.03.F02-" + std::string(kPeriodo) + "-" + dane);
  EXPECT_EQ(f.at("fecha"), "2026-03-15") << "the date of the engine's clock";
  EXPECT_EQ(f.at("establecimiento").at("codigo_dane"), dane);
  EXPECT_EQ(f.at("establecimiento").at("nombre"), "Colegio Los Andes");
  EXPECT_EQ(f.at("tipo_irregularidad"), "COSTOS_TARIFAS");
  EXPECT_EQ(f.at("funcionario_reporta"), "Líder de Calidad Educativa");
  EXPECT_EQ(f.at("apoyo_brindado").at("tipo_acompanamiento"), "integral");
  EXPECT_EQ(f.at("apoyo_brindado").at("ciclos_apoyo"), 1);
}

TEST(D0203Scenario, NoPersistentIrregularitiesEndsWithoutReport) {
  // Given a school at the end of its accompaniment.
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_privada("115238000108", "LIBERTAD_REGULADA"));
  se.hasta_apoyo(id);
  se.apoya(id, 1);
  se.hace_seguimiento(id, true, 0);
  se.evaluacion_y_verificacion(id);

  // When the leader finds no persistent irregularities.
  se.revisa_irregularidades(id, false);

  // Then nothing is reported.
  const Ids actividades = se.actividades(id);
  EXPECT_EQ(actividades.back(), kEndSinReporte);
  EXPECT_EQ(std::count(actividades.begin(), actividades.end(), kA10Diligenciar), 0);
  EXPECT_EQ(se.decisiones(id).back(), kFlowSinIrregularidades);
  EXPECT_EQ(se.variables(id).count("reporte_irregularidades"), 0U);
  se.termino_sin_incidentes(id);
}

// ---------------------------------------------------------------------------------------------
// (f) Classification in activity 3

struct Clasificacion {
  Variables escuela;
  const char* tipo;
};

TEST(D0203Scenario, ClassificationFollowsSectorSaberAndRegimen) {
  // Given four schools.
  const Clasificacion casos[] = {
      {escuela_oficial("115238000201", "D"), "integral"},
      {escuela_oficial("115238000202", "B"), "puntual"},
      {escuela_privada("115238000203", "REGIMEN_CONTROLADO"), "integral"},
      {escuela_privada("115238000204", "LIBERTAD_VIGILADA"), "puntual"},
  };
  SecretariaDeEducacion se;
  for (const auto& caso : casos) {
    const std::int64_t id = se.inicia(caso.escuela);
    // When activities 1 and 2 are done (the classification runs right after 2).
    se.completa(id, kA01, kProfesional, {{"analisis_caracterizacion", "ok"}});
    const CommandOutcome clasificacion =
        se.completa(id, kA02, kProfesional, {{"necesidades_apoyo", necesidades_apoyo()}});

    // Then the school gets the accompaniment of the seed's rule, with its reason, and the
    // strategy is defined next.
    const std::string dane = caso.escuela.at("codigo_dane").get<std::string>();
    EXPECT_EQ(se.variable(id, "tipo_acompanamiento"), caso.tipo) << dane;
    EXPECT_FALSE(se.variable(id, "motivo_clasificacion").get<std::string>().empty()) << dane;
    bool clasificado = false;
    for (const auto& e : clasificacion.events) {
      if (e.type() == EventType::kJobCompleted &&
          runtime::payload_json(e).at("element") == kA03Clasificar) {
        clasificado = true;
      }
    }
    EXPECT_TRUE(clasificado) << dane << ": classified within the completion of activity 2";
    EXPECT_EQ(se.actividades(id), (Ids{kStart, kA01, kA02, kA03Clasificar, kA03Definir})) << dane;
    EXPECT_FALSE(se.tarea(id, kA03Definir).empty());
  }
}

TEST(D0203Scenario, WhatCountsAsLowSaberIsASettingOfTheSe) {
  // Given an SE that counts B as low as well.
  Settings settings;
  settings.categorias_bajas = {"B", "C", "D"};
  SecretariaDeEducacion se(settings);
  const std::int64_t id = se.inicia(escuela_oficial("115238000205", "B"));
  // When the school is classified.
  se.analiza_e_identifica_necesidades(id);
  // Then an official B school gets integral accompaniment.
  EXPECT_EQ(se.variable(id, "tipo_acompanamiento"), "integral");
}

// ---------------------------------------------------------------------------------------------
// (g) Consolidation of the EE's evaluation

TEST(D0203Scenario, EvaluationIsConsolidatedFromTheSchoolsScores) {
  // Given a school that reaches activity 7.
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000301", "C"));
  se.hasta_apoyo(id);
  se.apoya(id, 1);
  se.hace_seguimiento(id, true, 0);

  // When the EE registers its evaluation: two answers on pertinence (4, 5), one on timeliness
  // (3), one of two objectives met.
  se.registra_evaluacion(
      id,
      evaluacion_ee({{"Pertinencia", 4}, {"Oportunidad", 3}, {"Pertinencia", 5}}, {true, false}));

  // Then the consolidation runs within that command and the leader reviews its result.
  EXPECT_FALSE(se.tarea(id, kA07Revisar).empty());
  const Json c = se.variable(id, "evaluacion_consolidada");
  EXPECT_EQ(c.at("estado"), "evaluada");
  EXPECT_DOUBLE_EQ(c.at("promedio_por_item").at("Pertinencia").get<double>(), 4.5);
  EXPECT_DOUBLE_EQ(c.at("promedio_por_item").at("Oportunidad").get<double>(), 3.0);
  EXPECT_EQ(c.at("promedio_por_item").size(), 2U);
  EXPECT_DOUBLE_EQ(c.at("promedio_general").get<double>(), 4.0);
  EXPECT_EQ(c.at("respuestas"), 3);
  EXPECT_EQ(c.at("objetivos_total"), 2);
  EXPECT_EQ(c.at("objetivos_cumplidos"), 1);
  EXPECT_DOUBLE_EQ(c.at("porcentaje_objetivos_cumplidos").get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(c.at("umbral_satisfaccion").get<double>(), 3.5);
  EXPECT_EQ(c.at("bajo_umbral"), false);
  EXPECT_EQ(c.at("observaciones"), "Registrada por la rectoría");

  // And activity 9 carries the consolidated result on.
  se.revisa_evaluacion(id);
  se.verifica(id, false);
  const Json evaluacion = se.variable(id, "resultado_acompanamiento").at("evaluacion");
  EXPECT_EQ(evaluacion.at("estado"), "evaluada");
  EXPECT_DOUBLE_EQ(evaluacion.at("promedio_general").get<double>(), 4.0);
  EXPECT_EQ(evaluacion.at("bajo_umbral"), false);
}

TEST(D0203Scenario, LowScoresAreBelowTheThreshold) {
  // Given a school that reaches activity 7.
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000302", "C"));
  se.hasta_apoyo(id);
  se.apoya(id, 1);
  se.hace_seguimiento(id, true, 0);
  // When it scores the AT 2 and 3.
  se.registra_evaluacion(id, evaluacion_ee({{"Pertinencia", 2}, {"Oportunidad", 3}}, {false}));
  // Then the average 2.5 is below the SE's threshold 3.5.
  const Json c = se.variable(id, "evaluacion_consolidada");
  EXPECT_DOUBLE_EQ(c.at("promedio_general").get<double>(), 2.5);
  EXPECT_EQ(c.at("bajo_umbral"), true);
  EXPECT_DOUBLE_EQ(c.at("porcentaje_objetivos_cumplidos").get<double>(), 0.0);
}

TEST(D0203Scenario, NoEvaluationByTheDeadlineIsAResultToo) {
  // Given a school that reaches activity 7.
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000303", "C"));
  se.hasta_apoyo(id);
  se.apoya(id, 1);
  se.hace_seguimiento(id, true, 0);
  // When the task is closed saying the EE did not register an evaluation.
  se.completa(id, kA07Registrar, kEstablecimiento, {{"evaluacion_registrada", false}});
  // Then the consolidation says "sin_evaluacion" and the process goes on.
  const Json c = se.variable(id, "evaluacion_consolidada");
  EXPECT_EQ(c.at("estado"), "sin_evaluacion");
  EXPECT_TRUE(c.at("promedio_general").is_null());
  EXPECT_EQ(c.at("respuestas"), 0);
  EXPECT_FALSE(se.tarea(id, kA07Revisar).empty());
  EXPECT_TRUE(se.store().incidents(id)->empty());
}

// ---------------------------------------------------------------------------------------------
// (h) Roles

TEST(D0203Scenario, TheWrongRoleCannotCompleteATaskAndNothingIsWritten) {
  // Given a school waiting for the review of the alignment (lider_calidad).
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000401", "A"));
  se.analiza_e_identifica_necesidades(id);
  se.define_estrategia(id);
  const std::string task = se.tarea(id, kA04Revisar);
  const std::size_t before = se.eventos(id).size();

  // When the school itself, and then the professional, try to complete it.
  for (const Actor& intruso : {kEstablecimiento, kProfesional}) {
    auto done = se.engine().complete_task(task, intruso, {{"alineada", true}});

    // Then it is forbidden, the message names who may, and nothing is written.
    ASSERT_FALSE(done.ok()) << intruso.role;
    EXPECT_EQ(done.error().code, ErrorCode::kForbidden);
    EXPECT_NE(done.error().message.find("lider_calidad"), std::string::npos)
        << done.error().message;
    EXPECT_EQ(se.eventos(id).size(), before);
    EXPECT_EQ(se.tarea(id, kA04Revisar), task);
    EXPECT_EQ(se.variables(id).count("alineada"), 0U);
  }
  // And the leader still can.
  se.revisa_alineacion(id, true);
  EXPECT_FALSE(se.tarea(id, kA05).empty());
}

TEST(D0203Scenario, TheSchoolCannotDoTheProfessionalsWorkOnA04Action) {
  // Given a school whose strategy was found not aligned.
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000402", "A"));
  se.analiza_e_identifica_necesidades(id);
  se.define_estrategia(id);
  se.revisa_alineacion(id, false);
  const std::string task = se.tarea(id, kA04Accion);
  const std::size_t before = se.eventos(id).size();
  // When the school tries to execute the improvement action.
  auto done = se.engine().complete_task(task, kEstablecimiento, {});
  // Then it may not, and nothing is written.
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, ErrorCode::kForbidden);
  EXPECT_NE(done.error().message.find("profesional_mejoramiento"), std::string::npos);
  EXPECT_EQ(se.eventos(id).size(), before);
}

// ---------------------------------------------------------------------------------------------
// (i) A missing decision variable at activity 6

// A gateway that finds its variable missing takes the default flow (process-definitions/
// README.md, "Decision variables"); at A06_GW_PeriodoCumplido that would send the school round
// the support loop again. The follow-up's form requires both decision variables, so such a
// follow-up is refused at completion, naming the field, and nothing is written.
TEST(D0203Scenario, AFollowUpWithoutPeriodoCumplidoIsRefusedByItsForm) {
  // Given a school at its first follow-up.
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000501", "A"));
  se.hasta_apoyo(id);
  se.apoya(id, 1);
  const std::string task = se.tarea(id, kA06);
  const std::vector<Event> before = se.eventos(id);

  // When the follow-up gives only actividades_pendientes = 2.
  auto done = se.engine().complete_task(task, kProfesional, {{"actividades_pendientes", 2}});

  // Then it is refused naming the task and the missing field, and nothing is written.
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, ErrorCode::kValidation);
  const std::string& message = done.error().message;
  EXPECT_NE(message.find("task " + task), std::string::npos) << message;
  EXPECT_NE(message.find("form_a06_hacer_seguimiento"), std::string::npos) << message;
  EXPECT_NE(message.find("periodo_cumplido: "), std::string::npos) << message;
  EXPECT_EQ(message.find("actividades_pendientes:"), std::string::npos) << message;
  EXPECT_EQ(se.eventos(id).size(), before.size());
  EXPECT_EQ(se.store().instance(id)->last_seq, before.back().seq);
  EXPECT_EQ(se.variables(id).count("actividades_pendientes"), 0U);
  EXPECT_EQ(se.tarea(id, kA06), task) << "the task stays open";

  // And the complete answer is accepted.
  se.hace_seguimiento(id, false, 2);
  EXPECT_EQ(se.decisiones(id), (Ids{kFlowAlineada, kFlowVolverA05}));
}

TEST(D0203Scenario, AFollowUpWithoutThePendingCountIsRefusedByItsForm) {
  // Given a school at its first follow-up.
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000502", "A"));
  se.hasta_apoyo(id);
  se.apoya(id, 1);
  const std::size_t before = se.eventos(id).size();
  // When the follow-up says only that the period is over, with a pending count as text.
  auto done = se.engine().complete_task(se.tarea(id, kA06), kProfesional,
                                        {{"periodo_cumplido", true}, {"pendientes", "0"}});
  // Then both problems are named: the missing count and the unknown variable.
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, ErrorCode::kValidation);
  EXPECT_NE(done.error().message.find("actividades_pendientes: "), std::string::npos)
      << done.error().message;
  EXPECT_NE(done.error().message.find("; pendientes: unknown variable"), std::string::npos)
      << done.error().message;
  EXPECT_EQ(se.eventos(id).size(), before);
  // And with the count the school goes on to activity 7.
  se.hace_seguimiento(id, true, 0);
  EXPECT_EQ(se.decisiones(id).back(), kFlowContinuar);
  EXPECT_FALSE(se.tarea(id, kA07Registrar).empty());
}

// ---------------------------------------------------------------------------------------------
// (j) Determinism

// Runs a long scenario: misaligned once, three support cycles, deviations once, reported.
std::vector<Event> escenario_completo(SecretariaDeEducacion& se) {
  const std::int64_t id = se.inicia(escuela_oficial("115238000601", "D"));
  se.analiza_e_identifica_necesidades(id);
  se.define_estrategia(id);
  se.revisa_alineacion(id, false);
  se.ejecuta_accion_mejoramiento(id);
  se.revisa_alineacion(id, true);
  for (int pendientes = 2; pendientes >= 0; --pendientes) {
    se.apoya(id, 3 - pendientes);
    se.hace_seguimiento(id, false, pendientes);
  }
  se.registra_evaluacion(id, evaluacion_ee({{"Pertinencia", 4}, {"Oportunidad", 3}}, {true}));
  se.revisa_evaluacion(id);
  se.verifica(id, true);
  se.trata_desviaciones(id);
  se.verifica(id, false);
  se.revisa_irregularidades(id, true);
  se.termino_sin_incidentes(id);
  return se.eventos(id);
}

Json as_json(const std::vector<Event>& events) {
  Json out = Json::array();
  for (const auto& e : events) {
    out.push_back({{"instance_id", e.instance_id},
                   {"seq", e.seq},
                   {"type", runtime::event_type_name(e.type())},
                   {"type_version", e.type_version},
                   {"time_ms", e.time_ms},
                   {"actor", e.actor.to_json()},
                   {"definition_version", e.definition_version},
                   {"payload", runtime::payload_json(e)}});
  }
  return out;
}

TEST(D0203Scenario, SameCommandsGiveIdenticalEventLogs) {
  // Given two SEs with the same definition and clocks at the same time.
  SecretariaDeEducacion first;
  SecretariaDeEducacion second;
  // When the same people do the same things at the same times.
  const std::vector<Event> a = escenario_completo(first);
  const std::vector<Event> b = escenario_completo(second);
  // Then both logs are identical, field by field, including what the handlers wrote.
  ASSERT_GT(a.size(), 100U);
  EXPECT_EQ(as_json(a), as_json(b));
  EXPECT_EQ(first.engine().stats().events, second.engine().stats().events);
}

TEST(D0203Scenario, StartingTheSameSchoolAndPeriodTwiceGivesOneInstance) {
  // Given a school that started its accompaniment.
  SecretariaDeEducacion se;
  const Variables escuela = escuela_oficial("115238000701", "A");
  const std::int64_t id = se.inicia(escuela);
  const std::size_t before = se.eventos(id).size();
  // When the SE starts it again in the same period.
  auto again = se.engine().start(
      handlers::d02_03::start_request(kProcessKey, "115238000701", kPeriodo, escuela, kProfesional)
          .value());
  // Then it gets the same instance and nothing is written.
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->instance_id, id);
  EXPECT_EQ(se.eventos(id).size(), before);
}

}  // namespace
}  // namespace pmiflow
