// validate_start_data: the D02.03 data contract's start variables.

#include "handlers/d02_03/start_data.h"

#include "engine/common/time_text.h"
#include "handlers/d02_03/business_key.h"
#include "handlers/d02_03/d02_03_handlers.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pmiflow::handlers::d02_03 {
namespace {

Variables oficial() {
  return {{"codigo_dane", "215238000101"},
          {"periodo", "2026"},
          {"nombre", "Institución Educativa Técnica San José"},
          {"municipio", "Duitama"},
          {"etc", "Duitama"},
          {"sector", "OFICIAL"},
          {"categoria_saber", "C"}};
}

Variables privado() {
  return {{"codigo_dane", "311001000789"},
          {"periodo", "2026-1"},
          {"nombre", "Colegio Los Andes"},
          {"municipio", "Bogotá, D.C."},
          {"etc", "Bogotá"},
          {"sector", "NO_OFICIAL"},
          {"categoria_saber", "A+"},
          {"regimen", "LIBERTAD_REGULADA"}};
}

std::vector<std::string> fields(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const FieldError& e : errors) out.push_back(e.field);
  return out;
}

std::string first_message(const Variables& vars) {
  auto errors = validate_start_data(vars);
  return errors.empty() ? std::string("(valid)") : errors.front().message;
}

TEST(StartData, AcceptsOfficialAndPrivateSchools) {
  EXPECT_TRUE(validate_start_data(oficial()).empty());
  EXPECT_TRUE(validate_start_data(privado()).empty());
  for (const char* regimen : {"LIBERTAD_REGULADA", "LIBERTAD_VIGILADA", "REGIMEN_CONTROLADO"}) {
    Variables v = privado();
    v["regimen"] = regimen;
    EXPECT_TRUE(validate_start_data(v).empty()) << regimen;
  }
  for (const char* categoria : {"A+", "A", "B", "C", "D", "SIN_CLASIFICAR"}) {
    Variables v = oficial();
    v["categoria_saber"] = categoria;
    EXPECT_TRUE(validate_start_data(v).empty()) << categoria;
  }
  Variables v = oficial();
  v["periodo"] = "2026-2";
  v["regimen"] = nullptr;  // null and "" mean "no régimen"
  EXPECT_TRUE(validate_start_data(v).empty());
  v["regimen"] = "";
  EXPECT_TRUE(validate_start_data(v).empty());
  v["observaciones"] = "otros datos del EE";  // extra variables are allowed
  EXPECT_TRUE(validate_start_data(v).empty());
}

TEST(StartData, EmptyInputNamesEveryRequiredField) {
  EXPECT_EQ(fields(validate_start_data(Variables{})),
            (std::vector<std::string>{"codigo_dane", "periodo", "nombre", "municipio", "etc",
                                      "sector", "categoria_saber"}));
}

TEST(StartData, CodigoDaneIsTwelveDigitsStartingWithSectorAndZona) {
  Variables v = oficial();
  v["codigo_dane"] = "21523800010";
  EXPECT_EQ(first_message(v),
            "codigo_dane: expected 12 digits, the first 1-4 (sector and zona), found "
            "'21523800010'");
  v["codigo_dane"] = "515238000101";
  EXPECT_EQ(fields(validate_start_data(v)), std::vector<std::string>{"codigo_dane"});
  v["codigo_dane"] = "21523800010A";
  EXPECT_EQ(fields(validate_start_data(v)), std::vector<std::string>{"codigo_dane"});
  v["codigo_dane"] = 215238000101;
  EXPECT_EQ(first_message(v),
            "codigo_dane: expected 12 digits, the first 1-4 (sector and zona), found number "
            "215238000101");
  // d1 says "no oficial urbano" but the school is official: not an error (codes persist).
  v["codigo_dane"] = "315238000101";
  EXPECT_TRUE(validate_start_data(v).empty());
}

