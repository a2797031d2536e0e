// The sample jurisdiction generator (determinism, shares, códigos DANE) and the schools CSV
// (writing, reading back, rejected rows with their line numbers).

#include "handlers/d02_03/jurisdiction.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/common/limits.h"

namespace pmiflow::handlers::d02_03 {
namespace {

std::vector<School> make_schools(int n, std::uint64_t seed, const std::string& etc) {
  auto schools = generate_jurisdiction(n, seed, etc);
  if (!schools.ok()) {
    ADD_FAILURE() << schools.error().message;
    return {};
  }
  return *schools;
}

std::vector<SchoolRow> read(const std::string& text, const std::string& periodo = "2026") {
  auto rows = read_schools_csv(text, periodo);
  if (!rows.ok()) {
    ADD_FAILURE() << rows.error().message;
    return {};
  }
  return *rows;
}

double share(std::size_t part, std::size_t whole) {
  return whole == 0 ? 0 : static_cast<double>(part) / static_cast<double>(whole);
}

// ---------------------------------------------------------------------------------------------
// Determinism

TEST(Jurisdiction, SameSeedSameCsvDifferentSeedDifferentCsv) {
  const std::string a = to_csv(make_schools(500, 42, "Antioquia"));
  EXPECT_EQ(a, to_csv(make_schools(500, 42, "Antioquia")));
  EXPECT_NE(a, to_csv(make_schools(500, 43, "Antioquia")));
  EXPECT_NE(a, to_csv(make_schools(500, 42, "Boyacá")));
  // A prefix of a run is the smaller run with the same seed.
  const std::string small = to_csv(make_schools(10, 42, "Antioquia"));
  EXPECT_EQ(a.substr(0, small.size()), small);
}

// Pins the sampling itself: if this changes, every seed printed in docs and demos changes
// too, so change it only on purpose.
// Pins the sampling itself (codes, names, categories, régimen): if this changes, every sample
// jurisdiction printed in docs and demos changes too, so change it only on purpose. It also
// catches draws whose order a compiler may choose (two draws in one expression).
TEST(Jurisdiction, OutputIsPinnedForOneSeed) {
  EXPECT_EQ(to_csv(make_schools(3, 2026, "Medellín")),
            "codigo_dane,nombre,municipio,etc,sector,categoria_saber,regimen\n"
            "305001000702,Colegio Parroquial del Norte,Medellín,Medellín,NO_OFICIAL,C,"
            "LIBERTAD_REGULADA\n"
            "305001000704,Colegio Cooperativo Luz y Vida,Medellín,Medellín,NO_OFICIAL,C,"
            "LIBERTAD_VIGILADA\n"
            "305001000705,Colegio Cooperativo Los Andes,Medellín,Medellín,NO_OFICIAL,B,"
            "REGIMEN_CONTROLADO\n");
}

TEST(Jurisdiction, NamesAreUniqueWithinAMunicipio) {
  std::set<std::string> seen;
  for (const School& s : make_schools(5'000, 3, "Cali")) {
    EXPECT_TRUE(seen.insert(s.municipio + "|" + s.nombre).second) << s.nombre;
  }
}

TEST(Jurisdiction, EtcNamesMatchIgnoringCaseAndAccents) {
  EXPECT_EQ(to_csv(make_schools(20, 7, "bogota")), to_csv(make_schools(20, 7, "Bogotá")));
  EXPECT_EQ(make_schools(1, 7, "BOYACA").at(0).etc, "Boyacá");
  auto unknown = generate_jurisdiction(10, 1, "Narnia");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message.find("etc: unknown ETC 'Narnia' (expected one of Antioquia"),
            std::string::npos)
      << unknown.error().message;
  EXPECT_FALSE(generate_jurisdiction(-1, 1, "Tunja").ok());
  EXPECT_FALSE(generate_jurisdiction(kMaxJurisdictionSize + 1, 1, "Tunja").ok());
  EXPECT_TRUE(make_schools(0, 1, "Tunja").empty());
  EXPECT_EQ(known_etcs().size(), 9u);
}

// ---------------------------------------------------------------------------------------------
// Shares on a large run (domain-notes.md §9)

struct Counts {
  std::size_t total = 0;
  std::size_t oficial = 0;
  std::size_t oficial_rural = 0;
  std::size_t no_oficial = 0;
  std::size_t no_oficial_rural = 0;
  std::size_t classified = 0;
  std::map<std::string, std::size_t> categoria;  // among classified
  std::map<std::string, std::size_t> regimen;    // among no oficial
  std::size_t oficial_rural_classified = 0;
  std::size_t oficial_rural_low = 0;  // C or D
  std::size_t privado_urbano_classified = 0;
  std::size_t privado_urbano_high = 0;  // A+ or A
};

Counts count(const std::vector<School>& schools) {
  Counts c;
  for (const School& s : schools) {
    ++c.total;
    const bool oficial = s.sector == "OFICIAL";
    const bool rural = s.zona == "RURAL";
    const bool classified = s.categoria_saber != "SIN_CLASIFICAR";
    if (oficial) {
      ++c.oficial;
      if (rural) ++c.oficial_rural;
    } else {
      ++c.no_oficial;
      if (rural) ++c.no_oficial_rural;
      ++c.regimen[s.regimen];
    }
    if (classified) {
      ++c.classified;
      ++c.categoria[s.categoria_saber];
      if (oficial && rural) {
        ++c.oficial_rural_classified;
        if (s.categoria_saber == "C" || s.categoria_saber == "D") ++c.oficial_rural_low;
      }
      if (!oficial && !rural) {
        ++c.privado_urbano_classified;
        if (s.categoria_saber == "A+" || s.categoria_saber == "A") ++c.privado_urbano_high;
      }
    }
  }
  return c;
}

void expect_saber_and_regimen_shares(const Counts& c, const std::string& etc) {
  SCOPED_TRACE(etc);
  const std::map<std::string, double> saber = {
      {"A+", 0.08}, {"A", 0.15}, {"B", 0.25}, {"C", 0.30}, {"D", 0.22}};
  for (const auto& [categoria, expected] : saber) {
    EXPECT_NEAR(share(c.categoria.at(categoria), c.classified), expected, 0.02) << categoria;
  }
  EXPECT_NEAR(share(c.classified, c.total), 0.60, 0.05);
  if (c.no_oficial > 1000) {
    EXPECT_NEAR(share(c.regimen.at("LIBERTAD_VIGILADA"), c.no_oficial), 0.60, 0.03);
    EXPECT_NEAR(share(c.regimen.at("LIBERTAD_REGULADA"), c.no_oficial), 0.25, 0.03);
    EXPECT_NEAR(share(c.regimen.at("REGIMEN_CONTROLADO"), c.no_oficial), 0.15, 0.03);
  }
  // The skew, within the ETC's national mix (C/D 52 %, A+/A 23 % of the classified): oficial
  // rural schools fall more often in C/D, no oficial urbano ones more often in A+/A.
  EXPECT_GT(share(c.oficial_rural_low, c.oficial_rural_classified), 0.62);
  EXPECT_GT(share(c.privado_urbano_high, c.privado_urbano_classified), 0.28);
}

TEST(Jurisdiction, DepartmentalSharesOnTwentyThousandSchools) {
  const Counts c = count(make_schools(20'000, 1, "Antioquia"));
  ASSERT_EQ(c.total, 20'000u);
  const double oficial = share(c.oficial, c.total);
  EXPECT_GE(oficial, 0.75);  // departmental ETCs: 75-90 % oficial
  EXPECT_LE(oficial, 0.90);
  EXPECT_NEAR(share(c.oficial_rural, c.oficial), 0.65, 0.02);
  EXPECT_NEAR(share(c.no_oficial_rural, c.no_oficial), 0.10, 0.02);
  expect_saber_and_regimen_shares(c, "Antioquia");
  // "≈70 % of oficial rural in C/D" (domain-notes.md §9).
  EXPECT_NEAR(share(c.oficial_rural_low, c.oficial_rural_classified), 0.70, 0.03);
}

TEST(Jurisdiction, BigCitySharesOnTwentyThousandSchools) {
  const Counts c = count(make_schools(20'000, 1, "Bogotá"));
  const double oficial = share(c.oficial, c.total);
  EXPECT_GE(oficial, 0.25);  // big cities: 25-40 % oficial
  EXPECT_LE(oficial, 0.40);
  EXPECT_LT(share(c.oficial_rural, c.oficial), 0.10);
  expect_saber_and_regimen_shares(c, "Bogotá");
}

// ---------------------------------------------------------------------------------------------
// Códigos DANE and names

TEST(Jurisdiction, CodesAreUniqueTwelveDigitsWithSectorZonaAndARealMunicipio) {
  for (const std::string& etc : known_etcs()) {
    SCOPED_TRACE(etc);
    const auto schools = make_schools(3'000, 99, etc);
    std::set<std::string> codes;
    std::map<std::string, std::string> divipola_of;  // municipio -> DIVIPOLA
    for (const School& s : schools) {
      ASSERT_EQ(s.codigo_dane.size(), 12u) << s.codigo_dane;
      for (char ch : s.codigo_dane) ASSERT_TRUE(ch >= '0' && ch <= '9') << s.codigo_dane;
      EXPECT_TRUE(codes.insert(s.codigo_dane).second) << "repeated " << s.codigo_dane;
      const char expected_d1 =
          s.sector == "OFICIAL" ? (s.zona == "RURAL" ? '2' : '1') : (s.zona == "RURAL" ? '4' : '3');
      EXPECT_EQ(s.codigo_dane[0], expected_d1) << s.codigo_dane << " " << s.sector << " " << s.zona;
      // One DIVIPOLA per municipio, and the municipio's departamento is the ETC's.
      auto [it, inserted] = divipola_of.emplace(s.municipio, s.codigo_dane.substr(1, 5));
      EXPECT_EQ(it->second, s.codigo_dane.substr(1, 5)) << s.municipio;
      EXPECT_EQ(s.etc, etc);
      EXPECT_EQ(s.regimen.empty(), s.sector == "OFICIAL") << s.codigo_dane;
      if (s.sector == "OFICIAL") {
        EXPECT_TRUE(s.nombre.rfind("Institución Educativa ", 0) == 0 ||
                    s.nombre.rfind("Centro Educativo Rural ", 0) == 0)
            << s.nombre;
      } else {
        EXPECT_EQ(s.nombre.rfind("Colegio ", 0), 0u) << s.nombre;
      }
    }
    std::set<std::string> departamentos;
    for (const auto& [municipio, code] : divipola_of) departamentos.insert(code.substr(0, 2));
    EXPECT_EQ(departamentos.size(), 1u);
  }
}

TEST(Jurisdiction, RealDivipolaCodes) {
  std::map<std::string, std::string> seen;
  for (const char* etc : {"Bogotá", "Medellín", "Cali", "Barranquilla", "Tunja", "Duitama"}) {
    const School s = make_schools(1, 5, etc).at(0);
    seen[s.municipio] = s.codigo_dane.substr(1, 5);
  }
  EXPECT_EQ(seen, (std::map<std::string, std::string>{{"Bogotá, D.C.", "11001"},
                                                      {"Medellín", "05001"},
                                                      {"Cali", "76001"},
                                                      {"Barranquilla", "08001"},
                                                      {"Tunja", "15001"},
                                                      {"Duitama", "15238"}}));
}

// ---------------------------------------------------------------------------------------------
// CSV

TEST(SchoolsCsv, QuotesOnlyWhatNeedsQuoting) {
  School s;
  s.codigo_dane = "311001000789";
  s.nombre = "Colegio \"El Nogal\", sede norte";
  s.municipio = "Bogotá, D.C.";
  s.etc = "Bogotá";
  s.sector = "NO_OFICIAL";
  s.categoria_saber = "A+";
  s.regimen = "LIBERTAD_REGULADA";
  School o;
  o.codigo_dane = "105001000123";
  o.nombre = "Institución Educativa Línea\nDos";
  o.municipio = "Medellín";
  o.etc = "Medellín";
  o.sector = "OFICIAL";
  o.categoria_saber = "SIN_CLASIFICAR";
  EXPECT_EQ(to_csv({s, o}),
            "codigo_dane,nombre,municipio,etc,sector,categoria_saber,regimen\n"
            "311001000789,\"Colegio \"\"El Nogal\"\", sede norte\",\"Bogotá, D.C.\",Bogotá,"
            "NO_OFICIAL,A+,LIBERTAD_REGULADA\n"
            "105001000123,\"Institución Educativa Línea\nDos\",Medellín,Medellín,OFICIAL,"
            "SIN_CLASIFICAR,\n");
  EXPECT_EQ(to_csv({}, true),
            "\xEF\xBB\xBF"
            "codigo_dane,nombre,municipio,etc,sector,categoria_saber,regimen\n");
}

TEST(SchoolsCsv, RoundTripsAGeneratedJurisdiction) {
  for (const std::string& etc : {std::string("Bogotá"), std::string("Antioquia")}) {
    const auto schools = make_schools(2'000, 11, etc);
    const auto rows = read(to_csv(schools), "2026-1");
    ASSERT_EQ(rows.size(), schools.size());
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const School& s = schools[k];
      const SchoolRow& row = rows[k];
      EXPECT_EQ(row.line, static_cast<int>(k) + 2);
      EXPECT_TRUE(row.errors.empty()) << describe_row_errors(row);
      Variables expected = {{"codigo_dane", s.codigo_dane}, {"nombre", s.nombre},
                            {"municipio", s.municipio},     {"etc", s.etc},
                            {"sector", s.sector},           {"categoria_saber", s.categoria_saber},
                            {"periodo", "2026-1"}};
      if (!s.regimen.empty()) expected["regimen"] = s.regimen;
      EXPECT_EQ(row.variables, expected);
    }
  }
}

TEST(SchoolsCsv, ReadsWhatSpreadsheetsWrite) {
  // BOM, CRLF, columns in another order, a quoted field with a comma, quotes and a line break,
  // blank lines and an empty trailing line.
  const std::string text =
      "\xEF\xBB\xBF"
      "sector,codigo_dane,nombre,municipio,etc,categoria_saber,regimen\r\n"
      "NO_OFICIAL,311001000789,\"Colegio \"\"Los Andes\"\",\r\nsede norte\",\"Bogotá, "
      "D.C.\",Bogotá,A,LIBERTAD_VIGILADA\r\n"
      "\r\n"
      "OFICIAL,111001000123,Institución Educativa San José,\"Bogotá, D.C.\",Bogotá,C,\r\n"
      "\r\n";
  const auto rows = read(text);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].line, 2);
  EXPECT_TRUE(rows[0].errors.empty()) << describe_row_errors(rows[0]);
  EXPECT_EQ(rows[0].variables.at("nombre"), "Colegio \"Los Andes\",\r\nsede norte");
  EXPECT_EQ(rows[0].variables.at("municipio"), "Bogotá, D.C.");
  EXPECT_EQ(rows[1].line, 5);  // the quoted line break and the blank line count
  EXPECT_TRUE(rows[1].errors.empty()) << describe_row_errors(rows[1]);
  EXPECT_EQ(rows[1].variables.count("regimen"), 0u);
  EXPECT_EQ(rows[1].variables.at("periodo"), "2026");
}

TEST(SchoolsCsv, ReportsBadRowsWithTheirLineNumbers) {
  const std::string text =
      "codigo_dane,nombre,municipio,etc,sector,categoria_saber,regimen\n"
      "105001000123,Institución Educativa A,Medellín,Medellín,OFICIAL,B,\n"      // 2 ok
      "10500100012,Institución Educativa B,Medellín,Medellín,PUBLICO,B,\n"       // 3 two errors
      "305001000124,Colegio C,Medellín,Medellín,NO_OFICIAL,A,\n"                 // 4 no régimen
      "105001000125,Institución Educativa D,Medellín,Medellín,OFICIAL,B\n"       // 5 six fields
      "105001000123,Institución Educativa A bis,Medellín,Medellín,OFICIAL,B,\n"  // 6 repeated
      "205001000126,\"Centro Educativo \"Rural\" E\",Medellín,Medellín,OFICIAL,D,\n"  // 7 quotes
      "205001000127,Centro Educativo Rural F,Medell\xEDn,Medell\xEDn,OFICIAL,D,\n"    // 8 Latin-1
      "205001000128,Centro Educativo Rural G,Medellín,Medellín,OFICIAL,SIN_CLASIFICAR,\n";
  const auto rows = read(text);
  ASSERT_EQ(rows.size(), 8u);
  std::map<int, std::string> described;
  for (const SchoolRow& row : rows) described[row.line] = describe_row_errors(row);
  EXPECT_EQ(described[2], "");
  EXPECT_EQ(described[3],
            "line 3: codigo_dane: expected 12 digits, the first 1-4 (sector and zona), found "
            "'10500100012'; sector: expected one of OFICIAL, NO_OFICIAL, found 'PUBLICO'");
  EXPECT_EQ(described[4],
            "line 4: regimen: expected one of LIBERTAD_REGULADA, LIBERTAD_VIGILADA, "
            "REGIMEN_CONTROLADO (required for a NO_OFICIAL school), found nothing");
  EXPECT_EQ(described[5],
            "line 5: expected 7 fields (codigo_dane,nombre,municipio,etc,sector,categoria_saber,"
            "regimen), found 6");
  EXPECT_EQ(described[6], "line 6: codigo_dane: '105001000123' repeats the row of line 2");
  EXPECT_EQ(described[7],
            "line 7: a quoted field must be followed by a comma or the end of the line");
  EXPECT_NE(described[8].find("line 8: municipio: not valid UTF-8"), std::string::npos)
      << described[8];
  EXPECT_NE(described[8].find("etc: not valid UTF-8"), std::string::npos) << described[8];
  EXPECT_EQ(described[9], "");
}

TEST(SchoolsCsv, RefusesAFileItCannotRead) {
  auto error = [](const std::string& text, const std::string& periodo = "2026") {
    auto rows = read_schools_csv(text, periodo);
    return rows.ok() ? std::string("(read)") : rows.error().message;
  };
  EXPECT_EQ(error(""),
            "line 1: expected the header "
            "codigo_dane,nombre,municipio,etc,sector,categoria_saber,regimen, found an empty file");
  EXPECT_EQ(error("codigo_dane,nombre,municipio,etc,sector,categoria,regimen,zona\n"),
            "line 1: bad header (expected "
            "codigo_dane,nombre,municipio,etc,sector,categoria_saber,regimen): unknown column "
            "'categoria'; unknown column 'zona'; missing column 'categoria_saber'");
  EXPECT_EQ(error("codigo_dane,nombre,municipio,etc,sector,categoria_saber,regimen\n"
                  "105001000123,\"Institución Educativa A,Medellín,Medellín,OFICIAL,B,\n"
                  "105001000124,B,Medellín,Medellín,OFICIAL,B,\n"),
            "line 2: a quoted field is not closed before the end of the file");
  EXPECT_NE(error(std::string(kSchoolsCsvHeader) + "\n", "2026-3").find("periodo"),
            std::string::npos);
  EXPECT_EQ(error(std::string(kSchoolsCsvHeader)), "(read)");  // header only, no newline
  std::string big = std::string(kSchoolsCsvHeader) + "\n";
  big.resize(limits::kMaxSchoolsCsvBytes + 1, '\n');
  EXPECT_EQ(error(big),
            "67108865 bytes, more than the limit for a schools CSV (64 MiB (67108864 bytes))");
}

}  // namespace
}  // namespace pmiflow::handlers::d02_03
