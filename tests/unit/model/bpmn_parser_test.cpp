// Parsing of well-formed, valid definitions: the model that the runtime will see.
#include "engine/model/bpmn_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace pmiflow::model {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string good(const std::string& name) {
  return std::string(PMIFLOW_TEST_DATA) + "/good/" + name;
}

// Loads a file that must load without any diagnostic.
ProcessDefinition load_good(const std::string& name) {
  const std::string path = good(name);
  LoadOutput out = load_bpmn(read_file(path), path, {});
  for (const Diagnostic& d : out.diagnostics) ADD_FAILURE() << d.to_string();
  EXPECT_TRUE(out.definition.has_value());
  return out.definition ? *out.definition : ProcessDefinition{};
}

std::vector<std::string> flow_ids(const ProcessDefinition& def, const std::vector<FlowIndex>& v) {
  std::vector<std::string> ids;
  for (FlowIndex f : v) ids.push_back(def.flow(f).id);
  return ids;
}

std::vector<std::string> node_ids(const ProcessDefinition& def) {
  std::vector<std::string> ids;
  for (const FlowNode& n : def.nodes) ids.push_back(n.id);
  return ids;
}

const FlowNode& node(const ProcessDefinition& def, const std::string& id) {
  NodeIndex i = def.find_node(id);
  EXPECT_NE(i, kNone) << id;
  return def.node(i == kNone ? 0 : i);
}

TEST(BpmnParser, ParallelForkJoinGivesNodesFlowsAndZeebeExtensions) {
  ProcessDefinition def = load_good("parallel-fork-join.bpmn");
  ASSERT_EQ(def.nodes.size(), 6u);
  EXPECT_EQ(def.key, "fork_join");
  EXPECT_EQ(def.name, "Fork and join");
  EXPECT_EQ(def.file, good("parallel-fork-join.bpmn"));
  EXPECT_THAT(node_ids(def), ElementsAre("start", "fork", "review", "notify", "join", "end"));
  EXPECT_EQ(node(def, "start").kind, NodeKind::kNoneStartEvent);
  EXPECT_EQ(node(def, "fork").kind, NodeKind::kParallelGateway);
  EXPECT_EQ(node(def, "review").kind, NodeKind::kUserTask);
  EXPECT_EQ(node(def, "notify").kind, NodeKind::kServiceTask);
  EXPECT_EQ(node(def, "join").kind, NodeKind::kParallelGateway);
  EXPECT_EQ(node(def, "end").kind, NodeKind::kNoneEndEvent);
  EXPECT_THAT(def.start_events, ElementsAre(def.find_node("start")));

  EXPECT_THAT(flow_ids(def, node(def, "fork").outgoing), ElementsAre("f_review", "f_notify"));
  EXPECT_THAT(flow_ids(def, node(def, "join").incoming),
              ElementsAre("f_review_done", "f_notify_done"));
  EXPECT_THAT(node(def, "start").incoming, IsEmpty());
  EXPECT_THAT(node(def, "end").outgoing, IsEmpty());
  const SequenceFlow& f = def.flow(def.find_flow("f_notify"));
  EXPECT_EQ(f.source, def.find_node("fork"));
  EXPECT_EQ(f.target, def.find_node("notify"));
  EXPECT_FALSE(f.condition.has_value());

  const FlowNode& review = node(def, "review");
  EXPECT_EQ(review.name, "Revisar alineación");  // UTF-8 kept as is
  EXPECT_THAT(review.candidate_groups, ElementsAre("lider_calidad", "profesional_mejoramiento"));
  EXPECT_EQ(review.form_id, "form-revision");
  const FlowNode& notify = node(def, "notify");
  EXPECT_EQ(notify.task_type, "notify-ee");
  EXPECT_EQ(notify.retries, 5);

  // Locations are the `<` of each start tag.
  EXPECT_EQ(node(def, "start").location.line, 5);
  EXPECT_EQ(node(def, "start").location.column, 5);
  EXPECT_EQ(def.flow(def.find_flow("f_start")).location.line, 36);
  EXPECT_EQ(def.flow(def.find_flow("f_start")).location.column, 5);
}

