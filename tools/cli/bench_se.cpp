// `pmiflow bench-se`: an SE period of D02.03 at the SE's level (process-definitions/README.md,
// "Two levels"), durable. N schools of a generated jurisdiction shared among K ETCs: one SE
// instance per ETC goes through activities 1-4; activity 4's approval starts one school
// instance per school (the parallel multi-instance call activity, in batches); every school
// goes through 5, the month's wait, 6 and 7 (its evaluation registered), which takes its result
// back to its SE; each SE then goes through 7, 8, 9 and 10. Every completion passes its form.
// Prints the rate of each phase, the total, and the resident memory between phases.
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "app/due_timers.h"
#include "handlers/d02_03/jurisdiction.h"
#include "handlers/d02_03/se_start_data.h"
#include "tools/cli/bench_db.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/session.h"

namespace pmiflow::cli {
namespace {

constexpr std::int64_t kT0 = 1773570600000;  // 2026-03-15T10:30:00Z
constexpr std::int64_t kDayMs = std::int64_t{24} * 60 * 60 * 1000;

const runtime::Actor kProfesional = runtime::Actor::user("bench", "profesional_mejoramiento");
const runtime::Actor kLider = runtime::Actor::user("bench", "lider_calidad");
const runtime::Actor kEstablecimiento = runtime::Actor::user("bench", "establecimiento");

// What each task is answered with (every answer passes the task's form).
Variables answer(const std::string& element, const std::string& school) {
  static const std::map<std::string, Variables> kAnswers = {
      {"A01_AnalizarCaracterizacion", {{"analisis_caracterizacion", "Caracterización revisada"}}},
      {"A02_IdentificarNecesidades",
       {{"necesidades_apoyo", Json::array({{{"necesidad", "Seguimiento a indicadores del PMI"},
                                            {"origen", "ANALISIS_CARACTERIZACION"},
                                            {"area_gestion", "ACADEMICA"}}})}}},
      {"A03_DefinirEstrategiaAT",
       {{"cronograma", Json::array({{{"actividad", "Visitas de acompañamiento"}, {"mes", 4}}})},
        {"responsables",
         Json::array({{{"nombre", "Equipo de calidad"}, {"cargo", "PROFESIONAL_MEJORAMIENTO"}}})},
        {"metodos", Json::array({"ASESORIA"})},
        {"recursos", "Equipo de Calidad Educativa"}}},
      {"A04_RevisarAlineacionPAM", {{"alineada", true}}},
      {"A05_ApoyarEjecucionPMI", {{"asesorias_realizadas", 1}}},
      {"A06_HacerSeguimiento", {{"periodo_cumplido", true}, {"actividades_pendientes", 0}}},
      {"A07_RegistrarEvaluacionEE",
       {{"evaluacion_registrada", true},
        {"evaluacion_ee",
         {{"items", Json::array({{{"item", "Pertinencia de la asesoría"}, {"puntaje", 4}}})}}}}},
      {"A07_RevisarEvaluacionAT", {{"revision_evaluacion", "Evaluaciones revisadas"}}},
      {"A08_VerificarCumplimientoAT", {{"desviaciones", false}}},
      {"A10_ReportarEEInspeccionVigilancia", {{"reportado_por", "Líder de Calidad Educativa"}}},
  };
  Variables vars = kAnswers.at(element);
  // One school in ten (its código DANE ends in 4) still shows irregularities at its last
  // follow-up.
  if (element == "A06_HacerSeguimiento" && !school.empty() && school.back() == '4') {
    vars["indicios_irregularidades"] = true;
    vars["descripcion_hechos"] = "El EE no ajusta su PMI";
  }
  return vars;
}

const runtime::Actor& actor_of(const TaskRow& task) {
  const std::string& role = task.candidate_groups.front();
  return role == "lider_calidad"     ? kLider
         : role == "establecimiento" ? kEstablecimiento
                                     : kProfesional;
}

}  // namespace

int cmd_bench_se(const BenchSeArgs& a, std::ostream& out, std::ostream& err) {
  const BenchDb db(a.db, "bench-se", a.fast);
  auto owned_clock = std::make_unique<ManualClock>(kT0);
  ManualClock& clock = *owned_clock;
  auto session = open_session(db.path(), OpenMode::kCreate, db.options(), std::move(owned_clock));
  if (!session.ok()) return fail(err, session.error());
  Engine& engine = *(*session)->engine;
  persistence::SqliteStore& store = *(*session)->store;
  for (const char* file : {"d02_03_acompanamiento_ee.bpmn", "d02_03_apoyar_gestion_pmi_se.bpmn"}) {
    auto deployed = deploy_file(engine, definitions_dir() + "/" + file);
    if (!deployed.ok()) return fail(err, deployed.error());
  }
  const std::vector<std::string> etcs = handlers::d02_03::known_etcs();
  const int k = std::min<int>(a.etcs, static_cast<int>(etcs.size()));
  std::vector<StartRequest> starts;
  for (int e = 0; e < k; ++e) {
    const int n = a.schools / k + (e < a.schools % k ? 1 : 0);
    auto schools = handlers::d02_03::generate_jurisdiction(n, 1, etcs[static_cast<std::size_t>(e)]);
    if (!schools.ok()) return fail(err, schools.error());
    std::vector<Variables> rows;
    for (const handlers::d02_03::School& s : *schools) {
      Variables v{{"codigo_dane", s.codigo_dane}, {"nombre", s.nombre},
                  {"municipio", s.municipio},     {"etc", s.etc},
                  {"sector", s.sector},           {"categoria_saber", s.categoria_saber}};
      if (!s.regimen.empty()) v["regimen"] = s.regimen;
      rows.push_back(std::move(v));
    }
    auto request = handlers::d02_03::se_start_request(
        handlers::d02_03::kSeProcessKey, schools->front().etc, "2026", rows, kProfesional);
    if (!request.ok()) return fail(err, request.error());
    starts.push_back(std::move(*request));
  }

  // Completes every open task of `element` (on `threads` threads), which must be `expected`
  // (kAny: any number); returns the seconds.
  constexpr std::size_t kAny = static_cast<std::size_t>(-1);
  auto complete_all = [&](const std::string& element, std::size_t expected) -> Result<double> {
    auto tasks = store.tasks(TaskQuery{});
    if (!tasks.ok()) return tasks.error();
    std::vector<TaskRow> of;
    for (TaskRow& t : *tasks) {
      if (t.element_id == element) of.push_back(std::move(t));
    }
    if (expected != kAny && of.size() != expected) {
      return make_error(ErrorCode::kInternal, element + ": " + std::to_string(of.size()) +
                                                  " open tasks, expected " +
                                                  std::to_string(expected));
    }
    return run_parallel(static_cast<int>(of.size()), a.threads, [&](int i) -> Status {
      const TaskRow& t = of[static_cast<std::size_t>(i)];
      auto school = t.tags.find("school");
      auto done = engine.complete_task(
          t.id, actor_of(t), answer(element, school == t.tags.end() ? "" : school->second));
      if (!done.ok()) return done.error();
      return {};
    });
  };
  const auto n = static_cast<std::size_t>(a.schools);
  const auto se = static_cast<std::size_t>(k);
  const auto begin = std::chrono::steady_clock::now();
  const double rss_before = rss_mib();
  auto started = run_parallel(k, a.threads, [&](int e) -> Status {
    auto s = engine.start(starts[static_cast<std::size_t>(e)]);
    if (!s.ok()) return s.error();
    return {};
  });
  if (!started.ok()) return fail(err, started.error());
  starts.clear();
  for (const char* element :
       {"A01_AnalizarCaracterizacion", "A02_IdentificarNecesidades", "A03_DefinirEstrategiaAT"}) {
    if (auto s = complete_all(element, se); !s.ok()) return fail(err, s.error());
  }
  // Activity 4's approval starts every school's instance.
  auto spawn_s = complete_all("A04_RevisarAlineacionPAM", se);
  if (!spawn_s.ok()) return fail(err, spawn_s.error());
  const double rss_spawned = rss_mib();
  auto support_s = complete_all("A05_ApoyarEjecucionPMI", n);
  if (!support_s.ok()) return fail(err, support_s.error());
  const auto timers_begin = std::chrono::steady_clock::now();
  auto fired = app::fire_due_timers(engine, store, kT0 + 32 * kDayMs, &clock, a.threads);
  if (!fired.ok()) return fail(err, fired.error());
  const double timers_s = seconds_since(timers_begin);
  auto follow_s = complete_all("A06_HacerSeguimiento", n);
  if (!follow_s.ok()) return fail(err, follow_s.error());
  auto evaluate_s = complete_all("A07_RegistrarEvaluacionEE", n);
  if (!evaluate_s.ok()) return fail(err, evaluate_s.error());
  const double rss_schools_done = rss_mib();
  for (const char* element : {"A07_RevisarEvaluacionAT", "A08_VerificarCumplimientoAT"}) {
    if (auto s = complete_all(element, se); !s.ok()) return fail(err, s.error());
  }
  // An SE none of whose schools was flagged ends without the report's review.
  if (auto s = complete_all("A10_ReportarEEInspeccionVigilancia", kAny); !s.ok()) {
    return fail(err, s.error());
  }
  const double total_s = seconds_since(begin);
  const double rss_done = rss_mib();
  InstanceQuery completed;
  completed.status = "completed";
  auto ended = store.instances(completed);
  if (!ended.ok()) return fail(err, ended.error());

  char buf[160];
  auto line = [&](const char* label, const char* fmt, double v) {
    std::snprintf(buf, sizeof buf, fmt, v);
    out << label << buf << '\n';
  };
  out << "pmiflow bench-se: " << a.schools << " schools in " << k << " SE instance"
      << (k == 1 ? "" : "s") << ", " << a.threads << " client threads, durability "
      << (a.fast ? "fast (synchronous=NORMAL)" : "full (fsync)") << '\n';
  const double schools = static_cast<double>(a.schools);
  line("school instances started per second:  ", "%.0f", schools / *spawn_s);
  line("activity 5 completed per second:      ", "%.0f", schools / *support_s);
  line("follow-up timers fired per second:    ", "%.0f",
       static_cast<double>(fired->fired) / timers_s);
  line("activity 6 completed per second:      ", "%.0f", schools / *follow_s);
  line("activity 7 (school ends) per second:  ", "%.0f", schools / *evaluate_s);
  line("seconds for the whole period:         ", "%.2f", total_s);
  line("instances completed:                  ", "%.0f", static_cast<double>(ended->size()));
  line("RSS before starting:                  ", "%.1f MiB", rss_before);
  line("RSS with every school started:        ", "%.1f MiB", rss_spawned);
  line("RSS with every school ended:          ", "%.1f MiB", rss_schools_done);
  line("RSS at the end:                       ", "%.1f MiB", rss_done);
  if (ended->size() != n + se) {
    return fail(err, make_error(ErrorCode::kInternal, "not every SE and school completed"));
  }
  return kExitOk;
}

}  // namespace pmiflow::cli
