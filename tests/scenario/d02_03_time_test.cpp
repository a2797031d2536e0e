// D02.03 in time: the end of the evaluation period bounds activities 5 and 6, the SE's deadline
// bounds activity 7, the school's evaluation may come from SIGCE's PAM module as a message,
// and D02.01 may start a school's instance with its own message (process-definitions/README.md,
// "Time and messages"). The clock is the scenario's: nothing sleeps.

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "d02_03_scenario.h"
#include "engine/common/time_text.h"

namespace pmiflow::scenario {
namespace {

// The instance's open timers' elements, in key order.
Ids timers_of(SecretariaDeEducacion& se, std::int64_t id) {
  Ids out;
  for (const auto& [key, timer] : se.estado(id).timers) out.push_back(timer.element_id);
  return out;
}

std::string fecha(std::int64_t ms) {
  return format_time(ms).substr(0, 10);
}

TEST(D0203Time, TheCalendarOfThePeriodComesFromThePeriodWhenTheStartDataLeavesItOut) {
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000601", "A"));
  const Variables vars = se.variables(id);
  EXPECT_EQ(vars.at("fecha_fin_periodo"), "2026-11-30T23:59:59");
  EXPECT_EQ(vars.at("fecha_limite_evaluacion"), "2026-12-15T23:59:59");
  EXPECT_EQ(vars.at("frecuencia_seguimiento"), "P1M");

  // Given: the SE's own calendar in the start data.
  Variables escuela = escuela_oficial("115238000602", "A");
  escuela["fecha_fin_periodo"] = "2026-10-31T18:00:00";
  escuela["fecha_limite_evaluacion"] = "2026-11-15T18:00:00";
  escuela["frecuencia_seguimiento"] = "P15D";
  const std::int64_t propio = se.inicia(escuela);
  EXPECT_EQ(se.variable(propio, "fecha_fin_periodo"), "2026-10-31T18:00:00");
  EXPECT_EQ(se.variable(propio, "frecuencia_seguimiento"), "P15D");
  se.hasta_apoyo(propio);
  // The subprocess's end of period is armed in the engine's zone (America/Bogota, UTC-5).
  ASSERT_EQ(se.estado(propio).timers.size(), 1U);
  for (const auto& [key, timer] : se.estado(propio).timers) {
    EXPECT_EQ(timer.element_id, kFinPeriodo);
    EXPECT_EQ(format_time(timer.due_ms), "2026-10-31T23:00:00.000Z");
  }
  const std::int64_t antes = se.clock().now_ms();
  se.apoya(propio, 1);
  // The follow-up comes 15 days after the support.
  int follow_ups = 0;
  for (const auto& [key, timer] : se.estado(propio).timers) {
    if (timer.element_id != kA06Esperar) continue;
    ++follow_ups;
    EXPECT_EQ(timer.due_ms - antes, 15LL * 24 * 60 * 60 * 1000 + kStepMs);
  }
  EXPECT_EQ(follow_ups, 1);
}

TEST(D0203Time, ACalendarThatIsNotDatesIsRefusedAtTheStartNamingTheField) {
  SecretariaDeEducacion se;
  Variables escuela = escuela_oficial("115238000603", "A");
  escuela["fecha_fin_periodo"] = "30/11/2026";
  escuela["fecha_limite_evaluacion"] = "2026-06-01T00:00:00";
  escuela["frecuencia_seguimiento"] = "PT0S";
  auto started = se.engine().start(
      handlers::d02_03::start_request(kProcessKey, "115238000603", kPeriodo, escuela, kProfesional)
          .value());
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::kValidation);
  const std::string& m = started.error().message;
  EXPECT_NE(m.find("fecha_fin_periodo: expected a date and time"), std::string::npos) << m;
  EXPECT_NE(m.find("frecuencia_seguimiento: expected an ISO 8601 duration more than zero"),
            std::string::npos)
      << m;
  EXPECT_TRUE(se.store().instances({}).value().empty());

  escuela["fecha_fin_periodo"] = "2026-11-30T23:59:59";
  escuela["frecuencia_seguimiento"] = "P1M";
  auto late = se.engine().start(
      handlers::d02_03::start_request(kProcessKey, "115238000603", kPeriodo, escuela, kProfesional)
          .value());
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.error().message.find(
                "fecha_limite_evaluacion: expected a date and time not before fecha_fin_periodo"),
            std::string::npos)
      << late.error().message;
}

