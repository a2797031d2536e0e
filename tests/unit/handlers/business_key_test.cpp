// D02.03's business key, built and checked at its own edge: one instance per school (código
// DANE) and period.
#include "handlers/d02_03/business_key.h"

#include <string>

#include <gtest/gtest.h>

namespace pmiflow::handlers::d02_03 {
namespace {

TEST(D0203BusinessKey, IsTheSchoolAndThePeriodWithTheirTagsAndVariables) {
  auto request = start_request("D02_03", "105001000123", "2026-1", {{"nombre", "IE"}},
                               runtime::Actor::user("ana", ""));
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->key, (runtime::BusinessKey{"D02_03", "105001000123/2026-1"}));
  EXPECT_EQ(request->tags, (runtime::Tags{{"period", "2026-1"}, {"school", "105001000123"}}));
  EXPECT_EQ(request->variables,
            (Variables{{"codigo_dane", "105001000123"}, {"nombre", "IE"}, {"periodo", "2026-1"}}));
  EXPECT_EQ(request->actor, runtime::Actor::user("ana", ""));
  EXPECT_EQ(business_id("105001000123", "2026"), "105001000123/2026");
  EXPECT_EQ(period_tags("2026"), (runtime::Tags{{"period", "2026"}}));
}

TEST(D0203BusinessKey, AnInvalidCodigoDaneIsInvalidArgumentNamingTheField) {
  for (const char* code : {"", "12345", "11100100012a", "1110010001234", "111001-00012"}) {
    auto request = start_request("D02_03", code, "2026", {}, {});
    ASSERT_FALSE(request.ok()) << "'" << code << "' accepted";
    EXPECT_EQ(request.error().code, ErrorCode::kInvalidArgument) << code;
    EXPECT_NE(request.error().message.find("codigo_dane"), std::string::npos)
        << request.error().message;
  }
}

TEST(D0203BusinessKey, AnInvalidPeriodoIsInvalidArgumentNamingTheField) {
  for (const char* period : {"", "26", "2026-3", "2026-", "2026/1", "1899", "3000", "año1"}) {
    auto request = start_request("D02_03", "105001000123", period, {}, {});
    ASSERT_FALSE(request.ok()) << "'" << period << "' accepted";
    EXPECT_EQ(request.error().code, ErrorCode::kInvalidArgument) << period;
    EXPECT_NE(request.error().message.find("periodo"), std::string::npos)
        << request.error().message;
  }
  for (const char* period : {"2026", "2026-1", "2026-2"}) {
    EXPECT_TRUE(start_request("D02_03", "105001000123", period, {}, {}).ok()) << period;
  }
}

TEST(D0203BusinessKey, AMissingProcessKeyIsInvalidArgument) {
  auto request = start_request("", "105001000123", "2026", {}, {});
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(request.error().message.find("process"), std::string::npos);
}

}  // namespace
}  // namespace pmiflow::handlers::d02_03
