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
    } else if (c == ',') {
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
  EXPECT_TRUE(contains(
      r.out, "instance 1: D02_03_ApoyarGestionPMI v1, business id " + kDemoSchool + "/2026"))
      << r;
  EXPECT_TRUE(contains(r.out, "activity entered: " + kNameA04Revisar)) << r;
  EXPECT_TRUE(contains(r.out, "activity completed: " + kNameA05)) << r;
  // Who, with which role; handlers by their type.
  EXPECT_TRUE(contains(r.out, "user autopilot (lider_calidad)")) << r;
  EXPECT_TRUE(contains(r.out, "handler d02_03.clasificar_establecimiento")) << r;
  // The first review is not aligned: the default flow, with the value seen; then aligned.
  EXPECT_TRUE(contains(r.out, "decision at " + kNameA04Gateway +
                                  " [A04_GW_EstrategiaAlineada]: took the default flow "
                                  "Flow_A04_NoAlineada"))
      << r;
  EXPECT_TRUE(contains(r.out, "values seen: alineada = false")) << r;
  EXPECT_TRUE(contains(r.out,
                       "took flow Flow_A04_Alineada to Acompañamiento a la ejecución "
                       "del PMI because `=alineada = true` is true; values seen: alineada = "
                       "true"))
      << r;
  EXPECT_TRUE(contains(r.out, "values seen: actividades_pendientes = 2, periodo_cumplido = false"))
      << r;
  // Variables from -> to, and the start variables.
  EXPECT_TRUE(contains(r.out, "alineada: (unset) -> false")) << r;
  EXPECT_TRUE(contains(r.out, "alineada: false -> true")) << r;
  EXPECT_TRUE(contains(r.out, "codigo_dane = \"" + kDemoSchool + "\"")) << r;
  EXPECT_TRUE(contains(r.out, "municipio = \"Medellín\"")) << r;
  EXPECT_TRUE(contains(r.out, "task 1-2 opened for profesional_mejoramiento")) << r;
  EXPECT_TRUE(contains(r.out, "job 1-4 created for handler d02_03.clasificar_establecimiento"))
      << r;
  EXPECT_TRUE(contains(r.out, "instance completed")) << r;
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
  EXPECT_NE(d["description"].get<std::string>().find("values seen: alineada = false"),
            std::string::npos);
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
  ASSERT_EQ(
      r.out.rfind(bom + "seq,time,actor,role,type,element_id,element_name,description\r\n", 0), 0u)
      << r;
  auto rows = parse_csv(r.out.substr(bom.size()));
  ASSERT_EQ(static_cast<std::int64_t>(rows.size()), events_of(1) + 1);
  for (const auto& row : rows) EXPECT_EQ(row.size(), 8u) << row[0];
  bool saw_review = false;
  bool saw_decision = false;
  for (const auto& row : rows) {
    if (row[4] == "UserTaskCompleted" && row[5] == "A04_RevisarAlineacionPAM") {
      saw_review = true;
      EXPECT_EQ(row[2], "autopilot");
      EXPECT_EQ(row[3], "lider_calidad");
      EXPECT_EQ(row[6], kNameA04Revisar);  // "alineación": UTF-8 bytes as they are
    }
    if (row[4] == "DecisionTaken" && row[5] == "A04_GW_EstrategiaAlineada") {
      saw_decision = true;
      EXPECT_EQ(row[2], "engine");
      EXPECT_NE(row[7].find("values seen: alineada ="), std::string::npos) << row[7];
    }
  }
  EXPECT_TRUE(saw_review);
  EXPECT_TRUE(saw_decision);
  // A description with commas and quotes is one quoted field.
  EXPECT_TRUE(contains(r.out, ",\"instance started: D02_03_ApoyarGestionPMI v1, business id "))
      << r;
  EXPECT_TRUE(contains(r.out, "codigo_dane = \"\"" + kDemoSchool + "\"\"")) << r;
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
  EXPECT_TRUE(contains(r.out, ", active, ")) << r;
  EXPECT_TRUE(contains(r.out, "opened for profesional_mejoramiento: Analizar la caracterización"))
      << r;
}

}  // namespace
}  // namespace pmiflow::cli::testing
