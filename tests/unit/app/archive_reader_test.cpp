// The archive reader on text in memory (app/archive.h): line ends, blank lines, a
// BOM, and the limits of a line (size, depth, UTF-8), each refusal naming FILE:LINE and the limit.
#include "app/archive.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/common/limits.h"

namespace pmiflow::app {
namespace {

const std::string kHeader =
    R"({"record":"header","format":"pmiflow-archive","format_version":1,"period":"2026",)"
    R"("school":null,"exported":"2026-11-25T10:00:00.000Z","instances":1,"events":1})";
const std::string kInstance =
    R"({"record":"instance","id":7,"process":"P","version":1,"school":"105001000123",)"
    R"("period":"2026","status":"active","last_seq":1,"head_hash":"ab"})";
const std::string kEvent =
    R"({"record":"event","instance_id":7,"seq":1,"type":"InstanceCreated","type_version":1,)"
    R"("time_ms":5,"actor":{"kind":"user","id":"ana","role":"r"},"definition_version":1,)"
    R"("payload":{"period":"2026","process":"P","school":"105001000123","variables":{"x":[1]}},)"
    R"("prev_hash":"00","hash":"ab"})";

// The kinds read from `text` until the end, or the first error's message.
std::vector<std::string> read_all(const std::string& text, std::string& error) {
  ArchiveReader reader = ArchiveReader::from_text("a.jsonl", text);
  std::vector<std::string> kinds;
  for (;;) {
    auto more = reader.next();
    if (!more.ok()) {
      error = more.error().message;
      EXPECT_EQ(more.error().code, ErrorCode::kInvalidArgument);
      return kinds;
    }
    if (!*more) return kinds;
    switch (reader.kind()) {
      case ArchiveReader::Kind::kHeader:
        kinds.push_back("header");
        break;
      case ArchiveReader::Kind::kDefinition:
        kinds.push_back("definition");
        break;
      case ArchiveReader::Kind::kInstance:
        kinds.push_back("instance " + std::to_string(reader.instance().id));
        break;
      case ArchiveReader::Kind::kEvent:
        kinds.push_back("event " + std::to_string(reader.event().seq) + " by " +
                        reader.event().actor.id);
        break;
    }
  }
}

std::string error_of(const std::string& text) {
  std::string error;
  read_all(text, error);
  return error;
}

TEST(ArchiveReader, ReadsRecordsWhateverTheLineEndsAndBlankLines) {
  const std::vector<std::string> expected = {"header", "instance 7", "event 1 by ana"};
  for (const std::string& text :
       {kHeader + "\n" + kInstance + "\n" + kEvent + "\n",
        "\xEF\xBB\xBF" + kHeader + "\r\n\r\n" + kInstance + "\r\n  \n" + kEvent,
        "\n\n" + kHeader + "\n" + kInstance + "\n" + kEvent + "\n\n"}) {
    std::string error;
    EXPECT_EQ(read_all(text, error), expected) << text;
    EXPECT_EQ(error, "");
  }
}

TEST(ArchiveReader, AnEmptyArchiveOrAFirstLineThatIsNoHeaderIsMalformed) {
  EXPECT_EQ(error_of(""), "a.jsonl:1: malformed archive line: empty file: not a pmiflow archive");
  EXPECT_EQ(error_of(kInstance + "\n"),
            "a.jsonl:1: malformed archive line: not a pmiflow archive (its first line must be the "
            "header record)");
  EXPECT_EQ(error_of(kHeader + "\n[1]\n"), "a.jsonl:2: malformed archive line: not a JSON object");
}

TEST(ArchiveReader, ALineLongerThanTheLimitIsMalformedWithoutBeingReadWhole) {
  const std::string long_line(limits::kMaxArchiveLineBytes + 1, 'x');
  EXPECT_EQ(error_of(kHeader + "\n" + long_line + "\n" + kEvent + "\n"),
            "a.jsonl:2: malformed archive line: longer than 64 MiB (67108864 bytes), the limit "
            "for an archive line");
  // A line of exactly the limit is read (and then refused for what it holds).
  EXPECT_EQ(error_of(kHeader + "\n" + long_line.substr(1))
                .rfind("a.jsonl:2: malformed archive line: the record is not JSON: ", 0),
            0u);
}

TEST(ArchiveReader, DeepOrNonUtf8LinesAreMalformedNamingTheLimit) {
  const std::string deep = R"({"record":"event","payload":)" + std::string(100'000, '[') +
                           std::string(100'000, ']') + "}";
  EXPECT_EQ(error_of(kHeader + "\n" + deep + "\n"),
            "a.jsonl:2: malformed archive line: the record: nested deeper than 80 levels at byte "
            "offset 107 (the limit for an archive line: 80 levels of arrays and objects)");
  EXPECT_EQ(error_of(kHeader + "\n{\"record\":\"ev\xffnt\"}\n"),
            "a.jsonl:2: malformed archive line: the record: invalid UTF-8 at byte offset 13 "
            "(0xff)");
}

// Found by fuzz_archive_line: an actor member of another type threw from Actor::from_json
// (exit 70 at the command line).
TEST(ArchiveReader, AnActorMemberThatIsNotAStringIsMalformed) {
  for (const char* field : {"kind", "id", "role"}) {
    std::string event = kEvent;
    const std::string member = std::string("\"") + field + "\":\"";
    const auto at = event.find(member);
    ASSERT_NE(at, std::string::npos);
    event.replace(at + member.size() - 1,
                  event.find('"', at + member.size()) - at - member.size() + 2, "[1]");
    EXPECT_EQ(error_of(kHeader + "\n" + kInstance + "\n" + event + "\n"),
              std::string("a.jsonl:3: malformed archive line: field \"actor.") + field +
                  "\" is not a string")
        << event;
  }
}

}  // namespace
}  // namespace pmiflow::app
