// Scenario tests of D02.03 "Apoyar la gestión de los PMI": the real process definition, the real
// D02.03 handlers, an in-memory store and a manual clock. Each scenario is given/when/then and
// asserts the activities entered (ElementActivated, in order) and the decisions taken
// (DecisionTaken flows), not only where the instance ended. This file: the flow, path by
// path; d02_03_rules_test.cpp: the SE's rules, roles, forms and determinism.

#include <gtest/gtest.h>

#include "d02_03_scenario.h"

namespace pmiflow::scenario {
namespace {

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
                                      kEntrada,
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
  se.pasa_el_tiempo_hasta(id, kA06Esperar);
  EXPECT_EQ(offered_to(kA06), profesional);
  se.completa(id, kA06, kProfesional, {{"periodo_cumplido", true}, {"actividades_pendientes", 0}});
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

  // Then 4 -> improvement action -> 4 -> 5 (and on to wait for 6).
  EXPECT_EQ(
      se.actividades(id),
      path({kHastaRevisionPam, {kA04Accion, kA04Revisar, kA04Gw}, kEntrada, {kA05, kA06Esperar}}));
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
  EXPECT_EQ(se.actividades(id), path({kHastaRevisionPam,
                                      kEntrada,
                                      kCiclo,
                                      kCiclo,
                                      kCiclo,
                                      kCiclo,
                                      {kSubprocesoFin, kA07Registrar}}));
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
  EXPECT_EQ(se.actividades(id),
            path({kHastaRevisionPam, kEntrada, kCiclo, kCiclo, {kSubprocesoFin, kA07Registrar}}));
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
                                      kEntrada,
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
                                      kEntrada,
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
  EXPECT_EQ(f.at("fecha"), "2026-04-15")
      << "the date of the engine's clock (a month after the support)";
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

}  // namespace
}  // namespace pmiflow::scenario
