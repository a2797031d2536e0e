// JobAttempt: the in-memory statechart of one handler run (created -> running -> succeeded |
// failed); a final state never changes.

#include <string>

#include <gtest/gtest.h>

#include "engine/engine/job_attempt.h"

namespace pmiflow {
namespace {

TEST(JobAttempt, StartsCreated) {
  JobAttempt attempt;
  EXPECT_STREQ(attempt.state(), "created");
}

TEST(JobAttempt, CreatedRunningSucceeded) {
  JobAttempt attempt;
  attempt.start();
  EXPECT_STREQ(attempt.state(), "running");
  attempt.succeed({{"a", 1}, {"b", "dos"}});
  EXPECT_STREQ(attempt.state(), "succeeded");
  EXPECT_EQ(attempt.variables(), (Variables{{"a", 1}, {"b", "dos"}}));
}

TEST(JobAttempt, CreatedRunningFailed) {
  JobAttempt attempt;
  attempt.start();
  attempt.fail("timeout");
  EXPECT_STREQ(attempt.state(), "failed");
  EXPECT_EQ(attempt.failure(), "timeout");
}

TEST(JobAttempt, SucceedAfterFailDoesNotChangeTheOutcome) {
  JobAttempt attempt;
  attempt.start();
  attempt.fail("first result");
  attempt.succeed({{"late", true}});
  EXPECT_STREQ(attempt.state(), "failed");
  EXPECT_EQ(attempt.failure(), "first result");
  EXPECT_TRUE(attempt.variables().empty()) << "the late result is dropped";
}

TEST(JobAttempt, FailAfterSucceedDoesNotChangeTheOutcome) {
  JobAttempt attempt;
  attempt.start();
  attempt.succeed({{"x", 1}});
  attempt.fail("late failure");
  attempt.succeed({{"x", 2}});
  EXPECT_STREQ(attempt.state(), "succeeded");
  EXPECT_EQ(attempt.variables(), (Variables{{"x", 1}}));
  EXPECT_TRUE(attempt.failure().empty());
}

TEST(JobAttempt, ResultsBeforeStartAreIgnored) {
  JobAttempt attempt;
  attempt.succeed({{"x", 1}});
  EXPECT_STREQ(attempt.state(), "created");
  attempt.fail("early");
  EXPECT_STREQ(attempt.state(), "created");
  attempt.start();
  EXPECT_STREQ(attempt.state(), "running");
  attempt.fail("real");
  EXPECT_STREQ(attempt.state(), "failed");
  EXPECT_EQ(attempt.failure(), "real");
}

TEST(JobAttempt, StartTwiceStaysRunning) {
  JobAttempt attempt;
  attempt.start();
  attempt.start();
  EXPECT_STREQ(attempt.state(), "running");
  attempt.succeed({});
  attempt.start();
  EXPECT_STREQ(attempt.state(), "succeeded");
}

}  // namespace
}  // namespace pmiflow
