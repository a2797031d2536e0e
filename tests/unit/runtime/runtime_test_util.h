// Helpers of the runtime unit tests: load an inline BPMN document, drive an instance with
// runtime::execute + runtime::apply, and describe the events written as short strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "engine/model/bpmn_parser.h"
#include "engine/runtime/command.h"
#include "engine/runtime/event.h"
#include "engine/runtime/event_applier.h"
#include "engine/runtime/event_codec.h"
#include "engine/runtime/event_describer.h"
#include "engine/runtime/instance_state.h"
#include "engine/runtime/interpreter.h"

namespace pmiflow::runtime::testing {

inline constexpr std::int64_t kInstanceId = 1;
inline constexpr std::int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z

// The BPMN prologue and epilogue around a process body (Camunda 8 dialect).
// `after_process`: elements of the definitions after the process (e.g. <bpmn:message>).
inline std::string bpmn(std::string_view process_id, std::string_view body,
                        std::string_view after_process = "") {
  std::string xml =
      R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="Definitions_Test" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id=")";
  xml += process_id;
  xml += R"(" isExecutable="true">
)";
  xml += body;
  xml += R"(
  </bpmn:process>
)";
  xml += after_process;
  xml += R"(
</bpmn:definitions>
)";
  return xml;
}

// Loads `xml`; fails the test (and returns an empty definition) when it does not load.
inline model::ProcessDefinition load(const std::string& xml) {
  auto loaded = model::load_bpmn(xml, "test.bpmn", {});
  if (!loaded.definition) {
    std::string text;
    for (const auto& d : loaded.diagnostics) text += d.to_string() + "\n";
    ADD_FAILURE() << "test BPMN does not load:\n" << text;
    return {};
  }
  return std::move(*loaded.definition);
}

// "ElementActivated:Task_A", "FlowTaken:f1", "InstanceCompleted".
inline std::string describe(const Event& e) {
  std::string out = event_type_name(e.type());
  if (const std::string element = event_element(e); !element.empty()) out += ":" + element;
  return out;
}

inline std::vector<std::string> describe(const std::vector<Event>& events) {
  std::vector<std::string> out;
  out.reserve(events.size());
  for (const auto& e : events) out.push_back(describe(e));
  return out;
}

// Every field of an event, as one JSON value (events have no operator==).
inline Json event_json(const Event& e) {
  return Json{{"instance_id", e.instance_id},
              {"seq", e.seq},
              {"type", static_cast<int>(e.type())},
              {"type_version", e.type_version},
              {"time_ms", e.time_ms},
              {"actor", e.actor.to_json()},
              {"definition_version", e.definition_version},
              {"payload", payload_json(e)}};
}

inline Json events_json(const std::vector<Event>& events) {
  Json out = Json::array();
  for (const auto& e : events) out.push_back(event_json(e));
  return out;
}

// The events of `events` of one type.
inline std::vector<Event> of_type(const std::vector<Event>& events, EventType type) {
  std::vector<Event> out;
  for (const auto& e : events) {
    if (e.type() == type) out.push_back(e);
  }
  return out;
}

// One instance driven command by command: keeps its state (events applied one at a time) and
// its whole log, as the engine does, without a store.
class Driver {
 public:
  explicit Driver(const model::ProcessDefinition& definition, std::int32_t version = 1)
      : definition_(definition), version_(version) {}

  // Executes `command` at time `now`. On success applies the events to the state and appends
  // them to the log. A CreateInstance creates instance kInstanceId (the id a caller reserves
  // before interpreting it).
  //
  // Every command also checks the replay property against the interpreter itself: the state
  // it worked on equals the previous state with the events applied one by one.
  ExecuteOptions options;       // what each command runs with (e.g. the runaway guard's limit)
  std::vector<Effect> effects;  // what the last command asked of the engine (effect.h)

  Result<std::vector<Event>> run(const Command& command, std::int64_t now = kT0) {
    if (std::holds_alternative<CreateInstance>(command) && state_.status == InstanceStatus::kNone) {
      state_.id = kInstanceId;
    }
    auto execution = execute_with_state(definition_, version_, state_, command, now, options);
    if (!execution.ok()) return execution.error();
    std::vector<Event> events = std::move(execution->events);
    effects = std::move(execution->effects);
    InstanceState replayed = state_;
    for (const auto& e : events) apply(replayed, e);
    EXPECT_TRUE(replayed == execution->state)
        << command_name(command) << ": the interpreter's state is not the fold of its events";
    for (auto& e : events) {
      apply(state_, e);
      log_.push_back(e);
    }
    return events;
  }

  // Runs `command` and returns the events as strings; fails the test on a rejection.
  std::vector<std::string> trace(const Command& command, std::int64_t now = kT0) {
    auto events = run(command, now);
    if (!events.ok()) {
      ADD_FAILURE() << command_name(command) << " rejected: " << events.error().message;
      return {};
    }
    return describe(*events);
  }

  Result<std::vector<Event>> start(Variables variables = {}, std::int64_t now = kT0) {
    return run(CreateInstance{BusinessKey{definition_.key, "111001000123/2026"},
                              Tags{{"period", "2026"}, {"school", "111001000123"}},
                              std::move(variables),
                              Actor::user("ana", "profesional"),
                              {}},
               now);
  }

  // The id of the only open user task of `element`; empty (and a test failure) if none.
  std::string task_of(const std::string& element) const {
    for (const auto& [id, task] : state_.tasks) {
      if (task.element_id == element) return id;
    }
    ADD_FAILURE() << "no open user task of " << element;
    return {};
  }
  std::string job_of(const std::string& element) const {
    for (const auto& [id, job] : state_.jobs) {
      if (job.element_id == element) return id;
    }
    ADD_FAILURE() << "no open job of " << element;
    return {};
  }
  std::string incident_of(const std::string& element) const {
    for (const auto& [id, incident] : state_.incidents) {
      if (incident.element_id == element) return id;
    }
    ADD_FAILURE() << "no open incident at " << element;
    return {};
  }

  const InstanceState& state() const { return state_; }
  const std::vector<Event>& log() const { return log_; }

 private:
  const model::ProcessDefinition& definition_;
  std::int32_t version_;
  InstanceState state_;
  std::vector<Event> log_;
};

}  // namespace pmiflow::runtime::testing