TEST(BpmnParser, ExclusiveGatewayWithDefaultAndCompiledConditions) {
  ProcessDefinition def = load_good("exclusive-default.bpmn");
  EXPECT_EQ(def.key, "exclusive");
  const FlowNode& gw = node(def, "gw");
  EXPECT_EQ(gw.kind, NodeKind::kExclusiveGateway);
  EXPECT_EQ(gw.name, "¿Alineada?");
  EXPECT_THAT(flow_ids(def, gw.outgoing), ElementsAre("f_yes", "f_cdata", "f_no"));
  ASSERT_NE(gw.default_flow, kNone);
  EXPECT_EQ(def.flow(gw.default_flow).id, "f_no");
  EXPECT_FALSE(def.flow(gw.default_flow).condition.has_value());

  // The FEEL list form of candidateGroups (Camunda 8.x).
  EXPECT_THAT(node(def, "decide").candidate_groups, ElementsAre("lider_calidad", "auditor"));
  EXPECT_EQ(node(def, "classify").retries, 3);  // absent -> 3
  EXPECT_EQ(node(def, "classify").task_type, "classify");
  EXPECT_EQ(node(def, "decide").form_id, "");

  const SequenceFlow& yes = def.flow(def.find_flow("f_yes"));
  EXPECT_EQ(yes.name, "sí");
  ASSERT_TRUE(yes.condition.has_value());
  EXPECT_EQ(yes.condition->text(), "= alineada = true");
  EXPECT_THAT(yes.condition->variables(), ElementsAre("alineada"));
  Json value;
  feel::EvalError error;
  ASSERT_TRUE(yes.condition->evaluate(Variables{{"alineada", true}}, value, error))
      << error.message;
  EXPECT_EQ(value, Json(true));

  const SequenceFlow& cdata = def.flow(def.find_flow("f_cdata"));
  ASSERT_TRUE(cdata.condition.has_value());
  EXPECT_EQ(cdata.condition->text(), "= puntaje < 3 and sector = \"OFICIAL\"");
  ASSERT_TRUE(
      cdata.condition->evaluate(Variables{{"puntaje", 2}, {"sector", "OFICIAL"}}, value, error))
      << error.message;
  EXPECT_EQ(value, Json(true));
}

TEST(BpmnParser, LoopThroughUserTaskInDefaultNamespaceIgnoringAnnotations) {
  ProcessDefinition def = load_good("loop-through-user-task.bpmn");
  EXPECT_EQ(def.key, "loop");
  EXPECT_THAT(node_ids(def), ElementsAre("start", "merge", "support", "check", "end"));
  EXPECT_THAT(flow_ids(def, node(def, "merge").incoming), ElementsAre("f_in", "f_again"));
  EXPECT_THAT(flow_ids(def, node(def, "check").outgoing), ElementsAre("f_again", "f_done"));
  EXPECT_EQ(def.flow(node(def, "check").default_flow).id, "f_done");
  const SequenceFlow& again = def.flow(def.find_flow("f_again"));
  ASSERT_TRUE(again.condition.has_value());
  EXPECT_EQ(again.condition->text(), "= actividades_pendientes > 0 and not(periodo_cumplido)");
  EXPECT_EQ(def.find_node("lane_1"), kNone);  // lanes are annotations
  EXPECT_EQ(def.find_node("note"), kNone);
}

TEST(BpmnParser, TerminateEndEventAndProcessChoiceAmongSeveral) {
  ProcessDefinition def = load_good("terminate-end.bpmn");
  EXPECT_EQ(def.key, "terminating");  // the only executable one
  EXPECT_EQ(def.name, "Con terminación");
  EXPECT_EQ(node(def, "kill").kind, NodeKind::kTerminateEndEvent);
  EXPECT_EQ(node(def, "end").kind, NodeKind::kNoneEndEvent);
  EXPECT_EQ(node(def, "report").retries, 0);
  EXPECT_EQ(def.find_node("other_start"), kNone);
}

