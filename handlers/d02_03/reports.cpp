#include "handlers/d02_03/reports.h"

#include <map>

#include "engine/time/zone.h"
#include "handlers/d02_03/business_key.h"

namespace pmiflow::handlers::d02_03 {
namespace {

// A report column: its key, its Spanish header, where its value comes from: "school.X" (the
// instance's start variables), "data.X" (the record's data; "data.a.b" nests), "meta.X"
// (fecha, ciclo), and the vocabulary path of its values when it is not the source's path
// without its first part.
struct Column {
  const char* key;
  const char* header;
  const char* source;
  const char* words = nullptr;
};

struct ReportSpec {
  const char* kind;
  const char* title;
  std::vector<Column> columns;
};

const std::vector<ReportSpec>& report_specs() {
  static const std::vector<ReportSpec> specs = {
      {"programacion",
       "Programación de la Asistencia Técnica",
       {{"codigo_dane", "Código DANE", "school.codigo_dane"},
        {"nombre", "Establecimiento educativo", "school.nombre"},
        {"municipio", "Municipio", "school.municipio"},
        {"etc", "Entidad territorial certificada", "school.etc"},
        {"sector", "Sector", "school.sector"},
        {"tipo_acompanamiento", "Tipo de acompañamiento", "school.tipo_acompanamiento"},
        {"cronograma", "Cronograma", "data.cronograma"},
        {"responsables", "Responsables", "data.responsables"},
        {"metodos", "Métodos de trabajo", "data.metodos"},
        {"recursos", "Recursos requeridos", "data.recursos"},
        {"responsable", "Responsable del registro", "meta.responsable"},
        {"fecha", "Fecha", "meta.fecha"}}},
      {"revision",
       "Revisión de los PMI",
       {{"codigo_dane", "Código DANE", "school.codigo_dane"},
        {"nombre", "Establecimiento educativo", "school.nombre"},
        {"etc", "Entidad territorial certificada", "school.etc"},
        {"ciclo", "Ciclo", "meta.ciclo"},
        {"registro", "Registro", "meta.data", ""},
        {"responsable", "Responsable del registro", "meta.responsable"},
        {"fecha", "Fecha", "meta.fecha"}}},
      {"seguimiento",
       "Seguimiento de los PMI",
       {{"codigo_dane", "Código DANE", "school.codigo_dane"},
        {"nombre", "Establecimiento educativo", "school.nombre"},
        {"etc", "Entidad territorial certificada", "school.etc"},
        {"ciclo", "Ciclo", "meta.ciclo"},
        {"periodo_cumplido", "Periodo de evaluación cumplido", "data.periodo_cumplido"},
        {"actividades_pendientes", "Actividades pendientes", "data.actividades_pendientes"},
        {"responsable", "Responsable del registro", "meta.responsable"},
        {"fecha", "Fecha", "meta.fecha"}}},
      {"evaluacion",
       "Evaluación de asesoría",
       {{"codigo_dane", "Código DANE", "school.codigo_dane"},
        {"nombre", "Establecimiento educativo", "school.nombre"},
        {"etc", "Entidad territorial certificada", "school.etc"},
        {"estado", "Estado de la evaluación", "data.evaluacion_consolidada.estado"},
        {"promedio_general", "Promedio general", "data.evaluacion_consolidada.promedio_general"},
        {"porcentaje_objetivos_cumplidos", "Objetivos cumplidos (%)",
         "data.evaluacion_consolidada.porcentaje_objetivos_cumplidos"},
        {"bajo_umbral", "Bajo el umbral de satisfacción",
         "data.evaluacion_consolidada.bajo_umbral"},
        {"respuestas", "Respuestas", "data.evaluacion_consolidada.respuestas"},
        {"responsable", "Responsable del registro", "meta.responsable"},
        {"fecha", "Fecha", "meta.fecha"}}},
      {"irregularidades",
       "F01.03.F02 Reporte de indicios de irregularidades",
       {{"consecutivo", "Consecutivo", "data.reporte_irregularidades.consecutivo"},
        {"fecha", "Fecha del reporte", "data.reporte_irregularidades.fecha"},
        {"codigo_dane", "Código DANE", "school.codigo_dane"},
        {"nombre", "Establecimiento educativo", "school.nombre"},
        {"sector", "Sector", "school.sector"},
        {"municipio", "Municipio", "school.municipio"},
        {"etc", "Entidad territorial certificada", "school.etc"},
        {"tipo_irregularidad", "Tipo de irregularidad",
         "data.reporte_irregularidades.tipo_irregularidad", "tipo_irregularidad"},
        {"descripcion_hechos", "Descripción de los hechos",
         "data.reporte_irregularidades.descripcion_hechos"},
        {"norma_presuntamente_vulnerada", "Norma presuntamente vulnerada",
         "data.reporte_irregularidades.norma_presuntamente_vulnerada"},
        {"dependencia_reporta", "Dependencia que reporta",
         "data.reporte_irregularidades.dependencia_reporta"},
        {"funcionario_reporta", "Funcionario que reporta",
         "data.reporte_irregularidades.funcionario_reporta"}}},
      {"caracterizacion",
       "Información para la caracterización y el perfil educativo",
       {{"codigo_dane", "Código DANE", "school.codigo_dane"},
        {"nombre", "Establecimiento educativo", "school.nombre"},
        {"etc", "Entidad territorial certificada", "school.etc"},
        {"sector", "Sector", "school.sector"},
        {"tipo_acompanamiento", "Tipo de acompañamiento",
         "data.resultado_acompanamiento.tipo_acompanamiento", "tipo_acompanamiento"},
        {"motivo_clasificacion", "Motivo de la clasificación",
         "data.resultado_acompanamiento.motivo_clasificacion"},
        {"ciclos_apoyo", "Ciclos de apoyo", "data.resultado_acompanamiento.ciclos_apoyo"},
        {"seguimientos", "Seguimientos", "data.resultado_acompanamiento.seguimientos"},
        {"revisiones_alineacion", "Revisiones de alineación con el PAM",
         "data.resultado_acompanamiento.revisiones_alineacion"},
        {"desviaciones_tratadas", "Desviaciones tratadas",
         "data.resultado_acompanamiento.desviaciones_tratadas"},
        {"evaluacion", "Evaluación de asesoría", "data.resultado_acompanamiento.evaluacion.estado",
         "evaluacion_consolidada.estado"},
        {"fecha", "Fecha", "meta.fecha"}}},
  };
  return specs;
}

const Json* lookup(const Json& root, const std::string& path) {
  const Json* at = &root;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t dot = path.find('.', start);
    if (dot == std::string::npos) dot = path.size();
    std::string key = path.substr(start, dot - start);
    if (!at->is_object()) return nullptr;
    auto it = at->find(key);
    if (it == at->end()) return nullptr;
    at = &*it;
    start = dot + 1;
  }
  return at;
}

// The day of an instant in the SE's zone, ISO: "2027-03-07".
std::string iso_date(std::int64_t instant_ms) {
  return time::format_date(time::date_time_at(instant_ms, time::default_zone()).date());
}

}  // namespace

