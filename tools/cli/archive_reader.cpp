#include "tools/cli/archive_reader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "engine/common/json_input.h"
#include "engine/common/limits.h"

namespace pmiflow::cli {
namespace {

bool str(const Json& j, const char* key, std::string& out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

bool integer(const Json& j, const char* key, std::int64_t& out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return false;
  out = it->get<std::int64_t>();
  return true;
}

}  // namespace

ArchiveReader::ArchiveReader(std::string path) : path_(std::move(path)) {}

ArchiveReader ArchiveReader::from_text(std::string name, std::string text) {
  ArchiveReader reader(std::move(name));
  reader.in_ = std::make_unique<std::istringstream>(std::move(text));
  return reader;
}

Status ArchiveReader::open() {
  std::error_code ec;
  if (std::filesystem::is_directory(path_, ec)) {
    return make_error(ErrorCode::kIo, path_ + ": is a directory, not an archive");
  }
  auto file = std::make_unique<std::ifstream>(path_, std::ios::binary);
  if (!*file) return make_error(ErrorCode::kIo, path_ + ": cannot open the archive");
  in_ = std::move(file);
  return {};
}

Result<bool> ArchiveReader::read_line(std::string& text) {
  text.clear();
  char chunk[64 * 1024];
  for (;;) {
    in_->getline(chunk, sizeof chunk);
    const auto got = static_cast<std::size_t>(in_->gcount());
    if (in_->bad()) return make_error(ErrorCode::kIo, path_ + ": read error");
    if (!in_->fail() && !in_->eof()) {  // ended by a '\n': counted by gcount, not stored
      text.append(chunk, got - 1);
      break;
    }
    text.append(chunk, got);
    if (in_->eof()) {  // the last line, without a '\n', or nothing more
      if (text.empty() && got == 0) return false;
      break;
    }
    in_->clear();  // the chunk is full and the line goes on
    if (text.size() > limits::kMaxArchiveLineBytes) break;
  }
  if (text.size() > limits::kMaxArchiveLineBytes) {
    ++line_;
    return malformed("longer than " + limits::bytes_text(limits::kMaxArchiveLineBytes) +
                     ", the limit for " + limits::kArchiveLineJson.what);
  }
  return true;
}

Result<bool> ArchiveReader::next() {
  if (!in_) return make_error(ErrorCode::kIo, path_ + ": the archive is not open");
  std::string text;
  for (;;) {
    auto more = read_line(text);
    if (!more.ok()) return more.error();
    if (!*more) {
      if (line_ == 0) return malformed("empty file: not a pmiflow archive");
      return false;
    }
    ++line_;
    if (text.find_first_not_of(" \t\r") != std::string::npos) break;
  }
  if (line_ == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  return parse_record(text);
}

Result<bool> ArchiveReader::parse_record(const std::string& text) {
  auto parsed = parse_json_checked(text, "the record", limits::kArchiveLineJson);
  if (!parsed.ok()) return malformed(parsed.error().message);
  const Json& j = *parsed;
  if (!j.is_object()) return malformed("not a JSON object");
  std::string record;
  if (!str(j, "record", record)) return malformed("no \"record\" kind");
  if (!seen_header_ && record != "header") {
    return malformed("not a pmiflow archive (its first line must be the header record)");
  }
  if (record == "header") return read_header(j);
  if (record == "definition") return read_definition(j);
  if (record == "instance") return read_instance(j);
  if (record == "event") return read_event(j);
  return malformed("unknown record kind \"" + record + "\"");
}

Error ArchiveReader::malformed(const std::string& why) const {
  return make_error(ErrorCode::kInvalidArgument,
                    path_ + ":" + std::to_string(std::max<std::int64_t>(line_, 1)) +
                        ": malformed archive line: " + why);
}

Error ArchiveReader::missing(const char* field, const char* type) const {
  return malformed(std::string("field \"") + field + "\" is missing or not " + type);
}

Result<bool> ArchiveReader::read_header(const Json& j) {
  if (seen_header_) return malformed("a second header record");
  std::string format;
  std::int64_t version = 0;
  if (!str(j, "format", format) || format != "pmiflow-archive") {
    return malformed("not a pmiflow archive (format is not \"pmiflow-archive\")");
  }
  if (!integer(j, "format_version", version)) return missing("format_version", "an integer");
  if (version != kArchiveFormatVersion) {
    return malformed("archive format_version " + std::to_string(version) +
                     " is not the one this pmiflow reads (" +
                     std::to_string(kArchiveFormatVersion) + ")");
  }
  header_ = ArchiveHeader{};
  str(j, "period", header_.period);
  header_.school = j.value("school", Json());
  str(j, "exported", header_.exported);
  if (!integer(j, "instances", header_.instances)) return missing("instances", "an integer");
  if (!integer(j, "events", header_.events)) return missing("events", "an integer");
  seen_header_ = true;
  kind_ = Kind::kHeader;
  return true;
}

Result<bool> ArchiveReader::read_definition(const Json& j) {
  ArchiveDefinition d;
  std::int64_t version = 0;
  if (!str(j, "key", d.key)) return missing("key", "a string");
  if (!integer(j, "version", version)) return missing("version", "an integer");
  if (!str(j, "sha256", d.sha256)) return missing("sha256", "a string");
  if (!str(j, "xml", d.xml)) return missing("xml", "a string");
  str(j, "resource", d.resource);
  d.version = static_cast<std::int32_t>(version);
  definition_ = std::move(d);
  kind_ = Kind::kDefinition;
  return true;
}

Result<bool> ArchiveReader::read_instance(const Json& j) {
  InstanceRow r;
  std::int64_t version = 0;
  if (!integer(j, "id", r.id)) return missing("id", "an integer");
  if (!str(j, "process", r.business_key.process)) return missing("process", "a string");
  if (!integer(j, "version", version)) return missing("version", "an integer");
  if (!str(j, "school", r.business_key.school)) return missing("school", "a string");
  if (!str(j, "period", r.business_key.period)) return missing("period", "a string");
  if (!str(j, "status", r.status)) return missing("status", "a string");
  if (!integer(j, "last_seq", r.last_seq)) return missing("last_seq", "an integer");
  if (!str(j, "head_hash", r.head_hash)) return missing("head_hash", "a string");
  r.version = static_cast<std::int32_t>(version);
  instance_ = std::move(r);
  kind_ = Kind::kInstance;
  return true;
}

Result<bool> ArchiveReader::read_event(const Json& j) {
  runtime::Event e;
  std::int64_t v = 0;
  if (!integer(j, "instance_id", e.instance_id)) return missing("instance_id", "an integer");
  if (!integer(j, "seq", e.seq)) return missing("seq", "an integer");
  auto type = j.find("type");
  if (type != j.end() && type->is_string()) {
    if (!runtime::event_type_from_name(type->get<std::string>(), e.type)) {
      return malformed("unknown event type \"" + type->get<std::string>() + "\"");
    }
  } else if (type != j.end() && type->is_number_integer()) {
    e.type = static_cast<runtime::EventType>(type->get<std::uint16_t>());
  } else {
    return missing("type", "an event type name");
  }
  if (!integer(j, "type_version", v)) return missing("type_version", "an integer");
  e.type_version = static_cast<std::uint16_t>(v);
  if (!integer(j, "time_ms", e.time_ms)) return missing("time_ms", "an integer");
  auto actor = j.find("actor");
  if (actor == j.end() || !actor->is_object()) return missing("actor", "an object");
  for (const char* field : {"kind", "id", "role"}) {
    auto it = actor->find(field);
    if (it != actor->end() && !it->is_string()) {
      return malformed(std::string("field \"actor.") + field + "\" is not a string");
    }
  }
  e.actor = runtime::Actor::from_json(*actor);
  if (!integer(j, "definition_version", v)) return missing("definition_version", "an integer");
  e.definition_version = static_cast<std::int32_t>(v);
  auto payload = j.find("payload");
  if (payload == j.end()) return missing("payload", "present");
  e.payload = *payload;
  if (!str(j, "prev_hash", e.prev_hash)) return missing("prev_hash", "a string");
  if (!str(j, "hash", e.hash)) return missing("hash", "a string");
  event_ = std::move(e);
  kind_ = Kind::kEvent;
  return true;
}

}  // namespace pmiflow::cli
