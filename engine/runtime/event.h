// Events: the truth of an instance. State = fold(events). Past tense, each with a stable
// numeric type id and a version so old logs replay unchanged (docs/storage-format.md). The
// payload of each type is a struct of event_types.h; event_codec.h reads and writes it.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "engine/common/json.h"
#include "engine/runtime/event_types.h"

namespace pmiflow::runtime {

const char* event_type_name(EventType type);  // "ElementActivated", ...
bool event_type_from_name(const std::string& name, EventType& out);

// Who caused an event: a person acting in a role, the engine, or a handler.
struct Actor {
  std::string kind;  // "user", "engine", "handler", "message"
  std::string id;    // user name, handler type or message name; empty for the engine
  std::string role;  // candidate group the user acted as; empty otherwise

  static Actor engine() { return Actor{"engine", "", ""}; }
  static Actor handler(std::string type) { return Actor{"handler", std::move(type), ""}; }
  static Actor message(std::string name) { return Actor{"message", std::move(name), ""}; }
  static Actor user(std::string id, std::string role) {
    return Actor{"user", std::move(id), std::move(role)};
  }
  Json to_json() const;
  static Actor from_json(const Json& j);
  bool operator==(const Actor&) const = default;
};

// Ids of user tasks, jobs and incidents are derived, never stored: task_id_for(instance, key).
// One event of one instance.
struct Event {
  std::int64_t instance_id = 0;
  std::int64_t seq = 0;  // 1-based, dense per instance
  std::uint16_t type_version = 1;
  std::int64_t time_ms = 0;  // Unix epoch milliseconds, from the command's `now`
  Actor actor;
  std::int32_t definition_version = 0;
  EventBody body;
  // The payload's text as a store or an archive holds it, when the event was read from one
  // (empty for an event not stored yet): the bytes its hash covers and what an export writes,
  // also for a type version older than the body's (event_codec.h).
  std::string stored_payload;
  // The hash chain (engine/engine/audit.h): set by the store when it appends the event; empty
  // on events that were not stored yet.
  std::string prev_hash;
  std::string hash;

  EventType type() const;
  // The payload as its struct. REQUIRES: the body holds a T (type() == T::kType).
  template <typename T>
  const T& as() const {
    return std::get<T>(body);
  }
  template <typename T>
  const T* get_if() const {
    return std::get_if<T>(&body);
  }
};

}  // namespace pmiflow::runtime