TEST(StartData, PeriodoIsAYearOrAHalfYear) {
  Variables v = oficial();
  for (const char* bad : {"26", "2026-3", "2026-01", "año 2026", "1899"}) {
    v["periodo"] = bad;
    EXPECT_EQ(fields(validate_start_data(v)), std::vector<std::string>{"periodo"}) << bad;
  }
  v["periodo"] = "2026-3";
  EXPECT_EQ(first_message(v),
            "periodo: expected YYYY, YYYY-1 or YYYY-2 (year 1900-2999), found '2026-3'");
}

TEST(StartData, NamesMustNotBeBlank) {
  Variables v = oficial();
  v["nombre"] = "   ";
  v["municipio"] = 5;
  v.erase("etc");
  auto errors = validate_start_data(v);
  ASSERT_EQ(fields(errors), (std::vector<std::string>{"nombre", "municipio", "etc"}));
  EXPECT_EQ(errors[0].message, "nombre: expected the school's name, found an empty string");
  EXPECT_EQ(errors[1].message, "municipio: expected the municipio's name, found number 5");
  EXPECT_EQ(errors[2].message,
            "etc: expected the name of the entidad territorial certificada, found nothing");
}

TEST(StartData, SectorAndSaberCategoryComeFromTheirCatalogues) {
  Variables v = oficial();
  v["sector"] = "PRIVADO";
  v["categoria_saber"] = "E";
  auto errors = validate_start_data(v);
  ASSERT_EQ(fields(errors), (std::vector<std::string>{"sector", "categoria_saber"}));
  EXPECT_EQ(errors[0].message, "sector: expected one of OFICIAL, NO_OFICIAL, found 'PRIVADO'");
  EXPECT_EQ(errors[1].message,
            "categoria_saber: expected one of A+, A, B, C, D, SIN_CLASIFICAR, found 'E'");
  v = oficial();
  v["sector"] = "oficial";  // case matters: the catalogues are codes
  EXPECT_EQ(fields(validate_start_data(v)), std::vector<std::string>{"sector"});
}

TEST(StartData, RegimenIsRequiredForPrivateSchoolsAndRefusedForOfficialOnes) {
  Variables v = privado();
  v.erase("regimen");
  EXPECT_EQ(first_message(v),
            "regimen: expected one of LIBERTAD_REGULADA, LIBERTAD_VIGILADA, REGIMEN_CONTROLADO "
            "(required for a NO_OFICIAL school), found nothing");
  v["regimen"] = "CONTROLADO";
  EXPECT_EQ(fields(validate_start_data(v)), std::vector<std::string>{"regimen"});

  v = oficial();
  v["regimen"] = "REGIMEN_CONTROLADO";
  EXPECT_EQ(first_message(v),
            "regimen: expected nothing for an OFICIAL school (the régimen applies only to "
            "NO_OFICIAL schools), found 'REGIMEN_CONTROLADO'");

  // Without a valid sector, a given régimen must still be one of the three.
  v = privado();
  v["sector"] = "MIXTO";
  v["regimen"] = "OTRO";
  EXPECT_EQ(fields(validate_start_data(v)), (std::vector<std::string>{"sector", "regimen"}));
  v["regimen"] = "LIBERTAD_VIGILADA";
  EXPECT_EQ(fields(validate_start_data(v)), std::vector<std::string>{"sector"});
}

// ---- with the business key ------------------------------------------------------------------

// How D02.03 starts the school's instance in 2026 (business_key.h), with `vars`.
StartRequest request(Variables vars, const std::string& process = kProcessKey) {
  return StartRequest{runtime::BusinessKey{process, "215238000101/2026"},
                      period_tags("2026", "215238000101"), std::move(vars), runtime::Actor{}};
}

TEST(StartDataWithKey, CodigoDaneAndPeriodoMustBeTheInstancesTags) {
  EXPECT_TRUE(validate_start_data(request(oficial())).empty());

  Variables other_school = oficial();
  other_school["codigo_dane"] = "215238000102";
  Variables other_period = oficial();
  other_period["periodo"] = "2026-2";
  auto school_errors = validate_start_data(request(other_school));
  auto period_errors = validate_start_data(request(other_period));
  ASSERT_EQ(fields(school_errors), std::vector<std::string>{"codigo_dane"});
  EXPECT_EQ(school_errors[0].message,
            "codigo_dane: expected '215238000101' (the instance's school), found '215238000102'");
  ASSERT_EQ(fields(period_errors), std::vector<std::string>{"periodo"});
  EXPECT_EQ(period_errors[0].message,
            "periodo: expected '2026' (the instance's period), found '2026-2'");
}

