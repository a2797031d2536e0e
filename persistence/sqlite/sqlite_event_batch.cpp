#include "persistence/sqlite/sqlite_event_batch.h"

#include <cctype>
#include <charconv>
#include <utility>

#include "engine/common/json.h"
#include "engine/runtime/event_codec.h"

namespace pmiflow::persistence::detail {

using runtime::Event;
using runtime::EventType;

void append_event_to_row(std::string& row, const Event& e, const audit::EncodedEvent& encoded) {
  row += row.empty() ? "[" : ",";
  row += "{\"seq\":" + std::to_string(e.seq) +
         ",\"type\":" + std::to_string(static_cast<int>(e.type())) +
         ",\"type_version\":" + std::to_string(e.type_version) +
         ",\"time_ms\":" + std::to_string(e.time_ms) + ",\"actor\":";
  row += encoded.actor;
  row += ",\"definition_version\":" + std::to_string(e.definition_version) + ",\"payload\":";
  row += encoded.payload;
  row += ",\"hash\":\"";
  row += encoded.hash;
  row += "\"}";
}

namespace {

// The body of a stored event from its payload, whose text as stored is `text`; false (with
// `problem` set) when it does not decode.
bool decode(Event& e, EventType type, Json payload, std::string text, std::string& problem) {
  auto body = runtime::decode_payload(type, e.type_version, std::move(payload));
  if (!body.ok()) {
    problem = "event " + std::to_string(e.seq) + ": " + body.error().message;
    return false;
  }
  e.body = std::move(*body);
  e.stored_payload = std::move(text);
  return true;
}

// Reads an event_batches row laid out exactly as append_event_to_row writes it, parsing only
// each actor and payload with nlohmann (most of the bytes); false at the first difference, for
// the caller to read the row as generic JSON instead, or when an event does not decode (then
// problem() says why).
class BatchScanner {
 public:
  explicit BatchScanner(std::string_view text) : text_(text) {}

  bool read(std::int64_t instance_id, std::int64_t from_seq, std::int64_t to_seq,
            std::string& prev_hash, std::vector<runtime::Event>& out) {
    if (!literal("[")) return false;
    if (literal("]")) return at_end();
    do {
      runtime::Event e;
      e.instance_id = instance_id;
      std::int64_t type = 0;
      std::int64_t type_version = 0;
      std::int64_t definition_version = 0;
      std::string_view actor;
      std::string_view payload;
      std::string_view hash;
      if (!literal(R"({"seq":)") || !integer(e.seq) || !literal(R"(,"type":)") || !integer(type) ||
          !literal(R"(,"type_version":)") || !integer(type_version) || !literal(R"(,"time_ms":)") ||
          !integer(e.time_ms) || !literal(R"(,"actor":)") || !value(actor) ||
          !literal(R"(,"definition_version":)") || !integer(definition_version) ||
          !literal(R"(,"payload":)") || !value(payload) || !literal(R"(,"hash":")") || !hex(hash) ||
          !literal(R"("})")) {
        return false;
      }
      Json actor_json = Json::parse(actor, nullptr, /*allow_exceptions=*/false);
      Json payload_json = Json::parse(payload, nullptr, /*allow_exceptions=*/false);
      if (actor_json.is_discarded() || payload_json.is_discarded()) return false;
      e.type_version = static_cast<std::uint16_t>(type_version);
      e.definition_version = static_cast<std::int32_t>(definition_version);
      e.actor = runtime::Actor::from_json(actor_json);
      e.hash = hash;
      e.prev_hash = std::exchange(prev_hash, e.hash);
      if (e.seq < from_seq || e.seq > to_seq) continue;
      if (!decode(e, static_cast<EventType>(type), std::move(payload_json), std::string(payload),
                  problem_)) {
        return false;
      }
      out.push_back(std::move(e));
    } while (literal(","));
    return literal("]") && at_end();
  }

  const std::string& problem() const { return problem_; }

