// Interpreter: the exclusive gateway. First true condition in document order, else the default
// flow, else an incident with the token waiting at the gateway; null counts as not true; a FEEL
// type error or a non-boolean result is an incident; SetVariables + ResolveIncident re-decide.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime_test_util.h"

namespace pmiflow::runtime {
namespace {

using testing::bpmn;
using testing::Driver;
using testing::load;
using Trace = std::vector<std::string>;

// The default flow comes first in the document, and the flow ids sort in the opposite order of
// the document, so that neither id order nor "default first" can pass for document order.
const std::string kChoiceXml = bpmn("choice", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f_in" sourceRef="Start" targetRef="Gw" />
    <bpmn:exclusiveGateway id="Gw" default="f_default" />
    <bpmn:sequenceFlow id="f_default" sourceRef="Gw" targetRef="End_Default" />
    <bpmn:sequenceFlow id="f_z_big" sourceRef="Gw" targetRef="End_Big">
      <bpmn:conditionExpression>=x &gt; 10</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_a_medium" sourceRef="Gw" targetRef="End_Medium">
      <bpmn:conditionExpression>=x &gt; 5</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="End_Default" />
    <bpmn:endEvent id="End_Big" />
    <bpmn:endEvent id="End_Medium" />)");

// No default flow: when neither condition holds, no flow can be taken.
const std::string kNoDefaultXml = bpmn("no_default", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f_in" sourceRef="Start" targetRef="Gw" />
    <bpmn:exclusiveGateway id="Gw" />
    <bpmn:sequenceFlow id="f_yes" sourceRef="Gw" targetRef="End_Yes">
      <bpmn:conditionExpression>=approved = true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="Gw" targetRef="End_No">
      <bpmn:conditionExpression>=approved = false</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="End_Yes" />
    <bpmn:endEvent id="End_No" />)");

const std::string kNonBooleanXml = bpmn("non_boolean", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f_in" sourceRef="Start" targetRef="Gw" />
    <bpmn:exclusiveGateway id="Gw" default="f_default" />
    <bpmn:sequenceFlow id="f_sum" sourceRef="Gw" targetRef="End_Sum">
      <bpmn:conditionExpression>=x + 1</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_default" sourceRef="Gw" targetRef="End_Default" />
    <bpmn:endEvent id="End_Sum" />
    <bpmn:endEvent id="End_Default" />)");

const Trace kUpToGateway = {"InstanceCreated", "ElementActivated:Start", "ElementCompleted:Start",
                            "FlowTaken:f_in", "ElementActivated:Gw"};

// kUpToGateway followed by `rest`.
Trace up_to_gateway_then(const Trace& rest) {
  Trace out = kUpToGateway;
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

std::string condition_text(const model::ProcessDefinition& def, const std::string& flow) {
  return def.flow(def.find_flow(flow)).condition->text();
}

TEST(ExclusiveGateway, TakesTheFirstTrueConditionInDocumentOrder) {
  auto def = load(kChoiceXml);
  Driver d(def);
  auto events = d.start({{"x", 20}});  // both conditions hold
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            up_to_gateway_then({"DecisionTaken:Gw", "ElementCompleted:Gw", "FlowTaken:f_z_big",
                                "ElementActivated:End_Big", "ElementCompleted:End_Big",
                                "InstanceCompleted"}));
  const Json& decision = payload_json((*events)[5]);
  EXPECT_EQ(decision.at("flow"), "f_z_big");
  EXPECT_EQ(decision.at("condition"), condition_text(def, "f_z_big"));
  EXPECT_EQ(decision.at("default"), false);
  EXPECT_EQ(decision.at("inputs"), Json({{"x", 20}}));
  // It stops at the first true condition.
  EXPECT_EQ(decision.at("evaluated"), Json::array({{{"flow", "f_z_big"},
                                                    {"condition", condition_text(def, "f_z_big")},
                                                    {"result", true}}}));
  EXPECT_EQ(decision.at("key"), payload_json((*events)[4]).at("key"));
}

// A deadline: today() is the date of the command's time in the engine's zone (Bogota).
const std::string kDeadlineXml = bpmn("deadline", R"(
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f_in" sourceRef="Start" targetRef="Gw" />
    <bpmn:exclusiveGateway id="Gw" default="f_on_time" />
    <bpmn:sequenceFlow id="f_late" sourceRef="Gw" targetRef="End_Late">
      <bpmn:conditionExpression>=today() &gt; date(fecha_limite)</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_on_time" sourceRef="Gw" targetRef="End_On_Time" />
    <bpmn:endEvent id="End_Late" />
    <bpmn:endEvent id="End_On_Time" />)");

TEST(ExclusiveGateway, TodayIsTheDateOfTheCommandsTime) {
  auto def = load(kDeadlineXml);
  const Variables vars{{"fecha_limite", "2026-03-31"}};
  constexpr std::int64_t kMarch31Evening = 1775001600000;  // 2026-04-01T00:00Z: 19:00 in Bogota
  constexpr std::int64_t kApril1Morning = 1775052000000;   // 2026-04-01T14:00Z: 09:00 in Bogota
  Driver on_time(def);
  auto events = on_time.start(vars, kMarch31Evening);
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            up_to_gateway_then({"DecisionTaken:Gw", "ElementCompleted:Gw", "FlowTaken:f_on_time",
                                "ElementActivated:End_On_Time", "ElementCompleted:End_On_Time",
                                "InstanceCompleted"}));
  Driver late(def);
  events = late.start(vars, kApril1Morning);
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            up_to_gateway_then({"DecisionTaken:Gw", "ElementCompleted:Gw", "FlowTaken:f_late",
                                "ElementActivated:End_Late", "ElementCompleted:End_Late",
                                "InstanceCompleted"}));
  EXPECT_EQ(payload_json((*events)[5]).at("inputs"), Json({{"fecha_limite", "2026-03-31"}}));
}

