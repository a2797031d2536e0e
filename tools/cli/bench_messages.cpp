// `pmiflow bench-messages`: N instances each wait at a message catch event with its own
// correlation key; then N messages are published (Engine::publish_message, from --threads
// publishers whose commits group together), each correlating to its instance; then N more are
// published that no one waits for (buffered). Prints the rates, and the resident memory with
// the N subscriptions waiting (they wait as rows: it should not grow with them).
#include <chrono>
#include <cstdio>

#include "tools/cli/bench_db.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/session.h"

namespace pmiflow::cli {
namespace {

constexpr const char* kBpmn = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="bench_message" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Wait" />
    <bpmn:intermediateCatchEvent id="Wait">
      <bpmn:messageEventDefinition messageRef="Msg" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="Wait" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
  <bpmn:message id="Msg" name="bench_evaluacion">
    <bpmn:extensionElements>
      <zeebe:subscription correlationKey="=clave" />
    </bpmn:extensionElements>
  </bpmn:message>
</bpmn:definitions>
)";

}  // namespace

int cmd_bench_messages(const BenchMessagesArgs& a, std::ostream& out, std::ostream& err) {
  const BenchDb db(a.db, "bench-messages", a.fast);
  auto session = open_session(db.path(), OpenMode::kCreate, db.options());
  if (!session.ok()) return fail(err, session.error());
  Engine& engine = *(*session)->engine;
  Store& store = *(*session)->store;
  auto deployed = engine.deploy(kBpmn, "bench_message.bpmn");
  if (!deployed.ok()) return fail(err, deployed.error());
  const double rss_before = rss_mib();

  // Subscribe: one instance per message, each waiting for its own key.
  auto subscribe_s = run_parallel(a.messages, a.threads, [&](int i) -> Status {
    auto started = engine.start(StartRequest{{"bench_message", "m" + std::to_string(i)},
                                             {},
                                             Variables{{"clave", "k" + std::to_string(i)}},
                                             runtime::Actor::user("bench", "")});
    if (!started.ok()) return started.error();
    return {};
  });
  if (!subscribe_s.ok()) return fail(err, subscribe_s.error());
  const double rss_waiting = rss_mib();

  // Publish and correlate: each message reaches its instance, which completes.
  std::atomic<std::int64_t> reached{0};
  auto correlate_s = run_parallel(a.messages, a.threads, [&](int i) -> Status {
    PublishRequest r;
    r.name = "bench_evaluacion";
    r.correlation_key = "k" + std::to_string(i);
    r.message_id = "c" + std::to_string(i);
    r.variables = Variables{{"puntaje", i % 100}};
    auto published = engine.publish_message(r);
    if (!published.ok()) return published.error();
    reached += static_cast<std::int64_t>(published->reached.size());
    return {};
  });
  if (!correlate_s.ok()) return fail(err, correlate_s.error());
  auto left = store.subscriptions({});
  if (!left.ok()) return fail(err, left.error());

  // Publish only: no one waits, each is buffered for an hour.
  auto buffer_s = run_parallel(a.messages, a.threads, [&](int i) -> Status {
    PublishRequest r;
    r.name = "bench_sin_espera";
    r.correlation_key = "k" + std::to_string(i);
    r.message_id = "b" + std::to_string(i);
    r.ttl_ms = 60LL * 60 * 1000;
    auto published = engine.publish_message(r);
    if (!published.ok()) return published.error();
    return {};
  });
  if (!buffer_s.ok()) return fail(err, buffer_s.error());
  const double rss_after = rss_mib();
  MessageQuery buffered_query;
  buffered_query.name = "bench_sin_espera";
  auto buffered = store.messages(buffered_query);
  if (!buffered.ok()) return fail(err, buffered.error());

  char buf[160];
  auto line = [&](const char* label, const char* fmt, double v) {
    std::snprintf(buf, sizeof buf, fmt, v);
    out << label << buf << '\n';
  };
  const double n = static_cast<double>(a.messages);
  out << "pmiflow bench-messages: " << a.messages << " messages, " << a.threads
      << " threads, durability " << (a.fast ? "fast (synchronous=NORMAL)" : "full (fsync)") << '\n';
  line("subscriptions opened (starts) per second: ", "%.0f", n / *subscribe_s);
  line("messages published and correlated:        ", "%.0f", static_cast<double>(reached));
  line("published and correlated per second:      ", "%.0f", n / *correlate_s);
  line("subscriptions left waiting:               ", "%.0f", static_cast<double>(left->size()));
  line("published and buffered per second:        ", "%.0f", n / *buffer_s);
  line("messages buffered:                        ", "%.0f", static_cast<double>(buffered->size()));
  line("RSS before subscribing:                   ", "%.1f MiB", rss_before);
  line("RSS with the subscriptions waiting:       ", "%.1f MiB", rss_waiting);
  line("RSS at the end:                           ", "%.1f MiB", rss_after);
  if (reached != a.messages || !left->empty() || static_cast<int>(buffered->size()) != a.messages) {
    return fail(err, make_error(ErrorCode::kInternal,
                                "not every message reached its instance exactly once"));
  }
  return kExitOk;
}

}  // namespace pmiflow::cli
