// Helpers of the application layer's tests: an engine over a MemoryStore with a small process
// (Start -> Task_Review (lider_calidad) -> Gw -> End) and a manual clock.
#pragma once

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "engine/engine/clock.h"
#include "engine/engine/engine.h"
#include "engine/engine/handler.h"
#include "persistence/memory/memory_store.h"

namespace pmiflow::app::testing {

inline constexpr std::int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z

inline const std::string kXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="Definitions_App" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="revision" name="Revisión" isExecutable="true">
    <bpmn:startEvent id="Start" name="Inicio" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Task_Review" />
    <bpmn:userTask id="Task_Review" name="Revisar el plan">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="lider_calidad" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Task_Review" targetRef="Gw" />
    <bpmn:exclusiveGateway id="Gw" name="¿Aprobado?" default="f4" />
    <bpmn:sequenceFlow id="f3" sourceRef="Gw" targetRef="End">
      <bpmn:conditionExpression>=aprobado = true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="Gw" targetRef="Task_Review" />
    <bpmn:endEvent id="End" name="Fin" />
  </bpmn:process>
</bpmn:definitions>
)";

inline const runtime::Actor kLider = runtime::Actor::user("luis", "lider_calidad");

struct World {
  World() : engine(store, store, store, registry, clock) {
    auto deployed = engine.deploy(kXml, "revision.bpmn");
    EXPECT_TRUE(deployed.ok()) << deployed.error().message;
  }

  // Starts the instance `id` with tags; returns its instance id.
  std::int64_t start(const std::string& id, runtime::Tags tags = {}) {
    auto started = engine.start(StartRequest{
        {"revision", id}, std::move(tags), {{"n", 0}}, runtime::Actor::user("ana", "profesional")});
    EXPECT_TRUE(started.ok()) << started.error().message;
    return started.ok() ? started->instance_id : 0;
  }

  // Completes the instance's open review with `aprobado`, an hour later.
  void review(std::int64_t id, bool aprobado) {
    clock.advance(3600 * 1000);
    auto tasks = store.tasks(TaskQuery{{}, id, {}});
    ASSERT_TRUE(tasks.ok() && tasks->size() == 1);
    auto done = engine.complete_task(tasks->front().id, kLider, {{"aprobado", aprobado}});
    ASSERT_TRUE(done.ok()) << done.error().message;
  }

  MemoryStore store;
  HandlerRegistry registry;
  ManualClock clock{kT0};
  Engine engine;
};

}  // namespace pmiflow::app::testing
