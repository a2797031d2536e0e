// Helpers of the engine unit tests: a small process, test-double handlers (these tests are not
// about D02.03, whose real handlers are exercised in tests/scenario), and an engine over a
// MemoryStore with a ManualClock.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "engine/engine/clock.h"
#include "engine/engine/engine.h"
#include "engine/engine/handler.h"
#include "engine/runtime/event_applier.h"
#include "engine/runtime/event_codec.h"
#include "engine/runtime/event_describer.h"
#include "persistence/memory/memory_store.h"

namespace pmiflow::testing {

inline constexpr std::int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
inline constexpr const char* kProcess = "proceso_prueba";
inline constexpr const char* kNotifyType = "test.notify";
inline constexpr const char* kRole = "lider_calidad";

// Start -> Task_Review (lider_calidad) -> Svc_Notify (test.notify) -> End.
inline const std::string kProcessXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="Definitions_Prueba" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="proceso_prueba" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Task_Review" />
    <bpmn:userTask id="Task_Review" name="Revisar">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="lider_calidad" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Task_Review" targetRef="Svc_Notify" />
    <bpmn:serviceTask id="Svc_Notify" name="Notificar">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="test.notify" />
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="Svc_Notify" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
)";

// Version 2 of the same process: an extra user task after the review.
inline const std::string kProcessXmlV2 = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="Definitions_Prueba" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="proceso_prueba" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Task_Review" />
    <bpmn:userTask id="Task_Review" name="Revisar">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="lider_calidad" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Task_Review" targetRef="Task_Extra" />
    <bpmn:userTask id="Task_Extra" name="Revisar otra vez">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="lider_calidad" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="Task_Extra" targetRef="Svc_Notify" />
    <bpmn:serviceTask id="Svc_Notify" name="Notificar">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="test.notify" />
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f4" sourceRef="Svc_Notify" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
)";

// What a handler saw of one call.
struct HandlerCall {
  std::int64_t instance_id = 0;
  runtime::BusinessKey business_key;
  runtime::Tags tags;
  std::string element_id;
  std::string job_id;
  std::int64_t now_ms = 0;
  Variables variables;
  std::map<std::string, int> activation_counts;
};

// A test double: runs `behaviour` and records every call. Thread-safe.
class ScriptedHandler final : public TaskHandler {
 public:
  using Behaviour = std::function<HandlerResult(const HandlerContext&)>;
  explicit ScriptedHandler(Behaviour behaviour) : behaviour_(std::move(behaviour)) {}

  HandlerResult handle(const HandlerContext& ctx) const override {
    {
      std::lock_guard lock(mu_);
      calls_.push_back(HandlerCall{ctx.instance_id, ctx.business_key, *ctx.tags, ctx.element_id,
                                   ctx.job_id, ctx.now_ms, *ctx.variables, *ctx.activation_counts});
    }
    return behaviour_(ctx);
  }

  std::vector<HandlerCall> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  Behaviour behaviour_;
  mutable std::mutex mu_;
  mutable std::vector<HandlerCall> calls_;
};

inline std::shared_ptr<ScriptedHandler> succeeding(Variables vars = {{"notificado", true}}) {
  return std::make_shared<ScriptedHandler>(
      [vars](const HandlerContext&) { return HandlerResult::success(vars); });
}
inline std::shared_ptr<ScriptedHandler> failing(std::string message) {
  return std::make_shared<ScriptedHandler>(
      [message](const HandlerContext&) { return HandlerResult::failure(message); });
}
inline std::shared_ptr<ScriptedHandler> throwing(std::string message) {
  return std::make_shared<ScriptedHandler>(
      [message](const HandlerContext&) -> HandlerResult { throw std::runtime_error(message); });
}

// The business key of the test process's instance for `school` in `period`: the engine knows
// no school, so these tests use D02.03's way of forming one.
inline runtime::BusinessKey key_of(const std::string& school, const std::string& period = "2026",
                                   const std::string& process = kProcess) {
  return runtime::BusinessKey{process, school + "/" + period};
}

inline StartRequest start_of(runtime::BusinessKey key, Variables variables, runtime::Actor actor) {
  return StartRequest{std::move(key), {}, std::move(variables), std::move(actor)};
}

// An engine over a MemoryStore, with the test.notify handler and a ManualClock at kT0.
struct Harness {
  explicit Harness(std::shared_ptr<ScriptedHandler> notify = succeeding(),
                   EngineOptions options = {})
      : handler(std::move(notify)),
        engine(store, store, store, make_registry(handler), clock, options) {}

  // Deploys kProcessXml; fails the test if it does not deploy.
  void deploy(const std::string& xml = kProcessXml) {
    auto deployed = engine.deploy(xml, "proceso_prueba.bpmn");
    ASSERT_TRUE(deployed.ok()) << deployed.error().message;
  }

  // Starts the instance of `school`; returns its id (0 and a test failure on error).
  std::int64_t start(const std::string& school = "111001000123", Variables vars = {}) {
    auto started = engine.start(start_of(key_of(school), std::move(vars),
                                         runtime::Actor::user("ana", "profesional_mejoramiento")));
    if (!started.ok()) {
      ADD_FAILURE() << "start failed: " << started.error().message;
      return 0;
    }
    return started->instance_id;
  }

  // The id of the only open user task of the instance (empty and a failure when none).
  std::string open_task(std::int64_t instance_id) {
    auto tasks = store.tasks(TaskQuery{{}, instance_id, {}});
    if (!tasks.ok() || tasks->size() != 1) {
      ADD_FAILURE() << "expected one open task in instance " << instance_id;
      return {};
    }
    return tasks->front().id;
  }

  std::vector<runtime::Event> events(std::int64_t instance_id) {
    auto events = store.events(instance_id, 1, INT64_MAX);
    if (!events.ok()) {
      ADD_FAILURE() << events.error().message;
      return {};
    }
    return *events;
  }

  MemoryStore store;
  ManualClock clock{kT0};
  std::shared_ptr<ScriptedHandler> handler;
  HandlerRegistry registry;
  Engine engine;

 private:
  const HandlerRegistry& make_registry(std::shared_ptr<ScriptedHandler> h) {
    registry.add(kNotifyType, std::move(h));
    return registry;
  }
};

// A 12-digit código DANE for test school number `n`.
inline std::string dane(int n) {
  char text[32];
  std::snprintf(text, sizeof(text), "1110010%05d", n % 100000);
  return text;
}

// "ElementActivated:Task_Review", "FlowTaken:f1", "InstanceCompleted".
inline std::string describe(const runtime::Event& e) {
  std::string out = runtime::event_type_name(e.type());
  if (const std::string element = runtime::event_element(e); !element.empty()) out += ":" + element;
  return out;
}

inline std::vector<std::string> describe(const std::vector<runtime::Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(describe(e));
  return out;
}

}  // namespace pmiflow::testing