TEST(ExclusiveGateway, TriesTheNextFlowWhenTheFirstIsFalse) {
  auto def = load(kChoiceXml);
  Driver d(def);
  auto events = d.start({{"x", 7}});
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(testing::describe(*events),
            up_to_gateway_then({"DecisionTaken:Gw", "ElementCompleted:Gw", "FlowTaken:f_a_medium",
                                "ElementActivated:End_Medium", "ElementCompleted:End_Medium",
                                "InstanceCompleted"}));
  const Json& decision = payload_json((*events)[5]);
  EXPECT_EQ(decision.at("flow"), "f_a_medium");
  EXPECT_EQ(decision.at("default"), false);
  EXPECT_EQ(
      decision.at("evaluated"),
      Json::array(
          {{{"flow", "f_z_big"}, {"condition", condition_text(def, "f_z_big")}, {"result", false}},
           {{"flow", "f_a_medium"},
            {"condition", condition_text(def, "f_a_medium")},
            {"result", true}}}));
}

TEST(ExclusiveGateway, TakesTheDefaultFlowWhenNoConditionHolds) {
  auto def = load(kChoiceXml);
  Driver d(def);
  auto events = d.start({{"x", 1}});
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(testing::describe(*events),
            up_to_gateway_then({"DecisionTaken:Gw", "ElementCompleted:Gw", "FlowTaken:f_default",
                                "ElementActivated:End_Default", "ElementCompleted:End_Default",
                                "InstanceCompleted"}));
  const Json& decision = payload_json((*events)[5]);
  EXPECT_EQ(decision.at("flow"), "f_default");
  EXPECT_EQ(decision.at("condition"), "");
  EXPECT_EQ(decision.at("default"), true);
  EXPECT_EQ(decision.at("inputs"), Json({{"x", 1}}));
  EXPECT_EQ(decision.at("evaluated").size(), 2U);
}

