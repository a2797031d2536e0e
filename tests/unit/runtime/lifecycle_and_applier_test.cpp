// The durable lifecycle tables, the appliers' guards against impossible logs, and the derived
// ids of tasks, jobs and incidents.

#include <cstdint>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "engine/runtime/event_applier.h"
#include "engine/runtime/event_codec.h"
#include "engine/runtime/instance_state.h"
#include "engine/runtime/lifecycle.h"

namespace pmiflow::runtime {
namespace {

// ---------------------------------------------------------------------------------------------
// Lifecycle tables: every (from, to) pair, allowed exactly when it is in the table.

template <typename S>
void expect_table(const std::vector<S>& states, const std::set<std::pair<S, S>>& allowed) {
  for (S from : states) {
    for (S to : states) {
      const bool expected = allowed.count({from, to}) != 0;
      EXPECT_EQ(is_allowed(from, to), expected) << to_string(from) << " -> " << to_string(to);
      if (expected) {
        EXPECT_NO_THROW(check_transition(from, to)) << to_string(from) << " -> " << to_string(to);
      } else {
        EXPECT_THROW(check_transition(from, to), std::logic_error)
            << to_string(from) << " -> " << to_string(to);
      }
    }
  }
}

TEST(Lifecycle, InstanceTable) {
  using S = InstanceStatus;
  expect_table<S>(
      {S::kNone, S::kActive, S::kCompleted, S::kTerminated},
      {{S::kNone, S::kActive}, {S::kActive, S::kCompleted}, {S::kActive, S::kTerminated}});
}

TEST(Lifecycle, ElementTable) {
  using S = ElementState;
  expect_table<S>(
      {S::kNone, S::kActivated, S::kCompleted, S::kTerminated},
      {{S::kNone, S::kActivated}, {S::kActivated, S::kCompleted}, {S::kActivated, S::kTerminated}});
}

TEST(Lifecycle, JobTable) {
  using S = JobState;
  expect_table<S>({S::kNone, S::kActivatable, S::kFailed, S::kCompleted, S::kCanceled},
                  {{S::kNone, S::kActivatable},
                   {S::kActivatable, S::kCompleted},
                   {S::kActivatable, S::kActivatable},
                   {S::kActivatable, S::kFailed},
                   {S::kActivatable, S::kCanceled},
                   {S::kFailed, S::kActivatable},
                   {S::kFailed, S::kCanceled}});
}

TEST(Lifecycle, IllegalTransitionMessageNamesTheLifecycleAndBothStates) {
  try {
    check_transition(InstanceStatus::kCompleted, InstanceStatus::kActive);
    FAIL() << "completed -> active was allowed";
  } catch (const std::logic_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("instance"), std::string::npos) << message;
    EXPECT_NE(message.find("completed -> active"), std::string::npos) << message;
  }
  try {
    check_transition(JobState::kCompleted, JobState::kActivatable);
    FAIL() << "completed -> activatable was allowed";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("job completed -> activatable"), std::string::npos)
        << e.what();
  }
}

TEST(Lifecycle, StateNames) {
  EXPECT_STREQ(to_string(InstanceStatus::kActive), "active");
  EXPECT_STREQ(to_string(InstanceStatus::kTerminated), "terminated");
  EXPECT_STREQ(to_string(ElementState::kActivated), "activated");
  EXPECT_STREQ(to_string(JobState::kActivatable), "activatable");
  EXPECT_STREQ(to_string(JobState::kFailed), "failed");
}

// ---------------------------------------------------------------------------------------------
// Appliers

// An event whose payload, written at `version` (0: the type's current one), is `payload`.
Event make_event(std::int64_t seq, EventType type, const Json& payload, std::uint16_t version = 0) {
  Event e;
  e.instance_id = 1;
  e.seq = seq;
  e.type_version = version != 0 ? version : current_version(type);
  e.time_ms = 1000 * seq;
  e.actor = Actor::engine();
  e.definition_version = 1;
  auto body = decode_payload(type, e.type_version, payload);
  if (!body.ok()) ADD_FAILURE() << body.error().message;
  if (body.ok()) e.body = std::move(*body);
  return e;
}

