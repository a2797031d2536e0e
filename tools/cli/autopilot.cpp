#include "tools/cli/autopilot.h"

#include <array>
#include <set>

namespace pmiflow::cli {

AutopilotStep autopilot_step(const runtime::UserTask& task, int visit) {
  AutopilotStep step;
  step.role = task.candidate_groups.empty() ? "" : task.candidate_groups.front();
  step.user = "autopilot";
  Variables& v = step.variables;
  const std::string& e = task.element_id;
  if (e == "A01_AnalizarCaracterizacion") {
    v["analisis_caracterizacion"] = "Resultados D01.03, D01.04 y D02.02 revisados";
  } else if (e == "A02_IdentificarNecesidades") {
    v["necesidades_apoyo"] = Json::array({{{"necesidad", "Seguimiento a indicadores del PMI"},
                                           {"origen", "ANALISIS_CARACTERIZACION"},
                                           {"area_gestion", "DIRECTIVA"}},
                                          {{"necesidad", "Ajuste de acciones de gestión académica"},
                                           {"origen", "SIGCE_PAM"},
                                           {"area_gestion", "ACADEMICA"}}});
  } else if (e == "A03_DefinirEstrategiaAT") {
    v["cronograma"] = Json::array({{{"actividad", "Visita de acompañamiento"}, {"mes", 3}},
                                   {{"actividad", "Taller de seguimiento"}, {"mes", 6}}});
    v["responsables"] = Json::array(
        {{{"nombre", "Equipo de mejoramiento"}, {"cargo", "PROFESIONAL_MEJORAMIENTO"}}});
    v["metodos"] = Json::array({"ASESORIA", "VISITA_SEGUIMIENTO"});
    v["recursos"] = "Equipo de Calidad Educativa";
  } else if (e == "A04_RevisarAlineacionPAM") {
    v["alineada"] = visit > 1;
    if (visit == 1) v["accion_mejoramiento"] = "Incluir la estrategia en la línea 2 del PAM";
  } else if (e == "A04_EjecutarAccionMejoramiento") {
    v["accion_mejoramiento_ejecutada"] = true;
  } else if (e == "A05_ApoyarEjecucionPMI") {
    v["asesorias_realizadas"] = visit;
  } else if (e == "A06_HacerSeguimiento") {
    v["periodo_cumplido"] = false;
    v["actividades_pendientes"] = visit >= 3 ? 0 : 3 - visit;
  } else if (e == "A07_RegistrarEvaluacionEE") {
    v["evaluacion_ee"] = {
        {"items", Json::array({{{"item", "Pertinencia de la asesoría"}, {"puntaje", 4}},
                               {{"item", "Oportunidad"}, {"puntaje", 3}},
                               {{"item", "Pertinencia de la asesoría"}, {"puntaje", 5}}})},
        {"objetivos", Json::array({{{"objetivo", "Ajustar metas del PMI"}, {"cumplido", true}},
                                   {{"objetivo", "Seguimiento trimestral"}, {"cumplido", false}}})},
        {"observaciones", "Evaluación registrada por el rector"}};
  } else if (e == "A07_RevisarEvaluacionAT") {
    v["revision_evaluacion"] = "Resultados consolidados revisados";
  } else if (e == "A08_VerificarCumplimientoAT") {
    v["desviaciones"] = visit == 1;
    if (visit == 1) {
      v["requisito_ficha_tecnica"] = "Visitas de acompañamiento programadas";
      v["descripcion_desviacion"] = "Una visita programada no se realizó";
    }
  } else if (e == "A08_TratarDesviaciones") {
    v["tipo_tratamiento"] = Json::array({"N01.04"});
    v["tratamiento_desviacion"] = "N01.04: reprogramar la visita no realizada";
  } else if (e == "A10_ReportarEEInspeccionVigilancia") {
    v["irregularidades_persisten"] = true;
    v["descripcion_hechos"] = "El EE no ha ajustado su PMI tras tres ciclos de acompañamiento";
    v["tipo_irregularidad"] = "PEI";
    v["reportado_por"] = "Líder de Calidad Educativa";
  }
  return step;
}

AutopilotStep autopilot_next(const runtime::InstanceState& state, std::string& task_id) {
  const runtime::UserTask* oldest = nullptr;
  for (const auto& [id, task] : state.tasks) {
    if (oldest == nullptr || task.element_key < oldest->element_key) oldest = &task;
  }
  task_id = oldest->id;
  auto it = state.activation_counts.find(oldest->element_id);
  return autopilot_step(*oldest, it == state.activation_counts.end() ? 0 : it->second);
}

AutopilotMove autopilot_move(const runtime::InstanceState& state) {
  AutopilotMove move;
  const bool never_evaluates = state.id % 5 == 0;
  const bool waits_for_deadline =
      never_evaluates && state.tasks.size() == 1 &&
      state.tasks.begin()->second.element_id == "A07_RegistrarEvaluacionEE";
  if (!state.tasks.empty() && !waits_for_deadline) {
    move.kind = AutopilotMove::Kind::kTask;
    move.step = autopilot_next(state, move.task_id);
    return move;
  }
  for (const auto& [key, timer] : state.timers) {
    if (move.kind == AutopilotMove::Kind::kNone || timer.due_ms < move.due_ms) {
      move.kind = AutopilotMove::Kind::kTimer;
      move.timer_key = key;
      move.due_ms = timer.due_ms;
      move.timer_element = timer.element_id;
    }
  }
  return move;
}

Result<CommandOutcome> autopilot_apply(Engine& engine, ManualClock& clock, std::int64_t instance_id,
                                       const AutopilotMove& move) {
  if (move.kind == AutopilotMove::Kind::kTask) {
    return engine.complete_task(move.task_id, runtime::Actor::user(move.step.user, move.step.role),
                                move.step.variables);
  }
  clock.advance_to(move.due_ms);
  return engine.trigger_timer(instance_id, move.timer_key);
}

Result<std::size_t> autopilot_answer_all(Engine& engine, ReadModel& read_model) {
  auto tasks = read_model.tasks(TaskQuery{});
  if (!tasks.ok()) return tasks.error();
  std::set<std::int64_t> instances;
  for (const TaskRow& t : *tasks) instances.insert(t.instance_id);
  std::size_t answered = 0;
  for (std::int64_t id : instances) {
    for (;;) {
      AutopilotMove move;
      {
        auto state = engine.snapshot(id);  // released before the command (engine.h)
        if (!state.ok()) return state.error();
        move = autopilot_move(**state);
      }
      if (move.kind != AutopilotMove::Kind::kTask) break;
      auto done = engine.complete_task(
          move.task_id, runtime::Actor::user(move.step.user, move.step.role), move.step.variables);
      if (!done.ok()) return done.error();
      ++answered;
    }
  }
  return answered;
}

Variables sample_school_variables(const std::string& codigo_dane, const std::string& periodo,
                                  int index) {
  static constexpr std::array<const char*, 4> kCategorias = {"D", "B", "C", "A"};
  Variables v;
  v["codigo_dane"] = codigo_dane;
  v["periodo"] = periodo;
  v["nombre"] = "Institución Educativa Muestra " + std::to_string(index);
  v["municipio"] = "Medellín";
  v["etc"] = "Medellín";
  bool oficial = index % 3 != 2;
  v["sector"] = oficial ? "OFICIAL" : "NO_OFICIAL";
  v["categoria_saber"] = kCategorias[static_cast<std::size_t>(index) % kCategorias.size()];
  if (!oficial) v["regimen"] = index % 2 == 0 ? "REGIMEN_CONTROLADO" : "LIBERTAD_VIGILADA";
  return v;
}

}  // namespace pmiflow::cli