TEST(ExclusiveGateway, NullConditionCountsAsNotTrue) {
  auto def = load(kChoiceXml);
  Driver d(def);
  auto events = d.start();  // x is missing: `x > 10` is null
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events),
            up_to_gateway_then({"DecisionTaken:Gw", "ElementCompleted:Gw", "FlowTaken:f_default",
                                "ElementActivated:End_Default", "ElementCompleted:End_Default",
                                "InstanceCompleted"}));
  const Json& decision = payload_json((*events)[5]);
  EXPECT_EQ(decision.at("default"), true);
  // The missing variable is recorded as seen with the value null.
  ASSERT_TRUE(decision.at("inputs").contains("x"));
  EXPECT_TRUE(decision.at("inputs").at("x").is_null());
  for (const auto& evaluated : decision.at("evaluated")) {
    EXPECT_TRUE(evaluated.at("result").is_null()) << evaluated.dump();
  }
  EXPECT_TRUE(d.state().incidents.empty());
}

TEST(ExclusiveGateway, FeelTypeErrorRaisesAConditionIncidentAndTheTokenWaits) {
  auto def = load(kChoiceXml);
  Driver d(def);
  auto events = d.start({{"x", "many"}});  // "many" > 10: incompatible types
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events), up_to_gateway_then({"IncidentRaised:Gw"}));
  const Json& incident = payload_json(events->back());
  EXPECT_EQ(incident.at("kind"), "condition");
  EXPECT_EQ(incident.at("element_key"), payload_json((*events)[4]).at("key"));
  EXPECT_NE(incident.at("message").get<std::string>().find("f_z_big"), std::string::npos)
      << incident.at("message");

  const InstanceState& s = d.state();
  EXPECT_EQ(s.status, InstanceStatus::kActive);
  ASSERT_EQ(s.elements.size(), 1U);
  EXPECT_EQ(s.elements.begin()->second.element_id, "Gw");
  ASSERT_EQ(s.incidents.size(), 1U);
  EXPECT_EQ(s.incidents.begin()->second.kind, "condition");
  EXPECT_EQ(s.incidents.begin()->second.element_id, "Gw");
}

TEST(ExclusiveGateway, NonBooleanResultRaisesAnIncident) {
  auto def = load(kNonBooleanXml);
  Driver d(def);
  auto events = d.start({{"x", 1}});  // x + 1 = 2: a number, not a boolean
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events), up_to_gateway_then({"IncidentRaised:Gw"}));
  const Json& incident = payload_json(events->back());
  EXPECT_EQ(incident.at("kind"), "condition");
  const std::string message = incident.at("message").get<std::string>();
  EXPECT_NE(message.find("expected a boolean"), std::string::npos) << message;
  EXPECT_NE(message.find("f_sum"), std::string::npos) << message;
  EXPECT_EQ(d.state().status, InstanceStatus::kActive);
  EXPECT_EQ(d.state().incidents.size(), 1U);
}

TEST(ExclusiveGateway, NoTrueConditionAndNoDefaultRaisesANoFlowIncident) {
  auto def = load(kNoDefaultXml);
  Driver d(def);
  auto events = d.start();
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(testing::describe(*events), up_to_gateway_then({"IncidentRaised:Gw"}));
  const Json& incident = payload_json(events->back());
  EXPECT_EQ(incident.at("kind"), "no-flow");
  EXPECT_EQ(incident.at("element"), "Gw");
  EXPECT_NE(incident.at("message").get<std::string>().find("approved"), std::string::npos)
      << "the message shows the variables seen: " << incident.at("message");

  // The token stays at the gateway: the instance neither moves on nor completes.
  const InstanceState& s = d.state();
  EXPECT_EQ(s.status, InstanceStatus::kActive);
  ASSERT_EQ(s.elements.size(), 1U);
  EXPECT_EQ(s.elements.begin()->second.element_id, "Gw");
  ASSERT_EQ(s.incidents.size(), 1U);
  EXPECT_EQ(s.incidents.begin()->second.kind, "no-flow");
  EXPECT_TRUE(testing::of_type(d.log(), EventType::kDecisionTaken).empty());
}

