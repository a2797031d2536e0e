// Conformance of the definition loader on third-party BPMN files: every .bpmn file under
// tests/conformance/corpus (the OMG MIWG reference models and bpmn-engine's executable fixtures)
// is loaded with load_bpmn. Each must end in success or in diagnostics, never in a crash or an
// exception, and the outcome must match the table below (docs/conformance.md explains it).
//
// Uses only the engine/model headers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/model/bpmn_parser.h"

namespace pmiflow::model {
namespace {

using ::testing::HasSubstr;

struct Expected {
  std::string file;  // relative to the conformance folder
  bool loads;
  int line;                // of the first error (when it does not load)
  std::string element_id;  // of the first error
  std::string message;     // a substring of the first error's message
};

// Generated from a real run, then reviewed: six of the 43 files load (docs/conformance.md);
// tests/conformance/conformance_paths_test.cpp runs the bpmn-engine fixtures among them. The
// MIWG models are mostly non-executable; the executable ones and the other bpmn-engine fixtures
// use JavaScript script tasks, JavaScript conditions, signal events or timer start events on the
// process, or lack the zeebe extensions.
const std::vector<Expected> kExpected = {
    {"engine-fixtures/bound-error-and-timer.bpmn", false, 15, "scriptTask",
     "a <script> in JavaScript is not supported"},
    {"engine-fixtures/boundary-non-interupting-timer.bpmn", true, 0, "", ""},
    {"engine-fixtures/boundary-timeout.bpmn", true, 0, "", ""},
    {"engine-fixtures/call-activity.bpmn", true, 0, "", ""},
    {"engine-fixtures/conditional-bound-js-event.bpmn", false, 22, "cond",
     "unsupported element <boundaryEvent> with <conditionalEventDefinition>"},
    {"engine-fixtures/issue-19.bpmn", false, 19, "Task_B",
     "a <script> in JavaScript is not supported"},
    {"engine-fixtures/lanes.bpmn", false, 38, "intermediate",
     "<messageEventDefinition> has no messageRef"},
    {"engine-fixtures/loop.bpmn", false, 19, "flow3",
     "condition language 'JavaScript' is not supported"},
    {"engine-fixtures/messaging.bpmn", false, 15, "ping", "<sendTask> has no messageRef"},
    {"engine-fixtures/mother-of-all.bpmn", false, 16, "scriptTask1",
     "a <script> in JavaScript is not supported"},
    {"engine-fixtures/multiple-endEvents.bpmn", false, 16, "script1",
     "a <script> in JavaScript is not supported"},
    {"engine-fixtures/multiple-joins.bpmn", false, 15, "flow3",
     "condition language 'JavaScript' is not supported"},
    {"engine-fixtures/one-or-the-other.bpmn", false, 24, "Event_1wx4moq",
     "unsupported element <intermediateThrowEvent> with <signalEventDefinition>"},
    {"engine-fixtures/service-task.bpmn", false, 12, "serviceTask",
     "service task has no zeebe:taskDefinition type"},
    {"engine-fixtures/signals.bpmn", false, 32, "catchSpotUpdate",
     "unsupported element <boundaryEvent> with <signalEventDefinition>"},
    {"engine-fixtures/simple-task.bpmn", false, 3, "simpleTaskProcess",
     "process has no none or message start event"},
    {"engine-fixtures/sub-process.bpmn", false, 8, "subProcess",
     "subProcess has no none start event"},
    {"engine-fixtures/succeeding-joins.bpmn", false, 26, "flow-up-join1",
     "condition does not parse: unexpected character '$'"},
    {"engine-fixtures/task-multiple-inbound.bpmn", false, 16, "script",
     "a <script> in JavaScript is not supported"},
    {"engine-fixtures/task-with-multi-instance-loop.bpmn", false, 12, "recurring",
     "unsupported element <loopCardinality> in <multiInstanceLoopCharacteristics>"},
    {"engine-fixtures/timer-event.bpmn", true, 0, "", ""},
    {"engine-fixtures/timers.bpmn", false, 4, "start-cycle",
     "a timer start event is supported only in an event subprocess"},
    {"miwg/A.1.0.bpmn", false, 3, "WFP-6-", "no executable process (isExecutable=\"true\")"},
    {"miwg/A.2.0.bpmn", false, 3, "WFP-6-", "no executable process (isExecutable=\"true\")"},
    {"miwg/A.2.1.bpmn", false, 3, "_To9ZoTOCEeSknpIVFCxNIQ",
     "no executable process (isExecutable=\"true\")"},
    {"miwg/A.3.0.bpmn", false, 3, "WFP-6-", "no executable process (isExecutable=\"true\")"},
    {"miwg/A.4.0.bpmn", false, 3, "WFP-6-1", "no executable process (isExecutable=\"true\")"},
    {"miwg/A.4.1.bpmn", false, 16, "sid-34746A54-1D7D-46CA-B219-0C4CEAE51170",
     "no executable process (isExecutable=\"true\")"},
    {"miwg/B.1.0.bpmn", false, 5, "Process_ba16239e-181e-4b9f-bc5b-0bb2ee973450",
     "no executable process (isExecutable=\"true\")"},
    {"miwg/B.2.0.bpmn", false, 5, "Process_ba16239e-181e-4b9f-bc5b-0bb2ee973450",
     "no executable process (isExecutable=\"true\")"},
    {"miwg/C.1.0.bpmn", false, 570, "archiveInvoice",
     "service task has no zeebe:taskDefinition type"},
    {"miwg/C.1.1.bpmn", false, 252, "archiveInvoice",
     "service task has no zeebe:taskDefinition type"},
    {"miwg/C.2.0.bpmn", false, 25, "WFP-Page_1-1", "no executable process (isExecutable=\"true\")"},
    {"miwg/C.3.0.bpmn", false, 75, "_c73a5f4a-72f1-4e11-bb40-2f98da75fb9a",
     "unsupported attribute startQuantity=\"2\" on <userTask>"},
    {"miwg/C.4.0.bpmn", false, 19, "_42cba3a9-a8ab-40b5-b9a4-2e8f32be364e",
     "no executable process (isExecutable=\"true\")"},
    {"miwg/C.5.0.bpmn", false, 7, "_3d1ef204-2d4c-4643-8fc5-c319cc032ec0",
     "no executable process (isExecutable=\"true\")"},
    {"miwg/C.6.0.bpmn", false, 3, "_898aa942-9a96-4405-ae71-22b5e2e3d235",
     "no executable process (isExecutable=\"true\")"},
    {"miwg/C.7.0.bpmn", false, 10, "_4a690dd7-809a-4fa9-ad63-515ac6685375",
     "no executable process (isExecutable=\"true\")"},
    {"miwg/C.8.0.bpmn", false, 5, "VacationRequestProcess",
     "no executable process (isExecutable=\"true\")"},
    {"miwg/C.8.1.bpmn", false, 311, "_1a818a94-ba6f-413b-a7e8-6f8fd2a11e32",
     "zeebe:output source of 'Vacation Approval' does not parse"},
    {"miwg/C.9.0.bpmn", false, 90, "SequenceFlow_Red",
     "condition does not parse: unexpected name 'risk'"},
    {"miwg/C.9.1.bpmn", true, 0, "", ""},
    {"miwg/C.9.2.bpmn", true, 0, "", ""},
};

std::filesystem::path conformance_dir() {
  return std::filesystem::path(PMIFLOW_CONFORMANCE_DIR);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> bpmn_files() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(conformance_dir())) {
    if (entry.is_regular_file() && entry.path().extension() == ".bpmn") {
      files.push_back(std::filesystem::relative(entry.path(), conformance_dir()).generic_string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(Conformance, TheTableCoversExactlyTheFilesPresent) {
  std::set<std::string> expected;
  for (const Expected& e : kExpected) expected.insert(e.file);
  EXPECT_EQ(expected.size(), kExpected.size()) << "duplicate rows";
  std::vector<std::string> files = bpmn_files();
  EXPECT_EQ(files.size(), 43u);
  EXPECT_EQ(std::set<std::string>(files.begin(), files.end()), expected);
}

class ConformanceFile : public ::testing::TestWithParam<Expected> {};

TEST_P(ConformanceFile, LoadsOrFailsAsExpected) {
  const Expected& expected = GetParam();
  const std::filesystem::path path = conformance_dir() / expected.file;
  const std::string xml = read_file(path);
  ASSERT_FALSE(xml.empty()) << path;

  LoadOutput out;
  ASSERT_NO_THROW(out = load_bpmn(xml, path.string(), {}));
  const Diagnostic* first_error = nullptr;
  for (const Diagnostic& d : out.diagnostics) {
    EXPECT_THAT(d.message, ::testing::Not(HasSubstr("internal error"))) << d.to_string();
    EXPECT_GT(d.line, 0) << d.to_string();
    if (d.severity == Severity::kError && first_error == nullptr) first_error = &d;
  }
  if (expected.loads) {
    EXPECT_TRUE(out.definition.has_value());
    EXPECT_EQ(first_error, nullptr) << first_error->to_string();
    return;
  }
  EXPECT_FALSE(out.definition.has_value());
  ASSERT_NE(first_error, nullptr);
  EXPECT_EQ(first_error->line, expected.line) << first_error->to_string();
  EXPECT_EQ(first_error->element_id, expected.element_id) << first_error->to_string();
  EXPECT_THAT(first_error->message, HasSubstr(expected.message));

  // parse_bpmn alone never throws either, and its model (if any) is consistent.
  ParseOutput parsed;
  ASSERT_NO_THROW(parsed = parse_bpmn(xml, path.string()));
  if (parsed.definition) {
    for (const SequenceFlow& f : parsed.definition->flows) {
      EXPECT_LT(f.source, parsed.definition->nodes.size());
      EXPECT_LT(f.target, parsed.definition->nodes.size());
    }
  }
}

std::string test_name(const ::testing::TestParamInfo<Expected>& info) {
  std::string name;
  for (char c : info.param.file) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    name += alnum ? c : '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Shared, ConformanceFile, ::testing::ValuesIn(kExpected), test_name);

}  // namespace
}  // namespace pmiflow::model
