// What `show` and (later) the API's instance detail present: an instance's row, its open
// tasks, variables, jobs, incidents, waiting timers and message subscriptions, and its
// definition (for names), from the read model.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/engine.h"
#include "engine/engine/store.h"

namespace pmiflow::app {

struct InstanceDetail {
  InstanceRow row;
  std::vector<TaskRow> tasks;
  Variables variables;
  std::vector<JobRow> jobs;
  std::vector<IncidentRow> incidents;
  std::vector<TimerRow> timers;
  std::vector<SubscriptionRow> subscriptions;
  std::vector<InstanceRow> children;  // the instances its call activities started
  model::ProcessDefinitionPtr def;    // null when it does not load
};

// kNotFound for an unknown instance.
Result<InstanceDetail> instance_detail(Store& store, Engine& engine, std::int64_t id);

}  // namespace pmiflow::app
