// Process variables are JSON values. nlohmann::json is the one third-party type that crosses
// layer boundaries: it is a plain value type, not a handle into another library's state.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace pmiflow {

using Json = nlohmann::json;
// Variables of an instance, ordered by name so that every fold and every hash is deterministic.
using Variables = std::map<std::string, Json>;

}  // namespace pmiflow
