#include "tools/cli/domain_commands.h"

#include <array>
#include <map>
#include <vector>

#include "tools/cli/cli.h"
#include "tools/cli/format.h"
#include "tools/cli/session.h"

namespace pmiflow::cli {
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

std::string cell(const Json* v) {
  if (v == nullptr || v->is_null()) return "";
  if (v->is_string()) return v->get<std::string>();
  return v->dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char ch : value) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

int cmd_outbox(const Common& c, const std::optional<std::string>& subprocess, bool all,
               std::ostream& out, std::ostream& err) {
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  auto rows = (*session)->store->outbox(subprocess, all);
  if (!rows.ok()) return fail(err, rows.error());
  if (c.json) {
    Json list = Json::array();
    for (const auto& m : *rows) {
      list.push_back({{"id", m.id},
                      {"subprocess", m.subprocess},
                      {"instance_id", m.instance_id},
                      {"seq", m.seq},
                      {"element_id", m.element_id},
                      {"school", m.school},
                      {"period", m.period},
                      {"created", format_time(m.created_ms)},
                      {"acked", m.acked_ms == 0 ? Json() : Json(format_time(m.acked_ms))},
                      {"data", m.data}});
    }
    out << list.dump(2) << '\n';
    return kExitOk;
  }
  std::vector<std::vector<std::string>> table;
  for (const auto& m : *rows) {
    table.push_back({m.id, m.subprocess, m.school, m.period, m.element_id,
                     format_time(m.created_ms), m.acked_ms == 0 ? "" : format_time(m.acked_ms)});
  }
  print_table(out, {"ID", "SUBPROCESS", "SCHOOL", "PERIOD", "ELEMENT", "CREATED", "ACKED"}, table);
  return kExitOk;
}

int cmd_outbox_ack(const Common& c, const std::string& id, std::ostream& out, std::ostream& err) {
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  Status s = (*session)->store->ack_outbox(id, (*session)->clock.now_ms());
  if (!s.ok()) return fail(err, s.error());
  out << "acknowledged " << id << '\n';
  return kExitOk;
}

int cmd_report(const Common& c, const ReportArgs& a, std::ostream& out, std::ostream& err) {
  const ReportSpec* spec = nullptr;
  std::string kinds;
  for (const auto& s : report_specs()) {
    kinds += (kinds.empty() ? "" : ", ") + std::string(s.kind);
    if (a.kind == s.kind) spec = &s;
  }
  if (spec == nullptr) {
    return fail(err, make_error(ErrorCode::kInvalidArgument,
                                "unknown report '" + a.kind + "' (reports: " + kinds + ")"));
  }
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  Store& store = *(*session)->store;
  auto records = store.records(RecordQuery{std::string(spec->kind), a.period, {}});
  if (!records.ok()) return fail(err, records.error());

  std::map<std::int64_t, Json> schools;  // instance -> its variables
  std::map<std::int64_t, int> cycles;    // instance -> records of this kind so far
  std::vector<std::vector<std::string>> rows;
  Json json_rows = Json::array();
  for (const auto& r : *records) {
    auto it = schools.find(r.instance_id);
    if (it == schools.end()) {
      auto vars = store.variables(r.instance_id);
      if (!vars.ok()) return fail(err, vars.error());
      Json school = Json::object();
      for (const auto& [name, value] : *vars) school[name] = value;
      it = schools.emplace(r.instance_id, std::move(school)).first;
    }
    if (a.etc && it->second.value("etc", "") != *a.etc) continue;
    Json row_source = {{"school", it->second},
                       {"data", r.data},
                       {"meta",
                        {{"fecha", format_time(r.time_ms).substr(0, 10)},
                         {"ciclo", ++cycles[r.instance_id]},
                         {"data", r.data}}}};
    std::vector<std::string> row;
    Json json_row = Json::object();
    for (const auto& col : spec->columns) {
      const Json* v = lookup(row_source, col.source);
      row.push_back(cell(v));
      json_row[col.header] = v == nullptr ? Json() : *v;
    }
    rows.push_back(std::move(row));
    json_rows.push_back(std::move(json_row));
  }
  if (a.format == "json") {
    out << Json{{"report", spec->kind},
                {"titulo", spec->title},
                {"periodo", a.period},
                {"filas", json_rows}}
               .dump(2)
        << '\n';
    return kExitOk;
  }
  // UTF-8 with a byte order mark, so that spreadsheets show the accents right.
  out << "\xEF\xBB\xBF";
  for (std::size_t i = 0; i < spec->columns.size(); ++i) {
    out << (i == 0 ? "" : ",") << csv_field(spec->columns[i].header);
  }
  out << "\r\n";
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) out << (i == 0 ? "" : ",") << csv_field(row[i]);
    out << "\r\n";
  }
  return kExitOk;
}

}  // namespace pmiflow::cli
