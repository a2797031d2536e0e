// Replay: an instance rebuilt from its events alone, at any point (an event or a time), and
// compared with what the read model (or an archive's instance record) holds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/audited_instance.h"
#include "engine/common/result.h"
#include "engine/engine/store.h"
#include "engine/runtime/instance_state.h"

namespace pmiflow::app {

// Folds `events` from an empty state. kValidation naming the first event that does not apply
// (a log that was tampered with).
Result<runtime::InstanceState> fold_events(std::int64_t id,
                                           const std::vector<runtime::Event>& events);

// The first difference between `s` (the fold of the instance's events) and the read model's
// projections of instance `row` (the row itself, its open tasks, variables, jobs, incidents,
// timers and message subscriptions), in words; nothing when they agree.
Result<std::optional<std::string>> first_difference(Store& read_model, const InstanceRow& row,
                                                    const runtime::InstanceState& s);

// Where to stop: after event `until`, or after the last event at or before `at_ms`; neither:
// all the events, and then the fold is compared with the projections.
struct ReplayPoint {
  std::optional<std::int64_t> until;
  std::optional<std::int64_t> at_ms;
  bool all() const { return !until && !at_ms; }
};

struct Replay {
  AuditedInstance instance;  // its events: those folded
  runtime::InstanceState state;
  std::int64_t events_total = 0;          // the instance's events in all
  std::string compared_with;              // "the projections" or "the archive's instance record"
  std::optional<std::string> difference;  // with ReplayPoint::all(): what differs
};

// From the store. A command that commits between the reads of the events and of the
// projections would look like a difference: they are read again (twice) before one is
// reported.
Result<Replay> replay(Store& store, Engine& engine, std::int64_t id, const ReplayPoint& point);

// From an archive, compared with its instance record (status and last seq).
Result<Replay> replay_archive(const std::string& path, std::int64_t id, const ReplayPoint& point);

}  // namespace pmiflow::app