TEST(ExclusiveGateway, SetVariablesThenResolveIncidentReEvaluatesAndMovesOn) {
  auto def = load(kNoDefaultXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  const std::string incident = d.incident_of("Gw");
  const std::int64_t gateway_key = d.state().elements.begin()->first;

  auto set = d.run(SetVariables{Actor::user("luis", "lider"), {{"approved", false}}});
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(testing::describe(*set), (Trace{"VariablesSet"}));
  EXPECT_FALSE(payload_json((*set)[0]).contains("element")) << "process scope: no element";
  EXPECT_EQ((*set)[0].actor, Actor::user("luis", "lider"));
  EXPECT_EQ(d.state().incidents.size(), 1U) << "setting variables resolves nothing by itself";

  auto resolved = d.run(ResolveIncident{incident, Actor::user("luis", "lider")});
  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  EXPECT_EQ(testing::describe(*resolved),
            (Trace{"IncidentResolved", "DecisionTaken:Gw", "ElementCompleted:Gw", "FlowTaken:f_no",
                   "ElementActivated:End_No", "ElementCompleted:End_No", "InstanceCompleted"}));
  EXPECT_EQ((*resolved)[0].actor, Actor::user("luis", "lider"));
  EXPECT_EQ((*resolved)[1].actor, Actor::engine());
  const Json& decision = payload_json((*resolved)[1]);
  EXPECT_EQ(decision.at("key"), gateway_key) << "the same gateway instance decides";
  EXPECT_EQ(decision.at("flow"), "f_no");
  EXPECT_EQ(decision.at("inputs"), Json({{"approved", false}}));
  EXPECT_TRUE(d.state().incidents.empty());
  EXPECT_EQ(d.state().status, InstanceStatus::kCompleted);
}

TEST(ExclusiveGateway, ResolvingWithoutFixingTheDataRaisesANewIncident) {
  auto def = load(kNoDefaultXml);
  Driver d(def);
  ASSERT_TRUE(d.start().ok());
  const std::string first = d.incident_of("Gw");
  auto resolved = d.run(ResolveIncident{first, Actor::user("luis", "lider")});
  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  EXPECT_EQ(testing::describe(*resolved), (Trace{"IncidentResolved", "IncidentRaised:Gw"}));
  ASSERT_EQ(d.state().incidents.size(), 1U);
  const std::string second = d.state().incidents.begin()->first;
  EXPECT_NE(second, first) << "a new incident, with its own key";
  EXPECT_EQ(d.state().status, InstanceStatus::kActive);
  // The old incident is gone.
  auto again = d.run(ResolveIncident{first, Actor::user("luis", "lider")});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
}

TEST(ExclusiveGateway, ResolvingAConditionIncidentAfterFixingTheTypeMovesOn) {
  auto def = load(kChoiceXml);
  Driver d(def);
  ASSERT_TRUE(d.start({{"x", "many"}}).ok());
  const std::string incident = d.incident_of("Gw");
  auto set = d.run(SetVariables{Actor::user("luis", "lider"), {{"x", 12}}});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(payload_json((*set)[0]).at("changes"),
            Json::parse(R"([{"name": "x", "old": "many", "new": 12}])"));
  EXPECT_EQ(
      d.trace(ResolveIncident{incident, Actor::user("luis", "lider")}),
      (Trace{"IncidentResolved", "DecisionTaken:Gw", "ElementCompleted:Gw", "FlowTaken:f_z_big",
             "ElementActivated:End_Big", "ElementCompleted:End_Big", "InstanceCompleted"}));
}

TEST(ExclusiveGateway, SetVariablesWithNoChangeWritesNothing) {
  auto def = load(kNoDefaultXml);
  Driver d(def);
  ASSERT_TRUE(d.start({{"other", 1}}).ok());
  auto set = d.run(SetVariables{Actor::user("luis", "lider"), {{"other", 1}}});
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->empty());
}

}  // namespace
}  // namespace pmiflow::runtime