TEST(D0203Time, TheFollowUpComesAMonthAfterEachSupportNotRightAfterIt) {
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000604", "B"));
  se.hasta_apoyo(id);
  se.apoya(id, 1);
  // Then no follow-up task is open: the follow-up waits for its timer, beside the period's end.
  EXPECT_TRUE(se.estado(id).tasks.empty());
  EXPECT_EQ(timers_of(se, id), (Ids{kFinPeriodo, kA06Esperar}));
  const CommandOutcome fired = se.pasa_el_tiempo_hasta(id, kA06Esperar);
  EXPECT_EQ(fecha(fired.events.front().time_ms), "2026-04-15");
  EXPECT_FALSE(se.tarea(id, kA06).empty());
  // Pending activities: back to 5, and the next follow-up a month after that support.
  se.completa(id, kA06, kProfesional, {{"periodo_cumplido", false}, {"actividades_pendientes", 1}});
  se.apoya(id, 2);
  EXPECT_EQ(fecha(se.pasa_el_tiempo_hasta(id, kA06Esperar).events.front().time_ms), "2026-05-15");
}

TEST(D0203Time, ThePeriodEndsWhileActivitiesArePendingAndTheSchoolGoesOnToItsEvaluation) {
  // Given a school whose support is open (activity 5, second cycle) when the period ends.
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000605", "C"));
  se.hasta_apoyo(id);
  se.apoya(id, 1);
  se.hace_seguimiento(id, false, 3);
  EXPECT_FALSE(se.tarea(id, kA05).empty());

  // When the end of the evaluation period comes.
  const CommandOutcome fin = se.pasa_el_tiempo_hasta(id, kFinPeriodo);

  // Then the open support is canceled with the subprocess, with an event for each, and the
  // school is asked for its evaluation (activity 7), waiting for SIGCE's message and with the
  // SE's deadline armed.
  EXPECT_EQ(fecha(fin.events.front().time_ms), "2026-12-01") << "2026-11-30T23:59:59 in Bogotá";
  std::vector<std::string> kinds;
  for (const auto& e : fin.events) kinds.push_back(runtime::event_type_name(e.type()));
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"TimerTriggered", "UserTaskCanceled", "ElementTerminated",
                                      "ElementTerminated", "ElementActivated", "ElementCompleted",
                                      "FlowTaken", "ElementActivated", "MessageSubscriptionOpened",
                                      "TimerCreated", "UserTaskCreated"}));
  EXPECT_FALSE(se.tarea(id, kA07Registrar).empty());
  EXPECT_EQ(timers_of(se, id), (Ids{kA07Plazo}));
  EXPECT_EQ(se.decisiones(id), (Ids{kFlowAlineada, kFlowVolverA05}));
}

TEST(D0203Time, ASchoolThatNeverEvaluatesReachesActivity10AfterTheDeadline) {
  // Given a school asked for its evaluation.
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000606", "D"));
  se.hasta_apoyo(id);
  se.apoya(id, 1);
  se.hace_seguimiento(id, true, 0);
  EXPECT_FALSE(se.tarea(id, kA07Registrar).empty());

  // When the SE's deadline passes with no evaluation.
  const CommandOutcome plazo = se.pasa_el_tiempo_hasta(id, kA07Plazo);
  EXPECT_EQ(fecha(plazo.events.front().time_ms), "2026-12-16") << "2026-12-15T23:59:59 in Bogotá";

  // Then the evaluation is consolidated "sin evaluación dentro del plazo", recorded, and the
  // school goes on to activities 8, 9 and 10.
  const Json c = se.variable(id, "evaluacion_consolidada");
  EXPECT_EQ(c.at("estado"), "sin_evaluacion");
  EXPECT_EQ(c.at("motivo").get<std::string>().rfind("Sin evaluación dentro del plazo", 0), 0U);
  se.revisa_evaluacion(id);
  se.verifica(id, false);
  se.revisa_irregularidades(id, false);
  se.termino_sin_incidentes(id);
  const Ids a = se.actividades(id);
  EXPECT_NE(std::find(a.begin(), a.end(), kA07Plazo), a.end());
  EXPECT_NE(std::find(a.begin(), a.end(), kA09), a.end());
  EXPECT_EQ(a.back(), kEndSinReporte);
}

