// What the applier says an event run changed in the projections (projection_changes.h): the
// stores write their rows from this and the final state, so a row created and ended within one
// run is never written, and one that existed before and ended is deleted.
#include "engine/runtime/projection_changes.h"

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/runtime/event_applier.h"
#include "engine/runtime/event_codec.h"

namespace pmiflow::runtime {
namespace {

class Log {
 public:
  // Applies `body` as the next event; with `changes`, records them.
  void add(EventBody body, ProjectionChanges* changes = nullptr) {
    Event e;
    e.instance_id = 7;
    e.seq = state_.last_seq + 1;
    e.body = std::move(body);
    e.type_version = current_version(e.type());
    apply(state_, e, changes);
  }
  const InstanceState& state() const { return state_; }

 private:
  InstanceState state_;
};

TEST(ProjectionChanges, ARunNamesTheRowsItTouchedAndThoseItCreated) {
  Log log;
  ProjectionChanges created;
  log.add(InstanceCreated{"k", "p", {{"zona", "rural"}}, {{"a", 1}}, 0, {}, 0}, &created);
  log.add(ElementActivated{"T", "", {}, 1, "userTask", 0}, &created);
  log.add(UserTaskCreated{{"g"}, "T", "", 1, "T"}, &created);
  log.add(ElementActivated{"S", "", {}, 2, "serviceTask", 0}, &created);
  log.add(JobCreated{"S", 2, 3, "t"}, &created);
  EXPECT_EQ(created.tasks.touched, (std::set<std::string>{"7-1"}));
  EXPECT_EQ(created.tasks.created, (std::set<std::string>{"7-1"}));
  EXPECT_EQ(created.jobs.created, (std::set<std::string>{"7-2"}));
  EXPECT_EQ(created.variables, (std::set<std::string>{"a"}));
  EXPECT_TRUE(created.elements);
  EXPECT_FALSE(created.status);

  // A job created and ended in one run leaves nothing to delete; a task that existed before the
  // run and ended in it must be deleted.
  ProjectionChanges next;
  log.add(JobCreated{"S", 3, 3, "t"}, &next);
  log.add(JobCompleted{"S", 3}, &next);
  log.add(UserTaskCompleted{"T", 1}, &next);
  log.add(VariablesSet{{{"b", 2, std::nullopt}}, "T"}, &next);
  log.add(RecordWritten{{}, "T", 1, "acta", ""}, &next);
  log.add(MessageQueued{{}, "T", 1, "E02.01"}, &next);
  EXPECT_EQ(next.jobs.touched, (std::set<std::string>{"7-3"}));
  EXPECT_FALSE(next.jobs.existed_before("7-3"));
  EXPECT_EQ(log.state().jobs.count("7-3"), 0U);
  EXPECT_EQ(next.tasks.touched, (std::set<std::string>{"7-1"}));
  EXPECT_TRUE(next.tasks.existed_before("7-1"));
  EXPECT_EQ(next.variables, (std::set<std::string>{"b"}));
  EXPECT_EQ(next.records, (std::vector<std::int64_t>{10}));
  EXPECT_EQ(next.messages, (std::vector<std::int64_t>{11}));
}

TEST(ProjectionChanges, JoinsAndTheInstanceEndAreMarked) {
  Log log;
  log.add(InstanceCreated{"k", "p", {}, {}, 0, {}, 0});
  ProjectionChanges arrive;
  log.add(FlowTaken{"f1", "a", true, 0, "join"}, &arrive);
  EXPECT_TRUE(arrive.joins);
  EXPECT_FALSE(arrive.elements);
  ProjectionChanges end;
  log.add(InstanceCompleted{}, &end);
  EXPECT_TRUE(end.status);
  EXPECT_TRUE(end.joins) << "waiting tokens end with the instance";
  EXPECT_TRUE(log.state().join_arrivals.empty());
}

TEST(ProjectionChanges, WithoutChangesTheFoldIsTheSame) {
  Log with;
  Log without;
  ProjectionChanges changes;
  for (EventBody body : std::vector<EventBody>{InstanceCreated{"k", "p", {}, {}, 0, {}, 0},
                                               ElementActivated{"T", "", {}, 1, "userTask", 0},
                                               UserTaskCreated{{"g"}, "T", "", 1, "T"}}) {
    with.add(body, &changes);
    without.add(body);
  }
  EXPECT_TRUE(with.state() == without.state());
}

}  // namespace
}  // namespace pmiflow::runtime
