// Naming what was done to a broken hash chain (docs/audit.md, "Verification"): the first event
// that does not verify, and whether it was changed, deleted, inserted or reordered, judged from
// its neighbours.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/runtime/event.h"

namespace pmiflow::app {

// One problem verification found.
struct Finding {
  std::int64_t instance_id = 0;  // 0: not about an instance (archive header, definition)
  std::int64_t seq = 0;          // the event concerned; 0: none
  std::string kind;              // changed, deleted, inserted, reordered, head, definition, archive
  std::string message;

  // "instance 12: event 5 (ElementActivated) was changed: ..."
  std::string line() const {
    return instance_id != 0 ? "instance " + std::to_string(instance_id) + ": " + message : message;
  }
};

// Recomputes the chain of one instance's events (audit::verify_chain) and, when it breaks,
// looks at the neighbours of the first bad event to say what was done to it. `head` and
// `last_seq` are what the instance row (or the archive's instance record) says. Nothing when
// the chain is intact and agrees with them.
std::optional<Finding> diagnose(std::int64_t id, const std::vector<runtime::Event>& events,
                                const std::string& head, std::int64_t last_seq);

// A log the store cannot read (EventLog::events' kIo "... events F to L of instance I: why"):
// those events were changed. Nothing when the error is not of that kind.
std::optional<Finding> unreadable_finding(std::int64_t id, const Error& error);

}  // namespace pmiflow::app
