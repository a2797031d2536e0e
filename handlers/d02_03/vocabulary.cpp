#include "handlers/d02_03/vocabulary.h"

#include <string>
#include <utility>
#include <vector>

namespace pmiflow::handlers::d02_03 {
namespace {

using Labels = std::vector<std::pair<const char*, const char*>>;

model::Vocabulary make() {
  model::Vocabulary v;
  for (const auto& [id, label] : Labels{
           {"profesional_mejoramiento", "Profesional de mejoramiento"},
           {"lider_calidad", "Líder de Calidad Educativa"},
           {"tecnico_calidad", "Técnico operativo de calidad educativa"},
           {"establecimiento", "Establecimiento educativo"},
           {"inspeccion_vigilancia", "Inspección y Vigilancia"},
           {"auditor", "Auditor"},
       }) {
    v.add_role(id, label);
    v.add_option("responsable", id, label);  // the role a record names (reports)
  }
  for (const auto& [id, label] : Labels{
           {"programacion", "Programación de la Asistencia Técnica"},
           {"revision", "Revisión de los PMI"},
           {"seguimiento", "Seguimiento de los PMI"},
           {"evaluacion", "Evaluación de asesoría"},
           {"irregularidades", "F01.03.F02 Reporte de indicios de irregularidades"},
           {"caracterizacion", "Información para la caracterización y el perfil educativo"},
       }) {
    v.add_record(id, label);
  }
  // The school's start data, the instance's tags and what the handlers write.
  for (const auto& [path, label] : Labels{
           {"codigo_dane", "Código DANE"},
           {"nombre", "Establecimiento educativo"},
           {"municipio", "Municipio"},
           {"etc", "Entidad territorial certificada"},
           {"sector", "Sector"},
           {"regimen", "Régimen"},
           {"categoria_saber", "Categoría SABER 11"},
           {"periodo", "Periodo"},
           {"period", "periodo"},
           {"school", "establecimiento"},
           {"fecha_fin_periodo", "Fin del periodo de evaluación"},
           {"fecha_limite_evaluacion", "Plazo máximo de la evaluación"},
           {"frecuencia_seguimiento", "Frecuencia del seguimiento"},
           {"establecimientos", "Establecimientos educativos"},
           {"tipo_acompanamiento", "Tipo de acompañamiento"},
           {"motivo_clasificacion", "Motivo de la clasificación"},
           {"evaluacion_consolidada", "Evaluación consolidada"},
           {"evaluacion_consolidada.estado", "Estado de la evaluación"},
           {"evaluacion_consolidada.promedio_general", "Promedio general"},
           {"evaluacion_consolidada.porcentaje_objetivos_cumplidos", "Objetivos cumplidos (%)"},
           {"evaluacion_consolidada.bajo_umbral", "Bajo el umbral de satisfacción"},
           {"evaluacion_consolidada.respuestas", "Respuestas"},
           {"evaluacion_consolidada.umbral_satisfaccion", "Umbral de satisfacción"},
           {"evaluacion_consolidada.objetivos_total", "Objetivos evaluados"},
           {"evaluacion_consolidada.objetivos_cumplidos", "Objetivos cumplidos"},
           {"evaluacion_consolidada.observaciones", "Observaciones"},
           {"evaluacion_consolidada.promedio_por_item", "Promedio por ítem"},
           {"resultado_acompanamiento", "Resultado del acompañamiento"},
           {"resultado_acompanamiento.ciclos_apoyo", "Ciclos de apoyo"},
           {"resultado_acompanamiento.seguimientos", "Seguimientos"},
           {"resultado_acompanamiento.revisiones_alineacion",
            "Revisiones de alineación con el PAM"},
           {"resultado_acompanamiento.desviaciones_tratadas", "Desviaciones tratadas"},
           {"resultado_acompanamiento.evaluacion.estado", "Estado de la evaluación"},
           {"reporte_irregularidades", "Reporte de indicios de irregularidades (F01.03.F02)"},
           {"reporte_irregularidades.consecutivo", "Consecutivo"},
           {"reporte_irregularidades.fecha", "Fecha del reporte"},
           {"reporte_irregularidades.tipo_irregularidad", "Tipo de irregularidad"},
           {"reporte_irregularidades.descripcion_hechos", "Descripción de los hechos"},
           {"reporte_irregularidades.norma_presuntamente_vulnerada",
            "Norma presuntamente vulnerada"},
           {"reporte_irregularidades.dependencia_reporta", "Dependencia que reporta"},
           {"reporte_irregularidades.funcionario_reporta", "Funcionario que reporta"},
           {"seguimiento.periodo_cumplido", "Periodo de evaluación cumplido"},
           {"seguimiento.actividades_pendientes", "Actividades pendientes"},
       }) {
    v.add_field(path, label);
  }
  for (const auto& [code, label] : Labels{{"OFICIAL", "Oficial"}, {"NO_OFICIAL", "No oficial"}}) {
    v.add_option("sector", code, label);
  }
  for (const auto& [code, label] : Labels{{"LIBERTAD_REGULADA", "Libertad regulada"},
                                          {"LIBERTAD_VIGILADA", "Libertad vigilada"},
                                          {"REGIMEN_CONTROLADO", "Régimen controlado"}}) {
    v.add_option("regimen", code, label);
  }
  v.add_option("categoria_saber", "SIN_CLASIFICAR", "Sin clasificar");
  for (const char* path : {"tipo_acompanamiento", "resultado_acompanamiento.tipo_acompanamiento"}) {
    v.add_option(path, "integral", "Acompañamiento integral");
    v.add_option(path, "puntual", "Asesoría puntual");
  }
  for (const char* path :
       {"evaluacion_consolidada.estado", "resultado_acompanamiento.evaluacion.estado"}) {
    v.add_option(path, "evaluada", "Evaluada");
    v.add_option(path, "sin_evaluacion", "Sin evaluación en el plazo");
  }
  for (const auto& [code, label] : Labels{
           {"P1M", "Mensual"}, {"P2M", "Bimestral"}, {"P3M", "Trimestral"}, {"P6M", "Semestral"}}) {
    v.add_option("frecuencia_seguimiento", code, label);
  }
  return v;
}

}  // namespace

const model::Vocabulary& vocabulary() {
  static const model::Vocabulary v = make();
  return v;
}

}  // namespace pmiflow::handlers::d02_03
