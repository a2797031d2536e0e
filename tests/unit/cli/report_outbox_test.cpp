// The records, reports and outbox of D02.03, through the real binary: `pmiflow demo` runs one
// school through every loop (tools/cli/autopilot.cpp gives its decisions), then the reports are
// checked field by field and the outbox is listed and acknowledged.

#include <sqlite3.h>

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_test_util.h"

namespace pmiflow::cli::testing {
namespace {

const std::string kBom = "\xEF\xBB\xBF";

// Splits CSV output (';' between fields, as spreadsheets in Colombia read it; no quoted line
// breaks in these reports) into rows of fields.
std::vector<std::vector<std::string>> parse_csv(std::string text) {
  if (text.rfind(kBom, 0) == 0) text = text.substr(kBom.size());
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      char ch = line[i];
      if (quoted) {
        if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (ch == '"') {
          quoted = false;
        } else {
          field += ch;
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ';') {
        fields.push_back(field);
        field.clear();
      } else {
        field += ch;
      }
    }
    fields.push_back(field);
    rows.push_back(std::move(fields));
  }
  return rows;
}

class ReportTest : public CliTest {
 protected:
  void SetUp() override {
    RunResult r = run({"demo"});
    ASSERT_EQ(r.code, 0) << r;
  }
  std::vector<std::vector<std::string>> report(const std::string& kind) {
    RunResult r = run({"report", kind, "--period", "2026"});
    EXPECT_EQ(r.code, 0) << r;
    EXPECT_EQ(r.out.rfind(kBom, 0), 0U) << "CSV starts with a UTF-8 byte order mark";
    EXPECT_NE(r.out.find("\r\n"), std::string::npos) << "CSV lines end with CRLF";
    return parse_csv(r.out);
  }
};

TEST_F(ReportTest, EvaluacionDeAsesoriaFieldByField) {
  auto rows = report("evaluacion");
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(
      rows[0],
      (std::vector<std::string>{
          "Código DANE", "Establecimiento educativo", "Entidad territorial certificada",
          "Estado de la evaluación", "Promedio general", "Objetivos cumplidos (%)",
          "Bajo el umbral de satisfacción", "Respuestas", "Responsable del registro", "Fecha"}));
  const auto& r = rows[1];
  EXPECT_EQ(r[0], "105001000123");
  EXPECT_EQ(r[1], "Institución Educativa Muestra 0");  // accents intact
  EXPECT_EQ(r[2], "Medellín");
  EXPECT_EQ(r[3], "Evaluada");
  EXPECT_EQ(r[4], "4");   // puntajes 4, 3 and 5
  EXPECT_EQ(r[5], "50");  // one objective of two met
  EXPECT_EQ(r[6], "No");
  EXPECT_EQ(r[7], "3");
  EXPECT_EQ(r[8], "Técnico operativo de calidad educativa");
  ASSERT_EQ(r[9].size(), 10U);  // DD/MM/YYYY
  EXPECT_EQ(r[9][2], '/');
  EXPECT_EQ(r[9][5], '/');
}

TEST_F(ReportTest, JsonKeepsStableKeysAndRawValues) {
  RunResult r = run({"report", "evaluacion", "--period", "2026", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r;
  Json j = parse_json(r.out);
  ASSERT_EQ(j["filas"].size(), 1U);
  const Json& row = j["filas"][0];
  EXPECT_EQ(row["estado"], "evaluada");
  EXPECT_EQ(row["responsable"], "tecnico_calidad");
  EXPECT_EQ(row["bajo_umbral"], false);
  EXPECT_EQ(row["promedio_general"], 4.0);
  EXPECT_EQ(row["fecha"].get<std::string>()[4], '-');  // ISO
  EXPECT_EQ(j["columns"][0], (Json{{"key", "codigo_dane"}, {"label", "Código DANE"}}));
}

TEST_F(ReportTest, SeguimientoHasOneRowPerPassThroughActivitySix) {
  auto rows = report("seguimiento");
  ASSERT_EQ(rows.size(), 4U);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"Código DANE", "Establecimiento educativo",
                                      "Entidad territorial certificada", "Ciclo",
                                      "Periodo de evaluación cumplido", "Actividades pendientes",
                                      "Responsable del registro", "Fecha"}));
  for (int cycle = 1; cycle <= 3; ++cycle) {
    const auto& r = rows[static_cast<std::size_t>(cycle)];
    EXPECT_EQ(r[3], std::to_string(cycle));
    EXPECT_EQ(r[4], "No");
    EXPECT_EQ(r[5], std::to_string(3 - cycle));
  }
  EXPECT_EQ(report("revision").size(), 4U);  // three passes through activity 5
}

TEST_F(ReportTest, CaracterizacionCountsTheLoops) {
  auto rows = report("caracterizacion");
  ASSERT_EQ(rows.size(), 2U);
  const auto& h = rows[0];
  const auto& r = rows[1];
  auto at = [&](const std::string& column) {
    for (std::size_t i = 0; i < h.size(); ++i) {
      if (h[i] == column) return r[i];
    }
    ADD_FAILURE() << "no column " << column;
    return std::string();
  };
  EXPECT_EQ(at("Tipo de acompañamiento"), "Acompañamiento integral");  // official, Saber D
  EXPECT_EQ(at("Sector"), "Oficial");
  EXPECT_EQ(at("Ciclos de apoyo"), "3");
  EXPECT_EQ(at("Seguimientos"), "3");
  EXPECT_EQ(at("Revisiones de alineación con el PAM"), "2");
  EXPECT_EQ(at("Desviaciones tratadas"), "1");
  EXPECT_EQ(at("Evaluación de asesoría"), "Evaluada");
}