TEST(BpmnParser, Latin1FileIsConvertedToUtf8) {
  ProcessDefinition def = load_good("latin1-names.bpmn");
  EXPECT_EQ(def.name, "Gestión");
  EXPECT_EQ(node(def, "task").name, "Revisión de la evaluación");
  EXPECT_THAT(node(def, "task").candidate_groups, ElementsAre("líder"));
}

// A minimal valid process around `body`, to test single features inline.
std::string wrap(const std::string& body) {
  return "<?xml version=\"1.0\"?>\n"
         "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" "
         "xmlns:zeebe=\"http://camunda.org/schema/zeebe/1.0\">\n"
         "<process id=\"p\" isExecutable=\"true\">\n" +
         body +
         "\n</process>\n"
         "</definitions>\n";
}

std::string user_task(const std::string& assignment_attributes) {
  return "<startEvent id=\"s\"/><endEvent id=\"e\"/>"
         "<userTask id=\"t\"><extensionElements><zeebe:assignmentDefinition " +
         assignment_attributes +
         "/></extensionElements></userTask>"
         "<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"t\"/>"
         "<sequenceFlow id=\"f2\" sourceRef=\"t\" targetRef=\"e\"/>";
}

TEST(BpmnParser, CandidateGroupsForms) {
  struct Case {
    std::string attributes;
    std::vector<std::string> groups;
  };
  const std::vector<Case> cases = {
      {"candidateGroups=\"a\"", {"a"}},
      {"candidateGroups=\" a ,b , a,, \"", {"a", "b"}},
      {"candidateGroups='=\"solo\"'", {"solo"}},
      {"candidateGroups='= [ \"x\" ,\"y\" ]'", {"x", "y"}},
  };
  for (const Case& c : cases) {
    LoadOutput out = load_bpmn(wrap(user_task(c.attributes)), "inline.bpmn", {});
    ASSERT_TRUE(out.definition.has_value()) << c.attributes;
    EXPECT_EQ(out.definition->node(out.definition->find_node("t")).candidate_groups, c.groups)
        << c.attributes;
  }
}

TEST(BpmnParser, IgnoredAssigneeIsAWarningNotAnError) {
  LoadOutput out =
      load_bpmn(wrap(user_task("assignee=\"ana\" candidateGroups=\"g\"")), "inline.bpmn", {});
  ASSERT_TRUE(out.definition.has_value());
  ASSERT_EQ(out.diagnostics.size(), 1u);
  EXPECT_EQ(out.diagnostics[0].severity, Severity::kWarning);
  EXPECT_EQ(out.diagnostics[0].to_string(),
            "inline.bpmn:4:75: warning: t: zeebe:assignmentDefinition assignee is ignored "
            "(tasks are assigned by candidateGroups)");
}

// A job task (`element`: serviceTask, businessRuleTask) with `extensions` inside its
// extensionElements, between a start and an end event.
std::string job_task(const std::string& element, const std::string& extensions) {
  return "<startEvent id=\"s\"/><endEvent id=\"e\"/>"
         "<" +
         element +
         " id=\"t\"><extensionElements>"
         "<zeebe:taskDefinition type=\"enviar-correo\"/>" +
         extensions + "</extensionElements></" + element +
         ">"
         "<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"t\"/>"
         "<sequenceFlow id=\"f2\" sourceRef=\"t\" targetRef=\"e\"/>";
}

