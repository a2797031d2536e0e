// Sample jurisdictions: N synthetic schools of one ETC with realistic códigos DANE, sectors,
// zones, Saber categories and régimen (domain-notes.md §3 and §9), as CSV with the data
// contract's start variables; and the reader of that CSV for `pmiflow start --from-csv`.
//
// Pure functions: no I/O, no clock, no global state.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/common/json.h"
#include "engine/common/result.h"
#include "engine/model/form.h"

namespace pmiflow::handlers::d02_03 {

// One establecimiento educativo. The first seven members are the CSV columns.
struct School {
  std::string codigo_dane;      // d1 (1 oficial urbano, 2 oficial rural, 3 no oficial urbano,
                                // 4 no oficial rural) + DIVIPOLA of the municipio + 6 digits
  std::string nombre;           // "Institución Educativa ...", "Centro Educativo Rural ...",
                                // "Colegio ..."
  std::string municipio;        // a real municipio of the ETC
  std::string etc;              // the ETC's name, as known_etcs() spells it
  std::string sector;           // OFICIAL | NO_OFICIAL
  std::string categoria_saber;  // A+ | A | B | C | D | SIN_CLASIFICAR (no grado 11 results)
  std::string regimen;          // NO_OFICIAL: LIBERTAD_REGULADA | LIBERTAD_VIGILADA |
                                // REGIMEN_CONTROLADO; OFICIAL: empty
  std::string zona;             // URBANA | RURAL (not a CSV column: d1 carries it)
};

// The ETCs the generator knows, with their real municipios (DIVIPOLA codes): the departmental
// ETCs Antioquia, Boyacá and Cundinamarca (a sample of their non-certified municipios) and the
// certified cities Bogotá, Medellín, Cali, Barranquilla, Tunja and Duitama.
std::vector<std::string> known_etcs();

// The largest n generate_jurisdiction accepts (the 6-digit sequence must not overflow).
inline constexpr int kMaxJurisdictionSize = 100'000;

// n schools of the ETC named `etc_name` (matched ignoring case and Spanish accents), the same
// for the same (n, seed, ETC) on every platform: sampling uses std::mt19937_64 (fully specified
// by the standard) with this file's own integer and [0,1) conversions, never the standard
// distributions (their algorithms differ between standard libraries).
//
// Shares (domain-notes.md §9): oficial 85 % (Antioquia), 88 % (Boyacá), 76 % (Cundinamarca),
// 30-55 % in the cities; rural 55-70 % of oficial and 10 % of no oficial schools in the
// departments, less in the cities; grado 11 (so a Saber category) for 75 % of oficial urbano,
// 50 % of oficial rural, 60 % of no oficial urbano and 45 % of no oficial rural schools (about
// 60 % overall), the others SIN_CLASIFICAR; among the classified, the ETC's mix gives A+ 8 %,
// A 15 %, B 25 %, C 30 %, D 22 %, skewed to C/D for oficial rural and to A+/A for no oficial
// urbano schools (the per-group distributions are fitted to those national shares for each
// ETC's mix); régimen of no oficial schools: vigilada 60 %, regulada 25 %, controlado 15 %.
// Códigos DANE are unique within a run (the 6-digit sequence increases through the run).
// Errors: kInvalidArgument for n outside [0, kMaxJurisdictionSize] or an unknown ETC (the
// message lists the known ones).
Result<std::vector<School>> generate_jurisdiction(int n, std::uint64_t seed,
                                                  const std::string& etc_name);

// The CSV header, exactly.
inline constexpr const char* kSchoolsCsvHeader =
    "codigo_dane,nombre,municipio,etc,sector,categoria_saber,regimen";

// The header and one row per school, in order: UTF-8, RFC 4180 quoting (a field with a comma,
// a double quote, CR or LF is quoted, quotes doubled), "\n" line ends, empty regimen for
// oficial schools. With `utf8_bom`, a byte order mark first (what Excel needs to show accents).
std::string to_csv(const std::vector<School>& schools, bool utf8_bom = false);

// One data record of a schools CSV.
struct SchoolRow {
  int line = 0;  // 1-based physical line where the record starts (the header is line 1)
  // The start variables: the row's non-empty columns plus `periodo`.
  Variables variables;
  // Empty when the row can start an instance. Otherwise what is wrong: a FieldError per bad
  // field (validate_start_data), "codigo_dane" when it repeats an earlier row, "" (no field)
  // when the record does not have one value per column or a field is not valid UTF-8.
  std::vector<FieldError> errors;
};

// "line 7: sector: expected ...; regimen: ..." (empty when the row has no errors).
std::string describe_row_errors(const SchoolRow& row);

// Reads a schools CSV as to_csv writes it and as spreadsheets save it: an optional UTF-8 BOM,
// CRLF, LF or CR line ends, quoted fields holding commas, doubled quotes and line breaks, blank
// lines (skipped, also at the end). The header must name each of the seven columns once, in
// any order, and no other. Every record is returned, valid or not, with `periodo` added to its
// variables and checked with validate_start_data. Errors (kInvalidArgument, naming the line):
// an invalid periodo, no header, a bad header, a quoted field still open at the end of the
// text; a text over limits::kMaxSchoolsCsvBytes.
Result<std::vector<SchoolRow>> read_schools_csv(const std::string& text,
                                                const std::string& periodo);

// Checks one row's start variables: a FieldError per bad field (none when valid).
using RowValidator = std::function<std::vector<FieldError>(const Variables&)>;

// The same with `validate` in place of validate_start_data: the start-data validator of the
// process the rows are for (HandlerRegistry::start_data_errors), so that the rows are checked
// exactly as Engine::start will check them.
Result<std::vector<SchoolRow>> read_schools_csv(const std::string& text, const std::string& periodo,
                                                const RowValidator& validate);

}  // namespace pmiflow::handlers::d02_03
