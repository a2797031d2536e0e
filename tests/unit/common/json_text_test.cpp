// json_text: the same bytes as nlohmann's dump(-1, ' ', false, handler), for every kind of
// value, string and handler (the hashes of the audit format v1 depend on it).

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/common/json.h"

namespace pmiflow {
namespace {

using Handler = Json::error_handler_t;

// What nlohmann writes, or "throws" when it throws.
std::string reference(const Json& j, Handler handler) {
  try {
    return j.dump(-1, ' ', false, handler);
  } catch (const Json::exception&) {
    return "throws";
  }
}
std::string ours(const Json& j, Handler handler) {
  try {
    return json_text(j, handler);
  } catch (const Json::exception&) {
    return "throws";
  }
}

void expect_same(const Json& j) {
  for (Handler h : {Handler::replace, Handler::strict, Handler::ignore}) {
    EXPECT_EQ(ours(j, h), reference(j, h)) << "handler " << static_cast<int>(h);
  }
}

TEST(JsonText, ScalarsContainersAndNumbersAreWrittenAsNlohmannDoes) {
  expect_same(nullptr);
  expect_same(true);
  expect_same(false);
  expect_same(0);
  expect_same(-17);
  expect_same(std::numeric_limits<std::int64_t>::min());
  expect_same(std::numeric_limits<std::int64_t>::max());
  expect_same(std::numeric_limits<std::uint64_t>::max());
  for (double d :
       {0.1, -0.0, 1e300, 3.0, -2.5e-7, std::nan(""), std::numeric_limits<double>::infinity()}) {
    expect_same(d);
  }
  expect_same(Json::object());
  expect_same(Json::array());
  expect_same(Json::array({Json::object(), Json::array(), 1, "x"}));
  expect_same(Json{{"b", 1}, {"a", {{"z", nullptr}, {"y", Json::array({1.5, "ñ"})}}}});
  expect_same(Json::binary({1, 2, 3}));
}

TEST(JsonText, EveryAsciiByteAndWellFormedUtf8AreEscapedAsNlohmannDoes) {
  std::string all;
  for (int c = 0; c < 0x80; ++c) all += static_cast<char>(c);
  expect_same(all);
  expect_same(Json{{all, all}});
  expect_same("Institución Educativa Muestra — € 𝄞 \x7f \u00a0 \uffff");
  expect_same(
      "\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
}

TEST(JsonText, MalformedUtf8IsHandledAsNlohmannHandlesIt) {
  for (const char* bad :
       {"\xff", "a\xc3(", "\xc0\xaf", "\xc1\xbf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80",
        "\xf5\x80\x80\x80", "ok\x80", "\xe0\x80\x80", "\xf0\x80\x80\x80", "x\xf0\x9f\x98"}) {
    expect_same(std::string(bad));
    expect_same(Json{{"k", bad}});
    expect_same(Json{{bad, 1}});
  }
}

// Random values built from a fixed seed: nested objects and arrays of random strings whose
// bytes favour the places where escaping and UTF-8 decoding differ.
Json random_value(std::mt19937& rng, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 3 ? 4 : 6);
  auto random_string = [&] {
    static const std::vector<std::string> pieces = {
        "a",  "Z",  " ", "\"",   "\\",   "\n",       "\t",       "\x01", "\x1f",         "\x7f",
        "ñ",  "€",  "𝄞", "\xc3", "\xa9", "\xe2\x82", "\xf0\x9f", "\xff", "\xed\xa0\x80", "/",
        "\b", "\f", "\r"};
    std::uniform_int_distribution<std::size_t> len(0, 8);
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
    std::string s;
    for (std::size_t n = len(rng); n > 0; --n) s += pieces[pick(rng)];
    return s;
  };
  switch (kind(rng)) {
    case 0:
      return random_string();
    case 1:
      return static_cast<std::int64_t>(rng()) - (1LL << 31);
    case 2:
      return std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
    case 3:
      return rng() % 2 == 0;
    case 4:
      return nullptr;
    case 5: {
      Json a = Json::array();
      for (std::size_t n = rng() % 5; n > 0; --n) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      Json o = Json::object();
      for (std::size_t n = rng() % 5; n > 0; --n) o[random_string()] = random_value(rng, depth + 1);
      return o;
    }
  }
}

TEST(JsonText, RandomValuesAreWrittenAsNlohmannWritesThem) {
  std::mt19937 rng(20261202);
  for (int i = 0; i < 3000; ++i) {
    const Json j = random_value(rng, 0);
    for (Handler h : {Handler::replace, Handler::strict, Handler::ignore}) {
      ASSERT_EQ(ours(j, h), reference(j, h)) << "case " << i << " handler " << static_cast<int>(h);
    }
  }
}

TEST(JsonText, AppendsToWhatIsThere) {
  std::string out = "x=";
  append_json_text(out, Json{{"a", "b"}});
  EXPECT_EQ(out, R"(x={"a":"b"})");
}

}  // namespace
}  // namespace pmiflow
