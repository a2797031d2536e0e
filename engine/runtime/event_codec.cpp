#include "engine/runtime/event_codec.h"

#include <charconv>
#include <type_traits>
#include <utility>
#include <variant>

namespace pmiflow::runtime {
namespace {

template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};

template <typename T>
bool is_empty(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return !v;
  } else if constexpr (std::is_integral_v<T>) {
    return v == 0;
  } else if constexpr (std::is_same_v<T, std::optional<Json>>) {
    return !v.has_value();
  } else if constexpr (std::is_same_v<T, Json>) {
    return v.is_null();
  } else {
    return v.empty();  // strings, lists, maps
  }
}

void append_int(std::string& out, std::int64_t v) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
  out.append(digits, end);
}

// ---------------------------------------------------------------------------------------------
// Writing: the canonical text, straight from the struct (no JSON value is built).

class TextWriter {
 public:
  explicit TextWriter(std::string& out) : out_(out) {}

  template <typename T>
  void operator()(const char* key, const T& value, Presence presence) {
    if (presence == kNonEmpty && is_empty(value)) return;
    out_ += first_ ? "\"" : ",\"";
    first_ = false;
    out_ += key;
    out_ += "\":";
    write(value);
  }

 private:
  template <typename T>
  void write(const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      out_ += v ? "true" : "false";
    } else if constexpr (std::is_integral_v<T>) {
      append_int(out_, v);
    } else if constexpr (std::is_same_v<T, std::string>) {
      append_json_string(out_, v);
    } else if constexpr (std::is_same_v<T, Json>) {
      append_json_text(out_, v);
    } else if constexpr (std::is_same_v<T, std::optional<Json>>) {
      append_json_text(out_, *v);
    } else if constexpr (std::is_same_v<T, Variables> || std::is_same_v<T, Tags>) {
      out_ += '{';
      bool first = true;
      for (const auto& [name, value] : v) {
        if (!first) out_ += ',';
        first = false;
        append_json_string(out_, name);
        out_ += ':';
        if constexpr (std::is_same_v<T, Tags>) {
          append_json_string(out_, value);
        } else {
          append_json_text(out_, value);
        }
      }
      out_ += '}';
    } else if constexpr (IsVector<T>::value) {
      out_ += '[';
      bool first = true;
      for (const auto& item : v) {
        if (!first) out_ += ',';
        first = false;
        if constexpr (std::is_same_v<typename T::value_type, std::string>) {
          append_json_string(out_, item);
        } else {  // a nested struct: an object
          out_ += '{';
          TextWriter nested(out_);
          T::value_type::fields(item, nested);
          out_ += '}';
        }
      }
      out_ += ']';
    } else {
      static_assert(sizeof(T) == 0, "no text for this payload field type");
    }
  }

  std::string& out_;
  bool first_ = true;
};

// ---------------------------------------------------------------------------------------------
// Reading: from a stored payload's JSON, with the field list of its version. The values are
// moved out of the JSON, which is read once and then dropped.

class JsonReader {
 public:
  explicit JsonReader(Json& object) : object_(object) {}

  template <typename T>
  void operator()(const char* key, T& value, Presence presence) {
    if (!problem_.empty()) return;
    auto it = object_.find(key);
    if (it == object_.end()) {
      if (presence == kAlways) problem_ = std::string("lacks key '") + key + "'";
      return;
    }
    if (!read(*it, value)) problem_ = std::string("key '") + key + "' has a " + it->type_name();
  }

  const std::string& problem() const { return problem_; }

