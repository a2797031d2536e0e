// The harness of D02.03's scenario tests (d02_03_scenario_test.cpp: the flow;
// d02_03_rules_test.cpp: the SE's rules, roles, forms and determinism): the real process
// definition, the real D02.03 handlers, an in-memory store and a manual clock, driven by the
// people of the SE and the school (SecretariaDeEducacion).
#pragma once

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

namespace pmiflow::scenario {

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
constexpr const char* kSubproceso = "SP_AcompanamientoEjecucion";
constexpr const char* kSubprocesoInicio = "SP_Inicio";
constexpr const char* kA05 = "A05_ApoyarEjecucionPMI";
constexpr const char* kA06Esperar = "A06_EsperarSeguimiento";
constexpr const char* kA06 = "A06_HacerSeguimiento";
constexpr const char* kA06Gw = "A06_GW_PeriodoCumplido";
constexpr const char* kSubprocesoFin = "SP_Fin";
constexpr const char* kFinPeriodo = "B_FinPeriodo";
constexpr const char* kA07Registrar = "A07_RegistrarEvaluacionEE";
constexpr const char* kA07EvaluacionSigce = "B_EvaluacionSIGCE";
constexpr const char* kA07Plazo = "B_PlazoEvaluacion";
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
inline Ids path(std::initializer_list<Ids> pieces) {
  Ids out;
  for (const auto& piece : pieces) out.insert(out.end(), piece.begin(), piece.end());
  return out;
}

// Activities 1 to 4 up to the first review of the alignment.
const Ids kHastaRevisionPam = {kStart,      kA01,        kA02,  kA03Clasificar,
                               kA03Definir, kA04Revisar, kA04Gw};
// Into the subprocess "Acompañamiento a la ejecución del PMI".
const Ids kEntrada = {kSubproceso, kSubprocesoInicio};
// One pass of the 5 -> 6 loop: the support, the wait for the next follow-up, the follow-up.
const Ids kCiclo = {kA05, kA06Esperar, kA06, kA06Gw};
// Out of the subprocess (decision 6), activity 7 and the first verification of activity 8.
const Ids kEvaluacionYVerificacion = {kSubprocesoFin, kA07Registrar, kA07Consolidar,
                                      kA07Revisar,    kA08Verificar, kA08Gw};
// Activity 9 and the review of activity 10.
const Ids kInformacionYRevisionIv = {kA09, kA10Reportar, kA10Gw};

// ---------------------------------------------------------------------------------------------
// The school's data and the answers people give

inline Variables escuela_oficial(const std::string& dane, const std::string& categoria_saber) {
  return {{"codigo_dane", dane},
          {"periodo", kPeriodo},
          {"nombre", "Institución Educativa Técnica San José"},
          {"municipio", "Duitama"},
          {"etc", "Boyacá"},
          {"sector", "OFICIAL"},
          {"categoria_saber", categoria_saber}};
}

inline Variables escuela_privada(const std::string& dane, const std::string& regimen) {
  return {{"codigo_dane", dane},    {"periodo", kPeriodo}, {"nombre", "Colegio Los Andes"},
          {"municipio", "Tunja"},   {"etc", "Boyacá"},     {"sector", "NO_OFICIAL"},
          {"categoria_saber", "B"}, {"regimen", regimen}};
}

// Activity 2's answer (form_a02_identificar_necesidades: one object per need).
inline Json necesidades_apoyo() {
  return Json::array({{{"necesidad", "Seguimiento a indicadores del PMI"},
                       {"origen", "ANALISIS_CARACTERIZACION"},
                       {"area_gestion", "ACADEMICA"}}});
}

inline Json evaluacion_ee(std::initializer_list<std::pair<const char*, int>> puntajes,
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

  // When: time passes (the clock moves) until the waiting timer of `element` in the instance
  // is due, and it fires.
  CommandOutcome pasa_el_tiempo_hasta(std::int64_t id, const std::string& element) {
    const runtime::InstanceState s = estado(id);
    for (const auto& [key, timer] : s.timers) {
      if (timer.element_id != element) continue;
      clock_.set(std::max(clock_.now_ms(), timer.due_ms));
      auto fired = engine_.trigger_timer(id, key);
      if (!fired.ok()) {
        ADD_FAILURE() << "timer of " << element << ": " << fired.error().message;
        return {};
      }
      return *fired;
    }
    ADD_FAILURE() << "no timer of " << element << " waits in instance " << id;
    return {};
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
  // The follow-up of activity 6 comes frecuencia_seguimiento (P1M) after the last support:
  // time passes until its timer is due, it fires, and the follow-up is made.
  void hace_seguimiento(std::int64_t id, bool periodo_cumplido, int actividades_pendientes) {
    pasa_el_tiempo_hasta(id, kA06Esperar);
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
    EXPECT_TRUE(store_.incidents(IncidentQuery::of_instance(id))->empty());
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

}  // namespace pmiflow::scenario
