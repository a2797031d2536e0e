// The reader of export archives: JSON lines (docs/audit.md, "Archive format"), record by record,
// each line's shape checked. `export` writes them (audit_commands.cpp); `verify --archive`,
// `history --archive` and `replay --archive` read them through this.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <string>

#include "engine/common/json.h"
#include "engine/common/result.h"
#include "engine/engine/store.h"
#include "engine/runtime/event.h"

namespace pmiflow::cli {

inline constexpr int kArchiveFormatVersion = 1;

struct ArchiveHeader {
  std::string period;
  Json school;
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

// Reads an archive record by record. Errors: kIo when the file cannot be read;
// kInvalidArgument "FILE:LINE: malformed archive line: ..." for a line that is not a record of
// the format, or that is past a limit of engine/common/limits.h (kArchiveLineJson: its size,
// depth, UTF-8). Never throws on any input.
class ArchiveReader {
 public:
  enum class Kind { kHeader, kDefinition, kInstance, kEvent };

  // The archive in the file at `path`; call open() first.
  explicit ArchiveReader(std::string path);
  // An archive held in memory (`name` stands for the file in messages); no open() needed.
  static ArchiveReader from_text(std::string name, std::string text);

  Status open();

  // Reads the next record; false at the end of the archive.
  Result<bool> next();

  Kind kind() const { return kind_; }
  std::int64_t line() const { return line_; }
  const std::string& path() const { return path_; }
  const ArchiveHeader& header() const { return header_; }
  const ArchiveDefinition& definition() const { return definition_; }
  const InstanceRow& instance() const { return instance_; }
  const runtime::Event& event() const { return event_; }

 private:
  // The next line without its '\n' into `text`; false at the end. A line past the limit is an
  // error (it is not read whole).
  Result<bool> read_line(std::string& text);
  Result<bool> parse_record(const std::string& text);

  Error malformed(const std::string& why) const;
  Error missing(const char* field, const char* type) const;

  Result<bool> read_header(const Json& j);
  Result<bool> read_definition(const Json& j);
  Result<bool> read_instance(const Json& j);
  Result<bool> read_event(const Json& j);

  std::string path_;
  std::unique_ptr<std::istream> in_;
  std::int64_t line_ = 0;
  bool seen_header_ = false;
  Kind kind_ = Kind::kHeader;
  ArchiveHeader header_;
  ArchiveDefinition definition_;
  InstanceRow instance_;
  runtime::Event event_;
};

}  // namespace pmiflow::cli
