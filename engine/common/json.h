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

// j.dump(-1, ' ', false, handler), byte for byte (compact, keys in order, UTF-8 copied as it
// is), written faster: strings are copied by runs rather than decoded byte by byte. The text
// of hashed events (audit.h), of the store's JSON columns and of form values.
std::string json_text(const Json& j,
                      Json::error_handler_t handler = Json::error_handler_t::replace);
void append_json_text(std::string& out, const Json& j,
                      Json::error_handler_t handler = Json::error_handler_t::replace);
// append_json_text(out, Json(s), handler) without making the Json.
void append_json_string(std::string& out, const std::string& s,
                        Json::error_handler_t handler = Json::error_handler_t::replace);

}  // namespace pmiflow
