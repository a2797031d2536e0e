#include "app/history.h"

#include "engine/runtime/event_codec.h"
#include "engine/runtime/event_describer.h"

namespace pmiflow::app {

std::vector<HistoryEntry> history(const AuditedInstance& instance, const model::Vocabulary* words) {
  const model::ProcessDefinition* def = instance.def.get();
  std::vector<HistoryEntry> entries;
  entries.reserve(instance.events.size());
  for (const auto& e : instance.events) {
    const std::string element = runtime::event_element(e);
    entries.push_back(HistoryEntry{e.seq, e.time_ms, e.actor, runtime::event_type_name(e.type()),
                                   element, runtime::bpmn_name(def, element),
                                   runtime::describe_event(e, def, runtime::Detail::kFull, words),
                                   runtime::payload_json(e), e.prev_hash, e.hash});
  }
  return entries;
}

}  // namespace pmiflow::app
