// A set of instances at a glance: states, where they stand, and what each role has to do.
#include "app/summary.h"

#include <gtest/gtest.h>

#include "app_test_util.h"

namespace pmiflow::app::testing {
namespace {

TEST(AppSummary, CountsStatesElementsAndOpenTasksPerRoleForTheSelectedInstances) {
  World w;
  const std::int64_t a = w.start("a", {{"zona", "rural"}});
  w.start("b", {{"zona", "rural"}});
  w.start("c", {{"zona", "urbana"}});
  w.review(a, true);
  auto s = summarize(w.store, w.engine, InstanceQuery{{}, {}, {{"zona", "rural"}}, {}});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->instances, 2);
  EXPECT_EQ(s->states.at("active"), 1);
  EXPECT_EQ(s->states.at("completed"), 1);
  EXPECT_EQ(s->with_incidents, 0);
  ASSERT_EQ(s->elements.size(), 1U);
  EXPECT_EQ(s->elements[0].element_id, "Task_Review");
  EXPECT_EQ(s->elements[0].name, "Revisar el plan");
  EXPECT_EQ(s->elements[0].count, 1);
  ASSERT_EQ(s->roles.size(), 1U);
  EXPECT_EQ(s->roles[0].role, "lider_calidad");
  EXPECT_EQ(s->roles[0].open_tasks, 1) << "c's task is not in the selection";
}

}  // namespace
}  // namespace pmiflow::app::testing
