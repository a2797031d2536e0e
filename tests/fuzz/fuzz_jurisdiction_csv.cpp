// The schools CSV of `start --from-csv` (handlers/d02_03/jurisdiction.h, read_schools_csv), checked
// with D02.03's start-data validator. Every row's variables are UTF-8 text that can be written
// as JSON, rows come in file order, and each row error's message is UTF-8.
#include <cstddef>
#include <cstdint>
#include <string>

#include "handlers/d02_03/jurisdiction.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pmiflow;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto rows = handlers::d02_03::read_schools_csv(text, "2026");
  if (!rows.ok()) {
    fuzz::check(rows.error().code == ErrorCode::kInvalidArgument, "CSV error code");
    return 0;
  }
  int last_line = 1;
  for (const handlers::d02_03::SchoolRow& row : *rows) {
    fuzz::check(row.line > last_line, "rows in file order, after the header");
    last_line = row.line;
    for (const auto& [name, value] : row.variables) {
      fuzz::check_utf8(name, "column name is UTF-8");
      (void)json_text(value, Json::error_handler_t::strict);  // what start writes
    }
    for (const FieldError& e : row.errors) fuzz::check_utf8(e.message, "row error is UTF-8");
    (void)handlers::d02_03::describe_row_errors(row);
  }
  return 0;
}