std::vector<std::string> report_kinds() {
  std::vector<std::string> kinds;
  for (const auto& s : report_specs()) kinds.push_back(s.kind);
  return kinds;
}

Result<Report> build_report(ReadModel& read_model, const std::string& kind,
                            const std::string& periodo, const std::optional<std::string>& etc) {
  const ReportSpec* spec = nullptr;
  std::string kinds;
  for (const auto& s : report_specs()) {
    kinds += (kinds.empty() ? "" : ", ") + std::string(s.kind);
    if (kind == s.kind) spec = &s;
  }
  if (spec == nullptr) {
    return make_error(ErrorCode::kInvalidArgument,
                      "unknown report '" + kind + "' (reports: " + kinds + ")");
  }
  auto records = read_model.records(RecordQuery{std::string(spec->kind), period_tags(periodo)});
  if (!records.ok()) return records.error();
  Report report{spec->kind, spec->title, {}, {}};
  for (const auto& col : spec->columns) {
    std::string words;
    if (col.words != nullptr) {
      words = col.words;
    } else {
      const std::string source = col.source;
      words = source.substr(source.find('.') + 1);
    }
    report.columns.push_back({col.key, col.header, std::move(words)});
  }
  std::map<std::int64_t, Json> schools;  // instance -> its variables
  std::map<std::int64_t, int> cycles;    // instance -> records of this kind so far
  for (const auto& r : *records) {
    auto it = schools.find(r.instance_id);
    if (it == schools.end()) {
      auto vars = read_model.variables(r.instance_id);
      if (!vars.ok()) return vars.error();
      Json school = Json::object();
      for (const auto& [name, value] : *vars) school[name] = value;
      it = schools.emplace(r.instance_id, std::move(school)).first;
    }
    if (etc && it->second.value("etc", "") != *etc) continue;
    const Json row_source = {{"school", it->second},
                             {"data", r.data},
                             {"meta",
                              {{"fecha", iso_date(r.time_ms)},
                               {"ciclo", ++cycles[r.instance_id]},
                               {"responsable", r.responsible},
                               {"data", r.data}}}};
    std::vector<Json> row;
    for (const auto& col : spec->columns) {
      const Json* v = lookup(row_source, col.source);
      row.push_back(v == nullptr ? Json() : *v);
    }
    report.rows.push_back(std::move(row));
  }
  return report;
}

}  // namespace pmiflow::handlers::d02_03
