#include "app/instance_view.h"

#include <utility>

namespace pmiflow::app {

Result<InstanceDetail> instance_detail(Store& store, Engine& engine, std::int64_t id) {
  InstanceDetail d;
  auto row = store.instance(id);
  if (!row.ok()) return row.error();
  d.row = std::move(*row);
  auto tasks = store.tasks(TaskQuery{{}, id, {}});
  if (!tasks.ok()) return tasks.error();
  d.tasks = std::move(*tasks);
  auto vars = store.variables(id);
  if (!vars.ok()) return vars.error();
  d.variables = std::move(*vars);
  auto jobs = store.jobs(id);
  if (!jobs.ok()) return jobs.error();
  d.jobs = std::move(*jobs);
  auto incidents = store.incidents(IncidentQuery::of_instance(id));
  if (!incidents.ok()) return incidents.error();
  d.incidents = std::move(*incidents);
  TimerQuery timer_query;
  timer_query.instance_id = id;
  auto timers = store.timers(timer_query);
  if (!timers.ok()) return timers.error();
  d.timers = std::move(*timers);
  SubscriptionQuery subscription_query;
  subscription_query.instance_id = id;
  auto subscriptions = store.subscriptions(subscription_query);
  if (!subscriptions.ok()) return subscriptions.error();
  d.subscriptions = std::move(*subscriptions);
  InstanceQuery children_query;
  children_query.parent_id = id;
  auto children = store.instances(children_query);
  if (!children.ok()) return children.error();
  d.children = std::move(*children);
  auto def = engine.definition(d.row.business_key.process, d.row.version);
  if (def.ok()) d.def = *def;
  return d;
}

}  // namespace pmiflow::app
