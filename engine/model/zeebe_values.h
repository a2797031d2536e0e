// Values of Zeebe's extension attributes that the BPMN parser reads (private to engine/model).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pmiflow::model::detail {

// zeebe:assignmentDefinition candidateGroups: "a, b" or a FEEL list of string literals
// (`=["a", "b"]`). On success fills `groups` (trimmed, no empties, no duplicates, in order).
bool parse_candidate_groups(std::string_view value, std::vector<std::string>& groups);

// zeebe:taskDefinition retries: a non-negative decimal integer of at most 9 digits.
bool parse_retries(std::string_view value, int& out);

}  // namespace pmiflow::model::detail