TEST(StartDataWithKey, AnInvalidFieldIsReportedOnceNotAlsoAsAMismatch) {
  Variables vars = oficial();
  vars["codigo_dane"] = "21523800010X";
  vars.erase("periodo");
  auto errors = validate_start_data(request(vars));
  EXPECT_EQ(fields(errors), (std::vector<std::string>{"codigo_dane", "periodo"}));
}

TEST(StartDataWithKey, RegisterHandlersRegistersItForTheProcess) {
  HandlerRegistry registry;
  register_handlers(registry, Settings{});
  EXPECT_TRUE(registry.start_data_errors(request(oficial())).empty());
  Variables bad = oficial();
  bad["sector"] = "PRIVADO";
  EXPECT_EQ(fields(registry.start_data_errors(request(bad))), std::vector<std::string>{"sector"});
  Status status = registry.check_start_data(request(bad));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kValidation);
  // Another process is not D02.03's business.
  EXPECT_TRUE(registry.start_data_errors(request(bad, "OtroProceso")).empty());
}

}  // namespace
}  // namespace pmiflow::handlers::d02_03

namespace pmiflow::handlers::d02_03 {
namespace {

TEST(StartDataCalendar, ThePreparerFillsThePeriodsCalendarAndTagsOnlyWhereLeftOut) {
  StartRequest first_half{{kProcessKey, "111001000123/2027-1"}, {}, oficial(), {}};
  first_half.variables["periodo"] = "2027-1";
  prepare_start_data(first_half);
  EXPECT_EQ(first_half.variables.at("fecha_fin_periodo"), "2027-06-30T23:59:59");
  EXPECT_EQ(first_half.variables.at("fecha_limite_evaluacion"), "2027-07-15T23:59:59");
  EXPECT_EQ(first_half.variables.at("frecuencia_seguimiento"), "P1M");
  EXPECT_EQ(first_half.tags, period_tags("2027-1", oficial().at("codigo_dane").get<std::string>()));
  EXPECT_TRUE(validate_start_data(first_half.variables).empty());

  StartRequest given{{kProcessKey, "x"}, {{"school", "other"}}, oficial(), {}};
  given.variables["fecha_fin_periodo"] = "2026-10-31T18:00:00-05:00";
  given.variables["frecuencia_seguimiento"] = "P2W";
  prepare_start_data(given);
  EXPECT_EQ(given.variables.at("fecha_fin_periodo"), "2026-10-31T18:00:00-05:00");
  EXPECT_EQ(given.variables.at("frecuencia_seguimiento"), "P2W");
  // A given tag is kept; a missing one is added (a school's instance started by the SE's has
  // the SE's period and ETC, not its school).
  EXPECT_EQ(given.tags, (runtime::Tags{{"period", "2026"}, {"school", "other"}}));
  // Preparing twice changes nothing.
  StartRequest twice = given;
  prepare_start_data(twice);
  EXPECT_EQ(twice.variables, given.variables);
}

TEST(StartDataCalendar, BadDatesAndFrequenciesAreNamed) {
  Variables vars = oficial();
  vars["fecha_fin_periodo"] = 20261130;
  vars["fecha_limite_evaluacion"] = "mañana";
  vars["frecuencia_seguimiento"] = "-P1M";
  EXPECT_EQ(fields(validate_start_data(vars)),
            (std::vector<std::string>{"fecha_fin_periodo", "fecha_limite_evaluacion",
                                      "frecuencia_seguimiento"}));
}

TEST(StartDataCalendar, APeriodOpensOnItsFirstSchoolDayAtEightInBogota) {
  EXPECT_EQ(format_time(period_opening_ms("2026").value()), "2026-02-01T13:00:00.000Z");
  EXPECT_EQ(format_time(period_opening_ms("2026-2").value()), "2026-07-15T13:00:00.000Z");
  EXPECT_EQ(period_opening_ms("26").error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace pmiflow::handlers::d02_03
