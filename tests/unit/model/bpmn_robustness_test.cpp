// Hostile and large inputs: the parser must always return (no crash, no exception, no stack
// overflow) and whatever model it returns must be internally consistent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "engine/model/bpmn_parser.h"

namespace pmiflow::model {
namespace {

using ::testing::HasSubstr;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every index in the model points inside it.
void expect_consistent(const ProcessDefinition& def) {
  for (const SequenceFlow& f : def.flows) {
    ASSERT_LT(f.source, def.nodes.size()) << f.id;
    ASSERT_LT(f.target, def.nodes.size()) << f.id;
  }
  for (const FlowNode& n : def.nodes) {
    for (FlowIndex f : n.outgoing) ASSERT_LT(f, def.flows.size()) << n.id;
    for (FlowIndex f : n.incoming) ASSERT_LT(f, def.flows.size()) << n.id;
    if (n.default_flow != kNone) {
      ASSERT_LT(n.default_flow, def.flows.size()) << n.id;
    }
  }
  for (NodeIndex s : def.start_events) ASSERT_LT(s, def.nodes.size());
}

std::string mutate(const std::string& original, std::mt19937& rng) {
  static const std::string kNoise = "<>/\"'=&;:![]-?x \n\xC3\xA9\xFF";
  std::string s = original;
  auto pick = [&](std::size_t bound) {
    return bound == 0 ? std::size_t{0}
                      : std::uniform_int_distribution<std::size_t>(0, bound - 1)(rng);
  };
  const int edits = 1 + static_cast<int>(pick(4));
  for (int e = 0; e < edits && !s.empty(); ++e) {
    std::size_t at = pick(s.size());
    switch (pick(6)) {
      case 0:
        s.resize(at);
        break;  // truncate
      case 1:
        s[at] = kNoise[pick(kNoise.size())];
        break;  // replace a byte
      case 2:
        s.erase(at, 1 + pick(40));
        break;  // delete a range
      case 3:
        s.insert(at, 1, kNoise[pick(kNoise.size())]);
        break;  // insert a byte
      case 4:
        s.insert(at, s.substr(pick(s.size()), 1 + pick(80)));
        break;    // duplicate
      default: {  // swap two ranges
        std::size_t other = pick(s.size());
        std::size_t len = std::min<std::size_t>(1 + pick(30), s.size() - std::max(at, other));
        for (std::size_t i = 0; i < len; ++i) std::swap(s[at + i], s[other + i]);
        break;
      }
    }
  }
  return s;
}

TEST(BpmnRobustness, RandomMutationsOfGoodFilesAlwaysGiveAResult) {
  const std::vector<std::string> files = {"parallel-fork-join.bpmn", "exclusive-default.bpmn",
                                          "loop-through-user-task.bpmn", "terminate-end.bpmn",
                                          "latin1-names.bpmn"};
  std::vector<std::string> originals;
  for (const std::string& f : files) {
    originals.push_back(read_file(std::string(PMIFLOW_TEST_DATA) + "/good/" + f));
    ASSERT_FALSE(originals.back().empty()) << f;
  }
  std::mt19937 rng(20240611);  // deterministic
  int loaded = 0;
  int failed = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string& original = originals[static_cast<std::size_t>(i) % originals.size()];
    const std::string xml = mutate(original, rng);
    ParseOutput parsed = parse_bpmn(xml, "mutant.bpmn");
    if (parsed.definition) expect_consistent(*parsed.definition);
    for (const Diagnostic& d : parsed.diagnostics) {
      ASSERT_FALSE(d.message.empty());
      ASSERT_GE(d.line, 0);
      ASSERT_GE(d.column, 0);
    }
    LoadOutput out = load_bpmn(xml, "mutant.bpmn", {});
    if (out.definition) {
      expect_consistent(*out.definition);
      EXPECT_FALSE(has_errors(out.diagnostics));
      ++loaded;
    } else {
      EXPECT_TRUE(has_errors(out.diagnostics)) << xml;
      ++failed;
    }
    if (HasFailure()) return;
  }
  EXPECT_GT(failed, 0);  // the mutations do break files
}

TEST(BpmnRobustness, TruncationAtEveryPrefixLength) {
  const std::string xml =
      read_file(std::string(PMIFLOW_TEST_DATA) + "/good/exclusive-default.bpmn");
  for (std::size_t n = 0; n < xml.size(); n += 7) {
    ParseOutput out = parse_bpmn(xml.substr(0, n), "prefix.bpmn");
    if (out.definition) expect_consistent(*out.definition);
    if (n + 20 < xml.size()) {
      EXPECT_TRUE(has_errors(out.diagnostics)) << n;
    }
  }
}

std::string header() {
  return "<?xml version=\"1.0\"?>\n"
         "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" "
         "xmlns:zeebe=\"http://camunda.org/schema/zeebe/1.0\">\n"
         "<process id=\"big\" isExecutable=\"true\">\n";
}
std::string footer() {
  return "</process>\n</definitions>\n";
}

TEST(BpmnRobustness, FiftyThousandNodeLinearProcessLoads) {
  constexpr int kTasks = 49998;
  std::string xml = header();
  xml += "<startEvent id=\"n0\"/>\n";
  for (int i = 1; i <= kTasks; ++i) {
    xml += "<serviceTask id=\"n" + std::to_string(i) +
           "\"><extensionElements><zeebe:taskDefinition type=\"t\"/></extensionElements>"
           "</serviceTask>\n";
  }
  xml += "<endEvent id=\"n" + std::to_string(kTasks + 1) + "\"/>\n";
  for (int i = 0; i <= kTasks; ++i) {
    xml += "<sequenceFlow id=\"f" + std::to_string(i) + "\" sourceRef=\"n" + std::to_string(i) +
           "\" targetRef=\"n" + std::to_string(i + 1) + "\"/>\n";
  }
  xml += footer();
  LoadOutput out = load_bpmn(xml, "big.bpmn", {});
  ASSERT_TRUE(out.definition.has_value());
  EXPECT_TRUE(out.diagnostics.empty());
  EXPECT_EQ(out.definition->nodes.size(), static_cast<std::size_t>(kTasks + 2));
  EXPECT_EQ(out.definition->flows.size(), static_cast<std::size_t>(kTasks + 1));
  expect_consistent(*out.definition);
}

TEST(BpmnRobustness, FiftyThousandGatewayCycleIsFoundWithoutRecursion) {
  constexpr int kGateways = 50000;
  std::string xml = header();
  xml += "<startEvent id=\"s\"/><endEvent id=\"e\"/>\n";
  for (int i = 0; i < kGateways; ++i) {
    xml += "<exclusiveGateway id=\"g" + std::to_string(i) + "\"" +
           (i == kGateways - 1 ? " default=\"back\"" : "") + "/>\n";
  }
  xml += "<sequenceFlow id=\"in\" sourceRef=\"s\" targetRef=\"g0\"/>\n";
  for (int i = 0; i + 1 < kGateways; ++i) {
    xml += "<sequenceFlow id=\"f" + std::to_string(i) + "\" sourceRef=\"g" + std::to_string(i) +
           "\" targetRef=\"g" + std::to_string(i + 1) + "\"/>\n";
  }
  const std::string last = "g" + std::to_string(kGateways - 1);
  xml += "<sequenceFlow id=\"back\" sourceRef=\"" + last + "\" targetRef=\"g0\"/>\n";
  xml += "<sequenceFlow id=\"out\" sourceRef=\"" + last +
         "\" targetRef=\"e\"><conditionExpression>= done</conditionExpression></sequenceFlow>\n";
  xml += footer();
  LoadOutput out = load_bpmn(xml, "cycle.bpmn", {});
  EXPECT_FALSE(out.definition.has_value());
  ASSERT_EQ(out.diagnostics.size(), 1u);
  EXPECT_EQ(out.diagnostics[0].element_id, "g0");
  EXPECT_THAT(out.diagnostics[0].message,
              HasSubstr("cycle with no wait state (it would loop forever): g0 -> g1 -> "));
  EXPECT_THAT(out.diagnostics[0].message, HasSubstr("-> ... -> g0 (50000 nodes)"));
}

TEST(BpmnRobustness, HundredThousandLevelsOfNestingInsideTheProcess) {
  constexpr int kDepth = 100000;
  std::string xml = header();
  xml += "<startEvent id=\"s\"/>";
  for (int i = 0; i < kDepth; ++i) xml += "<subProcess id=\"d" + std::to_string(i) + "\">";
  for (int i = 0; i < kDepth; ++i) xml += "</subProcess>";
  xml += footer();
  ParseOutput out = parse_bpmn(xml, "deep.bpmn");
  ASSERT_TRUE(out.definition.has_value());
  ASSERT_EQ(out.diagnostics.size(), 1u);
  EXPECT_EQ(out.diagnostics[0].element_id, "d32");
  EXPECT_THAT(out.diagnostics[0].message,
              HasSubstr("subProcess nested more than 32 levels deep (its content is not read)"));
  LoadOutput loaded = load_bpmn(xml, "deep.bpmn", {});
  EXPECT_FALSE(loaded.definition.has_value());
}

TEST(BpmnRobustness, HundredThousandLevelsOfNestingElsewhere) {
  constexpr int kDepth = 100000;
  std::string open;
  std::string close;
  for (int i = 0; i < kDepth; ++i) {
    open += "<a>";
    close += "</a>";
  }
  ParseOutput not_bpmn = parse_bpmn(open + close, "deep.xml");
  EXPECT_FALSE(not_bpmn.definition.has_value());
  ASSERT_EQ(not_bpmn.diagnostics.size(), 1u);
  EXPECT_THAT(not_bpmn.diagnostics[0].message, HasSubstr("not a BPMN 2.0 document"));

  ParseOutput unclosed = parse_bpmn(open, "deep.xml");
  EXPECT_FALSE(unclosed.definition.has_value());
  ASSERT_EQ(unclosed.diagnostics.size(), 1u);
  EXPECT_THAT(unclosed.diagnostics[0].message, HasSubstr("XML is not well-formed"));

  std::string in_extension = header() + "<extensionElements>" + open + close +
                             "</extensionElements><startEvent id=\"s\"/><endEvent id=\"e\"/>"
                             "<sequenceFlow id=\"f\" sourceRef=\"s\" targetRef=\"e\"/>" +
                             footer();
  LoadOutput loaded = load_bpmn(in_extension, "deep.bpmn", {});
  EXPECT_TRUE(loaded.definition.has_value());
}

TEST(BpmnRobustness, EmptyAndBinaryInput) {
  for (const std::string& xml :
       {std::string(), std::string("\0\0\0", 3), std::string("\xFF\xFE<\0a\0>\0", 8),
        std::string("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xE9</a>")}) {
    ParseOutput out = parse_bpmn(xml, "x");
    EXPECT_FALSE(out.definition.has_value());
    EXPECT_TRUE(has_errors(out.diagnostics));
  }
}

// The model's strings go into the store and JSON output: they must be UTF-8 whatever the file.
TEST(BpmnEncodings, BytesThatAreNotUtf8AreAnErrorAtTheirLineAndColumn) {
  std::string xml = read_file(std::string(PMIFLOW_TEST_DATA) + "/good/exclusive-default.bpmn");
  xml.replace(xml.find("¿Alineada?"), 2, "\xBF");  // the Latin-1 byte, undeclared
  ParseOutput out = parse_bpmn(xml, "x.bpmn");
  EXPECT_FALSE(out.definition.has_value());
  ASSERT_EQ(out.diagnostics.size(), 1u);
  EXPECT_EQ(out.diagnostics[0].to_string(),
            "x.bpmn:11:43: error: the file is not valid UTF-8: byte 0xBF (save it as UTF-8, or "
            "declare its encoding, e.g. encoding=\"ISO-8859-1\")");
}

// Found by fuzz_bpmn: pugixml decodes a character reference to any number, and the bytes of
// &#x23FFFF; are not UTF-8: `validate --json` ended in exit 70. A reference to a code point
// that is not an XML character is an error at its element; one to a character is decoded.
TEST(BpmnEncodings, ACharacterReferenceToANonCharacterIsAnErrorAtItsElement) {
  const std::string xml =
      read_file(std::string(PMIFLOW_TEST_DATA) + "/good/exclusive-default.bpmn");
  const std::string name = "name=\"¿Alineada?\"";
  ASSERT_NE(xml.find(name), std::string::npos);
  for (const char* reference : {"&#xD800;", "&#x110000;", "&#x23FFFF;", "&#55296;"}) {
    std::string bad = xml;
    bad.replace(bad.find(name), name.size(), std::string("name=\"") + reference + "\"");
    ParseOutput out = parse_bpmn(bad, "x.bpmn");
    EXPECT_FALSE(out.definition.has_value()) << reference;
    ASSERT_EQ(out.diagnostics.size(), 1u) << reference;
    EXPECT_EQ(out.diagnostics[0].to_string(),
              "x.bpmn:11:5: error: gw: the attribute name of <bpmn2:exclusiveGateway> has a "
              "character reference to a code point that is not an XML character (a surrogate "
              "such as &#xD800;, or beyond &#x10FFFF;)")
        << reference;
  }
  std::string in_text = xml;
  in_text.replace(in_text.find("<bpmn2:exclusiveGateway"), 0,
                  "<bpmn2:textAnnotation id=\"note\"><bpmn2:text>a &#xDFFF; b</bpmn2:text>"
                  "</bpmn2:textAnnotation>");
  ParseOutput text_out = parse_bpmn(in_text, "x.bpmn");
  EXPECT_FALSE(text_out.definition.has_value());
  ASSERT_EQ(text_out.diagnostics.size(), 1u);
  EXPECT_THAT(text_out.diagnostics[0].message,
              HasSubstr("the text of <bpmn2:text> has a character reference"));

  std::string good = xml;
  good.replace(good.find(name), name.size(), "name=\"&#xBF;Alineada&#x3F;\"");
  ParseOutput ok = parse_bpmn(good, "x.bpmn");
  ASSERT_TRUE(ok.definition.has_value());
  EXPECT_EQ(ok.definition->node(ok.definition->find_node("gw")).name, "¿Alineada?");
}

// `xml` (ASCII and two-byte UTF-8 only) as UTF-16 or UTF-32 with a byte order mark.
std::string encode(const std::string& xml, int unit, bool big_endian) {
  std::vector<std::uint32_t> code_points = {0xFEFF};
  for (std::size_t i = 0; i < xml.size(); ++i) {
    const auto c = static_cast<unsigned char>(xml[i]);
    code_points.push_back(
        c < 0x80 ? c : ((c & 0x1FU) << 6) | (static_cast<unsigned char>(xml[++i]) & 0x3FU));
  }
  std::string out;
  for (std::uint32_t cp : code_points) {
    for (int k = 0; k < unit; ++k) {
      const int shift = 8 * (big_endian ? unit - 1 - k : k);
      out += static_cast<char>((cp >> shift) & 0xFFU);
    }
  }
  return out;
}

TEST(BpmnEncodings, Utf16AndUtf32FilesLoadWithTheirNames) {
  const std::string xml =
      read_file(std::string(PMIFLOW_TEST_DATA) + "/good/exclusive-default.bpmn");
  for (int unit : {2, 4}) {
    for (bool big_endian : {false, true}) {
      ParseOutput out = parse_bpmn(encode(xml, unit, big_endian), "wide.bpmn");
      ASSERT_TRUE(out.definition.has_value()) << unit << big_endian;
      EXPECT_EQ(out.definition->node(out.definition->find_node("gw")).name, "¿Alineada?");
      EXPECT_EQ(out.definition->node(out.definition->find_node("gw")).location.line, 11);
    }
  }
}

TEST(BpmnEncodings, BrokenUtf16OrUtf32IsAnError) {
  const std::string xml = "<definitions/>";
  std::string lone_surrogate = encode(xml, 2, false);
  lone_surrogate.insert(4, "\x00\xD8", 2);  // U+D800 after "<"
  std::string above_unicode = encode(xml, 4, true);
  above_unicode.insert(8, "\x00\x11\x00\x00", 4);  // U+110000 after "<"
  std::string truncated = encode(xml, 2, true) + std::string(1, '\0');
  for (const std::string& text : {lone_surrogate, above_unicode, truncated}) {
    ParseOutput out = parse_bpmn(text, "wide.bpmn");
    EXPECT_FALSE(out.definition.has_value());
    ASSERT_EQ(out.diagnostics.size(), 1u);
    EXPECT_THAT(out.diagnostics[0].message, HasSubstr("the file is not valid UTF-16 or UTF-32"));
  }
}

TEST(BpmnLimits, AFileOverSixteenMebibytesIsRefusedUnparsed) {
  std::string xml = read_file(std::string(PMIFLOW_TEST_DATA) + "/good/exclusive-default.bpmn");
  xml.resize(16 * 1024 * 1024 + 1, ' ');
  ParseOutput out = parse_bpmn(xml, "big.bpmn");
  EXPECT_FALSE(out.definition.has_value());
  ASSERT_EQ(out.diagnostics.size(), 1u);
  EXPECT_EQ(out.diagnostics[0].to_string(),
            "big.bpmn:1:1: error: the file is 16777217 bytes, more than the limit for a BPMN file "
            "(16 MiB (16777216 bytes))");
  xml.pop_back();
  EXPECT_TRUE(parse_bpmn(xml, "big.bpmn").definition.has_value());
}

}  // namespace
}  // namespace pmiflow::model
