// D02.03's records as reports (the seed's records): one row per record of a kind in a period,
// its columns drawn from the record's data and the school's start variables. Each column has a
// stable key (what JSON output and programs use) and the Spanish header an SE reads; its values
// are kept as JSON and shown through the vocabulary (model/vocabulary.h): option labels, Sí/No,
// dates day/month/year. `pmiflow report KIND --period P` prints them as CSV or JSON.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/common/json.h"
#include "engine/common/result.h"
#include "engine/engine/read_model.h"

namespace pmiflow::handlers::d02_03 {

struct ReportColumn {
  std::string key;    // stable: "codigo_dane"
  std::string label;  // what the SE reads: "Código DANE"
  std::string words;  // the vocabulary path its values are shown through
};

struct Report {
  std::string kind;   // programacion, revision, seguimiento, evaluacion, irregularidades,
                      // caracterizacion
  std::string title;  // the seed's name of the record
  std::vector<ReportColumn> columns;
  std::vector<std::vector<Json>> rows;  // one value per column (null: none); dates ISO, in the
                                        // SE's zone
};

// The report kinds, in order.
std::vector<std::string> report_kinds();

// The report of `kind` over the records of period `periodo` (only schools of `etc` when
// given), in record order. kInvalidArgument naming the known kinds for an unknown one.
Result<Report> build_report(ReadModel& read_model, const std::string& kind,
                            const std::string& periodo, const std::optional<std::string>& etc);

}  // namespace pmiflow::handlers::d02_03
