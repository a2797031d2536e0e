#include "tools/cli/commands.h"

#include <cstdlib>
#include <filesystem>

#include "app/audited_instance.h"
#include "app/instance_view.h"
#include "engine/common/limits.h"
#include "engine/common/time_text.h"
#include "engine/engine/deployment.h"
#include "engine/model/bpmn_parser.h"
#include "engine/runtime/event_describer.h"
#include "handlers/d02_03/business_key.h"
#include "tools/cli/cli.h"
#include "tools/cli/d02_03_commands.h"
#include "tools/cli/format.h"
#include "tools/cli/session.h"
#include "tools/cli/variables_input.h"

namespace pmiflow::cli {
namespace {

using app::parse_instance_id;
using handlers::d02_03::kPeriodTag;
using handlers::d02_03::kSchoolTag;

Json instance_json(const InstanceRow& r) {
  Json j = {{"id", r.id},
            {"process", r.business_key.process},
            {"business_id", r.business_key.id},
            {"tags", tags_to_json(r.tags)},
            {"version", r.version},
            {"state", r.status},
            {"active_elements", r.active_elements},
            {"open_incidents", r.open_incidents}};
  if (r.parent.instance_id != 0) {
    j["parent"] = {{"instance_id", r.parent.instance_id},
                   {"element_id", r.parent.element_id},
                   {"element_key", r.parent.element_key}};
  }
  add_d02_03_keys(j, r.tags);
  return j;
}

Json task_json(const TaskRow& t) {
  Json j = {{"id", t.id},
            {"instance_id", t.instance_id},
            {"element_id", t.element_id},
            {"name", t.name},
            {"candidate_groups", t.candidate_groups},
            {"form", t.form},
            {"business_id", t.business_key.id},
            {"tags", tags_to_json(t.tags)}};
  add_d02_03_keys(j, t.tags);
  return j;
}

// Prints a command's events, one line each.
}  // namespace

std::string default_user() {
  const char* u = std::getenv("USER");
  return u != nullptr && *u != '\0' ? u : "cli";
}

int exit_code_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return kExitInvalidInput;
    case ErrorCode::kValidation:
      return kExitValidation;
    case ErrorCode::kNotFound:
      return kExitNotFound;
    case ErrorCode::kConflict:
      return kExitConflict;
    case ErrorCode::kForbidden:
      return kExitForbidden;
    case ErrorCode::kInvalidState:
      return kExitInvalidState;
    case ErrorCode::kNotADatabase:
      return kExitNotADatabase;
    case ErrorCode::kSchemaTooNew:
      return kExitSchemaTooNew;
    case ErrorCode::kIo:
      return kExitIo;
    case ErrorCode::kStaleToken:
      return kExitStaleToken;
    case ErrorCode::kInternal:
      return kExitInternal;
  }
  return kExitInternal;
}

int fail(std::ostream& err, const Error& e) {
  err << "error: " << e.message << '\n';
  return exit_code_for(e.code);
}

Result<runtime::Tags> selected_tags(const std::vector<std::string>& tag_args,
                                    const std::optional<std::string>& school,
                                    const std::optional<std::string>& period) {
  runtime::Tags tags;
  for (const std::string& arg : tag_args) {
    const auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) {
      return make_error(ErrorCode::kInvalidArgument, "--tag '" + arg + "': expected name=value");
    }
    tags[arg.substr(0, eq)] = arg.substr(eq + 1);
  }
  if (school) tags[kSchoolTag] = *school;
  if (period) tags[kPeriodTag] = *period;
  return tags;
}

int cmd_validate(const std::vector<std::string>& files, bool json, std::ostream& out,
                 std::ostream& err) {
  const model::ValidationOptions options = shipped_validation_options();
  bool any_error = false;
  Json report = Json::array();
  for (const auto& file : files) {
    auto text = read_file(file, limits::kMaxBpmnBytes, "a BPMN file");
    std::vector<model::Diagnostic> diagnostics;
    if (!text.ok()) {
      diagnostics.push_back(
          model::Diagnostic{file, 0, 0, model::Severity::kError, "", text.error().message});
    } else {
      diagnostics = check_deployment(*text, file, options, forms_beside(file)).diagnostics;
    }
    any_error = any_error || model::has_errors(diagnostics);
    Json entry = {{"file", file}, {"ok", !model::has_errors(diagnostics)}};
    entry["diagnostics"] = Json::array();
    for (const auto& d : diagnostics) {
      if (!json) err << d.to_string() << '\n';
      entry["diagnostics"].push_back(
          {{"line", d.line},
           {"column", d.column},
           {"severity", d.severity == model::Severity::kError ? "error" : "warning"},
           {"element_id", d.element_id},
           {"message", d.message}});
    }
    report.push_back(std::move(entry));
  }
  if (json) {
    out << report.dump(2) << '\n';
  } else if (!any_error) {
    out << files.size() << (files.size() == 1 ? " file" : " files") << " valid\n";
  }
  return any_error ? kExitValidation : kExitOk;
}