TEST(BpmnParser, TaskHeadersRetryBackoffAndAsyncAreReadInOrder) {
  LoadOutput out = load_bpmn(
      wrap(job_task("businessRuleTask",
                    "<zeebe:taskHeaders><zeebe:header key=\"plantilla\" value=\"aviso\"/>"
                    "<zeebe:header key=\"retryBackoff\" value=\"PT1M30S\"/>"
                    "<zeebe:header key=\"a\" value=\"\"/></zeebe:taskHeaders>"
                    "<zeebe:properties><zeebe:property name=\"pmiflow.async\" value=\"true\"/>"
                    "</zeebe:properties>")),
      "inline.bpmn", {});
  ASSERT_TRUE(out.definition.has_value());
  EXPECT_THAT(out.diagnostics, IsEmpty());
  const FlowNode& t = out.definition->node(out.definition->find_node("t"));
  EXPECT_EQ(t.kind, NodeKind::kServiceTask);  // a business rule task is a job too
  EXPECT_EQ(t.task_headers, (std::vector<std::pair<std::string, std::string>>{
                                {"plantilla", "aviso"}, {"retryBackoff", "PT1M30S"}, {"a", ""}}));
  EXPECT_EQ(t.retry_backoff_ms, 90000);
  EXPECT_TRUE(t.async);
}

TEST(BpmnParser, BadTaskHeadersAndAsyncNameTheLineAndTheElement) {
  struct Case {
    std::string extensions;
    std::string says;
  };
  const Case cases[] = {
      {"<zeebe:taskHeaders><zeebe:header key=\"x\" value=\"1\"/>"
       "<zeebe:header key=\"x\" value=\"2\"/></zeebe:taskHeaders>",
       "inline.bpmn:4:174: error: t: zeebe:header 'x' is given more than once"},
      {"<zeebe:taskHeaders><zeebe:header value=\"1\"/></zeebe:taskHeaders>",
       "inline.bpmn:4:141: error: t: zeebe:header without a key"},
      {"<zeebe:taskHeaders><zeebe:header key=\"retryBackoff\" value=\"P1M\"/></zeebe:taskHeaders>",
       "inline.bpmn:4:141: error: t: zeebe:header retryBackoff 'P1M' is not a duration of days and "
       "time (e.g. PT10S, PT5M, P1D)"},
      {"<zeebe:properties><zeebe:property name=\"pmiflow.async\" value=\"yes\"/>"
       "</zeebe:properties>",
       "inline.bpmn:4:140: error: t: zeebe:property pmiflow.async is 'yes', not true or false"},
  };
  for (const Case& c : cases) {
    LoadOutput out = load_bpmn(wrap(job_task("serviceTask", c.extensions)), "inline.bpmn", {});
    EXPECT_FALSE(out.definition.has_value()) << c.says;
    ASSERT_FALSE(out.diagnostics.empty()) << c.says;
    EXPECT_EQ(out.diagnostics[0].to_string(), c.says);
  }
}

// A script task between a start and an end event, with `extensions`.
std::string script_task(const std::string& extensions) {
  return "<startEvent id=\"s\"/><endEvent id=\"e\"/>"
         "<scriptTask id=\"t\"><extensionElements>" +
         extensions +
         "</extensionElements></scriptTask>"
         "<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"t\"/>"
         "<sequenceFlow id=\"f2\" sourceRef=\"t\" targetRef=\"e\"/>";
}

