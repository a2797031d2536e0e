#include "app/summary.h"

#include <set>
#include <tuple>
#include <utility>

namespace pmiflow::app {
namespace {

// Elements are ordered by process, then by their place in the definition.
struct Place {
  std::string process;
  std::size_t order = 0;
  std::string element;
  bool operator<(const Place& o) const {
    return std::tie(process, order, element) < std::tie(o.process, o.order, o.element);
  }
};

}  // namespace

Result<Summary> summarize(Store& store, Engine& engine, const InstanceQuery& query) {
  auto instances = store.instances(query);
  if (!instances.ok()) return instances.error();
  auto tasks = store.tasks(TaskQuery{{}, {}, query.tags});
  if (!tasks.ok()) return tasks.error();

  // The definitions the instances run, to name and order their elements.
  std::map<std::pair<std::string, std::int32_t>, model::ProcessDefinitionPtr> defs;
  auto def_of = [&](const InstanceRow& r) {
    auto [it, inserted] = defs.try_emplace({r.business_key.process, r.version});
    if (inserted) {
      auto loaded = engine.definition(r.business_key.process, r.version);
      if (loaded.ok()) it->second = *loaded;
    }
    return it->second.get();
  };
  auto place_of = [&](const InstanceRow& r, const std::string& element) {
    const model::ProcessDefinition* d = def_of(r);
    std::size_t order = SIZE_MAX;
    if (d != nullptr) {
      auto n = d->find_node(element);
      if (n != model::kNone) order = static_cast<std::size_t>(n);
    }
    return Place{r.business_key.process, order, element};
  };
  auto name_of = [&](const InstanceRow& r, const std::string& element) {
    const model::ProcessDefinition* d = def_of(r);
    if (d != nullptr) {
      auto n = d->find_node(element);
      if (n != model::kNone && !d->node(n).name.empty()) return d->node(n).name;
    }
    return element;
  };

  Summary s;
  s.instances = static_cast<std::int64_t>(instances->size());
  s.states = {{"active", 0}, {"completed", 0}, {"terminated", 0}};
  std::map<Place, ElementCount> elements;
  std::map<std::int64_t, const InstanceRow*> by_id;
  for (const InstanceRow& r : *instances) {
    by_id[r.id] = &r;
    ++s.states[r.status];
    if (r.open_incidents > 0) ++s.with_incidents;
    for (const std::string& e :
         std::set<std::string>(r.active_elements.begin(), r.active_elements.end())) {
      ElementCount& entry = elements[place_of(r, e)];
      entry = ElementCount{r.business_key.process, e, name_of(r, e), entry.count + 1};
    }
  }
  for (auto& [place, entry] : elements) s.elements.push_back(std::move(entry));
  std::map<std::string, std::map<Place, ElementCount>> roles;
  for (const TaskRow& t : *tasks) {
    auto it = by_id.find(t.instance_id);
    if (it == by_id.end()) continue;  // an instance the query does not select
    for (const std::string& role : t.candidate_groups) {
      ElementCount& entry = roles[role][place_of(*it->second, t.element_id)];
      entry = ElementCount{it->second->business_key.process, t.element_id, t.name, entry.count + 1};
    }
  }
  for (auto& [role, open] : roles) {
    RoleWork work{role, 0, {}};
    for (auto& [place, entry] : open) {
      work.open_tasks += entry.count;
      work.tasks.push_back(std::move(entry));
    }
    s.roles.push_back(std::move(work));
  }
  return s;
}

}  // namespace pmiflow::app
