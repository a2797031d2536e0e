// The one human description of each event type: what the history, the CLI's command output
// and (later) the HTTP API show. Names come from the definition (the BPMN names of the
// process, e.g. the seed's Spanish activity names); without it, ids.
#pragma once

#include <string>

#include "engine/model/process_definition.h"
#include "engine/runtime/event.h"

namespace pmiflow::runtime {

enum class Detail {
  kFull,   // every value whole (the history)
  kBrief,  // JSON values cut to 80 characters (a command's progress lines)
};

// One line saying what the event did, e.g.
//   "activity entered: Revisar la alineación ... [A04_RevisarAlineacionPAM]"
//   "decision at ... : took flow Flow_A04_Alineada to ... because `=alineada = true` is true;
//    values seen: alineada = true"
// `def` may be null (ids only).
std::string describe_event(const Event& event, const model::ProcessDefinition* def,
                           Detail detail = Detail::kFull);

// Who did it: "user ana (lider_calidad)", "handler d02_03.x", "engine".
std::string describe_actor(const Actor& actor);

// The element an event is about: a flow node, or the flow of FlowTaken; "" when none.
std::string event_element(const Event& event);

// "Name [id]" for a node with a name in `def`, else the id.
std::string element_label(const model::ProcessDefinition* def, const std::string& element_id);

// The BPMN name of a node or flow, else its id.
std::string short_label(const model::ProcessDefinition* def, const std::string& id);

// The BPMN name of a node or flow; "" when `def` is null or has no such element or it is
// unnamed.
std::string bpmn_name(const model::ProcessDefinition* def, const std::string& id);

}  // namespace pmiflow::runtime
