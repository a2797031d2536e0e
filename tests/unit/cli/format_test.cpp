// The CSV people open in a spreadsheet (tools/cli/format.h): byte order mark, ';', CRLF,
// quoting, and no formula from a cell's text.
#include "tools/cli/format.h"

#include <gtest/gtest.h>

#include <sstream>

namespace pmiflow::cli {
namespace {

std::string csv(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  std::ostringstream out;
  write_csv(out, header, rows);
  return out.str();
}

TEST(SpreadsheetCsv, BomSemicolonsCrlfAndQuotingWhereNeeded) {
  EXPECT_EQ(csv({"Código DANE", "Nombre"}, {{"105001000123", "IE La Esperanza; sede 2"},
                                            {"4,5", "dice \"hola\""},
                                            {"", "dos\nlíneas"}}),
            "\xEF\xBB\xBF"
            "Código DANE;Nombre\r\n"
            "105001000123;\"IE La Esperanza; sede 2\"\r\n"
            "4,5;\"dice \"\"hola\"\"\"\r\n"
            ";\"dos\nlíneas\"\r\n");
}

TEST(SpreadsheetCsv, TextThatASpreadsheetWouldRunAsAFormulaGetsAnApostrophe) {
  EXPECT_EQ(
      csv({"x"}, {{"=HYPERLINK(\"http://x\")"}, {"+57 300"}, {"@SUM(A1)"}, {"-P1D"}, {"\tx"}}),
      "\xEF\xBB\xBF"
      "x\r\n"
      "\"'=HYPERLINK(\"\"http://x\"\")\"\r\n"
      "'+57 300\r\n"
      "'@SUM(A1)\r\n"
      "'-P1D\r\n"
      "'\tx\r\n");
  // Numbers stay numbers.
  EXPECT_EQ(csv({"x"}, {{"-3"}, {"-0,5"}}), "\xEF\xBB\xBFx\r\n-3\r\n-0,5\r\n");
}

TEST(StatusWord, InstanceStatesInSpanish) {
  EXPECT_EQ(status_word("active"), "activa");
  EXPECT_EQ(status_word("completed"), "completada");
  EXPECT_EQ(status_word("terminated"), "terminada");
  EXPECT_EQ(status_word("other"), "other");
}

}  // namespace
}  // namespace pmiflow::cli
