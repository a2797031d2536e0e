// The auditors' commands: history, replay, verify, export and bench-audit (docs/audit.md).
#include "tools/cli/audit_commands.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "engine/engine/audit.h"
#include "engine/engine/business_key.h"
#include "engine/model/bpmn_parser.h"
#include "engine/runtime/applier.h"
#include "tools/cli/archive_reader.h"
#include "tools/cli/cli.h"
#include "tools/cli/format.h"
#include "tools/cli/session.h"

namespace pmiflow::cli {
namespace {

using runtime::Event;
using runtime::EventType;

// ---------------------------------------------------------------------------------------------
// Small helpers

Result<std::int64_t> parse_instance_id(const std::string& text) {
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v <= 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "'" + text + "' is not an instance id (a positive number)");
  }
  return static_cast<std::int64_t>(v);
}

// Compact JSON text, UTF-8 kept as it is.
std::string json_text(const Json& v) {
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string plural(std::int64_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

const model::FlowNode* find_node(const model::ProcessDefinition* def, const std::string& id) {
  if (def == nullptr || id.empty()) return nullptr;
  auto n = def->find_node(id);
  return n == model::kNone ? nullptr : &def->node(n);
}

// The BPMN name of a node or flow ("" when unknown or unnamed).
std::string bpmn_name(const model::ProcessDefinition* def, const std::string& id) {
  if (const model::FlowNode* node = find_node(def, id)) return node->name;
  if (def != nullptr && !id.empty()) {
    auto f = def->find_flow(id);
    if (f != model::kNone) return def->flow(f).name;
  }
  return "";
}

// The name of a node, else its id.
std::string short_label(const model::ProcessDefinition* def, const std::string& id) {
  std::string name = bpmn_name(def, id);
  return name.empty() ? id : name;
}

std::string payload_string(const Json& p, const char* key) {
  if (!p.is_object()) return "";
  auto it = p.find(key);
  return it != p.end() && it->is_string() ? it->get<std::string>() : "";
}

std::int64_t payload_int(const Json& p, const char* key) {
  if (!p.is_object()) return 0;
  auto it = p.find(key);
  return it != p.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown CPU";
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---------------------------------------------------------------------------------------------
// Times: --at

bool read_digits(const std::string& s, std::size_t& at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[at + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  at += n;
  return true;
}

// ISO-8601: "2026-11-25T10:00:00Z", with optional seconds, fraction and offset ("+05:00",
// "-0500"; none = UTC), 'T' or a space between date and time. A date alone ("2026-11-25") is
// the end of that day, UTC (23:59:59.999), so that `--at DAY` includes all of that day.
Result<std::int64_t> parse_time(const std::string& text) {
  auto bad = [&] {
    return make_error(
        ErrorCode::kInvalidArgument,
        "--at '" + text +
            "' is not an ISO-8601 time (e.g. 2026-11-25T10:00:00Z, "
            "2026-11-25T10:00-05:00, or a date 2026-11-25 = the end of that day UTC)");
  };
  std::size_t at = 0;
  int year = 0, month = 0, day = 0, hour = 23, minute = 59, second = 59, millis = 999;
  if (!read_digits(text, at, 4, year) || at >= text.size() || text[at++] != '-' ||
      !read_digits(text, at, 2, month) || at >= text.size() || text[at++] != '-' ||
      !read_digits(text, at, 2, day)) {
    return bad();
  }
  int offset_minutes = 0;
  if (at < text.size()) {
    if (text[at] != 'T' && text[at] != 't' && text[at] != ' ') return bad();
    ++at;
    second = 0;
    millis = 0;
    if (!read_digits(text, at, 2, hour) || at >= text.size() || text[at++] != ':' ||
        !read_digits(text, at, 2, minute)) {
      return bad();
    }
    if (at < text.size() && text[at] == ':') {
      ++at;
      if (!read_digits(text, at, 2, second)) return bad();
      if (at < text.size() && (text[at] == '.' || text[at] == ',')) {
        ++at;
        int digits = 0;
        millis = 0;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
          if (digits < 3) millis = millis * 10 + (text[at] - '0');
          ++digits;
          ++at;
        }
        if (digits == 0) return bad();
        for (; digits < 3; ++digits) millis *= 10;
      }
    }
    if (at < text.size()) {
      char z = text[at++];
      if (z == 'Z' || z == 'z') {
        if (at != text.size()) return bad();
      } else if (z == '+' || z == '-') {
        int oh = 0, om = 0;
        if (!read_digits(text, at, 2, oh)) return bad();
        if (at < text.size() && text[at] == ':') ++at;
        if (at < text.size() && !read_digits(text, at, 2, om)) return bad();
        if (at != text.size() || oh > 23 || om > 59) return bad();
        offset_minutes = (z == '+' ? 1 : -1) * (oh * 60 + om);
      } else {
        return bad();
      }
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return bad();
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t secs = timegm(&tm);
  if (tm.tm_mday != day) return bad();  // 2026-02-30 and the like
  return (static_cast<std::int64_t>(secs) - offset_minutes * 60) * 1000 + millis;
}

// ---------------------------------------------------------------------------------------------
// What one event did, in words, with the Spanish names of the definition.

std::string node_word(const model::ProcessDefinition* def, const Event& e, const std::string& id,
                      bool entered) {
  std::string kind = payload_string(e.payload, "kind");
  if (const model::FlowNode* node = find_node(def, id)) kind = model::node_kind_name(node->kind);
  if (kind == "userTask" || kind == "serviceTask") {
    return entered ? "activity entered" : "activity completed";
  }
  if (kind == "exclusiveGateway" || kind == "parallelGateway") {
    return entered ? "gateway reached" : "gateway passed";
  }
  if (kind == "startEvent" || kind == "endEvent") return entered ? "event reached" : "event passed";
  return entered ? "entered" : "completed";
}

std::string describe_decision(const Event& e, const model::ProcessDefinition* def) {
  const Json& p = e.payload;
  const std::string gateway = payload_string(p, "element");
  const std::string flow = payload_string(p, "flow");
  std::string target;
  if (def != nullptr) {
    auto f = def->find_flow(flow);
    if (f != model::kNone && def->flow(f).target != model::kNone) {
      target = " to " + short_label(def, def->node(def->flow(f).target).id);
    }
  }
  std::string out = "decision at " + element_label(def, gateway) + ": ";
  const auto default_flag = p.is_object() ? p.find("default") : p.end();
  const bool is_default =
      default_flag != p.end() && default_flag->is_boolean() && default_flag->get<bool>();
  std::vector<std::string> evaluated;
  if (p.is_object() && p.contains("evaluated") && p.at("evaluated").is_array()) {
    for (const auto& ev : p.at("evaluated")) {
      if (!ev.is_object()) continue;
      evaluated.push_back("`" + payload_string(ev, "condition") + "` gave " +
                          json_text(ev.value("result", Json())));
    }
  }
  if (is_default) {
    out += "took the default flow " + flow + target;
    if (!evaluated.empty()) out += " (" + join(evaluated, ", ") + ")";
  } else if (!payload_string(p, "condition").empty()) {
    out +=
        "took flow " + flow + target + " because `" + payload_string(p, "condition") + "` is true";
  } else {
    out += "took flow " + flow + target;
  }
  std::vector<std::string> seen;
  if (p.is_object() && p.contains("inputs") && p.at("inputs").is_object()) {
    for (const auto& [name, value] : p.at("inputs").items()) {
      seen.push_back(name + " = " + json_text(value));
    }
  }
  if (!seen.empty()) out += "; values seen: " + join(seen, ", ");
  return out;
}

std::string describe_variables(const Event& e, const model::ProcessDefinition* def) {
  const Json& p = e.payload;
  std::vector<std::string> parts;
  if (p.is_object() && p.contains("changes") && p.at("changes").is_array()) {
    for (const auto& c : p.at("changes")) {
      if (!c.is_object()) continue;
      std::string from = c.contains("old") ? json_text(c.at("old")) : "(unset)";
      std::string to = c.contains("new") ? json_text(c.at("new")) : "(unset)";
      parts.push_back(payload_string(c, "name") + ": " + from + " -> " + to);
    }
  }
  std::string element = payload_string(p, "element");
  return "variables changed" + (element.empty() ? "" : " at " + short_label(def, element)) + ": " +
         join(parts, "; ");
}

// The history's description of an event (richer than describe_event: full values, the
// conditions and the values a decision saw).
std::string describe(const Event& e, const model::ProcessDefinition* def) {
  const Json& p = e.payload;
  const std::string element = payload_string(p, "element");
  const std::string id =
      std::to_string(e.instance_id) + "-" + std::to_string(payload_int(p, "key"));
  switch (e.type) {
    case EventType::kInstanceCreated: {
      std::vector<std::string> vars;
      if (p.is_object() && p.contains("variables") && p.at("variables").is_object()) {
        for (const auto& [name, value] : p.at("variables").items()) {
          vars.push_back(name + " = " + json_text(value));
        }
      }
      return "instance started: " + payload_string(p, "process") + " v" +
             std::to_string(e.definition_version) + ", school " + payload_string(p, "school") +
             ", period " + payload_string(p, "period") +
             (vars.empty() ? "" : "; variables: " + join(vars, ", "));
    }
    case EventType::kElementActivated:
      return node_word(def, e, element, true) + ": " + element_label(def, element);
    case EventType::kElementCompleted:
      return node_word(def, e, element, false) + ": " + element_label(def, element);
    case EventType::kElementTerminated:
      return "terminated: " + element_label(def, element);
    case EventType::kFlowTaken:
      return "flow " + payload_string(p, "flow") + ": " +
             short_label(def, payload_string(p, "from")) + " -> " +
             short_label(def, payload_string(p, "to"));
    case EventType::kUserTaskCreated: {
      std::vector<std::string> groups;
      if (p.is_object() && p.contains("candidate_groups") && p.at("candidate_groups").is_array()) {
        for (const auto& g : p.at("candidate_groups")) {
          if (g.is_string()) groups.push_back(g.get<std::string>());
        }
      }
      return "task " + id + " opened for " + join(groups, ", ") + ": " +
             element_label(def, element);
    }
    case EventType::kUserTaskCompleted:
      return "task " + id + " completed: " + element_label(def, element);
    case EventType::kUserTaskCanceled:
      return "task " + id + " canceled: " + element_label(def, element);
    case EventType::kVariablesSet:
      return describe_variables(e, def);
    case EventType::kJobCreated:
      return "job " + id + " created for handler " + payload_string(p, "type") + " (retries " +
             std::to_string(payload_int(p, "retries")) + "): " + element_label(def, element);
    case EventType::kJobCompleted:
      return "job " + id + " completed: " + element_label(def, element);
    case EventType::kJobFailed:
      return "job " + id + " failed (" + std::to_string(payload_int(p, "retries_left")) +
             " retries left): " + payload_string(p, "message");
    case EventType::kJobCanceled:
      return "job " + id + " canceled: " + element_label(def, element);
    case EventType::kIncidentRaised:
      return "INCIDENT " + id + " (" + payload_string(p, "kind") + ") at " +
             element_label(def, element) + ": " + payload_string(p, "message");
    case EventType::kIncidentResolved:
      return "incident " + id + " resolved";
    case EventType::kDecisionTaken:
      return describe_decision(e, def);
    case EventType::kInstanceCompleted:
      return "instance completed" + (element.empty() ? "" : " at " + element_label(def, element));
    case EventType::kInstanceTerminated:
      return "instance terminated" + (element.empty() ? "" : " by " + element_label(def, element));
    case EventType::kRecordWritten:
      return "record \"" + payload_string(p, "record") + "\" written at " +
             element_label(def, element);
    case EventType::kMessageQueued:
      return "message to " + payload_string(p, "subprocess") + " queued in the outbox (" + id +
             "-" + payload_string(p, "subprocess") + ") at " + element_label(def, element);
  }
  return std::string(runtime::event_type_name(e.type)) + " " + json_text(p);
}

// The element an event is about: a node, or the flow of FlowTaken.
std::string event_element(const Event& e) {
  if (e.type == EventType::kFlowTaken) return payload_string(e.payload, "flow");
  return payload_string(e.payload, "element");
}

// ---------------------------------------------------------------------------------------------
// Verification: the first problem of a chain, named as changed, deleted, inserted or reordered.

struct Finding {
  std::int64_t instance_id = 0;  // 0: not about an instance (archive header, definition)
  std::int64_t seq = 0;          // the event concerned; 0: none
  std::string kind;              // changed, deleted, inserted, reordered, head, definition, archive
  std::string message;

  std::string line() const {
    return instance_id != 0 ? "instance " + std::to_string(instance_id) + ": " + message : message;
  }
  Json to_json() const {
    return Json{{"instance_id", instance_id}, {"seq", seq}, {"kind", kind}, {"message", message}};
  }
};

std::string seq_range(std::int64_t from, std::int64_t to) {
  return from == to ? "event " + std::to_string(from) + " is"
                    : "events " + std::to_string(from) + " to " + std::to_string(to) + " are";
}

// Recomputes the chain (audit::verify_chain) and, when it breaks, looks at the neighbours of
// the first bad event to say what was done to it. `head` and `last_seq` are what the instance
// row (or the archive's instance record) says.
std::optional<Finding> diagnose(std::int64_t id, const std::vector<Event>& ev,
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
  const Event& e = ev[j];
  const std::int64_t expected = j == 0 ? 1 : ev[j - 1].seq + 1;
  const std::string prev = j == 0 ? audit::kGenesisHash : ev[j - 1].hash;
  const std::string type = runtime::event_type_name(e.type);
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
                       runtime::event_type_name(ev[j - 1].type) +
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

// store.events() refuses a log whose stored events are not JSON ("events F to L of instance I:
// not JSON..."): those events were changed.
std::optional<Finding> not_json_finding(std::int64_t id, const Error& error) {
  const std::string& m = error.message;
  if (m.find("not JSON") == std::string::npos) return std::nullopt;
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
  return Finding{
      id, first, "changed",
      which + " changed: " + (last > first ? "their" : "its") + " stored form is not JSON"};
}

struct InstanceVerdict {
  std::int64_t events = 0;
  std::optional<Finding> finding;
};

// Verifies one instance of a store. Events are read before the instance row: an append that
// lands in between makes the row newer than the events, so a mismatch at the end is re-read
// (twice) before it is reported.
Result<InstanceVerdict> verify_instance(Store& store, std::int64_t id) {
  for (int attempt = 0;; ++attempt) {
    InstanceVerdict verdict;
    auto events = store.events(id);
    if (!events.ok()) {
      if (auto f = not_json_finding(id, events.error())) {
        verdict.finding = std::move(f);
        return verdict;
      }
      return events.error();
    }
    auto row = store.instance(id);
    if (!row.ok()) return row.error();
    const std::int64_t end = events->empty() ? 0 : events->back().seq;
    verdict.events = static_cast<std::int64_t>(events->size());
    verdict.finding = diagnose(id, *events, row->head_hash, row->last_seq);
    if (verdict.finding && row->last_seq > end && attempt < 2) continue;
    return verdict;
  }
}

// ---------------------------------------------------------------------------------------------
// Archives: JSON lines (docs/audit.md, "Archive format").

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

std::string event_line(const Event& e) {
  std::string type = runtime::event_type_name(e.type);
  Json type_json = type == "Unknown" ? Json(static_cast<int>(e.type)) : Json(type);
  return Line()
      .field("record", "event")
      .field("instance_id", e.instance_id)
      .field("seq", e.seq)
      .field("type", type_json)
      .field("type_version", e.type_version)
      .field("time_ms", e.time_ms)
      .field("actor", e.actor.to_json())
      .field("definition_version", e.definition_version)
      .field("payload", e.payload)
      .field("prev_hash", e.prev_hash)
      .field("hash", e.hash)
      .done();
}

std::string instance_line(const InstanceRow& r) {
  return Line()
      .field("record", "instance")
      .field("id", r.id)
      .field("process", r.business_key.process)
      .field("version", r.version)
      .field("school", r.business_key.school)
      .field("period", r.business_key.period)
      .field("status", r.status)
      .field("last_seq", r.last_seq)
      .field("head_hash", r.head_hash)
      .done();
}

// SHA-256 over "id head\n" for every instance, in archive order: one value that anchors all
// the chains of an archive (export prints it; verify --archive recomputes it).
class HeadsDigest {
 public:
  void add(std::int64_t id, const std::string& head) {
    text_ += std::to_string(id) + " " + head + "\n";
  }
  std::string hex() const { return audit::sha256_hex(text_); }

 private:
  std::string text_;
};

model::ProcessDefinitionPtr parse_definition(const std::string& xml, const std::string& file) {
  auto parsed = model::parse_bpmn(xml, file);
  if (!parsed.definition) return nullptr;
  return std::make_shared<const model::ProcessDefinition>(std::move(*parsed.definition));
}

// ---------------------------------------------------------------------------------------------
// One instance to audit: its row (or archive record), its events, its definition (for names).

struct Audited {
  InstanceRow row;
  std::vector<Event> events;
  model::ProcessDefinitionPtr def;  // null when unknown
};

Result<Audited> load_from_db(Session& session, std::int64_t id, std::int64_t to_seq) {
  Audited a;
  auto row = session.store->instance(id);
  if (!row.ok()) return row.error();
  a.row = std::move(*row);
  auto events = session.store->events(id, 1, to_seq);
  if (!events.ok()) return events.error();
  a.events = std::move(*events);
  auto def = session.engine->definition(a.row.business_key.process, a.row.version);
  if (def.ok()) a.def = *def;
  return a;
}

Result<Audited> load_from_archive(const std::string& path, std::int64_t id, std::int64_t to_seq) {
  ArchiveReader reader(path);
  PMIFLOW_TRY(reader.open());
  std::map<std::pair<std::string, std::int32_t>, ArchiveDefinition> definitions;
  std::optional<Audited> found;
  for (;;) {
    auto more = reader.next();
    if (!more.ok()) return more.error();
    if (!*more) break;
    switch (reader.kind()) {
      case ArchiveReader::Kind::kHeader:
        break;
      case ArchiveReader::Kind::kDefinition:
        definitions[{reader.definition().key, reader.definition().version}] = reader.definition();
        break;
      case ArchiveReader::Kind::kInstance:
        if (reader.instance().id == id && !found) {
          found = Audited{};
          found->row = reader.instance();
        }
        break;
      case ArchiveReader::Kind::kEvent:
        if (found && reader.event().instance_id == id && reader.event().seq <= to_seq) {
          found->events.push_back(reader.event());
        }
        break;
    }
  }
  if (!found) {
    return make_error(ErrorCode::kNotFound,
                      "instance " + std::to_string(id) + " is not in the archive " + path);
  }
  std::stable_sort(found->events.begin(), found->events.end(),
                   [](const Event& a, const Event& b) { return a.seq < b.seq; });
  auto d = definitions.find({found->row.business_key.process, found->row.version});
  if (d != definitions.end()) {
    found->def = parse_definition(d->second.xml, d->second.resource);
  }
  return std::move(*found);
}

// ---------------------------------------------------------------------------------------------
// history

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string actor_name(const runtime::Actor& a) {
  if (a.kind == "user") return a.id;
  if (a.kind == "handler") return "handler " + a.id;
  return a.kind.empty() ? "engine" : a.kind;
}

// ---------------------------------------------------------------------------------------------
// replay

// Folds `events` from an empty state; an event that does not apply (a log that was tampered
// with) is kValidation naming it.
Result<runtime::InstanceState> fold_events(std::int64_t id, const std::vector<Event>& events) {
  runtime::InstanceState state;
  for (const auto& e : events) {
    try {
      runtime::apply(state, e);
    } catch (const std::exception& x) {
      return make_error(ErrorCode::kValidation,
                        "instance " + std::to_string(id) + ": event " + std::to_string(e.seq) +
                            " (" + runtime::event_type_name(e.type) + ") does not replay: " +
                            x.what() + " (the log was changed; `pmiflow verify` names how)");
    }
  }
  return state;
}

std::string list_text(const std::vector<std::string>& items) {
  return "[" + join(items, ", ") + "]";
}

using Diff = std::optional<std::string>;

// The first difference between the fold of the events and the projections, in words.
Result<Diff> first_difference(Store& store, const InstanceRow& row,
                              const runtime::InstanceState& s) {
  auto differ = [](const std::string& what, const std::string& events,
                   const std::string& projection) -> std::optional<std::string> {
    return what + ": events say " + events + ", projection says " + projection;
  };
  if (row.status != runtime::to_string(s.status)) {
    return differ("status", runtime::to_string(s.status), row.status);
  }
  if (row.last_seq != s.last_seq) {
    return differ("last seq", std::to_string(s.last_seq), std::to_string(row.last_seq));
  }
  if (row.version != s.definition_version) {
    return differ("definition version", std::to_string(s.definition_version),
                  std::to_string(row.version));
  }
  if (row.ended_ms != s.ended_ms) {
    return differ("end time", format_time(s.ended_ms), format_time(row.ended_ms));
  }
  std::vector<std::string> active;
  for (const auto& [key, el] : s.elements) active.push_back(el.element_id);
  if (row.active_elements != active) {
    return differ("active activities", list_text(active), list_text(row.active_elements));
  }

  auto tasks = store.tasks(TaskQuery{{}, {}, {}, row.id});
  if (!tasks.ok()) return tasks.error();
  std::set<std::string> projected_tasks;
  for (const auto& t : *tasks) {
    projected_tasks.insert(t.id);
    auto it = s.tasks.find(t.id);
    if (it == s.tasks.end()) {
      return Diff("task " + t.id + " (" + t.element_id +
                  "): open in the projection, not in the events");
    }
    const runtime::UserTask& f = it->second;
    if (t.element_id != f.element_id) {
      return differ("task " + t.id + " element", f.element_id, t.element_id);
    }
    if (t.name != f.name) return differ("task " + t.id + " name", f.name, t.name);
    if (t.candidate_groups != f.candidate_groups) {
      return differ("task " + t.id + " roles", list_text(f.candidate_groups),
                    list_text(t.candidate_groups));
    }
    if (t.form != f.form) return differ("task " + t.id + " form", f.form, t.form);
  }
  for (const auto& [id, t] : s.tasks) {
    if (projected_tasks.count(id) == 0) {
      return Diff("task " + id + " (" + t.element_id +
                  "): open in the events, not in the projection");
    }
  }

  auto vars = store.variables(row.id);
  if (!vars.ok()) return vars.error();
  for (const auto& [name, value] : s.variables) {
    auto it = vars->find(name);
    if (it == vars->end()) {
      return Diff("variable " + name + ": events say " + json_text(value) +
                  ", projection has no such variable");
    }
    if (it->second != value)
      return differ("variable " + name, json_text(value), json_text(it->second));
  }
  for (const auto& [name, value] : *vars) {
    if (s.variables.count(name) == 0) {
      return Diff("variable " + name + ": projection says " + json_text(value) +
                  ", the events never set it");
    }
  }

  auto jobs = store.jobs(row.id);
  if (!jobs.ok()) return jobs.error();
  std::set<std::string> projected_jobs;
  for (const auto& j : *jobs) {
    projected_jobs.insert(j.id);
    auto it = s.jobs.find(j.id);
    if (it == s.jobs.end()) {
      return Diff("job " + j.id + " (" + j.type + "): open in the projection, not in the events");
    }
    const runtime::Job& f = it->second;
    if (j.element_id != f.element_id) {
      return differ("job " + j.id + " element", f.element_id, j.element_id);
    }
    if (j.type != f.type) return differ("job " + j.id + " type", f.type, j.type);
    if (j.retries_left != f.retries_left) {
      return differ("job " + j.id + " retries left", std::to_string(f.retries_left),
                    std::to_string(j.retries_left));
    }
    if (j.state != runtime::to_string(f.state)) {
      return differ("job " + j.id + " state", runtime::to_string(f.state), j.state);
    }
  }
  for (const auto& [id, j] : s.jobs) {
    if (projected_jobs.count(id) == 0) {
      return Diff("job " + id + " (" + j.type + "): open in the events, not in the projection");
    }
  }

  auto incidents = store.incidents(row.id);
  if (!incidents.ok()) return incidents.error();
  std::set<std::string> projected_incidents;
  for (const auto& i : *incidents) {
    projected_incidents.insert(i.id);
    auto it = s.incidents.find(i.id);
    if (it == s.incidents.end()) {
      return Diff("incident " + i.id + ": open in the projection, not in the events");
    }
    const runtime::Incident& f = it->second;
    if (i.element_id != f.element_id) {
      return differ("incident " + i.id + " element", f.element_id, i.element_id);
    }
    if (i.kind != f.kind) return differ("incident " + i.id + " kind", f.kind, i.kind);
    if (i.message != f.message) {
      return differ("incident " + i.id + " message", f.message, i.message);
    }
  }
  for (const auto& [id, i] : s.incidents) {
    if (projected_incidents.count(id) == 0) {
      return Diff("incident " + id + ": open in the events, not in the projection");
    }
  }
  return std::optional<std::string>();
}

Json replay_json(const Audited& a, const runtime::InstanceState& s) {
  const model::ProcessDefinition* def = a.def.get();
  Json j = {{"instance_id", a.row.id},
            {"process", a.row.business_key.process},
            {"version", a.row.version},
            {"school", a.row.business_key.school},
            {"period", a.row.business_key.period},
            {"status", runtime::to_string(s.status)},
            {"last_seq", s.last_seq},
            {"last_time", s.last_seq == 0 ? Json() : Json(format_time(a.events.back().time_ms))}};
  j["active"] = Json::array();
  for (const auto& [key, el] : s.elements) {
    j["active"].push_back({{"key", key},
                           {"element_id", el.element_id},
                           {"element_name", bpmn_name(def, el.element_id)}});
  }
  j["tasks"] = Json::array();
  for (const auto& [id, t] : s.tasks) {
    j["tasks"].push_back({{"id", id},
                          {"element_id", t.element_id},
                          {"name", t.name},
                          {"candidate_groups", t.candidate_groups}});
  }
  j["variables"] = Json::object();
  for (const auto& [name, value] : s.variables) j["variables"][name] = value;
  j["jobs"] = Json::array();
  for (const auto& [id, jb] : s.jobs) {
    j["jobs"].push_back({{"id", id},
                         {"element_id", jb.element_id},
                         {"type", jb.type},
                         {"retries_left", jb.retries_left},
                         {"state", runtime::to_string(jb.state)}});
  }
  j["incidents"] = Json::array();
  for (const auto& [id, i] : s.incidents) {
    j["incidents"].push_back(
        {{"id", id}, {"element_id", i.element_id}, {"kind", i.kind}, {"message", i.message}});
  }
  j["activation_counts"] = Json::object();
  j["activities"] = Json::array();
  for (const auto& [element, count] : s.activation_counts) {
    j["activation_counts"][element] = count;
    j["activities"].push_back(
        {{"element_id", element}, {"element_name", bpmn_name(def, element)}, {"count", count}});
  }
  return j;
}

void print_replay(std::ostream& out, const Audited& a, const runtime::InstanceState& s,
                  const std::string& point) {
  const model::ProcessDefinition* def = a.def.get();
  out << "instance " << a.row.id << ": " << a.row.business_key.process << " v" << a.row.version
      << ", school " << a.row.business_key.school << ", period " << a.row.business_key.period
      << '\n';
  out << "rebuilt from its events alone: " << point << '\n';
  out << "last event folded: ";
  if (s.last_seq == 0) {
    out << "none (the instance had not started)\n";
  } else {
    out << "#" << s.last_seq << " at " << format_time(a.events.back().time_ms) << '\n';
  }
  out << "status: " << runtime::to_string(s.status) << "\n\nactive activities:\n";
  for (const auto& [key, el] : s.elements) out << "  " << element_label(def, el.element_id) << '\n';
  if (s.elements.empty()) out << "  (none)\n";
  out << "\nopen tasks:\n";
  for (const auto& [id, t] : s.tasks) {
    out << "  " << id << "  " << (t.name.empty() ? t.element_id : t.name) << "  ["
        << join(t.candidate_groups, ", ") << "]\n";
  }
  if (s.tasks.empty()) out << "  (none)\n";
  if (!s.jobs.empty()) {
    out << "\njobs:\n";
    for (const auto& [id, jb] : s.jobs) {
      out << "  " << id << "  " << jb.type << "  " << runtime::to_string(jb.state) << " ("
          << jb.retries_left << " retries left)\n";
    }
  }
  if (!s.incidents.empty()) {
    out << "\nincidents:\n";
    for (const auto& [id, i] : s.incidents) {
      out << "  " << id << "  " << element_label(def, i.element_id) << ": " << i.message << '\n';
    }
  }
  out << "\nvariables:\n";
  for (const auto& [name, value] : s.variables)
    out << "  " << name << " = " << json_text(value) << '\n';
  if (s.variables.empty()) out << "  (none)\n";
  out << "\ntimes each activity ran:\n";
  for (const auto& [element, count] : s.activation_counts) {
    out << "  " << count << "x  " << element_label(def, element) << '\n';
  }
  if (s.activation_counts.empty()) out << "  (none)\n";
}

// ---------------------------------------------------------------------------------------------
// verify

struct VerifyReport {
  std::int64_t instances = 0;
  std::int64_t events = 0;
  std::int64_t definitions = 0;
  std::vector<Finding> findings;
  std::optional<std::string> heads_digest;
};

int print_verify(const Common& c, const VerifyReport& r, const std::string& what,
                 std::ostream& out) {
  const bool intact = r.findings.empty();
  if (c.json) {
    Json j = {{"intact", intact}, {"instances", r.instances}, {"events", r.events}};
    if (r.definitions > 0) j["definitions"] = r.definitions;
    if (r.heads_digest) j["heads_digest"] = *r.heads_digest;
    j["problems"] = Json::array();
    for (const auto& f : r.findings) j["problems"].push_back(f.to_json());
    out << j.dump(2) << '\n';
  } else {
    for (const auto& f : r.findings) out << "TAMPERED " << f.line() << '\n';
    out << "verified " << what << plural(r.events, "event") << " of "
        << plural(r.instances, "instance") << ": "
        << (intact ? "intact"
                   : "TAMPERED (" +
                         plural(static_cast<std::int64_t>(r.findings.size()), "problem") + ")")
        << '\n';
    if (r.heads_digest) out << "heads digest: " << *r.heads_digest << '\n';
  }
  return intact ? kExitOk : kExitValidation;
}

Result<VerifyReport> verify_archive(const std::string& path) {
  VerifyReport report;
  ArchiveReader reader(path);
  PMIFLOW_TRY(reader.open());
  std::set<std::pair<std::string, std::int32_t>> definitions;
  std::set<std::int64_t> instance_ids;
  std::optional<InstanceRow> current;
  std::vector<Event> events;
  std::vector<InstanceRow> instances_without_definition;
  HeadsDigest digest;
  std::int64_t event_lines = 0;
  auto flush = [&] {
    if (!current) return;
    report.events += static_cast<std::int64_t>(events.size());
    if (auto f = diagnose(current->id, events, current->head_hash, current->last_seq)) {
      report.findings.push_back(std::move(*f));
    }
    instances_without_definition.push_back(*current);
    current.reset();
    events.clear();
  };
  for (;;) {
    auto more = reader.next();
    if (!more.ok()) return more.error();
    if (!*more) break;
    switch (reader.kind()) {
      case ArchiveReader::Kind::kHeader:
        break;
      case ArchiveReader::Kind::kDefinition: {
        const ArchiveDefinition& d = reader.definition();
        ++report.definitions;
        const std::string name = "definition " + d.key + " v" + std::to_string(d.version);
        if (!definitions.insert({d.key, d.version}).second) {
          report.findings.push_back(Finding{
              0, 0, "definition",
              name + " appears twice (line " + std::to_string(reader.line()) + ", inserted)"});
        } else if (audit::sha256_hex(d.xml) != d.sha256) {
          report.findings.push_back(
              Finding{0, 0, "definition",
                      name + " (line " + std::to_string(reader.line()) +
                          ") was changed: its XML does not match its sha256"});
        }
        break;
      }
      case ArchiveReader::Kind::kInstance:
        flush();
        ++report.instances;
        current = reader.instance();
        digest.add(current->id, current->head_hash);
        if (!instance_ids.insert(current->id).second) {
          report.findings.push_back(
              Finding{current->id, 0, "inserted",
                      "appears twice (line " + std::to_string(reader.line()) + ", inserted)"});
        }
        break;
      case ArchiveReader::Kind::kEvent:
        ++event_lines;
        if (!current || reader.event().instance_id != current->id) {
          report.findings.push_back(
              Finding{reader.event().instance_id, reader.event().seq, "inserted",
                      "event " + std::to_string(reader.event().seq) + " (line " +
                          std::to_string(reader.line()) +
                          ") is outside its instance's block (moved or inserted)"});
        } else {
          events.push_back(reader.event());
        }
        break;
    }
  }
  flush();
  for (const auto& row : instances_without_definition) {
    if (definitions.count({row.business_key.process, row.version}) == 0) {
      report.findings.push_back(Finding{row.id, 0, "definition",
                                        "its definition " + row.business_key.process + " v" +
                                            std::to_string(row.version) +
                                            " is not in the archive (deleted)"});
    }
  }
  const ArchiveHeader& h = reader.header();
  if (h.instances != report.instances || h.events != event_lines) {
    report.findings.push_back(Finding{
        0, 0, "archive",
        "the archive header says " + plural(h.instances, "instance") + " and " +
            plural(h.events, "event") + ", the file holds " + plural(report.instances, "instance") +
            " and " + plural(event_lines, "event") + " (records deleted or inserted)"});
  }
  report.heads_digest = digest.hex();
  return report;
}

Result<VerifyReport> verify_db(const Common& c, const VerifyArgs& a) {
  VerifyReport report;
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return session.error();
  Store& store = *(*session)->store;
  if (!a.instance.empty()) {
    auto id = parse_instance_id(a.instance);
    if (!id.ok()) return id.error();
    auto verdict = verify_instance(store, *id);
    if (!verdict.ok()) return verdict.error();
    report.instances = 1;
    report.events = verdict->events;
    if (verdict->finding) report.findings.push_back(std::move(*verdict->finding));
    return report;
  }

  auto definitions = store.definitions();
  if (!definitions.ok()) return definitions.error();
  for (const auto& d : *definitions) {
    ++report.definitions;
    if (audit::sha256_hex(d.xml) != d.sha256) {
      report.findings.push_back(Finding{0, 0, "definition",
                                        "definition " + d.key + " v" + std::to_string(d.version) +
                                            " was changed: its XML does not match its sha256"});
    }
  }
  std::vector<std::int64_t> ids;
  {
    auto rows = store.instances(InstanceQuery{});
    if (!rows.ok()) return rows.error();
    ids.reserve(rows->size());
    for (const auto& r : *rows) ids.push_back(r.id);
  }
  // Workers take instances one at a time, each with its own connection: only one instance's
  // events are in memory per worker.
  unsigned threads = a.threads > 0 ? static_cast<unsigned>(a.threads)
                                   : std::max(1u, std::thread::hardware_concurrency());
  threads =
      static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(1, ids.size())));
  std::vector<std::unique_ptr<persistence::SqliteStore>> extra;
  const std::string path = resolve_db_path(c.db);
  for (unsigned t = 1; t < threads; ++t) {
    auto s = persistence::SqliteStore::open(path);
    if (!s.ok()) return s.error();
    extra.push_back(std::move(*s));
  }
  std::atomic<std::size_t> next{0};
  std::atomic<std::int64_t> events{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::optional<Error> first_error;
  auto worker = [&](Store& s) {
    std::vector<Finding> mine;
    std::int64_t counted = 0;
    for (std::size_t i = next++; i < ids.size() && !failed; i = next++) {
      auto verdict = verify_instance(s, ids[i]);
      if (!verdict.ok()) {
        std::lock_guard lock(mu);
        if (!first_error) first_error = verdict.error();
        failed = true;
        break;
      }
      counted += verdict->events;
      if (verdict->finding) mine.push_back(std::move(*verdict->finding));
    }
    events += counted;
    std::lock_guard lock(mu);
    for (auto& f : mine) report.findings.push_back(std::move(f));
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker, std::ref(*extra[t - 1]));
  worker(store);
  for (auto& th : pool) th.join();
  if (first_error) return *first_error;
  report.instances = static_cast<std::int64_t>(ids.size());
  report.events = events.load();
  std::stable_sort(
      report.findings.begin(), report.findings.end(),
      [](const Finding& x, const Finding& y) { return x.instance_id < y.instance_id; });
  return report;
}

// ---------------------------------------------------------------------------------------------
// bench-audit

constexpr const char* kBenchLoopBpmn = R"xml(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="bench_audit_defs"
    targetNamespace="http://pmiflow.invalid/bench-audit">
  <bpmn:process id="bench_audit_loop" name="Bucle de revisión (bench-audit)" isExecutable="true">
    <bpmn:startEvent id="inicio" name="Inicio" />
    <bpmn:sequenceFlow id="f_inicio" sourceRef="inicio" targetRef="unir" />
    <bpmn:exclusiveGateway id="unir" name="Unir" />
    <bpmn:sequenceFlow id="f_unir" sourceRef="unir" targetRef="revisar" />
    <bpmn:userTask id="revisar" name="Revisar el avance del PMI">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="auditor" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f_revisar" sourceRef="revisar" targetRef="decidir" />
    <bpmn:exclusiveGateway id="decidir" name="¿Revisión terminada?" default="f_otra_vez" />
    <bpmn:sequenceFlow id="f_terminada" sourceRef="decidir" targetRef="fin">
      <bpmn:conditionExpression>=terminada = true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_otra_vez" sourceRef="decidir" targetRef="unir" />
    <bpmn:endEvent id="fin" name="Fin" />
  </bpmn:process>
</bpmn:definitions>
)xml";

using SteadyClock = std::chrono::steady_clock;

double elapsed_ms(SteadyClock::time_point since) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - since).count();
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Completes the loop's task until the instance has at least `events` events.
Result<std::int64_t> grow_loop_instance(Engine& engine, const std::string& key,
                                        const std::string& school, std::int64_t events) {
  auto started = engine.start({key, school, "2026"}, Variables{{"n", 0}, {"terminada", false}},
                              runtime::Actor::user("bench", "auditor"));
  if (!started.ok()) return started.error();
  const std::int64_t id = started->instance_id;
  for (std::int64_t n = 1;; ++n) {
    auto snap = engine.snapshot(id);
    if (!snap.ok()) return snap.error();
    if ((*snap)->last_seq >= events) break;
    if ((*snap)->tasks.empty()) {
      return make_error(ErrorCode::kInternal, "bench instance has no open task");
    }
    auto done = engine.complete_task((*snap)->tasks.begin()->first,
                                     runtime::Actor::user("bench", "auditor"),
                                     Variables{{"n", n}, {"terminada", false}});
    if (!done.ok()) return done.error();
  }
  return id;
}

void remove_db_files(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Commands

int cmd_history(const Common& c, const HistoryArgs& a, std::ostream& out, std::ostream& err) {
  if (c.json && a.csv) {
    err << "error: --json and --csv exclude each other\n";
    return kExitUsage;
  }
  auto id = parse_instance_id(a.instance);
  if (!id.ok()) return fail(err, id.error());
  Result<Audited> loaded = make_error(ErrorCode::kInternal, "not loaded");
  std::unique_ptr<Session> session;
  if (!a.archive.empty()) {
    loaded = load_from_archive(a.archive, *id, INT64_MAX);
  } else {
    auto opened = open_session(c.db, OpenMode::kExisting);
    if (!opened.ok()) return fail(err, opened.error());
    session = std::move(*opened);
    loaded = load_from_db(*session, *id, INT64_MAX);
  }
  if (!loaded.ok()) return fail(err, loaded.error());
  const Audited& h = *loaded;
  const model::ProcessDefinition* def = h.def.get();

  if (c.json) {
    Json list = Json::array();
    for (const auto& e : h.events) {
      const std::string element = event_element(e);
      list.push_back(
          {{"seq", e.seq},
           {"time", format_time(e.time_ms)},
           {"time_ms", e.time_ms},
           {"actor", {{"kind", e.actor.kind}, {"id", e.actor.id}, {"role", e.actor.role}}},
           {"type", runtime::event_type_name(e.type)},
           {"element_id", element},
           {"element_name", bpmn_name(def, element)},
           {"description", describe(e, def)},
           {"payload", e.payload},
           {"prev_hash", e.prev_hash},
           {"hash", e.hash}});
    }
    out << list.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
    return kExitOk;
  }
  if (a.csv) {
    out << "\xEF\xBB\xBF"
        << "seq,time,actor,role,type,element_id,element_name,description\r\n";
    for (const auto& e : h.events) {
      const std::string element = event_element(e);
      const std::vector<std::string> cells = {std::to_string(e.seq),
                                              format_time(e.time_ms),
                                              actor_name(e.actor),
                                              e.actor.role,
                                              runtime::event_type_name(e.type),
                                              element,
                                              bpmn_name(def, element),
                                              describe(e, def)};
      std::string line;
      for (const auto& cell : cells) {
        if (!line.empty()) line += ',';
        line += csv_field(cell);
      }
      out << line << "\r\n";
    }
    return kExitOk;
  }
  out << "instance " << h.row.id << ": " << h.row.business_key.process << " v" << h.row.version
      << ", school " << h.row.business_key.school << ", period " << h.row.business_key.period
      << ", " << h.row.status << ", " << plural(static_cast<std::int64_t>(h.events.size()), "event")
      << "\n\n";
  std::vector<std::vector<std::string>> rows;
  rows.reserve(h.events.size());
  for (const auto& e : h.events) {
    rows.push_back(
        {std::to_string(e.seq), format_time(e.time_ms), describe_actor(e.actor), describe(e, def)});
  }
  print_table(out, {"SEQ", "WHEN", "WHO", "WHAT"}, rows);
  return kExitOk;
}

int cmd_replay(const Common& c, const ReplayArgs& a, std::ostream& out, std::ostream& err) {
  auto id = parse_instance_id(a.instance);
  if (!id.ok()) return fail(err, id.error());
  if (a.until && a.at) {
    err << "error: --until and --at exclude each other\n";
    return kExitUsage;
  }
  if (a.until && *a.until < 0) {
    return fail(err, make_error(ErrorCode::kInvalidArgument,
                                "--until " + std::to_string(*a.until) + " is not a seq (>= 0)"));
  }
  std::optional<std::int64_t> at_ms;
  if (a.at) {
    auto t = parse_time(*a.at);
    if (!t.ok()) return fail(err, t.error());
    at_ms = *t;
  }
  const std::int64_t to_seq = a.until ? *a.until : INT64_MAX;
  const bool compare = !a.until && !a.at;

  std::unique_ptr<Session> session;
  if (a.archive.empty()) {
    auto opened = open_session(c.db, OpenMode::kExisting);
    if (!opened.ok()) return fail(err, opened.error());
    session = std::move(*opened);
  }
  // With the projections compared, a command that commits between the reads of the events
  // and of the projections would look like a difference: read both again (twice) first.
  for (int attempt = 0;; ++attempt) {
    Result<Audited> loaded =
        session ? load_from_db(*session, *id, to_seq) : load_from_archive(a.archive, *id, to_seq);
    if (!loaded.ok()) return fail(err, loaded.error());
    Audited& h = *loaded;
    const std::int64_t total = h.row.last_seq;
    if (at_ms) {
      auto cut = std::find_if(h.events.begin(), h.events.end(),
                              [&](const Event& e) { return e.time_ms > *at_ms; });
      h.events.erase(cut, h.events.end());
    }
    auto state = fold_events(h.row.id, h.events);
    if (!state.ok()) return fail(err, state.error());

    std::optional<std::string> difference;
    if (compare && session) {
      auto d = first_difference(*session->store, h.row, *state);
      if (!d.ok()) return fail(err, d.error());
      difference = std::move(*d);
      if (difference && attempt < 2) continue;
    } else if (compare) {  // an archive: its instance record is the only projection
      if (h.row.status != runtime::to_string(state->status)) {
        difference = "status: events say " + std::string(runtime::to_string(state->status)) +
                     ", the archive's instance record says " + h.row.status;
      } else if (h.row.last_seq != state->last_seq) {
        difference = "last seq: events say " + std::to_string(state->last_seq) +
                     ", the archive's instance record says " + std::to_string(h.row.last_seq);
      }
    }

    std::string point;
    if (a.until) {
      point = "events 1.." + std::to_string(state->last_seq) + " of " + std::to_string(total) +
              " (--until " + std::to_string(*a.until) + ")";
    } else if (a.at) {
      point = "events 1.." + std::to_string(state->last_seq) + " of " + std::to_string(total) +
              " (--at " + format_time(*at_ms) + ": the events at or before it)";
    } else {
      point = "all " + plural(state->last_seq, "event");
    }
    const std::string projection = session ? "the projections" : "the archive's instance record";
    if (c.json) {
      Json j = replay_json(h, *state);
      j["until"] = a.until ? Json(*a.until) : Json();
      j["at"] = at_ms ? Json(format_time(*at_ms)) : Json();
      j["events_total"] = total;
      if (compare) {
        j["projections"] = {{"compared_with", projection},
                            {"agree", !difference},
                            {"difference", difference ? Json(*difference) : Json()}};
      }
      out << j.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
    } else {
      print_replay(out, h, *state, point);
      if (compare) {
        out << '\n'
            << (difference ? projection + " DIFFER from the events: " + *difference
                           : projection + " agree with the events")
            << '\n';
      }
    }
    if (difference) {
      err << "error: " << projection << " of instance " << h.row.id
          << " differ from its events: " << *difference << '\n';
      return kExitValidation;
    }
    return kExitOk;
  }
}

int cmd_verify(const Common& c, const VerifyArgs& a, std::ostream& out, std::ostream& err) {
  if (a.all && !a.instance.empty()) {
    err << "error: give an INSTANCE or --all, not both\n";
    return kExitUsage;
  }
  if (!a.archive.empty()) {
    if (!a.instance.empty()) {
      err << "error: --archive verifies the whole archive; it takes no INSTANCE\n";
      return kExitUsage;
    }
    auto report = verify_archive(a.archive);
    if (!report.ok()) return fail(err, report.error());
    return print_verify(
        c, *report,
        "archive " + a.archive + ": " + plural(report->definitions, "definition") + ", ", out);
  }
  auto report = verify_db(c, a);
  if (!report.ok()) return fail(err, report.error());
  return print_verify(c, *report, "", out);
}

int cmd_export(const Common& c, const ExportArgs& a, std::ostream& out, std::ostream& err) {
  if (Status s = validate_periodo(a.period); !s.ok()) return fail(err, s.error());
  if (a.school) {
    if (Status s = validate_codigo_dane(*a.school); !s.ok()) return fail(err, s.error());
  }
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  Store& store = *(*session)->store;
  auto rows = store.instances(InstanceQuery{{}, a.school, a.period, {}});
  if (!rows.ok()) return fail(err, rows.error());
  if (rows->empty()) {
    return fail(err,
                make_error(ErrorCode::kNotFound, "no instance for period " + a.period +
                                                     (a.school ? ", school " + *a.school : "") +
                                                     "; nothing was written"));
  }
  std::set<std::pair<std::string, std::int32_t>> used;
  for (const auto& r : *rows) used.insert({r.business_key.process, r.version});

  // The body goes to a side file first: the header, written first, counts its records.
  const std::string body_path = a.out + ".body.tmp";
  const std::string final_tmp = a.out + ".tmp";
  auto cleanup = [&] {
    std::error_code ec;
    std::filesystem::remove(body_path, ec);
    std::filesystem::remove(final_tmp, ec);
  };
  auto io = [&](const std::string& what) {
    cleanup();
    return fail(err, make_error(ErrorCode::kIo, what));
  };
  std::int64_t events = 0;
  HeadsDigest digest;
  {
    std::ofstream body(body_path, std::ios::binary | std::ios::trunc);
    if (!body) return io(a.out + ": cannot write (" + body_path + ")");
    for (const auto& [key, version] : used) {
      auto d = store.definition(key, version);
      if (!d.ok()) {
        cleanup();
        return fail(err, d.error());
      }
      body << Line()
                  .field("record", "definition")
                  .field("key", d->key)
                  .field("version", d->version)
                  .field("sha256", d->sha256)
                  .field("resource", d->resource_name)
                  .field("xml", d->xml)
                  .done();
    }
    for (const auto& r : *rows) {
      auto log = store.events(r.id);
      if (!log.ok()) {
        cleanup();
        return fail(err,
                    make_error(log.error().code, "cannot export: " + log.error().message +
                                                     " (`pmiflow verify` names what was changed)"));
      }
      body << instance_line(r);
      digest.add(r.id, r.head_hash);
      for (const auto& e : *log) body << event_line(e);
      events += static_cast<std::int64_t>(log->size());
    }
    body.flush();
    if (!body) return io(a.out + ": write error (disk full?)");
  }
  {
    std::ofstream final_out(final_tmp, std::ios::binary | std::ios::trunc);
    if (!final_out) return io(a.out + ": cannot write");
    final_out << Line()
                     .field("record", "header")
                     .field("format", "pmiflow-archive")
                     .field("format_version", kArchiveFormatVersion)
                     .field("period", a.period)
                     .field("school", a.school ? Json(*a.school) : Json())
                     .field("exported", format_time(now_ms()))
                     .field("instances", static_cast<std::int64_t>(rows->size()))
                     .field("events", events)
                     .field("definitions", static_cast<std::int64_t>(used.size()))
                     .done();
    std::ifstream body(body_path, std::ios::binary);
    if (!body) return io(body_path + ": cannot read back");
    final_out << body.rdbuf();
    final_out.flush();
    if (!final_out) return io(a.out + ": write error (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(final_tmp, a.out, ec);
  if (ec) return io(a.out + ": " + ec.message());
  std::filesystem::remove(body_path, ec);
  if (c.json) {
    out << Json{{"out", a.out},
                {"instances", rows->size()},
                {"events", events},
                {"definitions", used.size()},
                {"heads_digest", digest.hex()}}
               .dump(2)
        << '\n';
  } else {
    out << "exported " << plural(static_cast<std::int64_t>(rows->size()), "instance") << ", "
        << plural(events, "event") << " and "
        << plural(static_cast<std::int64_t>(used.size()), "definition") << " to " << a.out << '\n'
        << "heads digest: " << digest.hex()
        << "\n(keep this digest apart from the archive: `pmiflow verify --archive` prints the "
           "same value while the archive is untouched)\n";
  }
  return kExitOk;
}

int cmd_bench_audit(const BenchAuditArgs& a, std::ostream& out, std::ostream& err) {
  namespace fs = std::filesystem;
  const bool temporary = a.dir.empty();
  const fs::path dir =
      temporary ? fs::temp_directory_path() / ("pmiflow-bench-audit-" + std::to_string(getpid()))
                : fs::path(a.dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string replay_db = (dir / "replay.db").string();
  const std::string verify_db_path = (dir / "verify.db").string();
  remove_db_files(replay_db);
  remove_db_files(verify_db_path);
  persistence::SqliteOptions fast;
  fast.durability = persistence::SqliteOptions::Durability::kFast;
  std::ostream null_out(nullptr);
  char buf[256];

  int rc = [&]() -> int {
    out << "pmiflow bench-audit\n";
    out << "machine: " << cpu_model() << ", " << std::thread::hardware_concurrency() << " cores\n";
#ifdef NDEBUG
    out << "build: optimised (NDEBUG)\n";
#else
    out << "build: DEBUG (figures are not representative; use the release preset)\n";
#endif

    // (a) replay of one instance with `events` events.
    std::int64_t replay_id = 0;
    std::int64_t replay_events = 0;
    {
      auto session = open_session(replay_db, OpenMode::kCreate, fast);
      if (!session.ok()) return fail(err, session.error());
      Engine& engine = *(*session)->engine;
      auto deployed = engine.deploy(kBenchLoopBpmn, "bench-audit-loop.bpmn");
      if (!deployed.ok()) return fail(err, deployed.error());
      auto t0 = SteadyClock::now();
      auto id = grow_loop_instance(engine, deployed->definition.key, "105001000001", a.events);
      if (!id.ok()) return fail(err, id.error());
      replay_id = *id;
      auto row = (*session)->store->instance(replay_id);
      if (!row.ok()) return fail(err, row.error());
      replay_events = row->last_seq;
      std::snprintf(buf, sizeof buf, "%.1f s", elapsed_ms(t0) / 1000);
      out << "\n(a) replay: one instance of " << replay_events
          << " events (a user task in a loop), built in " << buf << '\n';
    }
    std::vector<double> fold_ms;
    std::vector<double> until_ms;
    std::vector<double> full_ms;
    {
      auto store = persistence::SqliteStore::open(replay_db, fast);
      if (!store.ok()) return fail(err, store.error());
      for (int r = 0; r < a.runs; ++r) {
        auto t0 = SteadyClock::now();
        auto events = (*store)->events(replay_id, 1, replay_events);
        if (!events.ok()) return fail(err, events.error());
        auto state = fold_events(replay_id, *events);
        if (!state.ok()) return fail(err, state.error());
        fold_ms.push_back(elapsed_ms(t0));
      }
    }
    Common common;
    common.db = replay_db;
    for (int r = 0; r < a.runs; ++r) {
      ReplayArgs until{std::to_string(replay_id), replay_events, std::nullopt, ""};
      auto t0 = SteadyClock::now();
      int code = cmd_replay(common, until, null_out, err);
      until_ms.push_back(elapsed_ms(t0));
      if (code != kExitOk) return code;
      ReplayArgs full{std::to_string(replay_id), std::nullopt, std::nullopt, ""};
      t0 = SteadyClock::now();
      code = cmd_replay(common, full, null_out, err);
      full_ms.push_back(elapsed_ms(t0));
      if (code != kExitOk) return code;
    }
    const double fold_median = median(fold_ms);
    auto line = [&](const std::string& label, const char* fmt, double v) {
      std::snprintf(buf, sizeof buf, fmt, v);
      out << "  " << label << buf << '\n';
    };
    out << "  median of " << a.runs << " runs:\n";
    line("read from SQLite + fold:            ", "%.1f ms", fold_median);
    line("`replay --until N` (whole command): ", "%.1f ms", median(until_ms));
    line("`replay` + projection check:        ", "%.1f ms", median(full_ms));
    out << "  target: < 50 ms for 10,000 events: "
        << (median(until_ms) < 50 * static_cast<double>(replay_events) / 10000 ? "met" : "NOT met")
        << '\n';

    // (b) verify --all over instances x instance_events events.
    std::int64_t built_events = 0;
    {
      auto session = open_session(verify_db_path, OpenMode::kCreate, fast);
      if (!session.ok()) return fail(err, session.error());
      Engine& engine = *(*session)->engine;
      Store& store = *(*session)->store;
      auto deployed = engine.deploy(kBenchLoopBpmn, "bench-audit-loop.bpmn");
      if (!deployed.ok()) return fail(err, deployed.error());
      const std::string key = deployed->definition.key;
      auto t0 = SteadyClock::now();
      // One real instance made by the engine; the others are copies of its first events
      // appended through SqliteStore::append in big batches (the store seals each chain).
      auto first = grow_loop_instance(engine, key, "205001000000", a.instance_events);
      if (!first.ok()) return fail(err, first.error());
      auto sample = store.events(*first, 1, a.instance_events);
      if (!sample.ok()) return fail(err, sample.error());
      auto more = store.instance(*first);
      if (!more.ok()) return fail(err, more.error());
      built_events = more->last_seq;
      std::vector<Event> model_events = *sample;
      for (auto& e : model_events) {
        e.instance_id = 0;
        e.prev_hash.clear();
        e.hash.clear();
      }
      const runtime::InstanceState model_state = runtime::fold(model_events);
      constexpr int kBatch = 200;
      for (int i = 1; i < a.instances; i += kBatch) {
        std::vector<AppendRequest> batch;
        for (int k = i; k < std::min(a.instances, i + kBatch); ++k) {
          char school[16];
          std::snprintf(school, sizeof school, "2%011d", k);
          AppendRequest req;
          req.business_key = {key, school, "2026"};
          req.events = model_events;
          req.events.front().payload["school"] = school;
          req.new_state = &model_state;
          batch.push_back(std::move(req));
        }
        for (const auto& result : store.append(batch)) {
          if (!result.status.ok()) return fail(err, result.status.error());
        }
        built_events += static_cast<std::int64_t>(batch.size() * model_events.size());
      }
      std::snprintf(buf, sizeof buf, "%.1f s", elapsed_ms(t0) / 1000);
      out << "\n(b) verify --all: " << a.instances << " instances, " << built_events
          << " events, built in " << buf << '\n';
    }
    Common vc;
    vc.db = verify_db_path;
    VerifyArgs all;
    all.all = true;
    all.threads = a.threads;
    std::ostringstream verdict;
    auto t0 = SteadyClock::now();
    int code = cmd_verify(vc, all, verdict, err);
    const double seconds = elapsed_ms(t0) / 1000;
    if (code != kExitOk) {
      err << "error: verify --all did not find the bench database intact:\n" << verdict.str();
      return code;
    }
    const unsigned workers = a.threads > 0 ? static_cast<unsigned>(a.threads)
                                           : std::max(1u, std::thread::hardware_concurrency());
    out << "  workers (one connection each):      " << workers << '\n';
    line("total:                              ", "%.2f s", seconds);
    line("events verified/s:                  ", "%.0f",
         static_cast<double>(built_events) / seconds);
    out << "  " << verdict.str();
    out << "  target: < 30 s for 1,000,000 events: "
        << (seconds < 30.0 * static_cast<double>(built_events) / 1e6 ? "met" : "NOT met") << '\n';
    return kExitOk;
  }();
  if (temporary) {
    remove_db_files(replay_db);
    remove_db_files(verify_db_path);
    fs::remove_all(dir, ec);
  }
  return rc;
}

}  // namespace pmiflow::cli
