// `pmiflow history`: the timeline of an instance with the Spanish names of D02.03, who acted
// in which role, the decisions with the values they saw, the variable changes; --json and
// --csv shapes.
#include <gtest/gtest.h>

#include "audit_test_util.h"

namespace pmiflow::cli::testing {
namespace {

class AuditHistory : public AuditTest {};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Splits RFC 4180 CSV (CRLF records, quoted fields with "" escapes) into rows of fields.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ';') {
      row.push_back(field);
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
      ++i;
    } else {
      field += c;
    }
  }
  if (!field.empty() || !row.empty()) {
    row.push_back(field);
    rows.push_back(row);
  }
  return rows;
}

TEST_F(AuditHistory, TextNamesActivitiesInSpanishAndShowsDecisionsAndChanges) {
  use_demo_db();
  RunResult r = run({"history", "1"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.out, "instancia 1: D02_03_ApoyarGestionPMI v1, id de negocio " +
                                  kDemoSchool + "/2026, completada"))
      << r;
  EXPECT_TRUE(contains(r.out, "inició la actividad: " + kNameA04Revisar)) << r;
  EXPECT_TRUE(contains(r.out, "terminó la actividad: " + kNameA05)) << r;
  // Who, with which role as the seed names it; handlers by their type.
  EXPECT_TRUE(contains(r.out, "usuario autopilot (Líder de Calidad Educativa)")) << r;
  EXPECT_TRUE(contains(r.out, "manejador d02_03.clasificar_establecimiento")) << r;
  // The first review is not aligned: the default flow, with the value seen, by the form's
  // label and option; then aligned.
  const std::string alineada = "¿Las actividades de la estrategia están contempladas en el PAM?";
  EXPECT_TRUE(contains(r.out, "decisión en " + kNameA04Gateway +
                                  " [A04_GW_EstrategiaAlineada]: tomó el flujo por defecto "
                                  "Flow_A04_NoAlineada"))
      << r;
  EXPECT_TRUE(contains(r.out, "valores vistos: " + alineada + " = No")) << r;
  EXPECT_TRUE(contains(r.out,
                       "tomó el flujo Flow_A04_Alineada hacia Acompañamiento a la ejecución "
                       "del PMI porque `=alineada = true` es verdadero; valores vistos: " +
                           alineada + " = Sí"))
      << r;
  EXPECT_TRUE(contains(r.out,
                       "valores vistos: Actividades pendientes por ejecutar = 2, ¿Se cumplió el "
                       "periodo establecido para la evaluación de resultados? = No"))
      << r;
  // Variables from -> to, and the start variables, by their labels; no variable names.
  EXPECT_TRUE(contains(r.out, alineada + ": (sin valor) → No")) << r;
  EXPECT_TRUE(contains(r.out, alineada + ": No → Sí")) << r;
  EXPECT_TRUE(contains(r.out, "Código DANE = «" + kDemoSchool + "»")) << r;
  EXPECT_TRUE(contains(r.out, "Municipio = «Medellín»")) << r;
  EXPECT_TRUE(contains(r.out, "Sector = «Oficial»")) << r;
  EXPECT_FALSE(contains(r.out, "codigo_dane =")) << r;
  EXPECT_TRUE(contains(r.out, "tarea 1-2 abierta para Profesional de mejoramiento")) << r;
  EXPECT_TRUE(contains(r.out,
                       "trabajo 1-4 creado para el manejador "
                       "d02_03.clasificar_establecimiento"))
      << r;
  EXPECT_TRUE(
      contains(r.out, "se escribió el registro «Programación de la Asistencia Técnica» en " +
                          kNameA03Definir +
                          " [A03_DefinirEstrategiaAT]; responsable: Técnico operativo de "
                          "calidad educativa"))
      << r;
  EXPECT_TRUE(contains(r.out, "la instancia terminó")) << r;
  // Times as an SE writes them: day/month/year, in Bogotá's hours.
  EXPECT_TRUE(contains(r.out, "(horas de America/Bogota)")) << r;
  EXPECT_FALSE(contains(r.out, "Z  ")) << "no UTC instants in the table: " << r;
  // One line per event after the header and the column titles.
  EXPECT_EQ(split_lines(r.out).size(), static_cast<std::size_t>(events_of(1)) + 3) << r;
}