TEST(BpmnParser, ScriptTaskIsAFeelScriptOrAJob) {
  LoadOutput feel_script =
      load_bpmn(wrap(script_task("<zeebe:script expression=\"=a + 1\" resultVariable=\"b\"/>")),
                "inline.bpmn", {});
  ASSERT_TRUE(feel_script.definition.has_value());
  EXPECT_THAT(feel_script.diagnostics, IsEmpty());
  const FlowNode& t = feel_script.definition->node(feel_script.definition->find_node("t"));
  EXPECT_EQ(t.kind, NodeKind::kScriptTask);
  EXPECT_EQ(t.result_variable, "b");
  ASSERT_TRUE(t.script.has_value());

  LoadOutput job =
      load_bpmn(wrap(script_task("<zeebe:taskDefinition type=\"calcular\"/>")), "inline.bpmn", {});
  ASSERT_TRUE(job.definition.has_value());
  EXPECT_EQ(job.definition->node(job.definition->find_node("t")).kind, NodeKind::kServiceTask);

  const std::string bad[][2] = {
      {"", "a script task needs a zeebe:script"},
      {"<zeebe:script expression=\"a + 1\" resultVariable=\"b\"/>",
       "zeebe:script expression 'a + 1' is not a FEEL expression (it starts with '=')"},
      {"<zeebe:script expression=\"=a +\" resultVariable=\"b\"/>",
       "zeebe:script expression does not parse"},
      {"<zeebe:script expression=\"=a\"/>", "zeebe:script has no resultVariable"},
      {"<zeebe:script expression=\"=a\" resultVariable=\"b\"/>"
       "<zeebe:taskDefinition type=\"calcular\"/>",
       "either a zeebe:script or a zeebe:taskDefinition"},
  };
  for (const auto& [extensions, says] : bad) {
    LoadOutput out = load_bpmn(wrap(script_task(extensions)), "inline.bpmn", {});
    EXPECT_FALSE(out.definition.has_value()) << says;
    ASSERT_FALSE(out.diagnostics.empty()) << says;
    EXPECT_THAT(out.diagnostics[0].message, HasSubstr(says));
    EXPECT_EQ(out.diagnostics[0].element_id, "t");
  }
}

TEST(BpmnParser, LinkEventsJoinWithinTheirScopeByName) {
  const std::string good =
      "<startEvent id=\"s\"/><endEvent id=\"e\"/>"
      "<intermediateThrowEvent id=\"ir\"><linkEventDefinition name=\"L\"/>"
      "</intermediateThrowEvent>"
      "<intermediateCatchEvent id=\"llega\"><linkEventDefinition name=\"L\"/>"
      "</intermediateCatchEvent>"
      "<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"ir\"/>"
      "<sequenceFlow id=\"f2\" sourceRef=\"llega\" targetRef=\"e\"/>";
  LoadOutput out = load_bpmn(wrap(good), "inline.bpmn", {});
  ASSERT_TRUE(out.definition.has_value()) << out.diagnostics.front().to_string();
  EXPECT_THAT(out.diagnostics, IsEmpty());
  const ProcessDefinition& def = *out.definition;
  EXPECT_EQ(def.node(def.find_node("ir")).kind, NodeKind::kLinkThrowEvent);
  EXPECT_EQ(def.node(def.find_node("ir")).link_target, def.find_node("llega"));

  struct Case {
    std::string from, to, says;
  };
  const Case cases[] = {
      {"name=\"L\"/></intermediateCatchEvent>", "name=\"M\"/></intermediateCatchEvent>",
       "no link catch event named 'L' in this (sub)process"},
      {"<sequenceFlow id=\"f2\"",
       "<intermediateCatchEvent id=\"otra\"><linkEventDefinition name=\"L\"/>"
       "</intermediateCatchEvent><sequenceFlow id=\"f2\"",
       "has the link name 'L' in this (sub)process"},
      {"<linkEventDefinition name=\"L\"/></intermediateThrowEvent>",
       "<linkEventDefinition/></intermediateThrowEvent>", "<linkEventDefinition> has no name"},
      {"<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"ir\"/>",
       "<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"llega\"/>",
       "a link catch event has incoming flow 'f1'"},
  };
  for (const Case& c : cases) {
    std::string body = good;
    body.replace(body.find(c.from), c.from.size(), c.to);
    LoadOutput bad = load_bpmn(wrap(body), "inline.bpmn", {});
    EXPECT_FALSE(bad.definition.has_value()) << c.says;
    bool found = false;
    for (const auto& diagnostic : bad.diagnostics) {
      found = found || diagnostic.message.find(c.says) != std::string::npos;
    }
    EXPECT_TRUE(found) << c.says << "\n"
                       << (bad.diagnostics.empty() ? "" : bad.diagnostics[0].to_string());
  }
}

