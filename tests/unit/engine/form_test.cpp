// Form: parsing form-js schemas and checking task submissions against them, first on the
// shipped D02.03 forms (process-definitions/forms/), then on small forms that pin each rule.

#include "engine/model/form.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace pmiflow {
namespace {

const std::string kFormsDir = std::string(PMIFLOW_SOURCE_DIR) + "/process-definitions/forms/";

Json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return Json::parse(text, nullptr, /*allow_exceptions=*/false);
}

Form shipped(const std::string& id) {
  const std::string path = kFormsDir + id + ".form";
  auto form = Form::parse(read_json(path), path);
  if (!form.ok()) {
    ADD_FAILURE() << form.error().message;
    return Form::parse(Json{{"type", "default"}, {"id", "empty"}, {"components", Json::array()}},
                       "empty")
        .value();
  }
  return *form;
}

Form inline_form(const Json& components) {
  auto form = Form::parse(Json{{"type", "default"}, {"id", "f"}, {"components", components}}, "f");
  if (!form.ok()) {
    ADD_FAILURE() << form.error().message;
    return Form::parse(Json{{"type", "default"}, {"id", "empty"}, {"components", Json::array()}},
                       "empty")
        .value();
  }
  return *form;
}

std::string parse_error(const Json& components) {
  auto form = Form::parse(Json{{"type", "default"}, {"id", "f"}, {"components", components}},
                          "forms/f.form");
  return form.ok() ? std::string("(parsed)") : form.error().message;
}

std::vector<std::string> fields(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const FieldError& e : errors) out.push_back(e.field);
  return out;
}

std::string messages(const std::vector<FieldError>& errors) {
  return join_field_errors(errors);
}

// Success when `form` accepts the submission; otherwise the errors, joined.
::testing::AssertionResult accepts(const Form& form, const Variables& submitted,
                                   const Variables& instance = {}) {
  auto errors = form.check(submitted, instance);
  if (errors.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << form.id() << ": " << messages(errors);
}

// The user task ids of the D02.03 definition and their forms.
const std::vector<std::pair<std::string, std::string>> kTaskForms = {
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

// ---------------------------------------------------------------------------------------------
// The shipped forms

// The forms of the SE-wide user tasks of the SE's process (d02_03_apoyar_gestion_pmi_se.bpmn);
// its school's process uses the school forms above.
const std::vector<std::pair<std::string, std::string>> kSeTaskForms = {
    {"A01_AnalizarCaracterizacion", "form_se_a01_analizar_caracterizacion"},
    {"A02_IdentificarNecesidades", "form_se_a02_identificar_necesidades"},
    {"A03_DefinirEstrategiaAT", "form_se_a03_definir_estrategia_at"},
    {"A04_RevisarAlineacionPAM", "form_se_a04_revisar_alineacion_pam"},
    {"A04_EjecutarAccionMejoramiento", "form_se_a04_ejecutar_accion_mejoramiento"},
    {"A07_RevisarEvaluacionAT", "form_se_a07_revisar_evaluacion_at"},
    {"A08_VerificarCumplimientoAT", "form_se_a08_verificar_cumplimiento_at"},
    {"A08_TratarDesviaciones", "form_se_a08_tratar_desviaciones"},
    {"A10_ReportarEEInspeccionVigilancia", "form_se_a10_reportar_ee_inspeccion_vigilancia"},
};

TEST(ShippedForms, OneFormPerUserTaskAndNothingElse) {
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kFormsDir)) {
    if (entry.path().extension() == ".form") files.insert(entry.path().stem().string());
  }
  std::set<std::string> expected;
  for (const auto* forms : {&kTaskForms, &kSeTaskForms}) {
    for (const auto& [task, form] : *forms) expected.insert(form);
  }
  EXPECT_EQ(files, expected);
}

TEST(ShippedForms, EachParsesAndItsIdIsItsFileName) {
  for (const auto& [task, id] : kTaskForms) {
    const std::string path = kFormsDir + id + ".form";
    const Json json = read_json(path);
    ASSERT_FALSE(json.is_discarded()) << path << " is not JSON";
    auto form = Form::parse(json, path);
    ASSERT_TRUE(form.ok()) << form.error().message;
    EXPECT_EQ(form->id(), id);
    EXPECT_EQ(form->json(), json);
    EXPECT_EQ(json.value("schemaVersion", 0), 16) << id;
    EXPECT_EQ(json.at("exporter").at("name"), "pmiflow") << id;
  }
}

