// Output helpers of the CLI: aligned tables, JSON of events and tags. What an event did, in
// words, is runtime/event_describer.h's; times are engine/common/time_text.h's.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "engine/common/json.h"
#include "engine/model/process_definition.h"
#include "engine/runtime/event.h"
#include "engine/runtime/instance_state.h"

namespace pmiflow::cli {

// Columns padded to their widest cell (UTF-8 aware).
void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);

// One event as JSON: its envelope with the type's name, the time as text, and the payload.
Json event_to_json(const runtime::Event& event);

// One line per event (`#seq  description`), its elements named after `def` when given.
void print_events(std::ostream& out, const std::vector<runtime::Event>& events,
                  const model::ProcessDefinition* def);

Json tags_to_json(const runtime::Tags& tags);

// A tag's value, "" when the instance has no such tag.
std::string tag(const runtime::Tags& tags, const std::string& name);

// D02.03's tags school and period (handlers/d02_03/business_key.h), also as top-level "school"
// and "period" keys of `j`: where --json output had them before the generic business key.
void add_d02_03_keys(Json& j, const runtime::Tags& tags);

// A CSV for people, as Excel and LibreOffice open it in Colombia: UTF-8 with a byte order mark
// (the accents), ';' between fields (the list separator where the decimal mark is a comma, as
// numbers are written here), CRLF, RFC 4180 quoting of a field with ';', '"' or a line break; a
// text that starts with '=', '+', '-', '@' or a tab and is not a number gets a leading
// apostrophe, so that no spreadsheet runs it as a formula.
void write_csv(std::ostream& out, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows);

// An instance's status as the SE reads it: "activa", "completada", "terminada".
std::string status_word(const std::string& status);

std::string join(const std::vector<std::string>& items, const std::string& sep);

}  // namespace pmiflow::cli