// As a log of before the generic business key has it (InstanceCreated v1).
Event created(std::int64_t seq = 1) {
  return make_event(
      seq, EventType::kInstanceCreated,
      {{"process", "p"}, {"school", "111001000123"}, {"period", "2026"}, {"variables", {{"a", 1}}}},
      1);
}

Event activated(std::int64_t seq, std::int64_t key, const std::string& element) {
  return make_event(seq, EventType::kElementActivated,
                    {{"element", element}, {"key", key}, {"kind", "userTask"}});
}

TEST(Applier, ThrowsOnASeqGapAndChangesNothing) {
  InstanceState s;
  EXPECT_THROW(apply(s, created(2)), std::logic_error);
  EXPECT_EQ(s.last_seq, 0);
  EXPECT_EQ(s.status, InstanceStatus::kNone);

  apply(s, created(1));
  EXPECT_EQ(s.last_seq, 1);
  const InstanceState before = s;
  EXPECT_THROW(apply(s, activated(3, 1, "A")), std::logic_error) << "seq 2 is missing";
  EXPECT_THROW(apply(s, activated(1, 1, "A")), std::logic_error) << "seq 1 again";
  EXPECT_TRUE(s == before);
}

TEST(Applier, SeqGapMessageNamesBothSeqs) {
  InstanceState s;
  apply(s, created(1));
  try {
    apply(s, activated(5, 1, "A"));
    FAIL() << "a gap was accepted";
  } catch (const std::logic_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find('5'), std::string::npos) << message;
    EXPECT_NE(message.find('1'), std::string::npos) << message;
  }
}

TEST(Applier, FoldThrowsOnALogWithAGap) {
  std::vector<Event> log = {created(1), activated(3, 1, "A")};
  EXPECT_THROW(fold(log), std::logic_error);
}

TEST(Applier, FoldBuildsTheStateOfAValidLog) {
  std::vector<Event> log = {
      created(1),
      activated(2, 1, "Task_A"),
      make_event(3, EventType::kUserTaskCreated,
                 {{"element", "Task_A"},
                  {"key", 1},
                  {"name", "A"},
                  {"candidate_groups", Json::array({"g"})},
                  {"form", ""}}),
  };
  InstanceState s = fold(log);
  EXPECT_EQ(s.id, 1);
  EXPECT_EQ(s.status, InstanceStatus::kActive);
  EXPECT_EQ(s.last_seq, 3);
  EXPECT_EQ(s.next_key, 2);
  EXPECT_EQ(s.created_ms, 1000);
  EXPECT_EQ(s.business_key, (BusinessKey{"p", "111001000123/2026"})) << "v1 read as D02.03's key";
  EXPECT_EQ(s.tags, (Tags{{"period", "2026"}, {"school", "111001000123"}}));
  EXPECT_EQ(s.variables.at("a"), 1);
  ASSERT_EQ(s.tasks.count("1-1"), 1U);
  EXPECT_EQ(s.tasks.at("1-1").created_ms, 3000);
  EXPECT_EQ(s.activation_counts.at("Task_A"), 1);
}

