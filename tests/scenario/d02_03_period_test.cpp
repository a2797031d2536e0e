// Scenario of a whole SE period of D02.03 "Apoyar la gestión de los PMI": a generated
// jurisdiction is written as CSV, read back and started one instance per school (as
// `pmiflow start --from-csv` does), and every school is taken to the end of the period with
// answers that satisfy the tasks' forms. The real definition, handlers and SQLite store, a
// manual clock. Then:
//   * every school is classified by the rule of activity 3, computed here from its CSV row;
//   * the activities entered, the decisions taken and the records written come in the
//     expected order, for the ordinary schools and for one school that goes through every loop
//     (4 not aligned -> improvement -> 4; 6 -> 5; 8 deviations -> treatment -> 8; 10 report);
//   * every report of `pmiflow report` holds, field by field, what that school's people
//     answered and what the handlers computed.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "app/due_timers.h"
#include "engine/engine/clock.h"
#include "engine/engine/engine.h"
#include "engine/model/form.h"
#include "engine/runtime/event_codec.h"
#include "handlers/d02_03/business_key.h"
#include "handlers/d02_03/d02_03_handlers.h"
#include "handlers/d02_03/jurisdiction.h"
#include "handlers/d02_03/period_start.h"
#include "persistence/sqlite/sqlite_store.h"
#include "tools/cli/cli.h"
#include "tools/cli/d02_03_commands.h"
#include "tools/cli/outbox_commands.h"
#include "tools/cli/session.h"

