// An instance's history as people read it: one entry per event, with who did it and what it
// did in words (runtime/event_describer.h), for the CLI's table, CSV and JSON and, later, the
// HTTP API and the audit page.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/audited_instance.h"
#include "engine/common/json.h"
#include "engine/model/vocabulary.h"

namespace pmiflow::app {

struct HistoryEntry {
  std::int64_t seq = 0;
  std::int64_t time_ms = 0;
  runtime::Actor actor;
  std::string type;          // "ElementActivated", ...
  std::string element_id;    // the element (or flow) it is about; "" when none
  std::string element_name;  // its BPMN name; "" when unknown or unnamed
  std::string description;   // what it did, in Spanish, with the definition's names
  Json payload;              // as stored
  std::string prev_hash;
  std::string hash;
};

// `words` (may be null) names the variables, values and roles in the descriptions.
std::vector<HistoryEntry> history(const AuditedInstance& instance,
                                  const model::Vocabulary* words = nullptr);

}  // namespace pmiflow::app
