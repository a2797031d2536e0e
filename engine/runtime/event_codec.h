// The one codec of event payloads: each type's struct (event_types.h) to and from JSON.
//
// The payload text is canonical: compact JSON, object keys in byte order, integers in decimal,
// UTF-8 copied as it is (invalid UTF-8 replaced by U+FFFD), byte for byte what nlohmann's
// dump() gives for the same JSON value. It is what the hash chain covers (audit.h) and what
// the stores keep. A stored payload is read with the field list of its stored type version,
// so an event reads and re-encodes to the bytes it was written with.
#pragma once

#include <cstdint>
#include <string>

#include "engine/common/json.h"
#include "engine/common/result.h"
#include "engine/runtime/event.h"

namespace pmiflow::runtime {

// The version new events of `type` are written at.
std::uint16_t current_version(EventType type);

// Appends the canonical payload text of `event` (its body, at its type_version).
void append_payload_text(std::string& out, const Event& event);
std::string payload_text(const Event& event);
// The same payload as a JSON value (for --json output and archives).
Json payload_json(const Event& event);

// Reads the payload of a stored event of `type` written at `version`. kInvalidArgument when
// the type or version is unknown, or the payload lacks a key its version always writes or
// holds a value of the wrong kind (naming the type, the version and the key).
Result<EventBody> decode_payload(EventType type, std::uint16_t version, Json payload);

// An event with `body` at its type's current version (envelope fields left as given).
template <typename T>
Event make_event(T body) {
  Event e;
  e.type_version = T::kVersion;
  e.body = std::move(body);
  return e;
}

}  // namespace pmiflow::runtime