int cmd_deploy(const Common& c, const std::vector<std::string>& files, std::ostream& out,
               std::ostream& err) {
  // All or nothing: every file and its forms are read and validated before any is deployed
  // (and before the database is opened, so a failing deploy does not even create it).
  const model::ValidationOptions options = shipped_validation_options();
  std::vector<std::string> xmls;
  bool invalid = false;
  for (const auto& file : files) {
    auto xml = read_file(file, limits::kMaxBpmnBytes, "a BPMN file");
    if (!xml.ok()) return fail(err, xml.error());
    auto checked = check_deployment(*xml, file, options, forms_beside(file));
    for (const auto& d : checked.diagnostics) err << d.to_string() << '\n';
    if (!checked.definition) {
      err << "error: " << file << " has errors\n";
      invalid = true;
    }
    xmls.push_back(std::move(*xml));
  }
  if (invalid) {
    err << "error: nothing was deployed\n";
    return kExitValidation;
  }
  auto session = open_session(c.db, OpenMode::kCreate);
  if (!session.ok()) return fail(err, session.error());
  Json results = Json::array();
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto outcome = (*session)->engine->deploy(xmls[i], std::filesystem::path(files[i]).filename(),
                                              forms_beside(files[i]));
    if (!outcome.ok()) return fail(err, outcome.error());
    const auto& d = outcome->definition;
    Json forms = Json::array();
    for (const auto& [f, created] : outcome->forms) {
      forms.push_back(
          {{"id", f.id}, {"version", f.version}, {"sha256", f.sha256}, {"created", created}});
    }
    results.push_back({{"key", d.key},
                       {"version", d.version},
                       {"sha256", d.sha256},
                       {"created", outcome->created},
                       {"forms", std::move(forms)}});
    if (!c.json) {
      out << (outcome->created ? "deployed " : "unchanged ") << d.key << " version " << d.version
          << " (sha256 " << d.sha256.substr(0, 12) << ")\n";
      for (const auto& [f, created] : outcome->forms) {
        out << "  " << (created ? "deployed " : "unchanged ") << "form " << f.id << " version "
            << f.version << " (sha256 " << f.sha256.substr(0, 12) << ")\n";
      }
    }
  }
  if (c.json) out << (results.size() == 1 ? results[0] : results).dump(2) << '\n';
  return kExitOk;
}

int cmd_definitions(const Common& c, std::ostream& out, std::ostream& err) {
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  auto defs = (*session)->store->definitions();
  if (!defs.ok()) return fail(err, defs.error());
  if (c.json) {
    Json list = Json::array();
    for (const auto& d : *defs) {
      list.push_back({{"key", d.key},
                      {"version", d.version},
                      {"sha256", d.sha256},
                      {"resource", d.resource_name},
                      {"deployed", format_time(d.deployed_ms)},
                      {"forms", d.forms}});
    }
    out << list.dump(2) << '\n';
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : *defs) {
    rows.push_back({d.key, std::to_string(d.version), d.sha256.substr(0, 12), d.resource_name,
                    format_time(d.deployed_ms)});
  }
  print_table(out, {"KEY", "VERSION", "SHA256", "RESOURCE", "DEPLOYED"}, rows);
  return kExitOk;
}

int cmd_start(const Common& c, const StartArgs& a, std::ostream& out, std::ostream& err) {
  if (!a.from_csv.empty()) return cmd_start_csv(c, a, out, err);
  auto vars = parse_variables(a.vars, a.var_files);
  if (!vars.ok()) return fail(err, vars.error());
  const runtime::Actor actor = runtime::Actor::user(a.user.empty() ? default_user() : a.user, "");
  Result<StartRequest> request = make_error(ErrorCode::kInternal, "no business key");
  if (!a.business_id.empty()) {
    auto tags = selected_tags(a.tags, std::nullopt, std::nullopt);
    if (!tags.ok()) return fail(err, tags.error());
    request = StartRequest{{a.process, a.business_id}, std::move(*tags), std::move(*vars), actor};
  } else {
    request =
        handlers::d02_03::start_request(a.process, a.school, a.period, std::move(*vars), actor);
  }
  if (!request.ok()) return fail(err, request.error());
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  auto outcome = (*session)->engine->start(*request);
  if (!outcome.ok()) return fail(err, outcome.error());
  if (!outcome->created) {
    err << "note: an instance of " << a.process << " with business id " << request->key.id
        << " already exists (id " << outcome->instance_id << "); no new instance was created\n";
  }
  out << Json{{"id", outcome->instance_id}, {"created", outcome->created}}.dump() << '\n';
  return kExitOk;
}

