// The event codec: every type's payload text is canonical (what nlohmann's dump() gives for the
// same JSON: keys in byte order, compact), reads back to the same struct, and stored payloads of
// older versions read as the current struct; bad payloads are refused naming the type, the
// version and the key.
#include "engine/runtime/event_codec.h"

#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "engine/runtime/event_describer.h"

namespace pmiflow::runtime {
namespace {

// One event of every type, with values that exercise the writer: empty and non-empty optional
// keys, nested structs, UTF-8, escapes, floats, nulls.
std::vector<EventBody> samples() {
  DecisionTaken decision;
  decision.condition = "=nota >= 3.5";
  decision.element = "gw";
  decision.evaluated = {{"=nota >= 3.5", "f1", true}, {"=x", "f2", nullptr}};
  decision.flow = "f1";
  decision.inputs = {{"nota", 4.25}, {"nombre", "José \"Q\"\n\t\x01"}, {"nada", nullptr}};
  decision.key = 9;
  DecisionTaken by_default;
  by_default.is_default = true;
  by_default.element = "gw";
  by_default.flow = "f3";
  by_default.key = 3;
  return {
      InstanceCreated{"105001000123/2026",
                      "D02_03",
                      {{"period", "2026"}, {"school", "1"}},
                      {{"a", 1}, {"b", Json::array({1, "dos", 3.5})}},
                      0,
                      {},
                      0},
      InstanceCreated{"7-3", "hijo", {}, {}, 7, "Llamar", 3},
      InstanceCreated{"x", "p", {}, {}, 0, {}, 0},
      ElementActivated{"Task_A", "f1", {}, 5, "userTask", 0},
      ElementActivated{"start", "", {}, 1, "startEvent", 0},
      ElementActivated{"join", "f2", {"f1", "f2"}, 7, "parallelGateway", 3},
      ElementCompleted{"Task_A", 5},
      ElementTerminated{"Task_A", 5},
      FlowTaken{"f1", "a", false, 0, "b"},
      FlowTaken{"f2", "a", true, 4, "join"},
      UserTaskCreated{{"rector", "líder"}, "Task_A", "", 5, "Revisar el plan"},
      UserTaskCompleted{"Task_A", 5},
      UserTaskCanceled{"Task_A", 5},
      VariablesSet{{{"a", 2, Json(1)}, {"b", Json::object(), std::nullopt}}, "Task_A"},
      VariablesSet{{{"n", nullptr, Json("old")}}, ""},
      JobCreated{"Svc", 6, 3, "d02_03.x"},
      JobCompleted{"Svc", 6},
      JobCanceled{"Svc", 6},
      JobFailed{"Svc", 6, "", 0},
      IncidentRaised{"gw", 0, 8, "step-limit", "more than 100000 steps"},
      IncidentResolved{8},
      decision,
      by_default,
      InstanceCompleted{},
      InstanceCompleted{"kill"},
      InstanceTerminated{},
      RecordWritten{{{"cronograma", Json::array()}}, "A03", 4, "programacion", "tecnico_calidad"},
      MessageQueued{{}, "A07", 9, "E02.01"},
      ChildInstanceCreated{"7-3", 12, "Llamar", 3, "hijo"},
  };
}

Event event_of(EventBody body) {
  Event e;
  e.body = std::move(body);
  e.type_version = current_version(e.type());
  return e;
}

TEST(EventCodec, PayloadTextIsCanonicalJsonAndReadsBackToTheSameEvent) {
  for (const EventBody& body : samples()) {
    const Event e = event_of(body);
    SCOPED_TRACE(event_type_name(e.type()));
    const std::string text = payload_text(e);
    const Json parsed = Json::parse(text);
    EXPECT_EQ(json_text(parsed), text) << "keys in byte order, compact, as nlohmann writes";
    auto decoded = decode_payload(e.type(), e.type_version, parsed);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    Event again = event_of(*decoded);
    EXPECT_EQ(payload_text(again), text);
    EXPECT_EQ(describe_event(again, nullptr), describe_event(e, nullptr));
  }
}

TEST(EventCodec, EmptyOptionalKeysAreLeftOutAndAlwaysKeysAreKept) {
  EXPECT_EQ(payload_text(event_of(ElementActivated{"start", "", {}, 1, "startEvent", 0})),
            R"({"element":"start","key":1,"kind":"startEvent"})");
  EXPECT_EQ(payload_text(event_of(FlowTaken{"f2", "a", true, 4, "join"})),
            R"({"flow":"f2","from":"a","join":true,"scope":4,"to":"join"})");
  EXPECT_EQ(payload_text(event_of(UserTaskCreated{{"g"}, "T", "", 5, ""})),
            R"({"candidate_groups":["g"],"element":"T","form":"","key":5,"name":""})");
  EXPECT_EQ(payload_text(event_of(VariablesSet{{{"x", 1, std::nullopt}}, ""})),
            R"({"changes":[{"name":"x","new":1}]})");
  EXPECT_EQ(payload_text(event_of(InstanceCompleted{})), "{}");
}

TEST(EventCodec, StoredPayloadIsWhatTheEventHashesAndExports) {
  Event e = event_of(ElementCompleted{"A", 1});
  // The bytes as stored, even where this build would write them otherwise: the hash covers
  // them, so a change of spacing is a change too.
  e.stored_payload = R"({"element":"A", "key":1})";
  EXPECT_EQ(payload_text(e), R"({"element":"A", "key":1})");
  EXPECT_EQ(payload_json(e), Json::parse(R"({"element":"A","key":1})"));
}

TEST(EventCodec, VersionOneOfInstanceCreatedReadsAsD0203sBusinessKeyAndTags) {
  const Json v1 = Json::parse(R"({"period":"2026-1","process":"D02_03","school":"105001000123",
                                  "variables":{"nombre":"IE"}})");
  auto body = decode_payload(EventType::kInstanceCreated, 1, v1);
  ASSERT_TRUE(body.ok()) << body.error().message;
  const auto& created = std::get<InstanceCreated>(*body);
  EXPECT_EQ(created.process, "D02_03");
  EXPECT_EQ(created.business_id, "105001000123/2026-1");
  EXPECT_EQ(created.tags, (Tags{{"period", "2026-1"}, {"school", "105001000123"}}));
  EXPECT_EQ(created.variables, (Variables{{"nombre", "IE"}}));
}

TEST(EventCodec, VersionOneOfRecordsAndMessagesDropTheSchoolAndPeriodTheInstanceHas) {
  auto record = decode_payload(EventType::kRecordWritten, 1, Json::parse(R"({"data":{"a":1},
      "element":"A03","key":4,"period":"2026","record":"programacion","school":"1"})"));
  ASSERT_TRUE(record.ok()) << record.error().message;
  EXPECT_EQ(std::get<RecordWritten>(*record).record, "programacion");
  EXPECT_EQ(std::get<RecordWritten>(*record).data, (Variables{{"a", 1}}));
  auto message = decode_payload(EventType::kMessageQueued, 1, Json::parse(R"({"data":{},
      "element":"A07","key":9,"period":"2026","school":"1","subprocess":"E02.01"})"));
  ASSERT_TRUE(message.ok()) << message.error().message;
  EXPECT_EQ(std::get<MessageQueued>(*message).subprocess, "E02.01");
}

TEST(EventCodec, BadPayloadsAreRefusedNamingTheTypeVersionAndKey) {
  struct Case {
    EventType type;
    std::uint16_t version;
    const char* payload;
    const char* message;
  };
  const Case cases[] = {
      {EventType::kElementActivated, 1, R"({"element":"A","kind":"userTask"})",
       "ElementActivated v1 payload lacks key 'key'"},
      {EventType::kElementActivated, 1, R"({"element":"A","key":"1","kind":"userTask"})",
       "ElementActivated v1 payload key 'key' has a string"},
      {EventType::kFlowTaken, 1, R"({"flow":"f","from":"a","join":1,"to":"b"})",
       "FlowTaken v1 payload key 'join' has a number"},
      {EventType::kVariablesSet, 1, R"({"changes":[{"new":1}]})",
       "VariablesSet v1 payload key 'changes' has a array"},
      {EventType::kInstanceCreated, 2, R"({"business_id":"x","process":"p","tags":{"a":1},
                                          "variables":{}})",
       "InstanceCreated v2 payload key 'tags' has a object"},
      {EventType::kJobCreated, 2, R"({"element":"S","key":1,"retries":3,"type":"t"})",
       "JobCreated v2 is not a version this build reads (it reads 1 to 1)"},
      {EventType::kJobCreated, 0, R"({})", "JobCreated v0 is not a version this build reads"},
      {EventType::kIncidentResolved, 1, R"([1])",
       "IncidentResolved v1 payload is not a JSON object"},
      {static_cast<EventType>(99), 1, R"({})", "unknown event type 99"},
  };
  for (const Case& c : cases) {
    auto decoded = decode_payload(c.type, c.version, Json::parse(c.payload));
    ASSERT_FALSE(decoded.ok()) << c.payload;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(decoded.error().message.find(c.message), std::string::npos)
        << decoded.error().message;
  }
}

TEST(EventCodec, UnknownKeysAreIgnoredWhenReadingButNotKept) {
  auto body = decode_payload(EventType::kElementCompleted, 1,
                             Json::parse(R"({"element":"A","extra":true,"key":2})"));
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(payload_text(event_of(*body)), R"({"element":"A","key":2})");
}

}  // namespace
}  // namespace pmiflow::runtime
