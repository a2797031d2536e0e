#include "tools/cli/message_commands.h"

#include "engine/common/time_text.h"
#include "tools/cli/cli.h"
#include "tools/cli/duration_input.h"
#include "tools/cli/format.h"
#include "tools/cli/session.h"
#include "tools/cli/variables_input.h"

namespace pmiflow::cli {
namespace {

Json reach_json(const MessageReach& r) {
  return {{"instance_id", r.instance_id},
          {"process", r.process},
          {"element_id", r.element_id},
          {"started", r.started}};
}

}  // namespace

int cmd_message_publish(const Common& c, const PublishArgs& a, std::ostream& out,
                        std::ostream& err) {
  auto vars = parse_variables(a.vars, a.var_files);
  if (!vars.ok()) return fail(err, vars.error());
  auto session = open_session(c.db, OpenMode::kCreate);
  if (!session.ok()) return fail(err, session.error());
  Engine& engine = *(*session)->engine;
  const std::int64_t now = engine.clock().now_ms();
  PublishRequest request;
  request.name = a.name;
  request.correlation_key = a.key;
  request.message_id = a.id;
  request.variables = std::move(*vars);
  auto ttl = parse_duration_flag(a.ttl, "--ttl", now);
  if (!ttl.ok()) return fail(err, ttl.error());
  request.ttl_ms = *ttl;
  if (!a.dedup_window.empty()) {
    auto window = parse_duration_flag(a.dedup_window, "--dedup-window", now);
    if (!window.ok()) return fail(err, window.error());
    request.dedup_window_ms = *window;
  }
  auto outcome = engine.publish_message(request);
  if (!outcome.ok()) return fail(err, outcome.error());
  const MessageRow& m = outcome->message;
  const bool buffered = m.expires_ms > now;
  if (c.json) {
    Json reached = Json::array();
    for (const MessageReach& r : outcome->reached) reached.push_back(reach_json(r));
    Json j = {{"message_key", m.key},
              {"name", m.name},
              {"correlation_key", m.correlation_key},
              {"message_id", m.message_id},
              {"duplicate", outcome->duplicate},
              {"published", format_time(m.published_ms)},
              {"buffered_until", buffered ? Json(format_time(m.expires_ms)) : Json()},
              {"reached", std::move(reached)},
              {"refused", outcome->refused}};
    out << j.dump(2) << '\n';
    return kExitOk;
  }
  out << (outcome->duplicate ? "duplicate of message " : "message ") << m.key << " \"" << m.name
      << "\" key \"" << m.correlation_key << "\""
      << (m.message_id.empty() ? "" : " id \"" + m.message_id + "\"")
      << (outcome->duplicate ? " (published " + format_time(m.published_ms) + ")" : "") << '\n';
  for (const MessageReach& r : outcome->reached) {
    out << "  " << (r.started ? "started" : "reached") << " instance " << r.instance_id << " ("
        << r.process << ", " << r.element_id << ")\n";
  }
  for (const std::string& why : outcome->refused) out << "  refused by " << why << '\n';
  if (outcome->reached.empty() && !outcome->duplicate) {
    out << (buffered ? "  no instance waits for it: buffered until " + format_time(m.expires_ms)
                     : std::string("  no instance waits for it (not buffered: --ttl PT0S)"))
        << '\n';
  }
  return kExitOk;
}

int cmd_messages(const Common& c, bool all, std::ostream& out, std::ostream& err) {
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  Session& s = **session;
  MessageQuery query;
  if (!all) query.buffered_at = s.clock->now_ms();
  auto rows = s.store->messages(query);
  if (!rows.ok()) return fail(err, rows.error());
  Json list = Json::array();
  std::vector<std::vector<std::string>> table;
  for (const MessageRow& m : *rows) {
    auto reached = s.store->correlations(m.key);
    if (!reached.ok()) return fail(err, reached.error());
    if (c.json) {
      Json instances = Json::array();
      for (const CorrelationRow& r : *reached) instances.push_back(r.instance_id);
      list.push_back({{"message_key", m.key},
                      {"name", m.name},
                      {"correlation_key", m.correlation_key},
                      {"message_id", m.message_id},
                      {"published", format_time(m.published_ms)},
                      {"expires", format_time(m.expires_ms)},
                      {"variables", Json(m.variables)},
                      {"reached", std::move(instances)}});
    } else {
      table.push_back({std::to_string(m.key), m.name, m.correlation_key, m.message_id,
                       format_time(m.published_ms), format_time(m.expires_ms),
                       std::to_string(reached->size())});
    }
  }
  if (c.json) {
    out << list.dump(2) << '\n';
  } else {
    print_table(out, {"MESSAGE", "NAME", "KEY", "ID", "PUBLISHED", "EXPIRES", "REACHED"}, table);
  }
  return kExitOk;
}

}  // namespace pmiflow::cli
