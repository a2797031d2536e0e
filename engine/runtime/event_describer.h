// The one human description of each event type, in Spanish (the people of the SE read the
// history): what the history, the CLI's command output and (later) the HTTP API and the audit
// page show. Names come from the definition (the BPMN names of the process, e.g. the seed's
// activity names), without it ids; variables, values and roles from the vocabulary (the forms'
// labels, model/vocabulary.h), without it names and JSON.
#pragma once

#include <string>

#include "engine/model/process_definition.h"
#include "engine/model/vocabulary.h"
#include "engine/runtime/event.h"

namespace pmiflow::runtime {

enum class Detail {
  kFull,   // every value whole (the history)
  kBrief,  // JSON values cut to 80 characters (a command's progress lines)
};

// One line saying what the event did, e.g.
//   "inició la actividad: Revisar la alineación ... [A04_RevisarAlineacionPAM]"
//   "decisión en ...: tomó el flujo Flow_A04_Alineada hacia ... porque `=alineada = true` es
//    verdadero; valores vistos: ¿La estrategia está alineada con el PAM? = Sí"
// `def` and `words` may be null (ids and names only).
std::string describe_event(const Event& event, const model::ProcessDefinition* def,
                           Detail detail = Detail::kFull, const model::Vocabulary* words = nullptr);

// Who did it: "usuario ana (Líder de Calidad Educativa)", "manejador d02_03.x", "motor".
std::string describe_actor(const Actor& actor, const model::Vocabulary* words = nullptr);

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