namespace pmiflow {
namespace {

using runtime::Actor;
using runtime::BusinessKey;
using runtime::EventType;
using runtime::InstanceStatus;
using Ids = std::vector<std::string>;

constexpr std::int64_t kT0 = 1773570600000;  // 2026-03-15T10:30:00Z
constexpr std::int64_t kStepMs = 10'000;     // each person acts ten seconds after the last
constexpr std::int64_t kDayMs = 24 * 60 * 60 * 1000;
constexpr const char* kFecha = "2026-03-15";
// The dates of the follow-ups, a month (frecuencia_seguimiento P1M) and two after the start.
constexpr const char* kFechaMes1 = "2026-04-15";
constexpr const char* kFechaMes2 = "2026-05-15";
constexpr const char* kPeriodo = "2026";
// A city ETC has enough private schools for every case of the classification in 30 schools.
constexpr int kSchools = 30;
constexpr std::uint64_t kSeed = 11;
constexpr const char* kEtc = "Bogotá";

const std::string kProcessKey = handlers::d02_03::kProcessKey;
const Actor kProfesional = Actor::user("p.gomez", "profesional_mejoramiento");
const Actor kLider = Actor::user("l.rojas", "lider_calidad");
const Actor kEstablecimiento = Actor::user("rectoria", "establecimiento");

// The form of each user task (process-definitions/forms/<formId>.form).
const std::map<std::string, std::string>& form_of() {
  static const std::map<std::string, std::string> kForms = {
      {"A01_AnalizarCaracterizacion", "form_a01_analizar_caracterizacion"},
      {"A02_IdentificarNecesidades", "form_a02_identificar_necesidades"},
      {"A03_DefinirEstrategiaAT", "form_a03_definir_estrategia_at"},
      {"A04_RevisarAlineacionPAM", "form_a04_revisar_alineacion_pam"},
      {"A04_EjecutarAccionMejoramiento", "form_a04_ejecutar_accion_mejoramiento"},
      {"A05_ApoyarEjecucionPMI", "form_a05_apoyar_ejecucion_pmi"},
      {"A06_HacerSeguimiento", "form_a06_hacer_seguimiento"},
      {"A07_RegistrarEvaluacionEE", "form_a07_registrar_evaluacion_ee"},
      {"A07_RevisarEvaluacionAT", "form_a07_revisar_evaluacion_at"},
      {"A08_VerificarCumplimientoAT", "form_a08_verificar_cumplimiento_at"},
      {"A08_TratarDesviaciones", "form_a08_tratar_desviaciones"},
      {"A10_ReportarEEInspeccionVigilancia", "form_a10_reportar_ee_inspeccion_vigilancia"},
  };
  return kForms;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// ---------------------------------------------------------------------------------------------
// What people answer, as the forms ask it

const Variables kAnalisis = {
    {"fuentes_analizadas", Json::array({"D01.03", "D02.02", "D01.04"})},
    {"analisis_caracterizacion", "Resultados de D01.03, D01.04 y D02.02 revisados con el EE"}};
const Variables kNecesidades = {
    {"necesidades_apoyo", Json::array({{{"necesidad", "Seguimiento a indicadores del PMI"},
                                        {"origen", "ANALISIS_CARACTERIZACION"},
                                        {"area_gestion", "ACADEMICA"}}})}};
const Variables kEstrategia = {
    {"cronograma",
     Json::array(
         {{{"actividad", "Visita de acompañamiento"}, {"mes", 4}},
          {{"actividad", "Taller de seguimiento al PMI"}, {"mes", 6}, {"fecha", "2026-06-10"}}})},
    {"responsables",
     Json::array({{{"nombre", "Paula Gómez"}, {"cargo", "PROFESIONAL_MEJORAMIENTO"}}})},
    {"metodos", Json::array({"ASESORIA", "VISITA_SEGUIMIENTO"})},
    {"recursos", "Equipo de Calidad Educativa y transporte para dos visitas"},
    {"modalidad", "PRESENCIAL"}};
const Variables kAlineada = {{"alineada", true}};
const Variables kNoAlineada = {
    {"alineada", false}, {"accion_mejoramiento", "Incluir la estrategia en la línea 2 del PAM"}};
const Variables kAccionEjecutada = {
    {"accion_mejoramiento_ejecutada", true},
    {"descripcion_accion_ejecutada", "Línea 2 del PAM ajustada con la estrategia del EE"}};
Variables apoyo(int asesorias) {
  return {{"asesorias_realizadas", asesorias},
          {"fecha_asesoria", "2026-04-15"},
          {"enfoques_asesoria", Json::array({"SEGUIMIENTO_PMI", "SEGUIMIENTO_INDICADORES"})}};
}
Variables seguimiento(bool periodo_cumplido, int pendientes) {
  return {{"periodo_cumplido", periodo_cumplido}, {"actividades_pendientes", pendientes}};
}
const Json kEvaluacionEe = {
    {"items", Json::array({{{"item", "Pertinencia de la asesoría"}, {"puntaje", 4}},
                           {{"item", "Oportunidad"}, {"puntaje", 3}},
                           {{"item", "Pertinencia de la asesoría"}, {"puntaje", 2}}})},
    {"objetivos", Json::array({{{"objetivo", "Ajustar metas del PMI"}, {"cumplido", true}},
                               {{"objetivo", "Seguimiento trimestral"}, {"cumplido", false}}})},
    {"observaciones", "Evaluación registrada por el rector en SIGCE"}};
const Variables kEvaluacion = {{"evaluacion_registrada", true}, {"evaluacion_ee", kEvaluacionEe}};
const Variables kRevisionEvaluacion = {
    {"revision_evaluacion", "Resultados consolidados revisados"}};
const Variables kSinDesviaciones = {{"desviaciones", false}};
const Variables kConDesviaciones = {
    {"desviaciones", true},
    {"requisito_ficha_tecnica", "Dos visitas de seguimiento en el semestre"},
    {"descripcion_desviacion", "La visita de junio no se realizó"}};
const Variables kTratamiento = {
    {"tipo_tratamiento", Json::array({"N01.04", "N01.02"})},
    {"tratamiento_desviacion", "N01.04: reprogramar la visita no realizada"},
    {"fecha_nueva_verificacion", "2026-07-15"}};
const Variables kSinIrregularidades = {{"irregularidades_persisten", false}};
const Variables kConIrregularidades = {
    {"irregularidades_persisten", true},
    {"descripcion_hechos", "El EE no ha ajustado su PMI tras los ciclos de acompañamiento"},
    {"tipo_irregularidad", "PEI"},
    {"norma_presuntamente_vulnerada", "Decreto 1075 de 2015"},
    {"evidencias", Json::array({"Seguimiento de los PMI", "Revisión de los PMI"})},
    {"reportado_por", "Líder de Calidad Educativa"}};

// ---------------------------------------------------------------------------------------------
// Expected paths

const Ids kInicio = {"StartEvent_Inicio",          "A01_AnalizarCaracterizacion",
                     "A02_IdentificarNecesidades", "A03_ClasificarEstablecimiento",
                     "A03_DefinirEstrategiaAT",    "A04_RevisarAlineacionPAM",
                     "A04_GW_EstrategiaAlineada"};
const Ids kAccion = {"A04_EjecutarAccionMejoramiento", "A04_RevisarAlineacionPAM",
                     "A04_GW_EstrategiaAlineada"};
const Ids kEntrada = {"SP_AcompanamientoEjecucion", "SP_Inicio"};
const Ids kCiclo = {"A05_ApoyarEjecucionPMI", "A06_EsperarSeguimiento", "A06_HacerSeguimiento",
                    "A06_GW_PeriodoCumplido"};
const Ids kEvaluacionYVerificacion = {"SP_Fin",
                                      "A07_RegistrarEvaluacionEE",
                                      "A07_ConsolidarEvaluacion",
                                      "A07_RevisarEvaluacionAT",
                                      "A08_VerificarCumplimientoAT",
                                      "A08_GW_Desviaciones"};
const Ids kTratamientoYVerificacion = {"A08_TratarDesviaciones", "A08_VerificarCumplimientoAT",
                                       "A08_GW_Desviaciones"};
const Ids kInformacionYRevisionIv = {"A09_GenerarInformacion", "A10_ReportarEEInspeccionVigilancia",
                                     "A10_GW_Irregularidades"};

Ids concat(std::initializer_list<Ids> pieces) {
  Ids out;
  for (const Ids& piece : pieces) out.insert(out.end(), piece.begin(), piece.end());
  return out;
}

// Activity 3's rule, from the CSV row alone (domain-notes.md §4, the SE's default low
// categories C and D): what the instance must end with.
struct Clasificacion {
  std::string tipo;
  std::string motivo_prefix;
};
Clasificacion expected_clasificacion(const handlers::d02_03::School& s) {
  if (s.sector == "OFICIAL") {
    const bool baja = s.categoria_saber == "C" || s.categoria_saber == "D";
    if (baja) {
      return {"integral", "Sector oficial con bajo desempeño en las pruebas SABER: categoría " +
                              s.categoria_saber + " (el SE cuenta como bajas: C, D)"};
    }
    return {"puntual", "Sector oficial con categoría SABER " + s.categoria_saber +
                           ", que el SE no cuenta como baja (bajas: C, D)"};
  }
  if (s.regimen == "REGIMEN_CONTROLADO") {
    return {"integral",
            "Sector no oficial clasificado en Régimen Controlado en su evaluación institucional"};
  }
  return {"puntual", "Sector no oficial en régimen " + s.regimen};
}

// ---------------------------------------------------------------------------------------------
// The SE of the scenario

class D0203Period : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("pmiflow-period-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = (dir_ / "pmiflow.db").string();
    persistence::SqliteOptions options;
    options.durability = persistence::SqliteOptions::Durability::kFast;
    auto store = persistence::SqliteStore::open(db_, options);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    handlers::d02_03::register_handlers(registry_, handlers::d02_03::Settings{});
    engine_ = std::make_unique<Engine>(*store_, *store_, *store_, registry_, clock_);
    const std::string definitions = std::string(PMIFLOW_SOURCE_DIR) + "/process-definitions/";
    auto deployed =
        cli::deploy_file(*engine_, definitions + "d02_03_apoyar_gestion_pmi.bpmn");  // + forms
    ASSERT_TRUE(deployed.ok()) << deployed.error().message;
    for (const auto& [element, form_id] : form_of()) {
      const std::string file = definitions + "forms/" + form_id + ".form";
      auto form = Form::parse(Json::parse(read_text(file)), file);
      ASSERT_TRUE(form.ok()) << form.error().message;
      ASSERT_EQ(form->id(), form_id);
      forms_.emplace(element, std::move(*form));
    }
  }
  void TearDown() override {
    engine_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // The rows of `csv` checked with the process's registered start-data validator.
  std::vector<handlers::d02_03::SchoolRow> read_rows(const std::string& csv) {
    auto rows = handlers::d02_03::read_period_csv(registry_, kProcessKey, kPeriodo, csv);
    EXPECT_TRUE(rows.ok()) << rows.error().message;
    return rows.ok() ? *rows : std::vector<handlers::d02_03::SchoolRow>{};
  }

  // When: `actor` completes the only open task of the instance, which must be at `element`,
  // with `vars`, which must satisfy the task's form.
  void completa(std::int64_t id, const std::string& element, const Actor& actor,
                const Variables& vars) {
    clock_.advance(kStepMs);
    auto state = engine_->snapshot(id);
    ASSERT_TRUE(state.ok()) << state.error().message;
    ASSERT_EQ((*state)->tasks.size(), 1U) << "instance " << id << " at " << element;
    const runtime::UserTask& task = (*state)->tasks.begin()->second;
    ASSERT_EQ(task.element_id, element) << "instance " << id;
    auto form = forms_.find(element);
    ASSERT_NE(form, forms_.end()) << element << " has no form";
    // Once the definition links its forms, each task names the form checked here.
    if (!task.form.empty()) {
      EXPECT_EQ(task.form, form->second.id());
    }
    const std::vector<FieldError> errors = form->second.check(vars, (*state)->variables);
    EXPECT_TRUE(errors.empty()) << element << ": " << join_field_errors(errors);
    auto done = engine_->complete_task(task.id, actor, vars);
    ASSERT_TRUE(done.ok()) << element << ": " << done.error().message;
  }

  // Activities 1 to 3: the school's characterization analysed, its needs, the strategy.
  void planea_la_asistencia(std::int64_t id) {
    completa(id, "A01_AnalizarCaracterizacion", kProfesional, kAnalisis);
    completa(id, "A02_IdentificarNecesidades", kProfesional, kNecesidades);
    completa(id, "A03_DefinirEstrategiaAT", kProfesional, kEstrategia);
  }

  // The ordinary path: aligned at once, one support cycle, no deviation, no irregularity. In
  // steps: up to the first support (activity 5), then, once its follow-up is due, to the end.
  void acompana_sin_novedades(std::int64_t id, int paso) {
    if (paso == 0) {
      planea_la_asistencia(id);
      completa(id, "A04_RevisarAlineacionPAM", kLider, kAlineada);
      completa(id, "A05_ApoyarEjecucionPMI", kProfesional, apoyo(1));
    } else if (paso == 1) {
      completa(id, "A06_HacerSeguimiento", kProfesional, seguimiento(true, 0));
      completa(id, "A07_RegistrarEvaluacionEE", kEstablecimiento, kEvaluacion);
      completa(id, "A07_RevisarEvaluacionAT", kLider, kRevisionEvaluacion);
      completa(id, "A08_VerificarCumplimientoAT", kLider, kSinDesviaciones);
      completa(id, "A10_ReportarEEInspeccionVigilancia", kLider, kSinIrregularidades);
    }
  }

  // Every loop: not aligned at first; two support cycles (a month apart); deviations at the
  // first verification; irregularities persist, so activity 10 fills an F01.03.F02 entry.
  void acompana_con_todos_los_ciclos(std::int64_t id, int paso) {
    if (paso == 0) {
      planea_la_asistencia(id);
      completa(id, "A04_RevisarAlineacionPAM", kLider, kNoAlineada);
      completa(id, "A04_EjecutarAccionMejoramiento", kProfesional, kAccionEjecutada);
      completa(id, "A04_RevisarAlineacionPAM", kLider, kAlineada);
      completa(id, "A05_ApoyarEjecucionPMI", kProfesional, apoyo(1));
    } else if (paso == 1) {
      completa(id, "A06_HacerSeguimiento", kProfesional, seguimiento(false, 2));
      completa(id, "A05_ApoyarEjecucionPMI", kProfesional, apoyo(2));
    } else if (paso == 2) {
      completa(id, "A06_HacerSeguimiento", kProfesional, seguimiento(false, 0));
      completa(id, "A07_RegistrarEvaluacionEE", kEstablecimiento, kEvaluacion);
      completa(id, "A07_RevisarEvaluacionAT", kLider, kRevisionEvaluacion);
      completa(id, "A08_VerificarCumplimientoAT", kLider, kConDesviaciones);
      completa(id, "A08_TratarDesviaciones", kLider, kTratamiento);
      completa(id, "A08_VerificarCumplimientoAT", kLider, kSinDesviaciones);
      completa(id, "A10_ReportarEEInspeccionVigilancia", kLider, kConIrregularidades);
    }
  }

  // A month passes (the simulated clock of `pmiflow run --clock simulated`): every timer due
  // by then fires, in order; returns how many.
  std::size_t pasa_un_mes() {
    auto fired = app::fire_due_timers(*engine_, *store_, clock_.now_ms() + 31 * kDayMs, &clock_);
    EXPECT_TRUE(fired.ok()) << fired.error().message;
    return fired.ok() ? static_cast<std::size_t>(fired->fired) : 0;
  }

  // What the log says: a payload field of the events of one type, in order.
  Ids payloads(std::int64_t id, EventType type, const char* field) {
    auto events = store_->events(id, 1, INT64_MAX);
    EXPECT_TRUE(events.ok());
    Ids out;
    if (!events.ok()) return out;
    for (const auto& e : *events) {
      if (e.type() == type) {
        out.push_back(runtime::payload_json(e).at(field).get<std::string>());
      }
    }
    return out;
  }
  Ids actividades(std::int64_t id) { return payloads(id, EventType::kElementActivated, "element"); }
  Ids decisiones(std::int64_t id) { return payloads(id, EventType::kDecisionTaken, "flow"); }
  Ids registros(std::int64_t id) { return payloads(id, EventType::kRecordWritten, "record"); }

  Variables variables(std::int64_t id) {
    auto vars = store_->variables(id);
    EXPECT_TRUE(vars.ok());
    return vars.ok() ? *vars : Variables{};
  }

  // `pmiflow report KIND --period 2026 --format json`: its rows.
  Json reporte(const std::string& kind) {
    std::ostringstream out;
    std::ostringstream err;
    cli::ReportArgs args;
    args.kind = kind;
    args.period = kPeriodo;
    args.format = "json";
    const int rc = cli::cmd_report(cli::Common{db_, false}, args, out, err);
    EXPECT_EQ(rc, cli::kExitOk) << err.str();
    Json report = Json::parse(out.str(), nullptr, false);
    EXPECT_FALSE(report.is_discarded()) << out.str();
    if (report.is_discarded()) return Json::array();
    EXPECT_EQ(report["report"], kind);
    EXPECT_EQ(report["periodo"], kPeriodo);
    return report["filas"];
  }
  // The report's rows of one school, in order.
  Json filas_de(const Json& filas, const std::string& dane) {
    Json out = Json::array();
    for (const Json& f : filas) {
      if (f.value("codigo_dane", "") == dane) out.push_back(f);
    }
    return out;
  }

  // `pmiflow summary --period 2026 --json`.
  Json resumen() {
    std::ostringstream out;
    std::ostringstream err;
    const int rc =
        cli::cmd_summary(cli::Common{db_, true}, cli::SummaryArgs{kPeriodo, {}}, out, err);
    EXPECT_EQ(rc, cli::kExitOk) << err.str();
    return Json::parse(out.str(), nullptr, false);
  }

  std::filesystem::path dir_;
  std::string db_;
  std::unique_ptr<persistence::SqliteStore> store_;
  HandlerRegistry registry_;
  ManualClock clock_{kT0};
  std::unique_ptr<Engine> engine_;
  std::map<std::string, Form> forms_;
};

TEST_F(D0203Period, AWholePeriodOfAGeneratedJurisdiction) {
  // Given a jurisdiction of 30 schools with every case of activity 3's rule.
  auto schools = handlers::d02_03::generate_jurisdiction(kSchools, kSeed, kEtc);
  ASSERT_TRUE(schools.ok()) << schools.error().message;
  std::map<std::string, int> casos;
  for (const handlers::d02_03::School& s : *schools) {
    ++casos[s.sector + " " + expected_clasificacion(s).tipo +
            (s.sector == "NO_OFICIAL" ? ""
                                      : (s.categoria_saber == "SIN_CLASIFICAR" ? " sin" : ""))];
  }
  for (const char* caso : {"OFICIAL integral", "OFICIAL puntual", "OFICIAL puntual sin",
                           "NO_OFICIAL integral", "NO_OFICIAL puntual"}) {
    ASSERT_GT(casos[caso], 0) << caso << " is missing from the jurisdiction: pick another seed";
  }

  // When the SE starts the period from the jurisdiction's CSV.
  const std::vector<handlers::d02_03::SchoolRow> rows =
      read_rows(handlers::d02_03::to_csv(*schools));
  ASSERT_EQ(rows.size(), schools->size());
  for (const handlers::d02_03::SchoolRow& row : rows)
    EXPECT_TRUE(row.errors.empty()) << describe_row_errors(row);
  auto started = handlers::d02_03::start_rows(*engine_, kProcessKey, kPeriodo, rows,
                                              Actor::user("p.gomez", "profesional_mejoramiento"));
  ASSERT_TRUE(started.ok()) << started.error().message;
  ASSERT_EQ(started->size(), schools->size());
  std::map<std::string, std::int64_t> instance_of;  // codigo_dane -> instance
  for (std::size_t i = 0; i < started->size(); ++i) {
    const handlers::d02_03::RowOutcome& o = (*started)[i];
    EXPECT_TRUE(o.errors.empty());
    EXPECT_TRUE(o.created) << o.codigo_dane;
    EXPECT_EQ(o.line, static_cast<int>(i) + 2);
    EXPECT_EQ(o.codigo_dane, (*schools)[i].codigo_dane);
    instance_of[o.codigo_dane] = o.instance_id;
  }
  ASSERT_EQ(instance_of.size(), schools->size()) << "one instance per school";

  // Then every school waits at activity 1, for the profesional de mejoramiento.
  Json al_inicio = resumen();
  EXPECT_EQ(al_inicio["instances"], kSchools);
  ASSERT_EQ(al_inicio["activities"].size(), 1U) << al_inicio;
  EXPECT_EQ(al_inicio["activities"][0]["element_id"], "A01_AnalizarCaracterizacion");
  EXPECT_EQ(al_inicio["activities"][0]["instances"], kSchools);
  ASSERT_EQ(al_inicio["roles"].size(), 1U) << al_inicio;
  EXPECT_EQ(al_inicio["roles"][0]["role"], "profesional_mejoramiento");
  EXPECT_EQ(al_inicio["roles"][0]["open_tasks"], kSchools);

  // And starting the same CSV again creates nothing.
  const std::size_t events_before = store_->events(1, 1, INT64_MAX)->size();
  auto again = handlers::d02_03::start_rows(*engine_, kProcessKey, kPeriodo, rows,
                                            Actor::user("p.gomez", "profesional_mejoramiento"));
  ASSERT_TRUE(again.ok()) << again.error().message;
  for (const handlers::d02_03::RowOutcome& o : *again) {
    EXPECT_FALSE(o.created) << o.codigo_dane;
    EXPECT_EQ(o.instance_id, instance_of[o.codigo_dane]);
  }
  EXPECT_EQ(store_->events(1, 1, INT64_MAX)->size(), events_before);

  // When the first official school with low Saber results goes through every loop, and every
  // other school takes the ordinary path.
  const handlers::d02_03::School* ciclos = nullptr;
  for (const handlers::d02_03::School& s : *schools) {
    if (ciclos == nullptr && s.sector == "OFICIAL" &&
        expected_clasificacion(s).tipo == "integral") {
      ciclos = &s;
    }
  }
  ASSERT_NE(ciclos, nullptr);
  // Month by month: each month the follow-ups that came due arrive (one per school whose
  // support is done), and the SE's people answer what is open.
  for (int paso = 0; paso < 3; ++paso) {
    if (paso > 0) {
      EXPECT_EQ(pasa_un_mes(), paso == 1 ? static_cast<std::size_t>(kSchools) : 1U)
          << "follow-ups due in month " << paso;
    }
    for (const handlers::d02_03::School& s : *schools) {
      SCOPED_TRACE(s.codigo_dane + " step " + std::to_string(paso));
      if (&s == ciclos) {
        acompana_con_todos_los_ciclos(instance_of[s.codigo_dane], paso);
      } else {
        acompana_sin_novedades(instance_of[s.codigo_dane], paso);
      }
    }
  }

  // Then every instance ended without incident, classified by the rule.
  for (const handlers::d02_03::School& s : *schools) {
    SCOPED_TRACE(s.codigo_dane + " " + s.sector + " " + s.categoria_saber + " " + s.regimen);
    const std::int64_t id = instance_of[s.codigo_dane];
    auto state = engine_->state(id);
    ASSERT_TRUE(state.ok());
    EXPECT_EQ(state->status, InstanceStatus::kCompleted);
    EXPECT_TRUE(state->incidents.empty());
    const Variables vars = variables(id);
    const Clasificacion expected = expected_clasificacion(s);
    EXPECT_EQ(vars.at("tipo_acompanamiento"), expected.tipo);
    EXPECT_EQ(vars.at("motivo_clasificacion"), expected.motivo_prefix);
    // The row's data reached the instance as given.
    EXPECT_EQ(vars.at("nombre"), s.nombre);
    EXPECT_EQ(vars.at("municipio"), s.municipio);
    EXPECT_EQ(vars.at("etc"), s.etc);
    EXPECT_EQ(vars.at("periodo"), kPeriodo);
    if (&s == ciclos) continue;
    EXPECT_EQ(actividades(id), concat({kInicio,
                                       kEntrada,
                                       kCiclo,
                                       kEvaluacionYVerificacion,
                                       kInformacionYRevisionIv,
                                       {"EndEvent_SinReporte"}}));
    EXPECT_EQ(decisiones(id), (Ids{"Flow_A04_Alineada", "Flow_A06_Continuar",
                                   "Flow_A08_SinDesviaciones", "Flow_A10_SinIrregularidades"}));
    EXPECT_EQ(registros(id),
              (Ids{"programacion", "revision", "seguimiento", "evaluacion", "caracterizacion"}));
    EXPECT_EQ(vars.count("reporte_irregularidades"), 0U);
  }

  // And the school with every loop went through each of them, in order.
  const std::int64_t id = instance_of[ciclos->codigo_dane];
  EXPECT_EQ(actividades(id), concat({kInicio,
                                     kAccion,
                                     kEntrada,
                                     kCiclo,
                                     kCiclo,
                                     kEvaluacionYVerificacion,
                                     kTratamientoYVerificacion,
                                     kInformacionYRevisionIv,
                                     {"A10_DiligenciarF0103F02", "EndEvent_ReportadoIV"}}));
  EXPECT_EQ(decisiones(id), (Ids{"Flow_A04_NoAlineada", "Flow_A04_Alineada", "Flow_A06_VolverA05",
                                 "Flow_A06_Continuar", "Flow_A08_ConDesviaciones",
                                 "Flow_A08_SinDesviaciones", "Flow_A10_ConIrregularidades"}));
  EXPECT_EQ(registros(id),
            (Ids{"programacion", "revision", "seguimiento", "revision", "seguimiento", "evaluacion",
                 "caracterizacion", "irregularidades"}));

  // And the summary shows the period closed: nothing active, nothing to do.
  Json al_final = resumen();
  EXPECT_EQ(al_final["states"]["completed"], kSchools);
  EXPECT_EQ(al_final["states"]["active"], 0);
  EXPECT_EQ(al_final["activities"], Json::array());
  EXPECT_EQ(al_final["roles"], Json::array());

  // And each report has a row per record, and the school's rows hold, field by field, what
  // was answered and computed.
  const std::string dane = ciclos->codigo_dane;
  const Json escuela = {{"codigo_dane", dane},
                        {"nombre", ciclos->nombre},
                        {"municipio", ciclos->municipio},
                        {"etc", ciclos->etc},
                        {"sector", "OFICIAL"}};
  auto school_field = [&](const char* name) { return escuela.at(name); };

  {
    SCOPED_TRACE("programacion");
    const Json filas = reporte("programacion");
    EXPECT_EQ(filas.size(), static_cast<std::size_t>(kSchools));
    const Json mias = filas_de(filas, dane);
    ASSERT_EQ(mias.size(), 1U);
    const Json expected = {{"codigo_dane", dane},
                           {"nombre", school_field("nombre")},
                           {"municipio", school_field("municipio")},
                           {"etc", school_field("etc")},
                           {"sector", "OFICIAL"},
                           {"tipo_acompanamiento", "integral"},
                           {"cronograma", kEstrategia.at("cronograma")},
                           {"responsables", kEstrategia.at("responsables")},
                           {"metodos", kEstrategia.at("metodos")},
                           {"recursos", kEstrategia.at("recursos")},
                           {"responsable", "tecnico_calidad"},
                           {"fecha", kFecha}};
    EXPECT_EQ(mias[0], expected);
  }
  {
    SCOPED_TRACE("revision");
    const Json filas = reporte("revision");
    EXPECT_EQ(filas.size(), static_cast<std::size_t>(kSchools + 1));
    const Json mias = filas_de(filas, dane);
    ASSERT_EQ(mias.size(), 2U);
    for (int ciclo = 1; ciclo <= 2; ++ciclo) {
      const Json expected = {{"codigo_dane", dane},
                             {"nombre", school_field("nombre")},
                             {"etc", school_field("etc")},
                             {"ciclo", ciclo},
                             {"registro", Json(apoyo(ciclo))},
                             {"responsable", "tecnico_calidad"},
                             {"fecha", ciclo == 1 ? kFecha : kFechaMes1}};
      EXPECT_EQ(mias[static_cast<std::size_t>(ciclo - 1)], expected) << "ciclo " << ciclo;
    }
  }
  {
    SCOPED_TRACE("seguimiento");
    const Json filas = reporte("seguimiento");
    EXPECT_EQ(filas.size(), static_cast<std::size_t>(kSchools + 1));
    const Json mias = filas_de(filas, dane);
    ASSERT_EQ(mias.size(), 2U);
    const int pendientes[] = {2, 0};
    for (int ciclo = 1; ciclo <= 2; ++ciclo) {
      const Json expected = {{"codigo_dane", dane},
                             {"nombre", school_field("nombre")},
                             {"etc", school_field("etc")},
                             {"ciclo", ciclo},
                             {"periodo_cumplido", false},
                             {"actividades_pendientes", pendientes[ciclo - 1]},
                             {"responsable", "tecnico_calidad"},
                             {"fecha", ciclo == 1 ? kFechaMes1 : kFechaMes2}};
      EXPECT_EQ(mias[static_cast<std::size_t>(ciclo - 1)], expected) << "ciclo " << ciclo;
    }
  }
  {
    SCOPED_TRACE("evaluacion");
    const Json filas = reporte("evaluacion");
    EXPECT_EQ(filas.size(), static_cast<std::size_t>(kSchools));
    const Json mias = filas_de(filas, dane);
    ASSERT_EQ(mias.size(), 1U);
    // Scores 4, 3, 2: mean 3.0, below the SE's default threshold 3.5; one objective of two met.
    const Json expected = {{"codigo_dane", dane},
                           {"nombre", school_field("nombre")},
                           {"etc", school_field("etc")},
                           {"estado", "evaluada"},
                           {"promedio_general", 3.0},
                           {"porcentaje_objetivos_cumplidos", 50.0},
                           {"bajo_umbral", true},
                           {"respuestas", 3},
                           {"responsable", "tecnico_calidad"},
                           {"fecha", kFechaMes2}};
    EXPECT_EQ(mias[0], expected);
  }
  {
    SCOPED_TRACE("irregularidades");
    const Json filas = reporte("irregularidades");
    ASSERT_EQ(filas.size(), 1U) << "only the school with persistent irregularities";
    const Json expected = {{"consecutivo", "F01.03.F02-2026-" + dane},
                           {"fecha", kFechaMes2},
                           {"codigo_dane", dane},
                           {"nombre", school_field("nombre")},
                           {"sector", "OFICIAL"},
                           {"municipio", school_field("municipio")},
                           {"etc", school_field("etc")},
                           {"tipo_irregularidad", "PEI"},
                           {"descripcion_hechos", kConIrregularidades.at("descripcion_hechos")},
                           {"norma_presuntamente_vulnerada", "Decreto 1075 de 2015"},
                           {"dependencia_reporta", "Calidad Educativa (D02.03)"},
                           {"funcionario_reporta", "Líder de Calidad Educativa"}};
    EXPECT_EQ(filas[0], expected);
  }
  {
    SCOPED_TRACE("caracterizacion");
    const Json filas = reporte("caracterizacion");
    EXPECT_EQ(filas.size(), static_cast<std::size_t>(kSchools));
    const Json mias = filas_de(filas, dane);
    ASSERT_EQ(mias.size(), 1U);
    const Json expected = {{"codigo_dane", dane},
                           {"nombre", school_field("nombre")},
                           {"etc", school_field("etc")},
                           {"sector", "OFICIAL"},
                           {"tipo_acompanamiento", "integral"},
                           {"motivo_clasificacion", expected_clasificacion(*ciclos).motivo_prefix},
                           {"ciclos_apoyo", 2},
                           {"seguimientos", 2},
                           {"revisiones_alineacion", 2},
                           {"desviaciones_tratadas", 1},
                           {"evaluacion", "evaluada"},
                           {"fecha", kFechaMes2}};
    EXPECT_EQ(mias[0], expected);
    // Every school's row carries its own classification.
    for (const handlers::d02_03::School& s : *schools) {
      const Json fila = filas_de(filas, s.codigo_dane);
      ASSERT_EQ(fila.size(), 1U) << s.codigo_dane;
      EXPECT_EQ(fila[0]["tipo_acompanamiento"], expected_clasificacion(s).tipo) << s.codigo_dane;
      EXPECT_EQ(fila[0]["ciclos_apoyo"], &s == ciclos ? 2 : 1) << s.codigo_dane;
    }
  }
}

// Engine::start checks the data contract before it writes anything, whoever calls it.
TEST_F(D0203Period, StartDataThatBreaksTheContractIsRefusedAndNothingIsWritten) {
  const Variables good = {{"codigo_dane", "305001000123"},
                          {"periodo", kPeriodo},
                          {"nombre", "Colegio Los Andes"},
                          {"municipio", "Medellín"},
                          {"etc", "Medellín"},
                          {"sector", "NO_OFICIAL"},
                          {"categoria_saber", "B"},
                          {"regimen", "LIBERTAD_VIGILADA"}};
  // As D02.03 starts the school's instance, but with the variables as given (start_request
  // would write codigo_dane and periodo over them).
  auto request = [&](const Variables& vars) {
    return StartRequest{
        BusinessKey{kProcessKey, handlers::d02_03::business_id("305001000123", kPeriodo)},
        handlers::d02_03::period_tags(kPeriodo, "305001000123"), vars, kProfesional};
  };
  struct Case {
    const char* what;
    Variables vars;
    Ids fields;
  };
  auto with = [&](std::initializer_list<std::pair<const char*, Json>> changes) {
    Variables v = good;
    for (const auto& [name, value] : changes) {
      if (value.is_null()) {
        v.erase(name);
      } else {
        v[name] = value;
      }
    }
    return v;
  };
  const std::vector<Case> cases = {
      {"no régimen for a private school", with({{"regimen", nullptr}}), {"regimen"}},
      {"unknown sector and category",
       with({{"sector", "PRIVADO"}, {"categoria_saber", "E"}}),
       {"sector", "categoria_saber"}},
      {"blank nombre, no municipio",
       with({{"nombre", "  "}, {"municipio", nullptr}}),
       {"nombre", "municipio"}},
      {"another school's código DANE", with({{"codigo_dane", "305001000999"}}), {"codigo_dane"}},
      {"another period", with({{"periodo", "2027"}}), {"periodo"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Ids fields;
    for (const FieldError& e : registry_.start_data_errors(request(c.vars))) {
      fields.push_back(e.field);
    }
    EXPECT_EQ(fields, c.fields);
    auto started = engine_->start(request(c.vars));
    ASSERT_FALSE(started.ok());
    EXPECT_EQ(started.error().code, ErrorCode::kValidation);
    for (const std::string& field : c.fields) {
      EXPECT_NE(started.error().message.find("\n  " + field + ": "), std::string::npos)
          << started.error().message;
    }
    EXPECT_TRUE(store_->instances(InstanceQuery{})->empty());
  }
  auto started = engine_->start(request(good));
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_TRUE(started->created);
}

}  // namespace
}  // namespace pmiflow