TEST(BpmnParser, CallActivityReadsItsProcessMappingsAndBusinessId) {
  auto call = [](const std::string& extensions) {
    return "<startEvent id=\"s\"/><endEvent id=\"e\"/>"
           "<callActivity id=\"c\"><extensionElements>" +
           extensions +
           "</extensionElements></callActivity>"
           "<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"c\"/>"
           "<sequenceFlow id=\"f2\" sourceRef=\"c\" targetRef=\"e\"/>";
  };
  const std::string good = call(
      "<zeebe:calledElement processId=\"hijo\" propagateAllChildVariables=\"false\"/>"
      "<zeebe:ioMapping><zeebe:input source=\"=a + 1\" target=\"b\"/>"
      "<zeebe:input source=\"fijo\" target=\"c\"/>"
      "<zeebe:output source=\"=r\" target=\"resultado\"/></zeebe:ioMapping>"
      "<zeebe:properties><zeebe:property name=\"pmiflow.businessId\" value=\"=b\"/>"
      "</zeebe:properties>");
  LoadOutput out = load_bpmn(wrap(good), "inline.bpmn", {});
  ASSERT_TRUE(out.definition.has_value()) << out.diagnostics.front().to_string();
  const FlowNode& c = node(*out.definition, "c");
  EXPECT_EQ(c.kind, NodeKind::kCallActivity);
  EXPECT_EQ(c.called_process, "hijo");
  EXPECT_FALSE(c.propagate_all_child_variables);
  EXPECT_TRUE(c.propagate_all_parent_variables);
  ASSERT_EQ(c.inputs.size(), 2u);
  EXPECT_EQ(c.inputs[0].target, "b");
  EXPECT_EQ(c.inputs[1].source.text(), "\"fijo\"");  // a static source is a string
  ASSERT_EQ(c.outputs.size(), 1u);
  EXPECT_EQ(c.outputs[0].target, "resultado");
  ASSERT_TRUE(c.child_business_id.has_value());
  // BPMN's own calledElement attribute, as other tools write it.
  LoadOutput plain =
      load_bpmn(wrap("<startEvent id=\"s\"/><callActivity id=\"c\" calledElement=\"otro\"/>"
                     "<endEvent id=\"e\"/>"
                     "<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"c\"/>"
                     "<sequenceFlow id=\"f2\" sourceRef=\"c\" targetRef=\"e\"/>"),
                "inline.bpmn", {});
  ASSERT_TRUE(plain.definition.has_value()) << plain.diagnostics.front().to_string();
  EXPECT_EQ(node(*plain.definition, "c").called_process, "otro");

  struct Case {
    std::string extensions, says;
  };
  const Case cases[] = {
      {"", "a call activity needs a zeebe:calledElement processId"},
      {"<zeebe:calledElement processId=\"\"/>", "zeebe:calledElement has no processId"},
      {"<zeebe:calledElement processId=\"h\" bindingType=\"deployment\"/>",
       "bindingType 'deployment' is not supported"},
      {"<zeebe:calledElement processId=\"h\" propagateAllChildVariables=\"si\"/>",
       "propagateAllChildVariables is 'si', not true or false"},
      {"<zeebe:calledElement processId=\"=1 +\"/>", "zeebe:calledElement processId does not parse"},
      {"<zeebe:calledElement processId=\"h\"/><zeebe:ioMapping>"
       "<zeebe:output source=\"=r\" target=\"a.b\"/></zeebe:ioMapping>",
       "zeebe:output target 'a.b' is a path"},
      {"<zeebe:calledElement processId=\"h\"/><zeebe:ioMapping>"
       "<zeebe:input source=\"=(\" target=\"a\"/></zeebe:ioMapping>",
       "zeebe:input source of 'a' does not parse"},
      {"<zeebe:calledElement processId=\"h\"/><zeebe:properties>"
       "<zeebe:property name=\"pmiflow.businessId\" value=\"fijo\"/></zeebe:properties>",
       "pmiflow.businessId 'fijo' is not a FEEL expression"},
  };
  for (const Case& bad_case : cases) {
    LoadOutput bad = load_bpmn(wrap(call(bad_case.extensions)), "inline.bpmn", {});
    EXPECT_FALSE(bad.definition.has_value()) << bad_case.says;
    ASSERT_FALSE(bad.diagnostics.empty()) << bad_case.says;
    EXPECT_THAT(bad.diagnostics[0].message, HasSubstr(bad_case.says));
    EXPECT_EQ(bad.diagnostics[0].element_id, "c");
    EXPECT_GT(bad.diagnostics[0].line, 0);
  }
}