TEST_F(ReportTest, IrregularidadesIsTheF0103F02List) {
  RunResult r = run({"report", "irregularidades", "--period", "2026", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r;
  Json j = parse_json(r.out);
  ASSERT_EQ(j["filas"].size(), 1U);
  const Json& row = j["filas"][0];
  EXPECT_EQ(row["consecutivo"], "F01.03.F02-2026-105001000123");
  EXPECT_EQ(row["tipo_irregularidad"], "PEI");
  EXPECT_EQ(row["dependencia_reporta"], "Calidad Educativa (D02.03)");
  EXPECT_EQ(row["sector"], "OFICIAL");
  EXPECT_EQ(j["titulo"], "F01.03.F02 Reporte de indicios de irregularidades");
}

TEST_F(ReportTest, ProgramacionAndTheEtcFilter) {
  auto rows = report("programacion");
  ASSERT_EQ(rows.size(), 2U);
  // The schedule as people read it: each item's fields by their labels in the form.
  EXPECT_NE(rows[1][6].find("Actividad: Visita de acompañamiento"), std::string::npos)
      << rows[1][6];
  EXPECT_EQ(rows[1][6].find('{'), std::string::npos) << "no JSON: " << rows[1][6];
  // The record names the role that keeps it, as the seed's section 6 does.
  ASSERT_EQ(rows[0][10], "Responsable del registro");
  EXPECT_EQ(rows[1][10], "Técnico operativo de calidad educativa");
  // Codes as the form labels them.
  EXPECT_NE(rows[1][8].find("Asesoría"), std::string::npos) << rows[1][8];
  EXPECT_EQ(rows[1][8].find("ASESORIA"), std::string::npos) << rows[1][8];
  RunResult other = run({"report", "programacion", "--period", "2026", "--etc", "Bogotá"});
  ASSERT_EQ(other.code, 0) << other;
  EXPECT_EQ(parse_csv(other.out).size(), 1U);  // the header only
  RunResult none = run({"report", "programacion", "--period", "2025"});
  EXPECT_EQ(parse_csv(none.out).size(), 1U);
}

TEST_F(ReportTest, UnknownReportIsInvalidInput) {
  RunResult r = run({"report", "nomina", "--period", "2026"});
  EXPECT_EQ(r.code, 10) << r;
  EXPECT_NE(r.err.find("caracterizacion"), std::string::npos) << r;
}

TEST_F(ReportTest, RecordsAreAppendOnly) {
  RawDb raw(db());
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM records"), 10);
  char* message = nullptr;
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db().c_str(), &handle), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(handle, "UPDATE records SET data = '{}'", nullptr, nullptr, &message),
            SQLITE_OK);
  sqlite3_free(message);
  EXPECT_NE(sqlite3_exec(handle, "DELETE FROM records", nullptr, nullptr, &message), SQLITE_OK);
  sqlite3_free(message);
  sqlite3_close(handle);
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM records"), 10);
}

TEST_F(ReportTest, OutboxListsFiltersAndAcknowledges) {
  RunResult all = run({"outbox", "--json"});
  ASSERT_EQ(all.code, 0) << all;
  Json list = parse_json(all.out);
  ASSERT_EQ(list.size(), 7U);  // E02.01; D01.04, D02.01, D02.02, F01.03, I02.04; F01.03
  EXPECT_EQ(list[0]["id"], "1-33-E02.01");
  EXPECT_EQ(list[0]["data"]["evaluacion_consolidada"]["estado"], "evaluada");

  RunResult f0103 = run({"outbox", "--subprocess", "F01.03", "--json"});
  EXPECT_EQ(parse_json(f0103.out).size(), 2U);

  RunResult ack = run({"outbox", "ack", "1-33-E02.01"});
  EXPECT_EQ(ack.code, 0) << ack;
  EXPECT_EQ(run({"outbox", "ack", "1-33-E02.01"}).code, 0) << "acknowledging twice is fine";
  EXPECT_EQ(parse_json(run({"outbox", "--json"}).out).size(), 6U);
  Json with_acked = parse_json(run({"outbox", "--all", "--json"}).out);
  ASSERT_EQ(with_acked.size(), 7U);
  EXPECT_TRUE(with_acked[0]["acked"].is_string());

  RunResult unknown = run({"outbox", "ack", "9-9-X"});
  EXPECT_EQ(unknown.code, 3) << unknown;

  RunResult csv = run({"outbox", "--all", "--csv"});
  ASSERT_EQ(csv.code, 0) << csv;
  auto rows = parse_csv(csv.out);
  ASSERT_EQ(rows.size(), 8U);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"Id", "Subproceso", "Id de negocio", "Elemento",
                                               "Creado", "Confirmado", "Contenido"}));
  EXPECT_EQ(rows[1][0], "1-33-E02.01");
  EXPECT_EQ(rows[1][5].substr(2, 1), "/") << "acknowledged, day/month/year: " << rows[1][5];
  EXPECT_NE(rows[1][6].find("Estado de la evaluación: Evaluada"), std::string::npos) << rows[1][6];
  EXPECT_EQ(run({"outbox", "--csv", "--json"}).code, 2);
}

TEST_F(ReportTest, SummaryNamesRolesAsTheSeDoes) {
  RunResult r = run({"summary", "--period", "2026"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("periodo 2026: 1 instancia (0 activas, 1 completada, 0 terminadas"),
            std::string::npos)
      << r;
  EXPECT_NE(r.out.find("(ninguna tarea abierta)"), std::string::npos) << r;
}

}  // namespace
}  // namespace pmiflow::cli::testing
