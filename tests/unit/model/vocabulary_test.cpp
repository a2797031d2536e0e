// What people read instead of variable names, codes and JSON: labels from a form-js schema and
// a domain, values as an SE in Colombia writes them.
#include "engine/model/vocabulary.h"

#include <gtest/gtest.h>

namespace pmiflow::model {
namespace {

// A form shaped as D02.03's activity 3: a radio, a checklist, a dynamic list with a select.
const Json kForm = Json::parse(R"({
  "type": "default", "id": "f",
  "components": [
    {"type": "radio", "key": "modalidad", "label": "Modalidad",
     "values": [{"label": "Presencial", "value": "PRESENCIAL"}, {"label": "Virtual", "value": "VIRTUAL"}]},
    {"type": "radio", "key": "alineada", "label": "¿Alineada?",
     "values": [{"label": "Sí, alineada", "value": true}, {"label": "No", "value": false}]},
    {"type": "checklist", "key": "metodos", "label": "Métodos de trabajo",
     "values": [{"label": "Asesoría", "value": "ASESORIA"}, {"label": "Taller", "value": "TALLER"}]},
    {"type": "group", "label": "Sin ruta", "components": [
      {"type": "textfield", "key": "recursos", "label": "Recursos requeridos"}]},
    {"type": "dynamiclist", "path": "responsables", "label": "Responsables", "components": [
      {"type": "textfield", "key": "nombre", "label": "Nombre"},
      {"type": "select", "key": "cargo", "label": "Cargo o rol",
       "values": [{"label": "Líder de Calidad Educativa", "value": "LIDER_CALIDAD"}]}]},
    {"type": "text", "text": "a display component binds nothing"}
  ]})");

TEST(Vocabulary, FieldsAndOptionsComeFromTheFormByTheirPath) {
  Vocabulary v;
  v.add_form(kForm);
  EXPECT_EQ(v.field("modalidad"), "Modalidad");
  EXPECT_EQ(v.field("recursos"), "Recursos requeridos");  // a group without a path opens none
  EXPECT_EQ(v.field("responsables"), "Responsables");
  EXPECT_EQ(v.field("responsables.cargo"), "Cargo o rol");
  // Without a label, the path's last part in words (the list's labels hold only inside it).
  EXPECT_EQ(v.field("cargo"), "Cargo");
  EXPECT_EQ(v.field("evaluacion.objetivos_total"), "Objetivos total");
  EXPECT_EQ(v.field("Ya con mayúscula"), "Ya con mayúscula");
  EXPECT_EQ(v.value("modalidad", "VIRTUAL"), "Virtual");
  EXPECT_EQ(v.value("modalidad", "OTRA"), "OTRA");  // not an option: as it is
  EXPECT_EQ(v.value("alineada", true), "Sí, alineada");
  EXPECT_EQ(v.value("metodos", Json::array({"ASESORIA", "TALLER"})), "Asesoría; Taller");
  EXPECT_EQ(
      v.value("responsables", Json::parse(R"([{"nombre": "Ana", "cargo": "LIDER_CALIDAD"},
                                    {"nombre": "Luis", "cargo": "OTRO"}])")),
      "Cargo o rol: Líder de Calidad Educativa, Nombre: Ana; Cargo o rol: OTRO, Nombre: Luis");
}

TEST(Vocabulary, ValuesWithoutLabelsAreWrittenAsAnSeWritesThem) {
  const Vocabulary v;
  EXPECT_EQ(v.value("x", true), "Sí");
  EXPECT_EQ(v.value("x", false), "No");
  EXPECT_EQ(v.value("x", nullptr), "");
  EXPECT_EQ(v.value("x", 12), "12");
  EXPECT_EQ(v.value("x", 4.25), "4,25");
  EXPECT_EQ(v.value("x", -0.5), "-0,5");
  EXPECT_EQ(v.value("x", "2027-03-07"), "07/03/2027");
  EXPECT_EQ(v.value("x", "2027-11-30T23:59:59"), "30/11/2027 23:59:59");  // a wall clock
  // An instant is shown in the engine's zone (Bogotá, UTC-5).
  EXPECT_EQ(v.value("x", "2027-12-01T04:59:59Z"), "30/11/2027 23:59:59");
  EXPECT_EQ(v.value("x", "2027-02-30"), "2027-02-30");  // not a date: as it is
  EXPECT_EQ(v.value("x", "texto"), "texto");
  EXPECT_EQ(v.value("", Json::parse(R"({"a": 1, "b": [true, false]})")), "A: 1, B: Sí; No");
}

TEST(Vocabulary, InstantsAreTheSesDayAndTime) {
  // 2026-12-08T03:00:00Z is still the 7th in Bogotá.
  EXPECT_EQ(date_text(1796698800000), "07/12/2026");
  EXPECT_EQ(date_time_text(1796698800000), "07/12/2026 22:00:00");
  EXPECT_EQ(number_text(Json(3.0)), "3");
}

TEST(Vocabulary, TheFirstLabelStaysAndMergeAddsOnlyWhatIsMissing) {
  Vocabulary forms;
  forms.add_form(kForm);
  forms.add_field("modalidad", "Otra etiqueta");
  EXPECT_EQ(forms.field("modalidad"), "Modalidad");
  Vocabulary domain;
  domain.add_field("modalidad", "Del dominio");
  domain.add_field("sector", "Sector");
  domain.add_option("sector", "NO_OFICIAL", "No oficial");
  domain.add_role("lider_calidad", "Líder de Calidad Educativa");
  domain.add_record("programacion", "Programación de la Asistencia Técnica");
  forms.merge(domain);
  EXPECT_EQ(forms.field("modalidad"), "Modalidad");
  EXPECT_EQ(forms.field("sector"), "Sector");
  EXPECT_EQ(forms.value("sector", "NO_OFICIAL"), "No oficial");
  EXPECT_EQ(forms.role("lider_calidad"), "Líder de Calidad Educativa");
  EXPECT_EQ(forms.role("otro_rol"), "otro_rol");
  EXPECT_EQ(forms.record("programacion"), "Programación de la Asistencia Técnica");
}

TEST(Vocabulary, AnythingThatIsNotAFormAddsNothing) {
  Vocabulary v;
  v.add_form(Json::array());
  v.add_form(Json::parse(R"({"components": [1, {"key": 3}, {"type": "group", "path": 4}]})"));
  EXPECT_EQ(v.field("x3"), "X3");
  EXPECT_EQ(v.value("x", "A"), "A");
}

}  // namespace
}  // namespace pmiflow::model
