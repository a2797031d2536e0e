// What a run of events changed in an instance's projections, as the applier saw it fold them
// (event_applier.h): the keys of the rows to rewrite, whose values a store reads from the state
// the events lead to. Every store writes its projections from this and that state, never from
// the events' payloads, so that each event type is read in one place (the applier).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace pmiflow::runtime {

// Rows of one projection keyed by id: each id in `touched` is written from the final state
// (upserted when present there, deleted when absent). An id in `created` did not exist before
// the run: absent from the final state it was created and ended within the run, and a store
// has nothing to delete.
struct RowChanges {
  std::set<std::string> touched;
  std::set<std::string> created;

  void create(const std::string& id) {
    touched.insert(id);
    created.insert(id);
  }
  void change(const std::string& id) { touched.insert(id); }
  // Whether a row absent from the final state must be deleted.
  bool existed_before(const std::string& id) const { return created.count(id) == 0; }
  bool empty() const { return touched.empty(); }
};

struct ProjectionChanges {
  RowChanges tasks;                 // open user tasks, by task id
  RowChanges jobs;                  // open jobs, by job id
  RowChanges incidents;             // open incidents, by incident id
  RowChanges timers;                // waiting timers, by task_id_for(instance, timer key)
  RowChanges subscriptions;         // open message subscriptions, by task_id_for(instance, key)
  std::set<std::string> variables;  // names of the variables set (values: the final state's)
  bool elements = false;            // the active element instances changed
  bool joins = false;               // tokens waiting at joins changed
  bool status = false;              // the instance ended
  bool children = false;            // a call activity started a child instance
  // Append-only projections: the seqs of the events that add a row (RecordWritten,
  // MessageQueued, MessageCorrelated), in order.
  std::vector<std::int64_t> records;
  std::vector<std::int64_t> messages;
  std::vector<std::int64_t> correlations;
};

}  // namespace pmiflow::runtime