TEST(D0203Time, TheEvaluationMayComeFromSigceAsAMessageForTheSchoolAndPeriod) {
  SecretariaDeEducacion se;
  const std::int64_t id = se.inicia(escuela_oficial("115238000607", "A"));
  const std::int64_t otra = se.inicia(escuela_oficial("115238000608", "A"));
  for (std::int64_t i : {id, otra}) {
    se.hasta_apoyo(i);
    se.apoya(i, 1);
    se.hace_seguimiento(i, true, 0);
  }
  // When SIGCE's PAM module sends the first school's evaluation.
  PublishRequest r;
  r.name = "evaluacion_ee_sigce";
  r.correlation_key = "115238000607/2026";
  r.message_id = "sigce-pam-115238000607-2026";
  r.variables = {
      {"evaluacion_ee", evaluacion_ee({{"Pertinencia", 5}, {"Oportunidad", 4}}, {true})}};
  auto published = se.engine().publish_message(r);
  ASSERT_TRUE(published.ok()) << published.error().message;

  // Then it reaches that school only: its task closes, the evaluation is consolidated.
  ASSERT_EQ(published->reached.size(), 1U);
  EXPECT_EQ(published->reached[0].instance_id, id);
  EXPECT_EQ(published->reached[0].element_id, kA07EvaluacionSigce);
  const Json c = se.variable(id, "evaluacion_consolidada");
  EXPECT_EQ(c.at("estado"), "evaluada");
  EXPECT_DOUBLE_EQ(c.at("promedio_general").get<double>(), 4.5);
  EXPECT_FALSE(se.tarea(id, kA07Revisar).empty());
  EXPECT_TRUE(timers_of(se, id).empty()) << "the deadline is canceled with the task";
  EXPECT_FALSE(se.tarea(otra, kA07Registrar).empty()) << "the other school still waits";
}

TEST(D0203Time, D0201StartsASchoolsInstanceByMessageWithItsTagsOnce) {
  SecretariaDeEducacion se;
  PublishRequest r;
  r.name = "pam_aprobado";
  r.correlation_key = "115238000609/2026";
  r.message_id = "pam-115238000609-2026";
  r.variables = escuela_oficial("115238000609", "B");
  auto published = se.engine().publish_message(r);
  ASSERT_TRUE(published.ok()) << published.error().message;
  ASSERT_EQ(published->reached.size(), 1U) << ::testing::PrintToString(published->refused);
  EXPECT_TRUE(published->reached[0].started);
  const std::int64_t id = published->reached[0].instance_id;
  auto row = se.store().instance(id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->business_key.id, "115238000609/2026");
  EXPECT_EQ(row->tags.at("school"), "115238000609");
  EXPECT_EQ(row->tags.at("period"), "2026");
  EXPECT_EQ(se.variable(id, "fecha_fin_periodo"), "2026-11-30T23:59:59");
  EXPECT_FALSE(se.tarea(id, kA01).empty());
  EXPECT_EQ(se.actividades(id).front(), "StartEvent_PAMAprobado");

  // The same school's message again (another id): the instance exists, nothing new starts.
  r.message_id = "pam-115238000609-2026-bis";
  auto again = se.engine().publish_message(r);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->reached.empty());
  EXPECT_EQ(se.store().instances({}).value().size(), 1U);

  // A message without the school's data is refused by the data contract, naming the fields.
  r.correlation_key = "115238000610/2026";
  r.message_id = "pam-115238000610-2026";
  r.variables = {{"codigo_dane", "115238000610"}, {"periodo", "2026"}};
  auto incompleto = se.engine().publish_message(r);
  ASSERT_TRUE(incompleto.ok());
  EXPECT_TRUE(incompleto->reached.empty());
  ASSERT_EQ(incompleto->refused.size(), 1U);
  EXPECT_NE(incompleto->refused[0].find("nombre: expected the school's name"), std::string::npos)
      << incompleto->refused[0];
}

}  // namespace
}  // namespace pmiflow::scenario
