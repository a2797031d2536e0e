#include "tools/cli/incident_commands.h"

#include "engine/common/time_text.h"
#include "tools/cli/cli.h"
#include "tools/cli/format.h"
#include "tools/cli/session.h"
#include "tools/cli/variables_input.h"

namespace pmiflow::cli {
namespace {

runtime::Actor acting(const std::string& user, const std::string& role) {
  return runtime::Actor::user(user.empty() ? default_user() : user, role);
}

// Prints what a repair wrote (or its error) and returns the exit code.
int repaired(const Common& c, const std::string& what, const Result<CommandOutcome>& outcome,
             std::ostream& out, std::ostream& err) {
  if (!outcome.ok()) return fail(err, outcome.error());
  if (c.json) {
    Json j = {{"instance_id", outcome->instance_id}, {"events", Json::array()}};
    for (const auto& e : outcome->events) j["events"].push_back(event_to_json(e));
    out << j.dump(2) << '\n';
    return kExitOk;
  }
  out << what << ":\n";
  print_events(out, outcome->events, nullptr);
  return kExitOk;
}

}  // namespace

int cmd_incidents(const Common& c, const IncidentFilter& f, std::ostream& out, std::ostream& err) {
  auto tags = selected_tags(f.tags, f.school, f.period);
  if (!tags.ok()) return fail(err, tags.error());
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  IncidentQuery query;
  query.instance_id = f.instance;
  query.kind = f.kind;
  query.tags = std::move(*tags);
  auto rows = (*session)->store->incidents(query);
  if (!rows.ok()) return fail(err, rows.error());
  auto raised = [](const IncidentRow& i) {
    return i.raised_ms != 0 ? format_time(i.raised_ms) : "";
  };
  if (c.json) {
    Json list = Json::array();
    for (const auto& i : *rows) {
      list.push_back({{"id", i.id},
                      {"instance_id", i.instance_id},
                      {"kind", i.kind},
                      {"element_id", i.element_id},
                      {"message", i.message},
                      {"raised", i.raised_ms != 0 ? Json(raised(i)) : Json()}});
    }
    out << list.dump(2) << '\n';
    return kExitOk;
  }
  std::vector<std::vector<std::string>> table;
  for (const auto& i : *rows) {
    table.push_back(
        {i.id, std::to_string(i.instance_id), i.kind, i.element_id, raised(i), i.message});
  }
  print_table(out, {"INCIDENT", "INSTANCE", "KIND", "ELEMENT", "RAISED", "MESSAGE"}, table);
  return kExitOk;
}

int cmd_incidents_resolve(const Common& c, const ResolveArgs& a, std::ostream& out,
                          std::ostream& err) {
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  return repaired(
      c, "resolved incident " + a.incident,
      (*session)->engine->resolve_incident(a.incident, acting(a.user, a.role), a.retries), out,
      err);
}

int cmd_set_variables(const Common& c, const SetVariablesArgs& a, std::ostream& out,
                      std::ostream& err) {
  auto vars = parse_variables(a.vars, a.var_files);
  if (!vars.ok()) return fail(err, vars.error());
  if (vars->empty()) {
    return fail(err, make_error(ErrorCode::kInvalidArgument,
                                "--var: no variable given (--var name=value or --vars FILE)"));
  }
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  return repaired(c, "variables set on instance " + std::to_string(a.instance),
                  (*session)->engine->set_variables(a.instance, acting(a.user, a.role), *vars), out,
                  err);
}

}  // namespace pmiflow::cli