TEST(BpmnParser, MultiInstanceReadsItsLoopCharacteristicsAndCompletionCondition) {
  auto task = [](const std::string& loop) {
    return "<startEvent id=\"s\"/><endEvent id=\"e\"/>"
           "<serviceTask id=\"t\"><extensionElements><zeebe:taskDefinition type=\"x\"/>"
           "</extensionElements>" +
           loop +
           "</serviceTask>"
           "<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"t\"/>"
           "<sequenceFlow id=\"f2\" sourceRef=\"t\" targetRef=\"e\"/>";
  };
  auto characteristics = [](const std::string& attributes, const std::string& more = "",
                            const std::string& flags = "") {
    return "<multiInstanceLoopCharacteristics" + flags +
           "><extensionElements><zeebe:loopCharacteristics " + attributes +
           "/></extensionElements>" + more + "</multiInstanceLoopCharacteristics>";
  };
  LoadOutput out =
      load_bpmn(wrap(task(characteristics(
                    "inputCollection=\"=items\" inputElement=\"item\" outputCollection=\"results\" "
                    "outputElement=\"=result\"",
                    "<completionCondition>=numberOfCompletedInstances > 1</completionCondition>",
                    " isSequential=\"true\""))),
                "inline.bpmn", {});
  ASSERT_TRUE(out.definition.has_value()) << out.diagnostics.front().to_string();
  EXPECT_TRUE(out.definition->has_multi_instance);
  const FlowNode& t = node(*out.definition, "t");
  ASSERT_TRUE(t.loop.has_value());
  EXPECT_TRUE(t.loop->sequential);
  EXPECT_EQ(t.loop->input_collection.text(), "=items");
  EXPECT_EQ(t.loop->input_element, "item");
  EXPECT_EQ(t.loop->output_collection, "results");
  EXPECT_EQ(t.loop->output_variable, "result");  // a name: local to each inner instance
  ASSERT_TRUE(t.loop->completion_condition.has_value());
  // An output element that is not a bare name has no output variable.
  LoadOutput expression =
      load_bpmn(wrap(task(characteristics("inputCollection=\"=items\" outputCollection=\"r\" "
                                          "outputElement=\"=item.x + 1\""))),
                "inline.bpmn", {});
  ASSERT_TRUE(expression.definition.has_value());
  EXPECT_EQ(node(*expression.definition, "t").loop->output_variable, "");

  struct Case {
    std::string loop, says;
  };
  const Case cases[] = {
      {"<multiInstanceLoopCharacteristics/>",
       "<multiInstanceLoopCharacteristics> needs a zeebe:loopCharacteristics with an "
       "inputCollection"},
      {characteristics("inputElement=\"i\""), "zeebe:loopCharacteristics has no inputCollection"},
      {characteristics("inputCollection=\"=(\""),
       "zeebe:loopCharacteristics inputCollection does not parse"},
      {characteristics("inputCollection=\"=l\" outputCollection=\"r\""),
       "an outputCollection without an outputElement"},
      {characteristics("inputCollection=\"=l\" inputElement=\"a.b\""),
       "inputElement 'a.b' is not a variable's name"},
      {characteristics("inputCollection=\"=l\"", "", " isSequential=\"yes\""),
       "isSequential is 'yes', not true or false"},
      {characteristics("inputCollection=\"=l\"", "<completionCondition>done</completionCondition>"),
       "completionCondition 'done' is not a FEEL expression"},
      {characteristics("inputCollection=\"=l\"", "<loopCardinality>3</loopCardinality>"),
       "unsupported element <loopCardinality> in <multiInstanceLoopCharacteristics>"},
      {"<standardLoopCharacteristics/>", "a standard loop is not supported"},
  };
  for (const Case& bad_case : cases) {
    LoadOutput bad = load_bpmn(wrap(task(bad_case.loop)), "inline.bpmn", {});
    EXPECT_FALSE(bad.definition.has_value()) << bad_case.says;
    ASSERT_FALSE(bad.diagnostics.empty()) << bad_case.says;
    EXPECT_THAT(bad.diagnostics[0].message, HasSubstr(bad_case.says));
    EXPECT_EQ(bad.diagnostics[0].element_id, "t");
    EXPECT_GT(bad.diagnostics[0].line, 0);
  }
}

