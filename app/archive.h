// The archive format (docs/audit.md, "Archive format"): JSON lines, self-contained, that verify
// and replay without the database. One header record, then each definition the instances use,
// then each instance followed by its events, as stored:
//   {"record":"header","format":"pmiflow-archive","format_version":2,"tags":{..},"exported":..,
//    "instances":N,"events":M,"definitions":D}
//   {"record":"definition","key":..,"version":..,"sha256":..,"resource":..,"xml":..}
//   {"record":"instance","id":..,"process":..,"business_id":..,"tags":{..},"version":..,
//    "status":..,"last_seq":..,"head_hash":..}
//   {"record":"event","instance_id":..,"seq":..,"type":"ElementActivated","type_version":..,
//    "time_ms":..,"actor":{..},"definition_version":..,"payload":{..},"prev_hash":..,"hash":..}
// Version 1 archives (before the generic business key) are read too: their header has
// "period" and "school", their instance records "school" and "period" instead of business_id
// and tags (read as D02.03's business key: "<school>/<period>", tags school and period).
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

#include "engine/common/json.h"
#include "engine/common/result.h"
#include "engine/engine/store.h"
#include "engine/runtime/event.h"

namespace pmiflow::app {

inline constexpr int kArchiveFormatVersion = 2;

struct ArchiveHeader {
  int format_version = 0;
  runtime::Tags tags;  // the selection exported
  std::string exported;
  std::int64_t instances = 0;
  std::int64_t events = 0;
};

struct ArchiveDefinition {
  std::string key;
  std::int32_t version = 0;
  std::string sha256;
  std::string resource;
  std::string xml;
};

// Reads an archive record by record, checking each line's shape and its limits (a line within
// limits::kArchiveLineJson: 64 MiB, 80 levels). Errors: kIo when the file cannot be read,
// kInvalidArgument "FILE:LINE: malformed archive line: ..." for a bad line. Never throws.
class ArchiveReader {
 public:
  enum class Kind { kHeader, kDefinition, kInstance, kEvent };

  // `name` names the archive in messages (its path).
  explicit ArchiveReader(std::string name) : name_(std::move(name)) {}

  // A reader of `text` as the archive's content (tests, the fuzz target): next() without open().
  static ArchiveReader from_text(std::string name, std::string text);

  // Opens the file `name` for next().
  Status open();
  // Reads the next record of the file; false at its end.
  Result<bool> next();
  // Reads `text` as the archive's next line (what next() does with each line of the file):
  // false for a blank line, true with the record read.
  Result<bool> read_line(std::string text);

  Kind kind() const { return kind_; }
  std::int64_t line() const { return line_; }
  const std::string& name() const { return name_; }
  const ArchiveHeader& header() const { return header_; }
  const ArchiveDefinition& definition() const { return definition_; }
  const InstanceRow& instance() const { return instance_; }
  const runtime::Event& event() const { return event_; }

 private:
  Error malformed(const std::string& why) const;
  Error missing(const char* field, const char* type) const;
  Result<bool> read_text(std::string& text);
  Result<bool> read_header(const Json& j);
  Result<bool> read_definition(const Json& j);
  Result<bool> read_instance(const Json& j);
  Result<bool> read_event(const Json& j);

  std::string name_;
  std::unique_ptr<std::istream> in_;
  std::string chunk_;  // read_text's buffer, kept between lines
  std::int64_t line_ = 0;
  bool seen_header_ = false;
  Kind kind_ = Kind::kHeader;
  ArchiveHeader header_;
  ArchiveDefinition definition_;
  InstanceRow instance_;
  runtime::Event event_;
};

// SHA-256 over "id head\n" for every instance, in archive order: one value that anchors all
// the chains of an archive (export prints it; verify --archive recomputes it).
class HeadsDigest {
 public:
  void add(std::int64_t id, const std::string& head);
  std::string hex() const;

 private:
  std::string text_;
};

struct ExportSummary {
  std::int64_t instances = 0;
  std::int64_t events = 0;
  std::int64_t definitions = 0;
  std::string heads_digest;
};

// Writes the instances of `store` that have all of `tags` (of `process` when given) with their
// events and definitions to the archive file `path`, through temporary files renamed into
// place (a failed export leaves no archive). `now_ms` is the export time. kNotFound (nothing
// written) when no instance matches; an instance whose log does not read stops the export.
Result<ExportSummary> export_archive(Store& store, const runtime::Tags& tags,
                                     const std::optional<std::string>& process,
                                     const std::string& path, std::int64_t now_ms);

}  // namespace pmiflow::app
