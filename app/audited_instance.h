// One instance as an auditor reads it: its row (or its archive record), its events and its
// definition (for the names of its elements), from a store or from an archive.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/engine.h"
#include "engine/engine/store.h"
#include "engine/model/process_definition.h"
#include "engine/runtime/event.h"

namespace pmiflow::app {

struct AuditedInstance {
  InstanceRow row;
  std::vector<runtime::Event> events;  // seq 1..to_seq
  model::ProcessDefinitionPtr def;     // null when unknown or it does not parse
};

// From the store: kNotFound for an unknown instance; an unreadable log is the store's error.
Result<AuditedInstance> load_audited(Store& store, Engine& engine, std::int64_t id,
                                     std::int64_t to_seq = INT64_MAX);

// From the archive file `path` (ArchiveReader's errors; kNotFound when the instance is not in
// it). Its definition is parsed from the archive's definition record.
Result<AuditedInstance> load_audited_from_archive(const std::string& path, std::int64_t id,
                                                  std::int64_t to_seq = INT64_MAX);

// "12": an instance id. kInvalidArgument otherwise.
Result<std::int64_t> parse_instance_id(const std::string& text);

}  // namespace pmiflow::app
