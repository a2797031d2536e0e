#include "handlers/d02_03/reports.h"

#include <map>

#include "engine/common/time_text.h"
#include "handlers/d02_03/business_key.h"

namespace pmiflow::handlers::d02_03 {
namespace {

// A report column: its Spanish header and where its value comes from: "school.X" (the
// instance's start variables), "data.X" (the record's data; "data.a.b" nests), "meta.X"
// (fecha, ciclo).
struct Column {
  const char* header;
  const char* source;
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
       {{"codigo_dane", "school.codigo_dane"},
        {"nombre", "school.nombre"},
        {"municipio", "school.municipio"},
        {"etc", "school.etc"},
        {"sector", "school.sector"},
        {"tipo_acompanamiento", "school.tipo_acompanamiento"},
        {"cronograma", "data.cronograma"},
        {"responsables", "data.responsables"},
        {"metodos", "data.metodos"},
        {"recursos", "data.recursos"},
        {"fecha", "meta.fecha"}}},
      {"revision",
       "Revisión de los PMI",
       {{"codigo_dane", "school.codigo_dane"},
        {"nombre", "school.nombre"},
        {"etc", "school.etc"},
        {"ciclo", "meta.ciclo"},
        {"registro", "meta.data"},
        {"fecha", "meta.fecha"}}},
      {"seguimiento",
       "Seguimiento de los PMI",
       {{"codigo_dane", "school.codigo_dane"},
        {"nombre", "school.nombre"},
        {"etc", "school.etc"},
        {"ciclo", "meta.ciclo"},
        {"periodo_cumplido", "data.periodo_cumplido"},
        {"actividades_pendientes", "data.actividades_pendientes"},
        {"fecha", "meta.fecha"}}},
      {"evaluacion",
       "Evaluación de asesoría",
       {{"codigo_dane", "school.codigo_dane"},
        {"nombre", "school.nombre"},
        {"etc", "school.etc"},
        {"estado", "data.evaluacion_consolidada.estado"},
        {"promedio_general", "data.evaluacion_consolidada.promedio_general"},
        {"porcentaje_objetivos_cumplidos",
         "data.evaluacion_consolidada.porcentaje_objetivos_cumplidos"},
        {"bajo_umbral", "data.evaluacion_consolidada.bajo_umbral"},
        {"respuestas", "data.evaluacion_consolidada.respuestas"},
        {"fecha", "meta.fecha"}}},
      {"irregularidades",
       "F01.03.F02 Reporte de indicios de irregularidades",
       {{"consecutivo", "data.reporte_irregularidades.consecutivo"},
        {"fecha", "data.reporte_irregularidades.fecha"},
        {"codigo_dane", "school.codigo_dane"},
        {"nombre", "school.nombre"},
        {"sector", "school.sector"},
        {"municipio", "school.municipio"},
        {"etc", "school.etc"},
        {"tipo_irregularidad", "data.reporte_irregularidades.tipo_irregularidad"},
        {"descripcion_hechos", "data.reporte_irregularidades.descripcion_hechos"},
        {"norma_presuntamente_vulnerada",
         "data.reporte_irregularidades.norma_presuntamente_vulnerada"},
        {"dependencia_reporta", "data.reporte_irregularidades.dependencia_reporta"},
        {"funcionario_reporta", "data.reporte_irregularidades.funcionario_reporta"}}},
      {"caracterizacion",
       "Información para la caracterización y el perfil educativo",
       {{"codigo_dane", "school.codigo_dane"},
        {"nombre", "school.nombre"},
        {"etc", "school.etc"},
        {"sector", "school.sector"},
        {"tipo_acompanamiento", "data.resultado_acompanamiento.tipo_acompanamiento"},
        {"motivo_clasificacion", "data.resultado_acompanamiento.motivo_clasificacion"},
        {"ciclos_apoyo", "data.resultado_acompanamiento.ciclos_apoyo"},
        {"seguimientos", "data.resultado_acompanamiento.seguimientos"},
        {"revisiones_alineacion", "data.resultado_acompanamiento.revisiones_alineacion"},
        {"desviaciones_tratadas", "data.resultado_acompanamiento.desviaciones_tratadas"},
        {"evaluacion", "data.resultado_acompanamiento.evaluacion.estado"},
        {"fecha", "meta.fecha"}}},
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
  for (const auto& col : spec->columns) report.columns.push_back(col.header);
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
                              {{"fecha", format_time(r.time_ms).substr(0, 10)},
                               {"ciclo", ++cycles[r.instance_id]},
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
