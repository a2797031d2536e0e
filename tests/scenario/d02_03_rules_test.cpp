// Scenario tests of D02.03 "Apoyar la gestión de los PMI": the real process definition, the real
// D02.03 handlers, an in-memory store and a manual clock. Each scenario is given/when/then and
// asserts the activities entered (ElementActivated, in order) and the decisions taken
// (DecisionTaken flows), not only where the instance ended. This file: the SE's rules
// (classification, evaluation), who may do what, the forms, and determinism;
// d02_03_scenario_test.cpp: the flow.

#include <gtest/gtest.h>

#include "d02_03_scenario.h"

namespace pmiflow::scenario {
namespace {

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
  EXPECT_TRUE(se.store().incidents(IncidentQuery::of_instance(id))->empty());
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
  se.pasa_el_tiempo_hasta(id, kA06Esperar);
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
  se.completa(id, kA06, kProfesional, {{"periodo_cumplido", false}, {"actividades_pendientes", 2}});
  EXPECT_EQ(se.decisiones(id), (Ids{kFlowAlineada, kFlowVolverA05}));
}

TEST(D0203Scenario, AFollowUpWithoutThePendingCountIsRefusedByItsForm) {
  // Given a school at its first follow-up.
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000502", "A"));
  se.hasta_apoyo(id);
  se.apoya(id, 1);
  se.pasa_el_tiempo_hasta(id, kA06Esperar);
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
  se.completa(id, kA06, kProfesional, {{"periodo_cumplido", true}, {"actividades_pendientes", 0}});
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
}  // namespace pmiflow::scenario
