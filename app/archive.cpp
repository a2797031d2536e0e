#include "app/archive.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "engine/common/json_input.h"
#include "engine/common/limits.h"
#include "engine/common/time_text.h"
#include "engine/engine/audit.h"
#include "engine/runtime/event_codec.h"

namespace pmiflow::app {
namespace {

// Writes one JSON object with its keys in the order given (the record kind first).
class Line {
 public:
  Line& field(const char* key, const Json& value) {
    text_ += text_.size() == 1 ? "" : ",";
    text_ += json_text(Json(key));
    text_ += ':';
    text_ += json_text(value);
    return *this;
  }
  std::string done() { return text_ + "}\n"; }

 private:
  std::string text_ = "{";
};

Json tags_json(const runtime::Tags& tags) {
  Json j = Json::object();
  for (const auto& [name, value] : tags) j[name] = value;
  return j;
}

std::string event_line(const runtime::Event& e) {
  return Line()
      .field("record", "event")
      .field("instance_id", e.instance_id)
      .field("seq", e.seq)
      .field("type", runtime::event_type_name(e.type()))
      .field("type_version", e.type_version)
      .field("time_ms", e.time_ms)
      .field("actor", e.actor.to_json())
      .field("definition_version", e.definition_version)
      .field("payload", runtime::payload_json(e))
      .field("prev_hash", e.prev_hash)
      .field("hash", e.hash)
      .done();
}

std::string instance_line(const InstanceRow& r) {
  return Line()
      .field("record", "instance")
      .field("id", r.id)
      .field("process", r.business_key.process)
      .field("business_id", r.business_key.id)
      .field("tags", tags_json(r.tags))
      .field("version", r.version)
      .field("status", r.status)
      .field("last_seq", r.last_seq)
      .field("head_hash", r.head_hash)
      .done();
}

std::string definition_line(const DeployedDefinition& d) {
  return Line()
      .field("record", "definition")
      .field("key", d.key)
      .field("version", d.version)
      .field("sha256", d.sha256)
      .field("resource", d.resource_name)
      .field("xml", d.xml)
      .done();
}

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

bool tags(const Json& j, const char* key, runtime::Tags& out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return false;
  for (const auto& [name, value] : it->items()) {
    if (!value.is_string()) return false;
    out[name] = value.get<std::string>();
  }
  return true;
}

}  // namespace

ArchiveReader ArchiveReader::from_text(std::string name, std::string text) {
  ArchiveReader reader(std::move(name));
  reader.in_ = std::make_unique<std::istringstream>(std::move(text));
  return reader;
}

Status ArchiveReader::open() {
  std::error_code ec;
  if (std::filesystem::is_directory(name_, ec)) {
    return make_error(ErrorCode::kIo, name_ + ": is a directory, not an archive");
  }
  auto file = std::make_unique<std::ifstream>(name_, std::ios::binary);
  if (!*file) return make_error(ErrorCode::kIo, name_ + ": cannot open the archive");
  in_ = std::move(file);
  return {};
}

// The next line of the input into `text` (without its '\n'), read in chunks so that a line
// past the limit is refused without being held whole; false at the end.
Result<bool> ArchiveReader::read_text(std::string& text) {
  text.clear();
  chunk_.resize(64 * limits::kKiB);
  for (;;) {
    in_->getline(chunk_.data(), static_cast<std::streamsize>(chunk_.size()));
    const auto got = static_cast<std::size_t>(in_->gcount());
    if (in_->bad()) return make_error(ErrorCode::kIo, name_ + ": read error");
    if (!in_->fail() && !in_->eof()) {  // ended by a '\n': counted by gcount, not stored
      text.append(chunk_.data(), got - 1);
      break;
    }
    text.append(chunk_.data(), got);
    if (in_->eof()) {  // a last line without '\n', or the end
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
  if (!in_) return make_error(ErrorCode::kIo, name_ + ": the archive is not open");
  std::string text;
  for (;;) {
    auto more = read_text(text);
    if (!more.ok()) return more.error();
    if (!*more) {
      if (line_ == 0) return malformed("empty file: not a pmiflow archive");
      return false;
    }
    auto read = read_line(std::move(text));
    if (!read.ok() || *read) return read;
  }
}

Result<bool> ArchiveReader::read_line(std::string text) {
  ++line_;
  if (text.find_first_not_of(" \t\r") == std::string::npos) return false;
  if (line_ == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
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
                    name_ + ":" + std::to_string(std::max<std::int64_t>(line_, 1)) +
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
  if (version < 1 || version > kArchiveFormatVersion) {
    return malformed("archive format_version " + std::to_string(version) +
                     " is not one this pmiflow reads (1 to " +
                     std::to_string(kArchiveFormatVersion) + ")");
  }
  header_ = ArchiveHeader{};
  header_.format_version = static_cast<int>(version);
  if (version == 1) {  // the selection was a period and perhaps a school
    std::string value;
    if (str(j, "period", value)) header_.tags["period"] = value;
    if (str(j, "school", value)) header_.tags["school"] = value;
  } else if (j.contains("tags") && !tags(j, "tags", header_.tags)) {
    return missing("tags", "an object of strings");
  }
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
  if (header_.format_version == 1) {
    std::string school;
    std::string period;
    if (!str(j, "school", school)) return missing("school", "a string");
    if (!str(j, "period", period)) return missing("period", "a string");
    r.business_key.id = school + "/" + period;
    r.tags = {{"period", period}, {"school", school}};
  } else {
    if (!str(j, "business_id", r.business_key.id)) return missing("business_id", "a string");
    if (!tags(j, "tags", r.tags)) return missing("tags", "an object of strings");
  }
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
  runtime::EventType type{};
  auto type_it = j.find("type");
  if (type_it == j.end() || !type_it->is_string()) return missing("type", "an event type name");
  if (!runtime::event_type_from_name(type_it->get<std::string>(), type)) {
    return malformed("unknown event type \"" + type_it->get<std::string>() + "\"");
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
  e.stored_payload = json_text(*payload);
  auto body = runtime::decode_payload(type, e.type_version, *payload);
  if (!body.ok()) return malformed("event " + std::to_string(e.seq) + ": " + body.error().message);
  e.body = std::move(*body);
  if (!str(j, "prev_hash", e.prev_hash)) return missing("prev_hash", "a string");
  if (!str(j, "hash", e.hash)) return missing("hash", "a string");
  event_ = std::move(e);
  kind_ = Kind::kEvent;
  return true;
}

void HeadsDigest::add(std::int64_t id, const std::string& head) {
  text_ += std::to_string(id) + " " + head + "\n";
}

std::string HeadsDigest::hex() const {
  return audit::sha256_hex(text_);
}

Result<ExportSummary> export_archive(Store& store, const runtime::Tags& tags,
                                     const std::optional<std::string>& process,
                                     const std::string& path, std::int64_t now_ms) {
  auto rows = store.instances(InstanceQuery{process, {}, tags, {}});
  if (!rows.ok()) return rows.error();
  if (rows->empty()) {
    std::string selection;
    for (const auto& [name, value] : tags) selection += ", " + name + " " + value;
    return make_error(ErrorCode::kNotFound,
                      "no instance" + (process ? " of " + *process : std::string()) +
                          (selection.empty() ? "" : " with" + selection.substr(1)) +
                          "; nothing was written");
  }
  std::set<std::pair<std::string, std::int32_t>> used;
  for (const auto& r : *rows) used.insert({r.business_key.process, r.version});

  // The body goes to a side file first: the header, written first, counts its records.
  const std::string body_path = path + ".body.tmp";
  const std::string final_tmp = path + ".tmp";
  auto cleanup = [&] {
    std::error_code ec;
    std::filesystem::remove(body_path, ec);
    std::filesystem::remove(final_tmp, ec);
  };
  auto io = [&](const std::string& what) {
    cleanup();
    return make_error(ErrorCode::kIo, what);
  };
  ExportSummary summary;
  HeadsDigest digest;
  {
    std::ofstream body(body_path, std::ios::binary | std::ios::trunc);
    if (!body) return io(path + ": cannot write (" + body_path + ")");
    for (const auto& [key, version] : used) {
      auto d = store.definition(key, version);
      if (!d.ok()) {
        cleanup();
        return d.error();
      }
      body << definition_line(*d);
    }
    for (const auto& r : *rows) {
      auto log = store.events(r.id);
      if (!log.ok()) {
        cleanup();
        return make_error(log.error().code, "cannot export: " + log.error().message +
                                                " (`pmiflow verify` names what was changed)");
      }
      body << instance_line(r);
      digest.add(r.id, r.head_hash);
      for (const auto& e : *log) body << event_line(e);
      summary.events += static_cast<std::int64_t>(log->size());
    }
    body.flush();
    if (!body) return io(path + ": write error (disk full?)");
  }
  summary.instances = static_cast<std::int64_t>(rows->size());
  summary.definitions = static_cast<std::int64_t>(used.size());
  {
    std::ofstream final_out(final_tmp, std::ios::binary | std::ios::trunc);
    if (!final_out) return io(path + ": cannot write");
    final_out << Line()
                     .field("record", "header")
                     .field("format", "pmiflow-archive")
                     .field("format_version", kArchiveFormatVersion)
                     .field("tags", tags_json(tags))
                     .field("exported", format_time(now_ms))
                     .field("instances", summary.instances)
                     .field("events", summary.events)
                     .field("definitions", summary.definitions)
                     .done();
    std::ifstream body(body_path, std::ios::binary);
    if (!body) return io(body_path + ": cannot read back");
    final_out << body.rdbuf();
    final_out.flush();
    if (!final_out) return io(path + ": write error (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(final_tmp, path, ec);
  if (ec) return io(path + ": " + ec.message());
  std::filesystem::remove(body_path, ec);
  summary.heads_digest = digest.hex();
  return summary;
}

}  // namespace pmiflow::app