 private:
  template <typename T>
  bool read(Json& j, T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      if (!j.is_boolean()) return false;
      v = j.get<bool>();
    } else if constexpr (std::is_integral_v<T>) {
      if (!j.is_number_integer()) return false;
      v = j.get<T>();
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!j.is_string()) return false;
      v = std::move(j.get_ref<std::string&>());
    } else if constexpr (std::is_same_v<T, Json>) {
      v = std::move(j);
    } else if constexpr (std::is_same_v<T, std::optional<Json>>) {
      v = std::move(j);
    } else if constexpr (std::is_same_v<T, Variables>) {
      if (!j.is_object()) return false;
      auto& object = j.get_ref<Json::object_t&>();
      for (auto& [name, value] : object) v.emplace(name, std::move(value));
    } else if constexpr (std::is_same_v<T, Tags>) {
      if (!j.is_object()) return false;
      for (auto& [name, value] : j.get_ref<Json::object_t&>()) {
        if (!value.is_string()) return false;
        v.emplace(name, std::move(value.template get_ref<std::string&>()));
      }
    } else if constexpr (IsVector<T>::value) {
      if (!j.is_array()) return false;
      v.reserve(j.size());
      for (Json& item : j) {
        if constexpr (std::is_same_v<typename T::value_type, std::string>) {
          if (!item.is_string()) return false;
          v.push_back(std::move(item.get_ref<std::string&>()));
        } else {
          if (!item.is_object()) return false;
          typename T::value_type nested;
          JsonReader reader(item);
          T::value_type::fields(nested, reader);
          if (!reader.problem().empty()) return false;
          v.push_back(std::move(nested));
        }
      }
    } else {
      static_assert(sizeof(T) == 0, "no reader for this payload field type");
    }
    return true;
  }

  Json& object_;
  std::string problem_;
};

template <typename T>
struct HasPrevious : std::false_type {};
template <typename T>
requires requires {
  typename T::Previous;
}
struct HasPrevious<T> : std::true_type {};

// Reads a payload written at `version` into T: with T's fields at T's version, else as the
// struct of an earlier version (T::Previous, recursively) upgraded to T. Empty on success,
// else what is wrong.
template <typename T>
std::string read_version(std::uint16_t version, Json& payload, T& out) {
  if (version == T::kVersion) {
    JsonReader reader(payload);
    T::fields(out, reader);
    return reader.problem().empty() ? std::string() : "payload " + reader.problem();
  }
  if constexpr (HasPrevious<T>::value) {
    if (version < T::kVersion) {
      typename T::Previous previous;
      std::string problem = read_version(version, payload, previous);
      if (problem.empty()) out = previous.upgrade();
      return problem;
    }
  }
  return "is not a version this build reads";
}

// The body type of each EventType, by the variant's alternatives.
template <std::size_t I = 0>
Result<EventBody> decode_as(EventType type, std::uint16_t version, Json& payload) {
  if constexpr (I == std::variant_size_v<EventBody>) {
    return make_error(ErrorCode::kInvalidArgument,
                      "unknown event type " + std::to_string(static_cast<int>(type)));
  } else {
    using T = std::variant_alternative_t<I, EventBody>;
    if (T::kType != type) return decode_as<I + 1>(type, version, payload);
    const std::string where =
        std::string(event_type_name(type)) + " v" + std::to_string(version) + " ";
    if (!payload.is_object()) {
      return make_error(ErrorCode::kInvalidArgument, where + "payload is not a JSON object");
    }
    T body;
    std::string problem = read_version(version, payload, body);
    if (problem == "is not a version this build reads") {
      problem += " (it reads 1 to " + std::to_string(T::kVersion) + ")";
    }
    if (!problem.empty()) return make_error(ErrorCode::kInvalidArgument, where + problem);
    return EventBody(std::move(body));
  }
}

template <std::size_t I = 0>
std::uint16_t version_of(EventType type) {
  if constexpr (I == std::variant_size_v<EventBody>) {
    return 1;
  } else {
    using T = std::variant_alternative_t<I, EventBody>;
    return T::kType == type ? T::kVersion : version_of<I + 1>(type);
  }
}

}  // namespace

std::uint16_t current_version(EventType type) {
  return version_of(type);
}

void append_payload_text(std::string& out, const Event& event) {
  if (!event.stored_payload.empty()) {
    out += event.stored_payload;
    return;
  }
  out += '{';
  std::visit(
      [&](const auto& body) {
        TextWriter writer(out);
        std::decay_t<decltype(body)>::fields(body, writer);
      },
      event.body);
  out += '}';
}

std::string payload_text(const Event& event) {
  std::string out;
  append_payload_text(out, event);
  return out;
}

Json payload_json(const Event& event) {
  return Json::parse(payload_text(event));
}

Result<EventBody> decode_payload(EventType type, std::uint16_t version, Json payload) {
  return decode_as(type, version, payload);
}

}  // namespace pmiflow::runtime
