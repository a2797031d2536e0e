#include "tools/cli/format.h"

#include <algorithm>
#include <ctime>

namespace pmiflow::cli {
namespace {

std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;  // count UTF-8 lead bytes only
  }
  return n;
}

std::string short_json(const Json& v) {
  std::string s = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (display_width(s) > 80) s = s.substr(0, 77) + "...";
  return s;
}

}  // namespace

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], display_width(row[i]));
    }
  };
  measure(header);
  for (const auto& r : rows) measure(r);
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - display_width(row[i]) + 2, ' ');
    }
    out << line << '\n';
  };
  print(header);
  for (const auto& r : rows) print(r);
}

std::string format_time(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

std::string element_label(const model::ProcessDefinition* def, const std::string& id) {
  if (def != nullptr) {
    auto n = def->find_node(id);
    if (n != model::kNone && !def->node(n).name.empty()) {
      return def->node(n).name + " [" + id + "]";
    }
  }
  return id;
}

std::string describe_actor(const runtime::Actor& a) {
  if (a.kind == "user") return "user " + a.id + (a.role.empty() ? "" : " (" + a.role + ")");
  if (a.kind == "handler") return "handler " + a.id;
  return a.kind.empty() ? "engine" : a.kind;
}

std::string describe_event(const runtime::Event& e, const model::ProcessDefinition* def) {
  using runtime::EventType;
  const Json& p = e.payload;
  auto el = [&] { return element_label(def, p.value("element", "")); };
  switch (e.type) {
    case EventType::kInstanceCreated:
      return "instance started for school " + p.value("school", "") + ", period " +
             p.value("period", "") + " (" + p.value("process", "") + " v" +
             std::to_string(e.definition_version) + ")";
    case EventType::kElementActivated:
      return "entered " + el();
    case EventType::kElementCompleted:
      return "completed " + el();
    case EventType::kElementTerminated:
      return "terminated " + el();
    case EventType::kFlowTaken:
      return "flow " + p.value("flow", "") + ": " + p.value("from", "") + " -> " +
             p.value("to", "");
    case EventType::kUserTaskCreated:
      return "task " + std::to_string(e.instance_id) + "-" +
             std::to_string(p.value("key", std::int64_t{0})) + " open for " +
             join(p.value("candidate_groups", std::vector<std::string>{}), ", ") + ": " + el();
    case EventType::kUserTaskCompleted:
      return "task completed: " + el();
    case EventType::kUserTaskCanceled:
      return "task canceled: " + el();
    case EventType::kVariablesSet: {
      std::vector<std::string> parts;
      for (const auto& c : p.at("changes")) {
        std::string from = c.contains("old") ? short_json(c.at("old")) : "(unset)";
        parts.push_back(c.value("name", "") + ": " + from + " -> " + short_json(c.at("new")));
      }
      return "variables " + join(parts, "; ");
    }
    case EventType::kJobCreated:
      return "job for handler " + p.value("type", "") + ": " + el();
    case EventType::kJobCompleted:
      return "job completed: " + el();
    case EventType::kJobFailed:
      return "job failed (" + std::to_string(p.value("retries_left", 0)) +
             " retries left): " + p.value("message", "");
    case EventType::kJobCanceled:
      return "job canceled: " + el();
    case EventType::kIncidentRaised:
      return "INCIDENT " + std::to_string(e.instance_id) + "-" +
             std::to_string(p.value("key", std::int64_t{0})) + " at " + el() + ": " +
             p.value("message", "");
    case EventType::kIncidentResolved:
      return "incident " + std::to_string(e.instance_id) + "-" +
             std::to_string(p.value("key", std::int64_t{0})) + " resolved";
    case EventType::kDecisionTaken: {
      std::string seen;
      if (p.contains("inputs")) seen = " with " + short_json(p.at("inputs"));
      std::string why =
          p.value("default", false) ? "default flow" : "`" + p.value("condition", "") + "` is true";
      return "decision at " + el() + ": " + p.value("flow", "") + " (" + why + ")" + seen;
    }
    case EventType::kInstanceCompleted:
      return p.contains("element") ? "instance completed by " + el() : "instance completed";
    case EventType::kInstanceTerminated:
      return "instance terminated";
    case EventType::kRecordWritten:
      return "record " + p.value("record", "") + " written by " + el();
    case EventType::kMessageQueued:
      return "message to " + p.value("subprocess", "") + " queued in the outbox (" +
             std::to_string(e.instance_id) + "-" + std::to_string(p.value("key", std::int64_t{0})) +
             "-" + p.value("subprocess", "") + ")";
  }
  return event_type_name(e.type);
}

Json event_to_json(const runtime::Event& e) {
  return Json{{"instance_id", e.instance_id},
              {"seq", e.seq},
              {"type", runtime::event_type_name(e.type)},
              {"type_version", e.type_version},
              {"time", format_time(e.time_ms)},
              {"time_ms", e.time_ms},
              {"actor", e.actor.to_json()},
              {"definition_version", e.definition_version},
              {"payload", e.payload}};
}

}  // namespace pmiflow::cli