 private:
  bool at_end() const { return pos_ == text_.size(); }
  bool literal(std::string_view s) {
    if (text_.substr(pos_, s.size()) != s) return false;
    pos_ += s.size();
    return true;
  }
  bool integer(std::int64_t& out) {
    const char* first = text_.data() + pos_;
    const char* last = text_.data() + text_.size();
    auto [end, ec] = std::from_chars(first, last, out);
    if (ec != std::errc() || end == first) return false;
    pos_ += static_cast<std::size_t>(end - first);
    return true;
  }
  bool hex(std::string_view& out) {
    const std::size_t begin = pos_;
    while (pos_ < text_.size() && std::isxdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    out = text_.substr(begin, pos_ - begin);
    return true;
  }
  // The span of one JSON object or array (nlohmann checks its content); strings are skipped
  // with their escapes so that brackets inside them do not count.
  bool value(std::string_view& out) {
    const std::size_t begin = pos_;
    if (pos_ >= text_.size() || (text_[pos_] != '{' && text_[pos_] != '[')) return false;
    int depth = 0;
    for (; pos_ < text_.size(); ++pos_) {
      const char c = text_[pos_];
      if (c == '"') {
        for (++pos_; pos_ < text_.size() && text_[pos_] != '"'; ++pos_) {
          if (text_[pos_] == '\\') ++pos_;
        }
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if ((c == '}' || c == ']') && --depth == 0) {
        ++pos_;
        out = text_.substr(begin, pos_ - begin);
        return true;
      }
    }
    return false;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::string problem_;
};

}  // namespace

std::optional<std::string> read_batch(std::int64_t instance_id, std::string_view text,
                                      std::int64_t from_seq, std::int64_t to_seq,
                                      std::string prev_hash, std::vector<runtime::Event>& out) {
  const std::size_t before = out.size();
  {
    std::string chain = prev_hash;
    BatchScanner scanner(text);
    if (scanner.read(instance_id, from_seq, to_seq, chain, out)) return std::nullopt;
    if (!scanner.problem().empty()) return scanner.problem();
  }
  out.resize(before);  // not as the store writes it (e.g. changed by hand): read it generically
  Json batch = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (batch.is_discarded()) return "not JSON";
  if (!batch.is_array()) return "not a JSON array of events";
  for (Json& j : batch) {
    auto seq = j.is_object() ? j.find("seq") : j.end();
    auto type = j.is_object() ? j.find("type") : j.end();
    auto hash = j.is_object() ? j.find("hash") : j.end();
    if (!j.is_object() || seq == j.end() || !seq->is_number_integer() || type == j.end() ||
        !type->is_number_integer() || hash == j.end() || !hash->is_string()) {
      return "not JSON events (an element lacks an integer seq or type, or a hash)";
    }
    auto integer = [&j](const char* key) -> std::int64_t {
      auto it = j.find(key);
      return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
    };
    Event e;
    e.instance_id = instance_id;
    e.seq = seq->get<std::int64_t>();
    e.type_version = static_cast<std::uint16_t>(integer("type_version"));
    e.time_ms = integer("time_ms");
    if (auto actor = j.find("actor"); actor != j.end()) e.actor = runtime::Actor::from_json(*actor);
    e.definition_version = static_cast<std::int32_t>(integer("definition_version"));
    e.hash = hash->get<std::string>();
    e.prev_hash = std::exchange(prev_hash, e.hash);
    if (e.seq < from_seq || e.seq > to_seq) continue;
    auto payload = j.find("payload");
    Json payload_json = payload != j.end() ? std::move(*payload) : Json();
    std::string stored = json_text(payload_json);
    std::string problem;
    if (!decode(e, static_cast<EventType>(type->get<int>()), std::move(payload_json),
                std::move(stored), problem)) {
      return problem;
    }
    out.push_back(std::move(e));
  }
  return std::nullopt;
}

}  // namespace pmiflow::persistence::detail