TEST(ShippedForms, DecisionVariablesKeepTheDataContractNames) {
  auto vars = [](const std::string& id) { return shipped(id).variables(); };
  auto has = [](const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  EXPECT_TRUE(has(vars("form_a04_revisar_alineacion_pam"), "alineada"));
  EXPECT_TRUE(has(vars("form_a06_hacer_seguimiento"), "periodo_cumplido"));
  EXPECT_TRUE(has(vars("form_a06_hacer_seguimiento"), "actividades_pendientes"));
  EXPECT_TRUE(has(vars("form_a08_verificar_cumplimiento_at"), "desviaciones"));
  EXPECT_TRUE(has(vars("form_a10_reportar_ee_inspeccion_vigilancia"), "irregularidades_persisten"));
  // What the handlers read.
  EXPECT_TRUE(has(vars("form_a07_registrar_evaluacion_ee"), "evaluacion_ee"));
  EXPECT_TRUE(has(vars("form_a07_registrar_evaluacion_ee"), "evaluacion_registrada"));
  EXPECT_TRUE(has(vars("form_a08_tratar_desviaciones"), "tratamiento_desviacion"));
  for (const char* name : {"descripcion_hechos", "norma_presuntamente_vulnerada",
                           "tipo_irregularidad", "evidencias", "reportado_por"}) {
    EXPECT_TRUE(has(vars("form_a10_reportar_ee_inspeccion_vigilancia"), name)) << name;
  }
}

TEST(ShippedForms, A01AcceptsTheAnalysisAndRequiresIt) {
  Form form = shipped("form_a01_analizar_caracterizacion");
  EXPECT_TRUE(
      accepts(form, (Variables{{"analisis_caracterizacion", "Resultados D01.03 revisados"}})));
  EXPECT_TRUE(
      accepts(form, (Variables{{"analisis_caracterizacion", "Revisado"},
                               {"fuentes_analizadas", Json::array({"D01.03", "D01.04", "D02.05"})},
                               {"necesidades_asistencia_tecnica", ""}})));
  auto errors = form.check({{"analisis_caracterizacion", "  "}}, {});
  EXPECT_EQ(fields(errors), std::vector<std::string>{"analisis_caracterizacion"});
  errors = form.check(
      {{"analisis_caracterizacion", "ok"}, {"fuentes_analizadas", Json::array({"D09.99"})}}, {});
  ASSERT_EQ(fields(errors), std::vector<std::string>{"fuentes_analizadas[0]"});
  EXPECT_NE(errors[0].message.find("found string \"D09.99\""), std::string::npos)
      << errors[0].message;
}

TEST(ShippedForms, A02NeedsAreAListWithTheirOrigin) {
  Form form = shipped("form_a02_identificar_necesidades");
  EXPECT_TRUE(
      accepts(form, (Variables{{"necesidades_apoyo",
                                Json::array({{{"necesidad", "Seguimiento a indicadores del PMI"},
                                              {"origen", "ANALISIS_CARACTERIZACION"}},
                                             {{"necesidad", "Ajuste del PMI"},
                                              {"origen", "SIGCE_PAM"},
                                              {"area_gestion", "ACADEMICA"}}})}})));
  EXPECT_EQ(fields(form.check({}, {})), std::vector<std::string>{"necesidades_apoyo"});
  EXPECT_EQ(fields(form.check({{"necesidades_apoyo", Json::array()}}, {})),
            std::vector<std::string>{"necesidades_apoyo"});
  // The shape the demo autopilot sends today: a list of strings.
  auto errors =
      form.check({{"necesidades_apoyo", Json::array({"Seguimiento a indicadores del PMI"})}}, {});
  ASSERT_EQ(fields(errors), std::vector<std::string>{"necesidades_apoyo[0]"});
  EXPECT_EQ(errors[0].message,
            "necesidades_apoyo[0]: expected an object, found string \"Seguimiento a indicadores "
            "del PMI\"");
  errors = form.check(
      {{"necesidades_apoyo", Json::array({{{"necesidad", "x"}, {"origen", "CORREO"}}})}}, {});
  EXPECT_EQ(fields(errors), std::vector<std::string>{"necesidades_apoyo[0].origen"});
}

Variables a03_valid() {
  return {{"cronograma",
           Json::array(
               {{{"actividad", "Visita de acompañamiento"}, {"mes", 3}},
                {{"actividad", "Taller de seguimiento"}, {"mes", 6}, {"fecha", "2026-06-15"}}})},
          {"responsables",
           Json::array({{{"nombre", "Ana Pérez"}, {"cargo", "PROFESIONAL_MEJORAMIENTO"}}})},
          {"metodos", Json::array({"ASESORIA", "VISITA_SEGUIMIENTO"})},
          {"recursos", "Equipo de Calidad Educativa"},
          {"modalidad", "PRESENCIAL"}};
}

TEST(ShippedForms, A03ProgrammeNeedsScheduleResponsiblesMethodsAndResources) {
  Form form = shipped("form_a03_definir_estrategia_at");
  EXPECT_TRUE(accepts(form, a03_valid()));
  // What the form-js viewer submits for untouched optional fields.
  Variables from_form_js = a03_valid();
  from_form_js["modalidad"] = nullptr;
  from_form_js["requerimientos_capacitacion"] = "";
  from_form_js["cronograma"][0]["fecha"] = nullptr;
  EXPECT_TRUE(accepts(form, from_form_js));

  EXPECT_EQ(fields(form.check({}, {})),
            (std::vector<std::string>{"cronograma", "responsables", "metodos", "recursos"}));

  Variables bad = a03_valid();
  bad["cronograma"][0]["mes"] = 13;
  bad["cronograma"][1]["fecha"] = "2026-02-30";
  bad["metodos"] = Json::array({"ASESORIA", "CHARLA", "ASESORIA"});
  bad["modalidad"] = "A_DISTANCIA";
  auto errors = form.check(bad, {});
  EXPECT_EQ(fields(errors), (std::vector<std::string>{"cronograma[0].mes", "cronograma[1].fecha",
                                                      "metodos[1]", "metodos[2]", "modalidad"}))
      << messages(errors);
  EXPECT_EQ(errors[0].message,
            "cronograma[0].mes: expected an integer >= 1 and <= 12, found number 13");
  EXPECT_EQ(errors[1].message,
            "cronograma[1].fecha: expected a date YYYY-MM-DD, found string \"2026-02-30\"");

  bad = a03_valid();
  bad["cronograma"] = "marzo y junio";
  bad["responsables"] = Json::array({"Profesional de mejoramiento"});
  errors = form.check(bad, {});
  EXPECT_EQ(fields(errors), (std::vector<std::string>{"cronograma", "responsables[0]"}));

  bad = a03_valid();
  bad["cronograma"][0]["lugar"] = "Sede principal";
  errors = form.check(bad, {});
  ASSERT_EQ(fields(errors), std::vector<std::string>{"cronograma[0].lugar"});
  EXPECT_EQ(errors[0].message,
            "cronograma[0].lugar: unknown field: expected only actividad, fecha, mes");
}

TEST(ShippedForms, A04ReviewRequiresTheActionOnlyWhenNotAligned) {
  Form form = shipped("form_a04_revisar_alineacion_pam");
  EXPECT_TRUE(accepts(form, (Variables{{"alineada", true}})));
  EXPECT_TRUE(accepts(form, (Variables{{"alineada", true}, {"observaciones_alineacion", ""}})));
  EXPECT_TRUE(accepts(
      form, (Variables{{"alineada", false},
                       {"accion_mejoramiento", "Incluir la estrategia en la línea 2 del PAM"}})));
  // The second review after an improvement action: the earlier alineada=false in the instance
  // does not matter, the submitted value does.
  EXPECT_TRUE(accepts(form, (Variables{{"alineada", true}}), (Variables{{"alineada", false}})));

  auto errors = form.check({{"alineada", false}}, {});
  ASSERT_EQ(fields(errors), std::vector<std::string>{"accion_mejoramiento"});
  EXPECT_EQ(errors[0].message,
            "accion_mejoramiento: required, expected a non-empty string, found nothing");

  errors = form.check({{"alineada", "si"}}, {});
  ASSERT_EQ(fields(errors), (std::vector<std::string>{"alineada", "accion_mejoramiento"}));
  EXPECT_EQ(errors[0].message, "alineada: expected a boolean (true or false), found string \"si\"");

  errors = form.check({}, {});
  EXPECT_EQ(fields(errors), (std::vector<std::string>{"alineada", "accion_mejoramiento"}));
  EXPECT_EQ(errors[0].message,
            "alineada: required, expected a boolean (true or false), found nothing");

  errors = form.check({{"alineada", true}, {"aliniada", true}}, {});
  ASSERT_EQ(fields(errors), std::vector<std::string>{"aliniada"});
  EXPECT_EQ(errors[0].message,
            "aliniada: unknown variable: form form_a04_revisar_alineacion_pam has no field "
            "aliniada (its fields: accion_mejoramiento, alineada, observaciones_alineacion)");
}

TEST(ShippedForms, A04ImprovementActionRecordsWhetherItWasDone) {
  Form form = shipped("form_a04_ejecutar_accion_mejoramiento");
  EXPECT_TRUE(accepts(form, (Variables{{"accion_mejoramiento_ejecutada", true}})));
  EXPECT_TRUE(accepts(form, (Variables{{"accion_mejoramiento_ejecutada", true},
                                       {"descripcion_accion_ejecutada", "Se incluyó en el PAM"},
                                       {"resultado_accion_mejoramiento", "Estrategia alineada"}})));
  EXPECT_EQ(fields(form.check({}, {})), std::vector<std::string>{"accion_mejoramiento_ejecutada"});
}

TEST(ShippedForms, A05RecordsTheAdviceTheActionsAndTheIndicators) {
  Form form = shipped("form_a05_apoyar_ejecucion_pmi");
  EXPECT_TRUE(accepts(form, (Variables{{"asesorias_realizadas", 2}})));
  EXPECT_TRUE(accepts(
      form,
      (Variables{
          {"asesorias_realizadas", 1},
          {"fecha_asesoria", "2026-04-20"},
          {"enfoques_asesoria", Json::array({"SEGUIMIENTO_PMI", "ACCIONES_CORRECTIVAS"})},
          {"asesoria_brindada", "Revisión de metas del área académica"},
          {"acciones_correctivas_acordadas",
           Json::array({{{"accion", "Reformular la meta 3"},
                         {"responsable", "Coordinación académica"},
                         {"fecha_limite", "2026-05-30"}}})},
          {"indicadores_seguidos",
           Json::array({{{"indicador", "Porcentaje de docentes formados"}, {"avance", 62.5}}})}})));
  auto errors = form.check({{"asesorias_realizadas", 1.5}}, {});
  ASSERT_EQ(fields(errors), std::vector<std::string>{"asesorias_realizadas"});
  EXPECT_EQ(errors[0].message, "asesorias_realizadas: expected an integer, found number 1.5");
  errors = form.check(
      {{"asesorias_realizadas", 1}, {"indicadores_seguidos", Json::array({{{"avance", 120}}})}},
      {});
  EXPECT_EQ(fields(errors), (std::vector<std::string>{"indicadores_seguidos[0].indicador",
                                                      "indicadores_seguidos[0].avance"}));
}

TEST(ShippedForms, A06RequiresBothDecisionVariables) {
  Form form = shipped("form_a06_hacer_seguimiento");
  EXPECT_TRUE(
      accepts(form, (Variables{{"periodo_cumplido", false}, {"actividades_pendientes", 2}})));
  EXPECT_TRUE(
      accepts(form, (Variables{{"periodo_cumplido", true}, {"actividades_pendientes", 0}})));
  EXPECT_TRUE(accepts(
      form, (Variables{{"periodo_cumplido", false},
                       {"actividades_pendientes", 1.0},
                       {"seguimiento_acciones", Json::array({{{"indicador", "Visitas realizadas"},
                                                              {"avance", 50},
                                                              {"estado", "EN_CURSO"}}})},
                       {"fortalezas", "Compromiso del equipo directivo"}})));
  EXPECT_EQ(fields(form.check({{"actividades_pendientes", 2}}, {})),
            std::vector<std::string>{"periodo_cumplido"});
  EXPECT_EQ(fields(form.check({{"periodo_cumplido", true}}, {})),
            std::vector<std::string>{"actividades_pendientes"});
  auto errors = form.check({{"periodo_cumplido", false}, {"actividades_pendientes", -1}}, {});
  ASSERT_EQ(fields(errors), std::vector<std::string>{"actividades_pendientes"});
  EXPECT_EQ(errors[0].message, "actividades_pendientes: expected an integer >= 0, found number -1");
  errors = form.check({{"periodo_cumplido", false}, {"actividades_pendientes", "2"}}, {});
  EXPECT_EQ(errors.at(0).message,
            "actividades_pendientes: expected an integer, found string \"2\"");
}

Json evaluacion(int puntaje) {
  return {
      {"items", Json::array({{{"item", "Pertinencia de la asesoría"}, {"puntaje", 4}},
                             {{"item", "Oportunidad"}, {"puntaje", puntaje}}})},
      {"objetivos", Json::array({{{"objetivo", "Ajustar metas del PMI"}, {"cumplido", true}},
                                 {{"objetivo", "Seguimiento trimestral"}, {"cumplido", false}}})},
      {"observaciones", "Evaluación registrada por el rector"}};
}

TEST(ShippedForms, A07EvaluationIsTheObjectTheHandlerReads) {
  Form form = shipped("form_a07_registrar_evaluacion_ee");
  EXPECT_TRUE(accepts(form, (Variables{{"evaluacion_ee", evaluacion(3)}})));
  EXPECT_TRUE(accepts(
      form, (Variables{{"evaluacion_registrada", true}, {"evaluacion_ee", evaluacion(5)}})));
  // No evaluation by the deadline: the evaluation is hidden, hence not required.
  EXPECT_TRUE(accepts(form, (Variables{{"evaluacion_registrada", false}})));

  EXPECT_EQ(fields(form.check({}, {})), std::vector<std::string>{"evaluacion_ee.items"});
  auto errors = form.check({{"evaluacion_ee", evaluacion(6)}}, {});
  ASSERT_EQ(fields(errors), std::vector<std::string>{"evaluacion_ee.items[1].puntaje"});
  EXPECT_EQ(errors[0].message,
            "evaluacion_ee.items[1].puntaje: expected an integer >= 1 and <= 5, found number 6");

  Json bad = evaluacion(4);
  bad["objetivos"][0]["cumplido"] = "si";
  bad["calificacion_global"] = 5;
  errors = form.check({{"evaluacion_ee", bad}}, {});
  EXPECT_EQ(fields(errors), (std::vector<std::string>{"evaluacion_ee.objetivos[0].cumplido",
                                                      "evaluacion_ee.calificacion_global"}))
      << messages(errors);
  errors = form.check({{"evaluacion_ee", "muy buena"}}, {});
  ASSERT_EQ(fields(errors), std::vector<std::string>{"evaluacion_ee"});
  EXPECT_EQ(errors[0].message, "evaluacion_ee: expected an object, found string \"muy buena\"");
}

TEST(ShippedForms, A07ReviewRequiresTheReview) {
  Form form = shipped("form_a07_revisar_evaluacion_at");
  EXPECT_TRUE(accepts(form,
                      (Variables{{"revision_evaluacion", "Resultados consolidados revisados"}}),
                      (Variables{{"evaluacion_consolidada", {{"estado", "evaluada"}}}})));
  EXPECT_EQ(fields(form.check({{"revision_evaluacion", ""}}, {})),
            std::vector<std::string>{"revision_evaluacion"});
}

TEST(ShippedForms, A08VerificationNamesTheRequirementWhenThereAreDeviations) {
  Form form = shipped("form_a08_verificar_cumplimiento_at");
  EXPECT_TRUE(accepts(form, (Variables{{"desviaciones", false}})));
  EXPECT_TRUE(
      accepts(form, (Variables{{"desviaciones", true},
                               {"requisito_ficha_tecnica", "Oportunidad de la visita programada"},
                               {"descripcion_desviacion", "La visita de marzo no se realizó"}})));
  auto errors = form.check({{"desviaciones", true}}, {});
  ASSERT_EQ(fields(errors), std::vector<std::string>{"requisito_ficha_tecnica"});
  // 1 != true, so the requirement is hidden; only the decision itself is wrong.
  EXPECT_EQ(fields(form.check({{"desviaciones", 1}}, {})),
            std::vector<std::string>{"desviaciones"});
}

TEST(ShippedForms, A08TreatmentNamesN0104OrN0102AndDescribesIt) {
  Form form = shipped("form_a08_tratar_desviaciones");
  EXPECT_TRUE(
      accepts(form, (Variables{{"tipo_tratamiento", Json::array({"N01.04"})},
                               {"tratamiento_desviacion", "Reprogramar la visita no realizada"}})));
  EXPECT_TRUE(accepts(
      form, (Variables{{"tipo_tratamiento", Json::array({"N01.04", "N01.02"})},
                       {"tratamiento_desviacion", "Acción correctiva sobre la programación"},
                       {"fecha_nueva_verificacion", "2026-07-01"}})));
  EXPECT_EQ(fields(form.check({{"tratamiento_desviacion", "N01.04: reprogramar"}}, {})),
            std::vector<std::string>{"tipo_tratamiento"});
  auto errors = form.check({{"tipo_tratamiento", "N01.04"}, {"tratamiento_desviacion", "x"}}, {});
  ASSERT_EQ(fields(errors), std::vector<std::string>{"tipo_tratamiento"});
  EXPECT_EQ(errors[0].message,
            "tipo_tratamiento: expected a list of values, each one of \"N01.04\", \"N01.02\", "
            "found string \"N01.04\"");
}

TEST(ShippedForms, A10ReportFieldsAreRequiredOnlyWhenIrregularitiesPersist) {
  Form form = shipped("form_a10_reportar_ee_inspeccion_vigilancia");
  EXPECT_TRUE(accepts(form, (Variables{{"irregularidades_persisten", false}})));
  const Variables report = {
      {"irregularidades_persisten", true},
      {"descripcion_hechos", "El EE no ha ajustado su PMI tras tres ciclos de acompañamiento"},
      {"tipo_irregularidad", "PEI"},
      {"reportado_por", "Líder de Calidad Educativa"}};
  EXPECT_TRUE(accepts(form, report));
  Variables full = report;
  full["norma_presuntamente_vulnerada"] = "Decreto 1075 de 2015";
  full["evidencias"] = Json::array({"Seguimiento de los PMI", "Evaluación de asesoría"});
  EXPECT_TRUE(accepts(form, full));

  EXPECT_EQ(
      fields(form.check({{"irregularidades_persisten", true}}, {})),
      (std::vector<std::string>{"descripcion_hechos", "tipo_irregularidad", "reportado_por"}));
  Variables bad = report;
  bad["tipo_irregularidad"] = "ACADEMICA";
  bad["evidencias"] = "acta";
  auto errors = form.check(bad, {});
  EXPECT_EQ(fields(errors), (std::vector<std::string>{"tipo_irregularidad", "evidencias"}));
  EXPECT_EQ(errors[0].message,
            "tipo_irregularidad: expected one of \"LEGAL_LICENCIA\", \"PEI\", \"COSTOS_TARIFAS\", "
            "\"CONVIVENCIA\", \"PLANTA\", \"INFORMACION_FALSA\", \"OTRA\", found string "
            "\"ACADEMICA\"");
}

// ---------------------------------------------------------------------------------------------
// Parse errors name the component

TEST(FormParse, RejectsAMalformedRoot) {
  EXPECT_FALSE(Form::parse(Json::array(), "x").ok());
  auto form = Form::parse(Json{{"type", "default"}, {"components", Json::array()}}, "forms/x.form");
  ASSERT_FALSE(form.ok());
  EXPECT_EQ(form.error().code, ErrorCode::kValidation);
  EXPECT_NE(form.error().message.find("forms/x.form: the form: \"id\" must be a non-empty string"),
            std::string::npos)
      << form.error().message;
  form = Form::parse(Json{{"type", "default"}, {"id", "x"}}, "forms/x.form");
  ASSERT_FALSE(form.ok());
  EXPECT_NE(form.error().message.find("\"components\" must be an array"), std::string::npos);
}

TEST(FormParse, NamesTheComponentByIndexAndKey) {
  EXPECT_EQ(parse_error(Json::array(
                {{{"type", "text"}, {"text", "hola"}}, {{"type", "textfeld"}, {"key", "nombre"}}})),
            "forms/f.form: components[1] (key 'nombre'): unknown component type 'textfeld'");
  EXPECT_EQ(parse_error(Json::array({{{"type", "number"}, {"label", "Mes"}}})),
            "forms/f.form: components[0]: a number needs a \"key\" made of identifiers joined by "
            "'.', found nothing");
  EXPECT_EQ(parse_error(Json::array({{{"type", "radio"}, {"key", "alineada"}}})),
            "forms/f.form: components[0] (key 'alineada'): a radio needs exactly one of "
            "\"values\", \"valuesKey\", \"valuesExpression\"");
  EXPECT_EQ(parse_error(Json::array({{{"type", "dynamiclist"}, {"components", Json::array()}}})),
            "forms/f.form: components[0]: a dynamiclist needs a \"path\" (the array variable it "
            "fills)");
  const std::string nested = parse_error(Json::array(
      {{{"type", "group"},
        {"path", "evaluacion_ee"},
        {"components",
         Json::array({{{"type", "number"}, {"key", "puntaje"}, {"decimalDigits", -1}}})}}}));
  EXPECT_EQ(nested,
            "forms/f.form: components[0].components[0] (key 'puntaje'): \"decimalDigits\" must be "
            "a non-negative integer, found number -1");
}

TEST(FormParse, ReportsEveryProblemOnePerLine) {
  const std::string message = parse_error(
      Json::array({{{"type", "textfield"}, {"key", "a"}, {"validate", {{"pattern", "^[0-9]+$"}}}},
                   {{"type", "textfield"}, {"key", "a"}},
                   {{"type", "checkbox"}, {"key", "b"}, {"conditional", {{"hide", "=a = = 1"}}}},
                   {{"type", "number"}, {"key", "c"}, {"serializeToString", true}}}));
  EXPECT_NE(message.find("components[0] (key 'a'): \"validate.pattern\" is not supported"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("forms/f.form: components[1] (key 'a'): binds 'a', which components[0] "
                         "(key 'a') already binds"),
            std::string::npos)
      << message;
  EXPECT_NE(
      message.find("components[2] (key 'b'): \"conditional.hide\" '=a = = 1' does not compile"),
      std::string::npos)
      << message;
  EXPECT_NE(message.find("components[3] (key 'c'): \"serializeToString\" is not supported"),
            std::string::npos)
      << message;
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 3) << message;
}

TEST(FormParse, RejectsKeysThatClashAndRepeatedOptionsAndIds) {
  EXPECT_NE(parse_error(Json::array({{{"type", "textfield"}, {"key", "a"}},
                                     {{"type", "textfield"}, {"key", "a.b"}}}))
                .find("(one is inside the other)"),
            std::string::npos);
  EXPECT_NE(
      parse_error(Json::array({{{"type", "select"},
                                {"key", "s"},
                                {"values", Json::array({{{"label", "A"}, {"value", "A"}},
                                                        {{"label", "A bis"}, {"value", "A"}}})}}}))
          .find("values[1] repeats the value \"A\""),
      std::string::npos);
  EXPECT_NE(parse_error(Json::array({{{"type", "text"}, {"id", "T"}, {"text", "x"}},
                                     {{"type", "text"}, {"id", "T"}, {"text", "y"}}}))
                .find("duplicate component id 'T'"),
            std::string::npos);
  // The same key in two dynamic list items' scopes, and a group's children, are fine.
  EXPECT_EQ(parse_error(Json::array(
                {{{"type", "dynamiclist"},
                  {"path", "l1"},
                  {"components", Json::array({{{"type", "textfield"}, {"key", "nombre"}}})}},
                 {{"type", "dynamiclist"},
                  {"path", "l2"},
                  {"components", Json::array({{{"type", "textfield"}, {"key", "nombre"}}})}},
                 {{"type", "group"},
                  {"path", "g"},
                  {"components", Json::array({{{"type", "textfield"}, {"key", "nombre"}}})}},
                 {{"type", "textfield"}, {"key", "nombre"}}})),
            "(parsed)");
}

// Groups `levels` deep, each holding the next, a textfield innermost.
Json nested_groups(int levels) {
  Json inner = Json::array({{{"type", "textfield"}, {"key", "x"}}});
  for (int i = 0; i < levels; ++i) {
    Json group = {{"type", "group"}, {"components", std::move(inner)}};
    inner = Json::array();
    inner.push_back(std::move(group));
  }
  return inner;
}

TEST(FormParse, GroupsNestUpToTheFormDepthLimitAndNoFurther) {
  // The root object and its components array are two levels, each group two more.
  EXPECT_EQ(parse_error(nested_groups(30)), "(parsed)");
  // The textfield, innermost, is the 65th level.
  std::string path = "components[0]";
  for (int i = 0; i < 31; ++i) path += ".components[0]";
  EXPECT_EQ(parse_error(nested_groups(31)),
            "forms/f.form: nested deeper than 64 levels at " + path +
                " (the limit for a form file: 64 levels of arrays and objects)");
  // Deep enough to overflow the parser's recursion (built and handed over without a copy,
  // which would recurse too): refused before it starts.
  Json deep = {{"type", "default"}, {"id", "f"}};
  deep["components"] = nested_groups(200'000);
  auto form = Form::parse(deep, "forms/f.form");
  ASSERT_FALSE(form.ok());
  EXPECT_EQ(form.error().code, ErrorCode::kValidation);
  EXPECT_NE(form.error().message.find("nested deeper than 64 levels"), std::string::npos);
}

TEST(FormParse, RejectsStringsThatAreNotUtf8) {
  EXPECT_EQ(parse_error(Json::array({{{"type", "textfield"}, {"key", "x"}, {"label", "a\xff"}}})),
            "forms/f.form: a string at components[0].label is not valid UTF-8 (byte offset 1 is "
            "0xff)");
}

// ---------------------------------------------------------------------------------------------
// Each rule of check, on small forms

TEST(FormCheck, RequiredCheckboxMustBeTickedAsInFormJs) {
  Form form = inline_form(
      Json::array({{{"type", "checkbox"}, {"key", "acepto"}, {"validate", {{"required", true}}}},
                   {{"type", "checkbox"}, {"key", "opcional"}}}));
  EXPECT_TRUE(accepts(form, (Variables{{"acepto", true}, {"opcional", false}})));
  auto errors = form.check({{"acepto", false}}, {});
  ASSERT_EQ(fields(errors), std::vector<std::string>{"acepto"});
  EXPECT_EQ(errors[0].message,
            "acepto: required, expected true (the box must be ticked), found boolean false");
  EXPECT_EQ(form.check({{"acepto", true}, {"opcional", "no"}}, {}).at(0).message,
            "opcional: expected a boolean, found string \"no\"");
}

TEST(FormCheck, NullClearsAnOptionalFieldAndIsMissingForARequiredOne) {
  Form form = inline_form(
      Json::array({{{"type", "textfield"}, {"key", "a"}, {"validate", {{"required", true}}}},
                   {{"type", "number"}, {"key", "b"}}}));
  EXPECT_TRUE(accepts(form, (Variables{{"a", "x"}, {"b", nullptr}})));
  EXPECT_EQ(form.check({{"a", nullptr}}, {}).at(0).message,
            "a: required, expected a non-empty string, found null");
}

TEST(FormCheck, TextLengthsCountCharactersNotBytes) {
  Form form = inline_form(Json::array(
      {{{"type", "textfield"}, {"key", "t"}, {"validate", {{"minLength", 2}, {"maxLength", 4}}}}}));
  EXPECT_TRUE(accepts(form, (Variables{{"t", "Señá"}})));  // 4 characters, 6 bytes
  EXPECT_EQ(form.check({{"t", "a"}}, {}).at(0).message,
            "t: expected at least 2 characters, found 1");
  EXPECT_EQ(form.check({{"t", "abcde"}}, {}).at(0).message,
            "t: expected at most 4 characters, found 5");
  EXPECT_EQ(form.check({{"t", 12}}, {}).at(0).message, "t: expected a string, found number 12");
}

TEST(FormCheck, NumbersWithDecimalsAndBounds) {
  Form form = inline_form(Json::array(
      {{{"type", "number"}, {"key", "x"}, {"validate", {{"min", 0.5}, {"max", 2.5}}}}}));
  EXPECT_TRUE(accepts(form, (Variables{{"x", 0.5}})));
  EXPECT_TRUE(accepts(form, (Variables{{"x", 2}})));
  EXPECT_EQ(form.check({{"x", 3}}, {}).at(0).message,
            "x: expected a number >= 0.5 and <= 2.5, found number 3");
  EXPECT_EQ(form.check({{"x", true}}, {}).at(0).message,
            "x: expected a number, found boolean true");
}

TEST(FormCheck, DatetimeSubtypes) {
  Form form =
      inline_form(Json::array({{{"type", "datetime"}, {"key", "d"}},
                               {{"type", "datetime"}, {"key", "t"}, {"subtype", "time"}},
                               {{"type", "datetime"}, {"key", "dt"}, {"subtype", "datetime"}}}));
  EXPECT_TRUE(
      accepts(form, (Variables{{"d", "2024-02-29"}, {"t", "08:30"}, {"dt", "2026-03-15T10:30"}})));
  EXPECT_TRUE(accepts(form, (Variables{{"t", "08:30:15Z"}, {"dt", "2026-03-15T10:30:00-05:00"}})));
  EXPECT_EQ(
      fields(form.check({{"d", "2025-02-29"}, {"t", "24:00"}, {"dt", "2026-03-15 10:30"}}, {})),
      (std::vector<std::string>{"d", "t", "dt"}));
  EXPECT_EQ(form.check({{"d", "15/03/2026"}}, {}).at(0).message,
            "d: expected a date YYYY-MM-DD, found string \"15/03/2026\"");
}

TEST(FormCheck, OptionsFromAVariableAndFromAnExpression) {
  Form form = inline_form(
      Json::array({{{"type", "select"}, {"key", "linea"}, {"valuesKey", "lineas_pam"}},
                   {{"type", "taglist"}, {"key", "tags"}, {"valuesExpression", "=opciones"}}}));
  const Variables instance = {
      {"lineas_pam", Json::array({{{"label", "Línea 1"}, {"value", "L1"}}, "L2"})}};
  EXPECT_TRUE(
      accepts(form, (Variables{{"linea", "L1"}, {"tags", Json::array({"cualquiera"})}}), instance));
  EXPECT_TRUE(accepts(form, (Variables{{"linea", "L2"}}), instance));
  EXPECT_EQ(form.check({{"linea", "L3"}}, instance).at(0).message,
            "linea: expected one of the options in variable lineas_pam (\"L1\", \"L2\"), found "
            "string \"L3\"");
  EXPECT_EQ(form.check({{"linea", "L1"}}, {}).at(0).message,
            "linea: expected one of the options in variable lineas_pam (it holds none), found "
            "string \"L1\"");
}

TEST(FormCheck, GroupsWithoutPathBindAtTheirLevelAndDottedKeysNest) {
  Form form = inline_form(Json::array(
      {{{"type", "group"},
        {"components",
         Json::array(
             {{{"type", "textfield"}, {"key", "sede.nombre"}, {"validate", {{"required", true}}}},
              {{"type", "number"}, {"key", "sede.estudiantes"}}})}}}));
  EXPECT_TRUE(
      accepts(form, (Variables{{"sede", {{"nombre", "Principal"}, {"estudiantes", 300}}}})));
  EXPECT_EQ(form.variables(), std::vector<std::string>{"sede"});
  EXPECT_EQ(fields(form.check({{"sede", {{"estudiantes", 300}, {"zona", "RURAL"}}}}, {})),
            (std::vector<std::string>{"sede.nombre", "sede.zona"}));
  EXPECT_EQ(form.check({{"sede", "Principal"}}, {}).at(0).message,
            "sede: expected an object (it holds sede.nombre), found string \"Principal\"");
}

TEST(FormCheck, HideExpressionsSeeInstanceVariablesAndTheListItem) {
  Form form = inline_form(Json::array(
      {{{"type", "textfield"},
        {"key", "motivo"},
        {"validate", {{"required", true}}},
        {"conditional", {{"hide", "=sector = \"OFICIAL\""}}}},
       {{"type", "dynamiclist"},
        {"path", "compromisos"},
        {"components", Json::array({{{"type", "checkbox"}, {"key", "vencido"}},
                                    {{"type", "textfield"},
                                     {"key", "justificacion"},
                                     {"validate", {{"required", true}}},
                                     {"conditional", {{"hide", "=this.vencido != true"}}}}})}}}));
  // `sector` comes from the instance, not from the submission.
  EXPECT_TRUE(accepts(form, (Variables{}), (Variables{{"sector", "OFICIAL"}})));
  EXPECT_EQ(fields(form.check({}, {{"sector", "NO_OFICIAL"}})), std::vector<std::string>{"motivo"});

  const Variables items = {
      {"compromisos", Json::array({{{"vencido", false}},
                                   {{"vencido", true}},
                                   {{"vencido", true}, {"justificacion", "Cambio de rector"}}})}};
  auto errors = form.check(items, {{"sector", "OFICIAL"}});
  ASSERT_EQ(fields(errors), std::vector<std::string>{"compromisos[1].justificacion"});
}

// `parent` in a top-level list item is all the data: the instance's variables under the
// submitted ones.
TEST(FormCheck, AListItemConditionReadsTheTopLevelAsParent) {
  Form form = inline_form(Json::array(
      {{{"type", "textfield"}, {"key", "sector"}},
       {{"type", "dynamiclist"},
        {"path", "visitas"},
        {"components",
         Json::array({{{"type", "textfield"},
                       {"key", "acta"},
                       {"validate", {{"required", true}}},
                       {"conditional", {{"hide", "=parent.sector != \"OFICIAL\""}}}}})}}}));
  const Variables one_visit = {{"visitas", Json::array({Json::object()})}};
  EXPECT_EQ(fields(form.check(one_visit, {{"sector", "OFICIAL"}})),
            std::vector<std::string>{"visitas[0].acta"});
  EXPECT_TRUE(accepts(form, one_visit, (Variables{{"sector", "NO_OFICIAL"}})));
  Variables submitted = one_visit;
  submitted["sector"] = "OFICIAL";  // the submission wins over the instance
  EXPECT_EQ(fields(form.check(submitted, {{"sector", "NO_OFICIAL"}})),
            std::vector<std::string>{"visitas[0].acta"});
}

TEST(FormCheck, AHiddenGroupHidesItsChildren) {
  Form form = inline_form(Json::array(
      {{{"type", "checkbox"}, {"key", "aplica"}},
       {{"type", "group"},
        {"path", "detalle"},
        {"conditional", {{"hide", "=aplica != true"}}},
        {"components",
         Json::array(
             {{{"type", "textfield"}, {"key", "texto"}, {"validate", {{"required", true}}}}})}}}));
  EXPECT_TRUE(accepts(form, (Variables{{"aplica", false}})));
  EXPECT_EQ(fields(form.check({{"aplica", true}}, {})), std::vector<std::string>{"detalle.texto"});
  // A value sent for a hidden field is still type-checked.
  EXPECT_EQ(fields(form.check({{"aplica", false}, {"detalle", {{"texto", 5}}}}, {})),
            std::vector<std::string>{"detalle.texto"});
}

TEST(FormCheck, DisplayComponentsBindNothingAndAnyJsonFieldsTakeAnything) {
  Form form = inline_form(Json::array({{{"type", "text"}, {"text", "# Título"}},
                                       {{"type", "separator"}},
                                       {{"type", "filepicker"}, {"key", "adjuntos"}}}));
  EXPECT_TRUE(accepts(form, (Variables{{"adjuntos", {{"any", Json::array({1, "two"})}}}})));
  EXPECT_EQ(fields(form.check({{"text", "x"}}, {})), std::vector<std::string>{"text"});
}

TEST(FormCheck, ErrorsJoinOnOneLine) {
  EXPECT_EQ(join_field_errors({{"a", "a: x"}, {"b", "b: y"}}), "a: x; b: y");
  EXPECT_EQ(join_field_errors({}), "");
}

}  // namespace
}  // namespace pmiflow