int cmd_instances(const Common& c, const InstanceFilter& f, std::ostream& out, std::ostream& err) {
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  auto tags = selected_tags(f.tags, f.school, f.period);
  if (!tags.ok()) return fail(err, tags.error());
  auto rows = (*session)->store->instances(InstanceQuery{f.process, f.state, *tags, f.parent});
  if (!rows.ok()) return fail(err, rows.error());
  if (c.json) {
    Json list = Json::array();
    for (const auto& r : *rows) list.push_back(instance_json(r));
    out << list.dump(2) << '\n';
    return kExitOk;
  }
  std::vector<std::vector<std::string>> table;
  for (const auto& r : *rows) {
    table.push_back({std::to_string(r.id), r.business_key.process, std::to_string(r.version),
                     r.business_key.id, r.status + (r.open_incidents > 0 ? " (incident)" : ""),
                     join(r.active_elements, ", ")});
  }
  print_table(out, {"ID", "PROCESS", "V", "BUSINESS ID", "STATE", "ACTIVE"}, table);
  return kExitOk;
}

int cmd_show(const Common& c, const std::string& instance, std::ostream& out, std::ostream& err) {
  auto id = parse_instance_id(instance);
  if (!id.ok()) return fail(err, id.error());
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  auto detail = app::instance_detail(*(*session)->store, *(*session)->engine, *id);
  if (!detail.ok()) return fail(err, detail.error());
  const InstanceRow& row = detail->row;
  const model::ProcessDefinition* d = detail->def.get();
  if (c.json) {
    Json j = instance_json(row);
    j["tasks"] = Json::array();
    for (const auto& t : detail->tasks) j["tasks"].push_back(task_json(t));
    j["variables"] = Json::object();
    for (const auto& [name, value] : detail->variables) j["variables"][name] = value;
    j["incidents"] = Json::array();
    for (const auto& i : detail->incidents) {
      j["incidents"].push_back(
          {{"id", i.id}, {"element_id", i.element_id}, {"kind", i.kind}, {"message", i.message}});
    }
    j["jobs"] = Json::array();
    for (const auto& jb : detail->jobs) {
      Json job = {{"id", jb.id},
                  {"element_id", jb.element_id},
                  {"type", jb.type},
                  {"retries_left", jb.retries_left},
                  {"state", jb.state}};
      if (jb.state == "activated") {
        job["worker"] = jb.worker;
        job["deadline"] = format_time(jb.deadline_ms);
      }
      if (jb.state == "activatable" && jb.retry_at_ms != 0) {
        job["retry_at"] = format_time(jb.retry_at_ms);
      }
      j["jobs"].push_back(std::move(job));
    }
    j["timers"] = Json::array();
    for (const auto& t : detail->timers) {
      j["timers"].push_back(
          {{"id", t.id}, {"element_id", t.element_id}, {"due", format_time(t.due_ms)}});
    }
    j["children"] = Json::array();
    for (const auto& child : detail->children) j["children"].push_back(instance_json(child));
    j["subscriptions"] = Json::array();
    for (const auto& s : detail->subscriptions) {
      j["subscriptions"].push_back({{"id", s.id},
                                    {"element_id", s.element_id},
                                    {"message", s.name},
                                    {"correlation_key", s.correlation_key}});
    }
    out << j.dump(2) << '\n';
    return kExitOk;
  }
  out << "instance " << row.id << ": " << row.business_key.process << " v" << row.version
      << ", business id " << row.business_key.id << ", " << row.status << '\n';
  if (!row.tags.empty()) {
    std::vector<std::string> tags;
    for (const auto& [name, value] : row.tags) tags.push_back(name + " " + value);
    out << "tags: " << join(tags, ", ") << '\n';
  }
  if (row.parent.instance_id != 0) {
    out << "called by instance " << row.parent.instance_id << " at " << row.parent.element_id
        << " (element instance " << row.parent.element_key << ")\n";
  }
  out << "started " << format_time(row.created_ms);
  if (row.ended_ms != 0) out << ", ended " << format_time(row.ended_ms);
  out << "\n\ntokens at:\n";
  for (const auto& e : row.active_elements) out << "  " << runtime::element_label(d, e) << '\n';
  if (row.active_elements.empty()) out << "  (none)\n";
  out << "\nopen tasks:\n";
  for (const auto& t : detail->tasks) {
    out << "  " << t.id << "  " << t.name << "  [" << join(t.candidate_groups, ", ") << "]\n";
  }
  if (detail->tasks.empty()) out << "  (none)\n";
  if (!detail->jobs.empty()) {
    out << "\njobs:\n";
    for (const auto& jb : detail->jobs) {
      out << "  " << jb.id << "  " << jb.type << "  " << jb.state << " (" << jb.retries_left
          << " retries left";
      if (jb.state == "activated") {
        out << ", worker " << jb.worker << " until " << format_time(jb.deadline_ms);
      }
      if (jb.state == "activatable" && jb.retry_at_ms != 0) {
        out << ", retried from " << format_time(jb.retry_at_ms);
      }
      out << ")\n";
    }
  }
  if (!detail->timers.empty() || !detail->subscriptions.empty()) {
    out << "\nwaiting for:\n";
    for (const auto& t : detail->timers) {
      out << "  " << t.id << "  " << runtime::element_label(d, t.element_id) << ": timer due "
          << format_time(t.due_ms) << '\n';
    }
    for (const auto& s : detail->subscriptions) {
      out << "  " << s.id << "  " << runtime::element_label(d, s.element_id) << ": message \""
          << s.name << "\" with key \"" << s.correlation_key << "\"\n";
    }
  }
  if (!detail->children.empty()) {
    out << "\ncalled instances:\n";
    for (const auto& child : detail->children) {
      out << "  " << child.id << "  " << child.business_key.process << " v" << child.version
          << ", business id " << child.business_key.id << ", " << child.status << "  (from "
          << runtime::element_label(d, child.parent.element_id) << ")\n";
    }
  }
  if (!detail->incidents.empty()) {
    out << "\nincidents:\n";
    for (const auto& i : detail->incidents) {
      out << "  " << i.id << "  " << runtime::element_label(d, i.element_id) << ": " << i.message
          << '\n';
    }
  }
  out << "\nvariables:\n";
  for (const auto& [name, value] : detail->variables) {
    std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() > 100) text = text.substr(0, 97) + "...";
    out << "  " << name << " = " << text << '\n';
  }
  return kExitOk;
}

