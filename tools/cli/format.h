// Output helpers of the CLI: aligned tables, times, readable event lines, JSON of events.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "engine/common/json.h"
#include "engine/model/process_definition.h"
#include "engine/runtime/event.h"

namespace pmiflow::cli {

// Columns padded to their widest cell (UTF-8 aware).
void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);

// "2026-11-25T03:17:01.123Z"
std::string format_time(std::int64_t ms);

// The element's name from the definition, else its id.
std::string element_label(const model::ProcessDefinition* def, const std::string& element_id);

// One line saying what an event did, with the Spanish activity names, e.g.
//   "activity entered: Apoyar a los EE ... [A05_ApoyarEjecucionPMI]".
std::string describe_event(const runtime::Event& event, const model::ProcessDefinition* def);

// Who did it: "user ana (lider_calidad)", "handler d02_03.x", "engine".
std::string describe_actor(const runtime::Actor& actor);

Json event_to_json(const runtime::Event& event);

std::string join(const std::vector<std::string>& items, const std::string& sep);

}  // namespace pmiflow::cli
