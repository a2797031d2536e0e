// utf8_prefix: the start of a text for a message, never cutting a character in two.

#include <string>

#include <gtest/gtest.h>

#include "engine/common/utf8.h"

namespace pmiflow {
namespace {

TEST(Utf8Prefix, KeepsShortTextsWhole) {
  EXPECT_EQ(utf8_prefix("Bogotá", 80), "Bogotá");
  EXPECT_EQ(utf8_prefix("", 0), "");
}

TEST(Utf8Prefix, BacksOffToTheStartOfACutCharacter) {
  const std::string text =
      "ab\xC9\xBF"
      "cd";  // a, b, U+027F (2 bytes), c, d
  EXPECT_EQ(utf8_prefix(text, 2), "ab");
  EXPECT_EQ(utf8_prefix(text, 3), "ab");  // would end inside U+027F
  EXPECT_EQ(utf8_prefix(text, 4), "ab\xC9\xBF");
  const std::string emoji = "x\xF0\x9F\x98\x80y";  // U+1F600, 4 bytes
  for (std::size_t n = 1; n < 5; ++n) EXPECT_EQ(utf8_prefix(emoji, n), "x") << n;
  EXPECT_EQ(utf8_prefix(emoji, 5), "x\xF0\x9F\x98\x80");
  for (std::size_t n = 0; n <= emoji.size(); ++n) {
    EXPECT_EQ(find_invalid_utf8(utf8_prefix(emoji, n)), std::string_view::npos) << n;
  }
}

}  // namespace
}  // namespace pmiflow
