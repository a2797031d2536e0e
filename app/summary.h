// A set of instances at a glance (D02.03's `summary --period P`; later the cockpit): how many
// are in each state, how many stand at each element (ordered by process, then by the element's
// place in its definition), and how many tasks each role has open at each element.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/engine/engine.h"
#include "engine/engine/store.h"

namespace pmiflow::app {

struct ElementCount {
  std::string process;
  std::string element_id;
  std::string name;  // the BPMN name, else the id
  int count = 0;
};

struct RoleWork {
  std::string role;
  int open_tasks = 0;
  std::vector<ElementCount> tasks;  // open tasks per element
};

struct Summary {
  std::int64_t instances = 0;
  std::map<std::string, int> states;  // active, completed, terminated
  int with_incidents = 0;
  std::vector<ElementCount> elements;  // instances standing at each element (active ones)
  std::vector<RoleWork> roles;         // a task offered to several roles counts for each
};

// Over the instances `query` selects.
Result<Summary> summarize(Store& store, Engine& engine, const InstanceQuery& query);

}  // namespace pmiflow::app
