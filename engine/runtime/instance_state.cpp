#include "engine/runtime/instance_state.h"

#include <charconv>

namespace pmiflow::runtime {

bool InstanceState::operator==(const InstanceState& o) const {
  auto same_tasks = [&] {
    if (tasks.size() != o.tasks.size()) return false;
    for (auto a = tasks.begin(), b = o.tasks.begin(); a != tasks.end(); ++a, ++b) {
      const UserTask& x = a->second;
      const UserTask& y = b->second;
      if (a->first != b->first || x.element_key != y.element_key || x.element_id != y.element_id ||
          x.name != y.name || x.candidate_groups != y.candidate_groups || x.form != y.form ||
          x.created_ms != y.created_ms) {
        return false;
      }
    }
    return true;
  };
  auto same_jobs = [&] {
    if (jobs.size() != o.jobs.size()) return false;
    for (auto a = jobs.begin(), b = o.jobs.begin(); a != jobs.end(); ++a, ++b) {
      const Job& x = a->second;
      const Job& y = b->second;
      if (a->first != b->first || x.element_key != y.element_key || x.element_id != y.element_id ||
          x.type != y.type || x.retries_left != y.retries_left || x.state != y.state ||
          x.last_error != y.last_error) {
        return false;
      }
    }
    return true;
  };
  auto same_incidents = [&] {
    if (incidents.size() != o.incidents.size()) return false;
    for (auto a = incidents.begin(), b = o.incidents.begin(); a != incidents.end(); ++a, ++b) {
      const Incident& x = a->second;
      const Incident& y = b->second;
      if (a->first != b->first || x.key != y.key || x.element_key != y.element_key ||
          x.element_id != y.element_id || x.kind != y.kind || x.message != y.message) {
        return false;
      }
    }
    return true;
  };
  return id == o.id && business_key == o.business_key && tags == o.tags && parent == o.parent &&
         definition_version == o.definition_version && status == o.status &&
         last_seq == o.last_seq && next_key == o.next_key && created_ms == o.created_ms &&
         ended_ms == o.ended_ms && variables == o.variables && elements == o.elements &&
         join_arrivals == o.join_arrivals && same_tasks() && same_jobs() && same_incidents() &&
         activation_counts == o.activation_counts && timers == o.timers &&
         subscriptions == o.subscriptions;
}

bool is_inner_instance(const InstanceState& state, const ElementInstance& element) {
  if (element.scope_key == kProcessScope) return false;
  auto it = state.elements.find(element.scope_key);
  return it != state.elements.end() && it->second.loop.has_value();
}

std::string task_id_for(std::int64_t instance_id, std::int64_t element_key) {
  return std::to_string(instance_id) + "-" + std::to_string(element_key);
}

bool parse_task_id(const std::string& id, std::int64_t& instance_id, std::int64_t& key) {
  auto dash = id.find('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == id.size()) return false;
  const char* begin = id.data();
  const char* mid = begin + dash;
  const char* end = begin + id.size();
  auto r1 = std::from_chars(begin, mid, instance_id);
  if (r1.ec != std::errc() || r1.ptr != mid || instance_id <= 0) return false;
  auto r2 = std::from_chars(mid + 1, end, key);
  return r2.ec == std::errc() && r2.ptr == end && key > 0;
}

}  // namespace pmiflow::runtime