TEST(Applier, ThrowsOnImpossibleEvents) {
  auto base = [] {
    InstanceState s;
    apply(s, created(1));
    return s;
  };
  {
    InstanceState s = base();
    EXPECT_THROW(apply(s, created(2)), std::logic_error) << "created twice";
  }
  {
    InstanceState s = base();
    EXPECT_THROW(
        apply(s, make_event(2, EventType::kElementCompleted, {{"element", "A"}, {"key", 7}})),
        std::logic_error)
        << "completing an element that is not active";
  }
  {
    InstanceState s = base();
    apply(s, activated(2, 1, "A"));
    EXPECT_THROW(apply(s, activated(3, 1, "A")), std::logic_error) << "key activated twice";
  }
  {
    InstanceState s = base();
    EXPECT_THROW(
        apply(s, make_event(2, EventType::kUserTaskCompleted, {{"element", "A"}, {"key", 1}})),
        std::logic_error)
        << "completing a task that is not open";
  }
  {
    InstanceState s = base();
    EXPECT_THROW(apply(s, make_event(2, EventType::kJobCompleted, {{"element", "A"}, {"key", 1}})),
                 std::logic_error)
        << "completing a job that is not open";
  }
  {
    InstanceState s = base();
    EXPECT_THROW(apply(s, make_event(2, EventType::kIncidentResolved, {{"key", 4}})),
                 std::logic_error)
        << "resolving an incident that is not open";
  }
  {
    InstanceState s = base();
    EXPECT_THROW(apply(s, make_event(2, EventType::kElementActivated,
                                     {{"element", "Join"},
                                      {"key", 1},
                                      {"kind", "parallelGateway"},
                                      {"joined", Json::array({"f1", "f2"})}})),
                 std::logic_error)
        << "a join consuming tokens that did not arrive";
  }
  {
    InstanceState s = base();
    apply(s, make_event(2, EventType::kInstanceCompleted, Json::object()));
    EXPECT_THROW(apply(s, make_event(3, EventType::kInstanceTerminated, Json::object())),
                 std::logic_error)
        << "completed -> terminated";
  }
  {
    InstanceState s;
    EXPECT_THROW(apply(s, make_event(1, EventType::kInstanceCompleted, Json::object())),
                 std::logic_error)
        << "completing an instance that was never created";
  }
}

TEST(Applier, JobLifecycleGoesThroughTheTable) {
  InstanceState s;
  apply(s, created(1));
  apply(s, activated(2, 1, "Svc"));
  apply(s, make_event(3, EventType::kJobCreated,
                      {{"element", "Svc"}, {"key", 1}, {"type", "t"}, {"retries", 1}}));
  ASSERT_EQ(s.jobs.at("1-1").state, JobState::kActivatable);
  apply(s, make_event(4, EventType::kJobFailed,
                      {{"element", "Svc"}, {"key", 1}, {"message", "x"}, {"retries_left", 0}}));
  EXPECT_EQ(s.jobs.at("1-1").state, JobState::kFailed);
  // A failed job cannot complete (failed -> completed is not in the table).
  EXPECT_THROW(apply(s, make_event(5, EventType::kJobCompleted, {{"element", "Svc"}, {"key", 1}})),
               std::logic_error);
  // It can be canceled.
  InstanceState t = s;
  apply(t, make_event(5, EventType::kJobCanceled, {{"element", "Svc"}, {"key", 1}}));
  EXPECT_TRUE(t.jobs.empty());
}

// ---------------------------------------------------------------------------------------------
// Derived ids

TEST(TaskId, RoundTrips) {
  const std::pair<std::int64_t, std::int64_t> cases[] = {
      {1, 1},
      {12, 7},
      {123456, 789},
      {std::numeric_limits<std::int64_t>::max(), 1},
      {1, std::numeric_limits<std::int64_t>::max()}};
  for (const auto& [instance, key] : cases) {
    const std::string id = task_id_for(instance, key);
    std::int64_t parsed_instance = 0;
    std::int64_t parsed_key = 0;
    ASSERT_TRUE(parse_task_id(id, parsed_instance, parsed_key)) << id;
    EXPECT_EQ(parsed_instance, instance) << id;
    EXPECT_EQ(parsed_key, key) << id;
  }
  EXPECT_EQ(task_id_for(12, 7), "12-7");
}

TEST(TaskId, RejectsMalformedIds) {
  const char* cases[] = {"",
                         "-",
                         "12",
                         "12-",
                         "-7",
                         "a-7",
                         "12-b",
                         "12-7-3",
                         "12--7",
                         "0-7",
                         "12-0",
                         " 12-7",
                         "12-7 ",
                         "+12-7",
                         "12-+7",
                         "12_7",
                         "1.5-7",
                         "12-7x",
                         "x12-7",
                         "-12-7",
                         "99999999999999999999-1",
                         "1-99999999999999999999"};
  for (const char* id : cases) {
    std::int64_t instance = 0;
    std::int64_t key = 0;
    EXPECT_FALSE(parse_task_id(id, instance, key)) << "'" << id << "'";
  }
}

}  // namespace
}  // namespace pmiflow::runtime
