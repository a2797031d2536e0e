#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "engine/common/time_text.h"
#include "engine/runtime/event_describer.h"
#include "handlers/d02_03/business_key.h"
#include "handlers/d02_03/start_data.h"
#include "tools/cli/autopilot.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/format.h"
#include "tools/cli/session.h"

namespace pmiflow::cli {
namespace {

void remove_db(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
}

}  // namespace

int cmd_demo(const DemoArgs& a, std::ostream& out, std::ostream& err) {
  bool temporary = a.db.empty();
  std::string path = temporary ? (std::filesystem::temp_directory_path() /
                                  ("pmiflow-demo-" + std::to_string(getpid()) + ".db"))
                                     .string()
                               : a.db;
  if (temporary) remove_db(path);
  int rc = [&]() -> int {
    // A simulated clock, from the opening of the period: the autopilot lets time pass to
    // each follow-up and deadline.
    auto opening = handlers::d02_03::period_opening_ms(a.period);
    if (!opening.ok()) return fail(err, opening.error());
    auto simulated = std::make_unique<ManualClock>(*opening);
    ManualClock& clock = *simulated;
    auto session = open_session(path, OpenMode::kCreate, {}, std::move(simulated));
    if (!session.ok()) return fail(err, session.error());
    Engine& engine = *(*session)->engine;
    persistence::SqliteStore& store = *(*session)->store;

    auto deployed = deploy_file(engine, d02_03_definition_path());
    if (!deployed.ok()) return fail(err, deployed.error());
    const auto& d = deployed->definition;
    out << "== D02.03 Apoyar la gestión de los PMI: one school from start to end ==\n"
        << "database: " << path << (temporary ? " (temporary)" : "") << '\n'
        << (deployed->created ? "deployed " : "already deployed ") << d.key << " version "
        << d.version << '\n';
    auto def = engine.definition(d.key, d.version);
    if (!def.ok()) return fail(err, def.error());

    Variables vars = sample_school_variables(a.school, a.period, 0);
    auto request = handlers::d02_03::start_request(
        d.key, a.school, a.period, vars, runtime::Actor::user("demo", "profesional_mejoramiento"));
    if (!request.ok()) return fail(err, request.error());
    auto started = engine.start(*request);
    if (!started.ok()) return fail(err, started.error());
    std::int64_t id = started->instance_id;
    out << "\nschool " << a.school << " (" << vars["nombre"].get<std::string>() << ", "
        << vars["sector"].get<std::string>() << ", Saber "
        << vars["categoria_saber"].get<std::string>() << "), period " << a.period << ": instance "
        << id << (started->created ? "" : " (already existed)") << '\n';

    std::int64_t printed = 0;
    auto print_new = [&]() -> Status {
      auto events = store.events(id, printed + 1);
      if (!events.ok()) return events.error();
      for (const auto& e : *events) {
        out << "  #" << e.seq << "  "
            << runtime::describe_event(e, def->get(), runtime::Detail::kBrief) << '\n';
        printed = e.seq;
      }
      return {};
    };
    if (Status s = print_new(); !s.ok()) return fail(err, s.error());

    for (int step = 0; step < 1000; ++step) {
      auto state = engine.snapshot(id);
      if (!state.ok()) return fail(err, state.error());
      if ((*state)->status != runtime::InstanceStatus::kActive) break;
      if (!(*state)->incidents.empty()) {
        err << "error: instance " << id
            << " has an incident: " << (*state)->incidents.begin()->second.message << '\n';
        return kExitInvalidState;
      }
      const AutopilotMove move = autopilot_move(**state);
      if (move.kind == AutopilotMove::Kind::kNone) break;
      if (move.kind == AutopilotMove::Kind::kTask) {
        out << "\n> " << move.step.role << " completes task " << move.task_id << " \""
            << (*state)->tasks.at(move.task_id).name << "\"\n";
      } else {
        out << "\n> time passes to " << format_time(move.due_ms) << ": "
            << runtime::element_label(def->get(), move.timer_element) << "\n";
      }
      auto done = autopilot_apply(engine, clock, id, move);
      if (!done.ok()) return fail(err, done.error());
      if (Status st = print_new(); !st.ok()) return fail(err, st.error());
    }

    auto final_state = engine.state(id);
    if (!final_state.ok()) return fail(err, final_state.error());
    const auto& fs = *final_state;
    out << "\n== instance " << id << " " << runtime::to_string(fs.status) << " after "
        << fs.last_seq << " events ==\n";
    auto show = [&](const char* name) {
      auto it = fs.variables.find(name);
      if (it != fs.variables.end()) out << "  " << name << " = " << it->second.dump() << '\n';
    };
    show("tipo_acompanamiento");
    show("motivo_clasificacion");
    out << "  activities run (times):\n";
    for (const auto& [element, count] : fs.activation_counts) {
      auto n = (*def)->find_node(element);
      if (n == model::kNone) continue;
      auto kind = (*def)->node(n).kind;
      if (kind == model::NodeKind::kUserTask || kind == model::NodeKind::kServiceTask) {
        out << "    " << count << "x  " << runtime::element_label(def->get(), element) << '\n';
      }
    }
    return fs.status == runtime::InstanceStatus::kCompleted ? kExitOk : kExitInvalidState;
  }();
  if (temporary) remove_db(path);
  return rc;
}

}  // namespace pmiflow::cli