TEST(BpmnParser, ByteOrderMarkIsCountedAsBytesOfTheFirstLine) {
  ParseOutput out = parse_bpmn("\xEF\xBB\xBF" + wrap(user_task("candidateGroups=\"g\"")), "bom");
  ASSERT_TRUE(out.definition.has_value());
  EXPECT_THAT(out.diagnostics, IsEmpty());
  EXPECT_EQ(out.definition->node(0).location.line, 4);
  EXPECT_EQ(out.definition->node(0).location.column, 1);
}

TEST(BpmnParser, ParseKeepsUnsupportedElementsOutOfTheModelWithoutRepeatingErrors) {
  ParseOutput out = parse_bpmn(wrap("<startEvent id=\"s\"/><endEvent id=\"e\"/>"
                                    "<complexGateway id=\"x\"/>"
                                    "<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"x\"/>"
                                    "<sequenceFlow id=\"f2\" sourceRef=\"x\" targetRef=\"e\"/>"),
                               "inline.bpmn");
  ASSERT_TRUE(out.definition.has_value());
  ASSERT_EQ(out.diagnostics.size(), 1u);
  EXPECT_THAT(out.diagnostics[0].message, HasSubstr("unsupported element <complexGateway>"));
  EXPECT_EQ(out.diagnostics[0].element_id, "x");
  EXPECT_EQ(out.definition->find_node("x"), kNone);
  EXPECT_EQ(out.definition->find_flow("f1"), kNone);
  EXPECT_EQ(out.definition->nodes.size(), 2u);

  LoadOutput loaded = load_bpmn(wrap("<startEvent id=\"s\"/><endEvent id=\"e\"/>"
                                     "<complexGateway id=\"x\"/>"
                                     "<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"x\"/>"
                                     "<sequenceFlow id=\"f2\" sourceRef=\"x\" targetRef=\"e\"/>"),
                                "inline.bpmn", {});
  EXPECT_FALSE(loaded.definition.has_value());
  EXPECT_EQ(loaded.diagnostics.size(), 1u);  // no "unreachable" / "no end" echoes
}

TEST(BpmnParser, DiagnosticsAreSortedByLineThenColumn) {
  LoadOutput out = load_bpmn(wrap("<startEvent id=\"s\"/>\n<serviceTask id=\"b\"/>\n"
                                  "<userTask id=\"a\"/><endEvent id=\"e\"/>\n"
                                  "<sequenceFlow id=\"f1\" sourceRef=\"s\" targetRef=\"b\"/>\n"
                                  "<sequenceFlow id=\"f2\" sourceRef=\"b\" targetRef=\"a\"/>\n"
                                  "<sequenceFlow id=\"f3\" sourceRef=\"a\" targetRef=\"e\"/>\n"
                                  "<complexGateway id=\"z\"/>"),
                             "inline.bpmn", {});
  ASSERT_EQ(out.diagnostics.size(), 3u);
  EXPECT_EQ(out.diagnostics[0].element_id, "b");
  EXPECT_EQ(out.diagnostics[1].element_id, "a");
  EXPECT_EQ(out.diagnostics[2].element_id, "z");
  for (std::size_t i = 1; i < out.diagnostics.size(); ++i) {
    EXPECT_LE(out.diagnostics[i - 1].line, out.diagnostics[i].line);
  }
}

}  // namespace
}  // namespace pmiflow::model