int cmd_tasks(const Common& c, const TaskFilter& f, std::ostream& out, std::ostream& err) {
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  auto tags = selected_tags(f.tags, f.school, f.period);
  if (!tags.ok()) return fail(err, tags.error());
  auto rows = (*session)->store->tasks(TaskQuery{f.role, {}, *tags});
  if (!rows.ok()) return fail(err, rows.error());
  if (c.json) {
    Json list = Json::array();
    for (const auto& t : *rows) list.push_back(task_json(t));
    out << list.dump(2) << '\n';
    return kExitOk;
  }
  std::vector<std::vector<std::string>> table;
  for (const auto& t : *rows) {
    table.push_back(
        {t.id, t.business_key.id, t.element_id, join(t.candidate_groups, ", "), t.name});
  }
  print_table(out, {"TASK", "BUSINESS ID", "ELEMENT", "ROLES", "NAME"}, table);
  return kExitOk;
}

int cmd_complete(const Common& c, const CompleteArgs& a, std::ostream& out, std::ostream& err) {
  auto vars = parse_variables(a.vars, a.var_files);
  if (!vars.ok()) return fail(err, vars.error());
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  Engine& engine = *(*session)->engine;
  auto outcome = engine.complete_task(
      a.task, runtime::Actor::user(a.user.empty() ? default_user() : a.user, a.role), *vars);
  if (!outcome.ok()) return fail(err, outcome.error());
  auto state = engine.state(outcome->instance_id);
  if (c.json) {
    Json j = {{"task", a.task}, {"instance_id", outcome->instance_id}};
    j["events"] = Json::array();
    for (const auto& e : outcome->events) j["events"].push_back(event_to_json(e));
    if (state.ok()) {
      j["state"] = runtime::to_string(state->status);
      j["open_tasks"] = Json::array();
      for (const auto& [id, t] : state->tasks) {
        j["open_tasks"].push_back({{"id", id}, {"element_id", t.element_id}, {"name", t.name}});
      }
    }
    out << j.dump(2) << '\n';
    return kExitOk;
  }
  const model::ProcessDefinition* d = nullptr;
  model::ProcessDefinitionPtr def;
  if (state.ok()) {
    auto loaded = engine.definition(state->business_key.process, state->definition_version);
    if (loaded.ok()) def = *loaded;
    d = def.get();
  }
  out << "completed task " << a.task << " as " << a.role << ":\n";
  print_events(out, outcome->events, d);
  return kExitOk;
}

int cmd_form(const Common& c, const std::string& task, std::ostream& out, std::ostream& err) {
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  auto form = (*session)->engine->task_form(task);
  if (!form.ok()) return fail(err, form.error());
  out << form->json;  // the deployed bytes, unchanged
  return kExitOk;
}

}  // namespace pmiflow::cli
