// `pmiflow bench-calls`: N parent instances each start a child through a call activity (the
// child waits at a user task): each start is one commit of two instances (EventLog::append_all).
// Then every child's task is completed: the child completes and its parent goes on and
// completes, again one commit of two instances. Prints both rates and the resident memory.
// With --each K, each parent's call activity is a parallel multi-instance over a list of K: the
// parent starts K children, in batches of 100 per request (an SE and its schools).
#include <cstdio>
#include <string>

#include "tools/cli/bench_db.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/session.h"

namespace pmiflow::cli {
namespace {

// The parent: Start -> Llamar (calls bench_hijo with n, takes back doble) -> End; with `many`,
// Llamar is a parallel multi-instance over `items`, collecting `dobles`.
std::string parent_xml(bool many) {
  const std::string loop = R"(
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:extensionElements>
          <zeebe:loopCharacteristics inputCollection="=items" inputElement="n"
                                     outputCollection="dobles" outputElement="=doble" />
        </bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>)";
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="bench_padre" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Llamar" />
    <bpmn:callActivity id="Llamar">
      <bpmn:extensionElements>
        <zeebe:calledElement processId="bench_hijo" propagateAllParentVariables="false" />
        <zeebe:ioMapping>
          <zeebe:input source="=n" target="n" />
          <zeebe:output source="=n * 2" target="doble" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>)" +
         (many ? loop : "") + R"(
    </bpmn:callActivity>
    <bpmn:sequenceFlow id="f2" sourceRef="Llamar" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
)";
}

constexpr const char* kChild = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="bench_hijo" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Revisar" />
    <bpmn:userTask id="Revisar">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="revisor" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Revisar" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
)";

}  // namespace

int cmd_bench_calls(const BenchCallsArgs& a, std::ostream& out, std::ostream& err) {
  const BenchDb db(a.db, "bench-calls", a.fast);
  auto session = open_session(db.path(), OpenMode::kCreate, db.options());
  if (!session.ok()) return fail(err, session.error());
  Engine& engine = *(*session)->engine;
  const bool many = a.each > 1;
  Json items = Json::array();
  for (int i = 0; many && i < a.each; ++i) items.push_back(i);
  for (const std::string& xml : {std::string(kChild), parent_xml(many)}) {
    auto deployed = engine.deploy(xml, "bench_calls.bpmn");
    if (!deployed.ok()) return fail(err, deployed.error());
  }
  const double rss_before = rss_mib();
  auto start_s = run_parallel(a.calls, a.threads, [&](int i) -> Status {
    auto started =
        engine.start(StartRequest{{"bench_padre", "p" + std::to_string(i)},
                                  {},
                                  many ? Variables{{"items", items}} : Variables{{"n", i}},
                                  runtime::Actor::user("bench", "")});
    if (!started.ok()) return started.error();
    return {};
  });
  if (!start_s.ok()) return fail(err, start_s.error());
  const double rss_waiting = rss_mib();
  TaskQuery query;
  query.role = "revisor";
  auto tasks = (*session)->store->tasks(query);
  if (!tasks.ok()) return fail(err, tasks.error());
  auto complete_s = run_parallel(static_cast<int>(tasks->size()), a.threads, [&](int i) -> Status {
    auto done = engine.complete_task((*tasks)[static_cast<std::size_t>(i)].id,
                                     runtime::Actor::user("bench", "revisor"), {});
    if (!done.ok()) return done.error();
    return {};
  });
  if (!complete_s.ok()) return fail(err, complete_s.error());
  const double rss_done = rss_mib();
  InstanceQuery completed;
  completed.status = "completed";
  auto ended = (*session)->store->instances(completed);
  if (!ended.ok()) return fail(err, ended.error());

  char buf[160];
  auto line = [&](const char* label, const char* fmt, double v) {
    std::snprintf(buf, sizeof buf, fmt, v);
    out << label << buf << '\n';
  };
  const double children = static_cast<double>(a.calls) * a.each;
  out << "pmiflow bench-calls: " << a.calls << " parents, each calling "
      << (many ? std::to_string(a.each) + " children (parallel multi-instance)" : "one child")
      << ", " << a.threads << " client threads, durability "
      << (a.fast ? "fast (synchronous=NORMAL)" : "full (fsync)") << '\n';
  if (many) {
    line("children started per second:       ", "%.0f", children / *start_s);
    line("seconds to start them all:         ", "%.2f", *start_s);
  } else {
    line("parent+child started per second:   ", "%.0f", static_cast<double>(a.calls) / *start_s);
  }
  line(many ? "children completed per second:     " : "child+parent completed per second: ", "%.0f",
       static_cast<double>(tasks->size()) / *complete_s);
  line("instances completed:               ", "%.0f", static_cast<double>(ended->size()));
  line("RSS before starting:               ", "%.1f MiB", rss_before);
  line("RSS with the children waiting:     ", "%.1f MiB", rss_waiting);
  line("RSS after completing them:         ", "%.1f MiB", rss_done);
  if (ended->size() != static_cast<std::size_t>(a.calls) * (1 + a.each)) {
    return fail(err, make_error(ErrorCode::kInternal, "not every parent and child completed"));
  }
  return kExitOk;
}

}  // namespace pmiflow::cli
