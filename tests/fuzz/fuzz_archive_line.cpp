// Archive lines (app/archive.h): the input read as an archive, and again after a valid header
// line so that a single record reaches the parsers of its kind. The reader never throws; its
// errors are kInvalidArgument naming a line; an event read has a payload text within the limits
// of an archive line (what verify hashes) and a decoded body that history can describe.
#include <cstddef>
#include <cstdint>
#include <string>

#include "app/archive.h"
#include "engine/common/json_input.h"
#include "engine/common/limits.h"
#include "engine/runtime/event_describer.h"
#include "tests/fuzz/fuzz_check.h"

namespace pmiflow::fuzz {
namespace {

constexpr const char* kHeader =
    R"({"record":"header","format":"pmiflow-archive","format_version":1,"period":"2026",)"
    R"("school":null,"exported":"2026-11-25T10:00:00.000Z","instances":1,"events":1,)"
    R"("definitions":1})"
    "\n";

void read_all(std::string text) {
  app::ArchiveReader reader = app::ArchiveReader::from_text("fuzz.jsonl", std::move(text));
  std::int64_t last_line = 0;
  for (;;) {
    auto more = reader.next();
    if (!more.ok()) {
      check(more.error().code == ErrorCode::kInvalidArgument, "archive error code");
      check(more.error().message.rfind("fuzz.jsonl:", 0) == 0, "archive error names the file");
      return;
    }
    if (!*more) return;
    check(reader.line() > last_line, "lines in order");
    last_line = reader.line();
    if (reader.kind() == app::ArchiveReader::Kind::kEvent) {
      const runtime::Event& e = reader.event();
      check(parse_json_checked(e.stored_payload, "payload", limits::kArchiveLineJson).ok(),
            "payload text within the limits");
      (void)json_text(e.actor.to_json(), Json::error_handler_t::strict);
      check_utf8(runtime::describe_event(e, nullptr), "event description is UTF-8");
    }
  }
}

}  // namespace
}  // namespace pmiflow::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  pmiflow::fuzz::read_all(text);
  pmiflow::fuzz::read_all(pmiflow::fuzz::kHeader + text);
  return 0;
}
