#include "app/chain_diagnosis.h"

#include <cstdlib>
#include <string_view>
#include <utility>

#include "engine/engine/audit.h"

namespace pmiflow::app {
namespace {

std::string seq_range(std::int64_t from, std::int64_t to) {
  return from == to ? "event " + std::to_string(from) + " is"
                    : "events " + std::to_string(from) + " to " + std::to_string(to) + " are";
}

}  // namespace

std::optional<Finding> diagnose(std::int64_t id, const std::vector<runtime::Event>& ev,
                                const std::string& head, std::int64_t last_seq) {
  const audit::ChainCheck check = audit::verify_chain(id, ev, head);
  auto found = [&](std::int64_t seq, const char* kind, std::string message) {
    return Finding{id, seq, kind, std::move(message)};
  };
  const std::int64_t end = ev.empty() ? 0 : ev.back().seq;
  if (check.intact) {
    if (head.empty() && !ev.empty()) {
      return found(end, "head",
                   "the instance has no chain head (it was removed); its last event is " +
                       std::to_string(end));
    }
    if (last_seq > end) {
      return found(end + 1, "deleted",
                   seq_range(end + 1, last_seq) +
                       " missing (deleted at the end; the chain head was rewritten to match)");
    }
    if (last_seq < end) {
      return found(last_seq + 1, "inserted",
                   seq_range(last_seq + 1, end) + " after the instance's last seq " +
                       std::to_string(last_seq) + " (inserted)");
    }
    return std::nullopt;
  }
  const std::size_t checked = static_cast<std::size_t>(check.events);
  const bool head_case = ev.empty() || checked == 0 || check.first_bad != ev[checked - 1].seq;
  if (head_case) {
    if (ev.empty()) {
      return found(1, "deleted",
                   (last_seq > 0 ? seq_range(1, last_seq) : std::string("every event is")) +
                       " missing (deleted): the instance has a chain head but no events");
    }
    if (last_seq > end) {
      return found(end + 1, "deleted",
                   seq_range(end + 1, last_seq) +
                       " missing (deleted at the end): the chain head does not match the last "
                       "event " +
                       std::to_string(end));
    }
    if (last_seq < end) {
      return found(last_seq + 1, "inserted",
                   seq_range(last_seq + 1, end) +
                       " after the chain head (inserted at the end): the head does not match "
                       "the last event " +
                       std::to_string(end));
    }
    return found(end, "head",
                 "the chain head does not match the last event " + std::to_string(end) +
                     ": events were deleted at the end, or the head was changed");
  }
  const std::size_t j = checked - 1;
  const runtime::Event& e = ev[j];
  const std::int64_t expected = j == 0 ? 1 : ev[j - 1].seq + 1;
  const std::string prev = j == 0 ? audit::kGenesisHash : ev[j - 1].hash;
  const std::string type = runtime::event_type_name(e.type());
  if (e.seq > expected) {
    return found(expected, "deleted", seq_range(expected, e.seq - 1) + " missing (deleted)");
  }
  if (e.seq < expected) {
    if (j > 0 && e.seq == ev[j - 1].seq) {
      return found(e.seq, "inserted",
                   "event " + std::to_string(e.seq) + " appears twice (an event was inserted)");
    }
    return found(e.seq, "reordered",
                 "event " + std::to_string(e.seq) + " appears after event " +
                     std::to_string(ev[j - 1].seq) + " (reordered)");
  }
  if (e.prev_hash != prev) {
    for (std::size_t m = j + 1; m < ev.size(); ++m) {
      if (ev[m].hash == e.prev_hash) {
        return found(e.seq, "reordered",
                     "event " + std::to_string(e.seq) + " (" + type +
                         ") is out of order: its chain says it follows the event now numbered " +
                         std::to_string(ev[m].seq) + " (events were reordered)");
      }
    }
    if (j > 0 && e.prev_hash == ev[j - 1].prev_hash) {
      return found(ev[j - 1].seq, "inserted",
                   "event " + std::to_string(ev[j - 1].seq) + " (" +
                       runtime::event_type_name(ev[j - 1].type()) +
                       ") was inserted: it and the event after it both claim to follow event " +
                       std::to_string(ev[j - 1].seq - 1));
    }
    return found(e.seq, "deleted",
                 "event " + std::to_string(e.seq) + " (" + type + ") does not link to event " +
                     std::to_string(expected - 1) +
                     " (prev_hash differs): an event between them was deleted and the later "
                     "ones renumbered, or event " +
                     std::to_string(expected - 1) + " was changed and re-hashed, or event " +
                     std::to_string(e.seq) + " was inserted");
  }
  // Its link is right but its content does not match its hash.
  if (j + 1 < ev.size() && ev[j + 1].prev_hash == e.prev_hash) {
    return found(e.seq, "inserted",
                 "event " + std::to_string(e.seq) + " (" + type +
                     ") was inserted: its hash does not match its content, and the event after "
                     "it also claims to follow event " +
                     std::to_string(e.seq - 1));
  }
  if (e.seq > last_seq) {
    return found(e.seq, "inserted",
                 "event " + std::to_string(e.seq) + " (" + type +
                     ") was inserted after the instance's last event " + std::to_string(last_seq) +
                     ": its hash does not match its content");
  }
  return found(e.seq, "changed",
               "event " + std::to_string(e.seq) + " (" + type +
                   ") was changed: its content does not match its hash");
}

std::optional<Finding> unreadable_finding(std::int64_t id, const Error& error) {
  const std::string& m = error.message;
  if (error.code != ErrorCode::kIo || m.find(" of instance ") == std::string::npos) {
    return std::nullopt;
  }
  const bool not_json = m.find("not JSON") != std::string::npos;
  std::int64_t first = 0;
  std::int64_t last = 0;
  if (auto at = m.find("events "); at != std::string::npos) {
    char* end = nullptr;
    first = std::strtoll(m.c_str() + at + 7, &end, 10);
    if (std::string_view(end).starts_with(" to ")) last = std::strtoll(end + 4, nullptr, 10);
  }
  const std::string which =
      last > first ? "events " + std::to_string(first) + " to " + std::to_string(last) + " were"
                   : "event " + std::to_string(first) + " was";
  return Finding{id, first, "changed",
                 which + " changed: " + (last > first ? "their" : "its") + " stored form " +
                     (not_json ? "is not JSON"
                               : "does not read as events (" + m.substr(m.rfind(": ") + 2) + ")")};
}

}  // namespace pmiflow::app