TEST_F(AuditHistory, JsonIsOneObjectPerEventWithActorNamesPayloadAndHash) {
  use_demo_db();
  Json h = history_json(1);
  ASSERT_TRUE(h.is_array());
  ASSERT_EQ(static_cast<std::int64_t>(h.size()), events_of(1));
  std::int64_t seq = 0;
  for (const auto& e : h) {
    EXPECT_EQ(e["seq"], ++seq);
    for (const char* key : {"time", "actor", "type", "element_id", "element_name", "description",
                            "payload", "hash"}) {
      EXPECT_TRUE(e.contains(key)) << key << " in " << e.dump();
    }
    EXPECT_TRUE(e["actor"].contains("kind") && e["actor"].contains("id") &&
                e["actor"].contains("role"))
        << e.dump();
    EXPECT_EQ(e["hash"].get<std::string>().size(), 64u);
    EXPECT_EQ(e["time"].get<std::string>().back(), 'Z');
  }
  EXPECT_EQ(h[0]["type"], "InstanceCreated");
  EXPECT_EQ(h[0]["actor"]["kind"], "user");
  const std::int64_t decision = find_seq(h, "DecisionTaken", "A04_GW_EstrategiaAlineada");
  ASSERT_GT(decision, 0);
  const Json& d = h[static_cast<std::size_t>(decision - 1)];
  EXPECT_EQ(d["element_name"], kNameA04Gateway);
  EXPECT_EQ(d["actor"]["kind"], "engine");
  EXPECT_EQ(d["payload"]["inputs"]["alineada"], false);
  EXPECT_NE(d["description"].get<std::string>().find(
                "valores vistos: ¿Las actividades de la estrategia están contempladas en el PAM? "
                "= No"),
            std::string::npos)
      << d["description"];
  const std::int64_t review = find_seq(h, "UserTaskCompleted", "A04_RevisarAlineacionPAM");
  ASSERT_GT(review, 0);
  const Json& c = h[static_cast<std::size_t>(review - 1)];
  EXPECT_EQ(c["actor"]["role"], "lider_calidad");
  EXPECT_EQ(c["element_name"], kNameA04Revisar);
}

TEST_F(AuditHistory, CsvHasABomTheExactHeaderQuotedFieldsAndIntactAccents) {
  use_demo_db();
  RunResult r = run({"history", "1", "--csv"});
  ASSERT_EQ(r.code, 0) << r;
  const std::string bom = "\xEF\xBB\xBF";
  ASSERT_EQ(r.out.rfind(bom + "N.º;Fecha y hora;Quién;Rol;Qué pasó;Elemento;Id del elemento;"
                              "Tipo de evento\r\n",
                        0),
            0u)
      << r;
  auto rows = parse_csv(r.out.substr(bom.size()));
  ASSERT_EQ(static_cast<std::int64_t>(rows.size()), events_of(1) + 1);
  for (const auto& row : rows) EXPECT_EQ(row.size(), 8u) << row[0];
  bool saw_review = false;
  bool saw_decision = false;
  for (const auto& row : rows) {
    if (row[7] == "UserTaskCompleted" && row[6] == "A04_RevisarAlineacionPAM") {
      saw_review = true;
      EXPECT_EQ(row[2], "autopilot");
      EXPECT_EQ(row[3], "Líder de Calidad Educativa");
      EXPECT_EQ(row[5], kNameA04Revisar);  // "alineación": UTF-8 bytes as they are
    }
    if (row[7] == "DecisionTaken" && row[6] == "A04_GW_EstrategiaAlineada") {
      saw_decision = true;
      EXPECT_EQ(row[2], "motor");
      EXPECT_NE(row[4].find("valores vistos: ¿Las actividades"), std::string::npos) << row[4];
    }
    ASSERT_EQ(row[1].size(), row == rows[0] ? 12u : 19u) << "DD/MM/YYYY HH:MM:SS: " << row[1];
  }
  EXPECT_TRUE(saw_review);
  EXPECT_TRUE(saw_decision);
  // A description with separators is one quoted field.
  EXPECT_TRUE(contains(r.out,
                       ";\"se inició la instancia: D02_03_ApoyarGestionPMI v1, id de "
                       "negocio "))
      << r;
}

TEST_F(AuditHistory, UnknownInstanceBadIdAndConflictingFormats) {
  use_demo_db();
  EXPECT_EQ(run({"history", "99"}).code, 3);
  EXPECT_EQ(run({"history", "abc"}).code, 10);
  EXPECT_EQ(run({"history", "1", "--json", "--csv"}).code, 2);
  EXPECT_EQ(run_cli({"history", "1", "--db", dir_.file("missing.db")}).code, 9);
}

TEST_F(AuditHistory, AnInstanceStillRunningShowsItsOpenTask) {
  deploy();
  const std::int64_t id = start("105001000777");
  ASSERT_GT(id, 0);
  RunResult r = run({"history", std::to_string(id)});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.out, ", activa, ")) << r;
  EXPECT_TRUE(
      contains(r.out, "abierta para Profesional de mejoramiento: Analizar la caracterización"))
      << r;
}

}  // namespace
}  // namespace pmiflow::cli::testing
