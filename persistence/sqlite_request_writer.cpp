#include "persistence/sqlite_request_writer.h"

#include "engine/engine/audit.h"
#include "engine/engine/store.h"

#include <cctype>
#include <charconv>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace pmiflow::persistence::detail {
namespace {

using runtime::Event;
using runtime::EventType;

// A payload without a key its event type documents (runtime/event.h): an engine bug.
[[noreturn]] void missing(const Event& e, const char* key) {
  throw std::invalid_argument(std::string(runtime::event_type_name(e.type)) + " (seq " +
                              std::to_string(e.seq) + ") lacks payload key '" + key + "'");
}

const Json* find(const Event& e, const char* key) {
  if (!e.payload.is_object()) return nullptr;
  auto it = e.payload.find(key);
  return it == e.payload.end() ? nullptr : &*it;
}

std::string req_str(const Event& e, const char* key) {
  const Json* v = find(e, key);
  if (v == nullptr || !v->is_string()) missing(e, key);
  return v->get<std::string>();
}

std::string opt_str(const Event& e, const char* key) {
  const Json* v = find(e, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

std::int64_t req_int(const Event& e, const char* key) {
  const Json* v = find(e, key);
  if (v == nullptr || !v->is_number_integer()) missing(e, key);
  return v->get<std::int64_t>();
}

// A JSON column's text; malformed UTF-8 throws, as nlohmann's dump() does.
std::string column_text(const Json& j) {
  return json_text(j, Json::error_handler_t::strict);
}

bool transaction_level(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return false;
    default:
      return true;
  }
}

}  // namespace

Error sqlite_error(const Connection& db, const std::string& path, int rc, std::string_view what) {
  const int primary = rc & 0xff;
  const std::string where = "sqlite database '" + path + "'";
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return make_error(ErrorCode::kConflict, "database is busy (" + where + ": " +
                                                std::string(what) + ": " + db.errmsg() + ")");
  }
  std::string message = where + ": " + std::string(what) + ": " + db.errmsg();
  if (primary == SQLITE_NOTADB) return make_error(ErrorCode::kNotADatabase, std::move(message));
  if (!transaction_level(rc)) return make_error(ErrorCode::kInternal, std::move(message));
  return make_error(ErrorCode::kIo, std::move(message));
}

Error WriteContext::fail(int rc, std::string_view what) {
  if (transaction_level(rc)) fatal = true;
  return sqlite_error(db, path, rc, what);
}

runtime::Actor actor_from_json(const Json& j) {
  runtime::Actor a;
  if (!j.is_object()) return a;
  auto get = [&j](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  a.kind = get("kind");
  a.id = get("id");
  a.role = get("role");
  return a;
}

namespace {

// Reads an event_batches row laid out exactly as RequestWriter writes it, parsing only each
// actor and payload with nlohmann (most of the bytes); false at the first difference, for the
// caller to read the row as generic JSON instead.
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
      e.payload = Json::parse(payload, nullptr, /*allow_exceptions=*/false);
      if (actor_json.is_discarded() || e.payload.is_discarded()) return false;
      e.type = static_cast<EventType>(type);
      e.type_version = static_cast<std::uint16_t>(type_version);
      e.definition_version = static_cast<std::int32_t>(definition_version);
      e.actor = actor_from_json(actor_json);
      e.hash = hash;
      e.prev_hash = std::exchange(prev_hash, e.hash);
      if (e.seq >= from_seq && e.seq <= to_seq) out.push_back(std::move(e));
    } while (literal(","));
    return literal("]") && at_end();
  }

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
};

}  // namespace

std::optional<std::string> read_batch(std::int64_t instance_id, std::string_view text,
                                      std::int64_t from_seq, std::int64_t to_seq,
                                      std::string prev_hash, std::vector<runtime::Event>& out) {
  const std::size_t before = out.size();
  {
    std::string chain = prev_hash;
    if (BatchScanner(text).read(instance_id, from_seq, to_seq, chain, out)) return std::nullopt;
  }
  out.resize(before);  // not as the store writes it (e.g. changed by hand): read it generically
  Json batch = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (batch.is_discarded()) return "not JSON";
  if (!batch.is_array()) return "not a JSON array of events";
  for (Json& j : batch) {
    auto seq = j.find("seq");
    auto type = j.find("type");
    auto hash = j.find("hash");
    if (!j.is_object() || seq == j.end() || !seq->is_number_integer() || type == j.end() ||
        !type->is_number_integer() || hash == j.end() || !hash->is_string()) {
      return "not JSON events (an element lacks an integer seq or type, or a hash)";
    }
    runtime::Event e;
    e.instance_id = instance_id;
    e.seq = seq->get<std::int64_t>();
    e.type = static_cast<EventType>(type->get<int>());
    e.type_version = j.value<std::uint16_t>("type_version", 0);
    e.time_ms = j.value<std::int64_t>("time_ms", 0);
    if (auto actor = j.find("actor"); actor != j.end()) e.actor = actor_from_json(*actor);
    e.definition_version = j.value<std::int32_t>("definition_version", 0);
    if (auto payload = j.find("payload"); payload != j.end()) e.payload = std::move(*payload);
    e.hash = hash->get<std::string>();
    e.prev_hash = std::exchange(prev_hash, e.hash);
    if (e.seq >= from_seq && e.seq <= to_seq) out.push_back(std::move(e));
  }
  return std::nullopt;
}

std::map<std::int64_t, std::string> parse_active_elements(std::string_view text) {
  std::map<std::int64_t, std::string> out;
  const Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const Json& pair : j) {
    if (pair.is_array() && pair.size() == 2 && pair[0].is_number_integer() && pair[1].is_string()) {
      out[pair[0].get<std::int64_t>()] = pair[1].get<std::string>();
    }
  }
  return out;
}

Status WriteContext::run(const Op& op) {
  sqlite3_stmt* stmt = nullptr;
  int rc = db.prepare(op.sql, stmt);
  if (rc != SQLITE_OK) return fail(rc, op.sql);
  Query q(stmt);
  int index = 1;
  for (const Op::Arg& arg : op.args) {
    if (const auto* text = std::get_if<std::string>(&arg)) {
      q.bind_borrowed(index++, *text);  // `op` outlives `q`
    } else {
      q.bind(index++, std::get<std::int64_t>(arg));
    }
  }
  rc = q.run();
  if (rc != SQLITE_OK) return fail(rc, op.sql);
  return {};
}

Status execute(WriteContext& ctx, const RequestPlan& plan) {
  for (const Op& op : plan.ops) PMIFLOW_TRY(ctx.run(op));
  return {};
}

RequestWriter::RequestWriter(std::int64_t instance_id, const runtime::InstanceState* new_state,
                             std::string head, std::map<std::int64_t, std::string> active)
    : instance_id_(instance_id),
      new_state_(new_state),
      head_(std::move(head)),
      active_(std::move(active)) {
  plan_.head_before = head_;
}

void RequestWriter::apply(const Event& e, const audit::EncodedEvent* encoded) {
  audit::EncodedEvent own;
  if (encoded == nullptr || encoded->prev_hash != head_) {
    own = audit::encode(instance_id_, head_, e);
    encoded = &own;
  }
  // The request's events are one event_batches row, written by finish():
  // [{"seq":..,"type":..,"type_version":..,"time_ms":..,"actor":{..},"definition_version":..,
  //   "payload":{..},"hash":".."}, ...] (docs/storage-format.md).
  if (batch_.empty()) {
    batch_prev_hash_ = head_;
    first_seq_ = e.seq;
    batch_ = "[";
  } else {
    batch_ += ',';
  }
  batch_ += "{\"seq\":" + std::to_string(e.seq) +
            ",\"type\":" + std::to_string(static_cast<int>(e.type)) +
            ",\"type_version\":" + std::to_string(e.type_version) +
            ",\"time_ms\":" + std::to_string(e.time_ms) + ",\"actor\":";
  batch_ += encoded->actor;
  batch_ += ",\"definition_version\":" + std::to_string(e.definition_version) + ",\"payload\":";
  batch_ += encoded->payload;
  batch_ += ",\"hash\":\"";
  batch_ += encoded->hash;
  batch_ += "\"}";
  head_ = encoded->hash;
  last_seq_ = e.seq;

  switch (e.type) {
    case EventType::kInstanceCreated: {
      const Json* vars = find(e, "variables");
      if (vars != nullptr && vars->is_object()) {
        for (const auto& [name, value] : vars->items()) variables_[name] = column_text(value);
      }
      return;
    }
    case EventType::kElementActivated: {
      const std::string element = req_str(e, "element");
      if (new_state_ == nullptr) active_[req_int(e, "key")] = element;
      if (const Json* joined = find(e, "joined"); joined != nullptr && joined->is_array()) {
        for (const Json& flow : *joined) {
          if (flow.is_string()) join_delta(element, flow.get<std::string>(), -1);
        }
      }
      return;
    }
    case EventType::kElementCompleted:
    case EventType::kElementTerminated: {
      if (new_state_ == nullptr) active_.erase(req_int(e, "key"));
      return;
    }
    case EventType::kFlowTaken: {
      const Json* join = find(e, "join");
      if (join == nullptr || !join->is_boolean() || !join->get<bool>()) return;
      join_delta(req_str(e, "to"), req_str(e, "flow"), +1);
      return;
    }
    case EventType::kUserTaskCreated: {
      const std::int64_t key = req_int(e, "key");
      const std::string id = runtime::task_id_for(instance_id_, key);
      Json groups = Json::array();
      if (const Json* g = find(e, "candidate_groups"); g != nullptr && g->is_array()) groups = *g;
      add("INSERT INTO tasks(id, instance_id, element_key, element_id, name, candidate_groups, "
          "form, created_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
          id, instance_id_, key, req_str(e, "element"), opt_str(e, "name"), column_text(groups),
          opt_str(e, "form"), e.time_ms);
      for (const Json& group : groups) {
        if (!group.is_string()) continue;
        add("INSERT OR IGNORE INTO task_groups(grp, task_id) VALUES(?1, ?2)",
            group.get<std::string>(), id);
      }
      return;
    }
    case EventType::kUserTaskCompleted:
    case EventType::kUserTaskCanceled: {
      const std::string id = runtime::task_id_for(instance_id_, req_int(e, "key"));
      // By primary key, one row per candidate group of the task (read from its row, which
      // goes next): no index by task_id to maintain on every insert and delete.
      add("DELETE FROM task_groups WHERE task_id = ?1 AND grp IN "
          "(SELECT value FROM json_each((SELECT candidate_groups FROM tasks WHERE id = ?1)))",
          id);
      add("DELETE FROM tasks WHERE id = ?1", id);
      return;
    }
    case EventType::kVariablesSet:
      on_variables(e);
      return;
    case EventType::kJobCreated:
      new_jobs_[req_int(e, "key")] = NewJob{req_str(e, "element"), req_str(e, "type"),
                                            req_int(e, "retries"), "activatable", ""};
      return;
    case EventType::kJobFailed: {
      const std::int64_t key = req_int(e, "key");
      const std::int64_t retries_left = req_int(e, "retries_left");
      if (auto it = new_jobs_.find(key); it != new_jobs_.end()) {
        it->second.retries_left = retries_left;
        it->second.state = retries_left > 0 ? "activatable" : "failed";
        it->second.last_error = opt_str(e, "message");
        return;
      }
      add("UPDATE jobs SET retries_left = ?2, last_error = ?3, state = ?4 WHERE id = ?1",
          runtime::task_id_for(instance_id_, key), retries_left, opt_str(e, "message"),
          retries_left > 0 ? "activatable" : "failed");
      return;
    }
    case EventType::kJobCompleted:
    case EventType::kJobCanceled: {
      const std::int64_t key = req_int(e, "key");
      if (new_jobs_.erase(key) > 0) return;  // created and ended in this request
      add("DELETE FROM jobs WHERE id = ?1", runtime::task_id_for(instance_id_, key));
      return;
    }
    case EventType::kIncidentRaised: {
      // The incident has a key of its own ("key"); "element_key" names the element instance.
      const Json* element_key = find(e, "element_key");
      add("INSERT INTO incidents(id, instance_id, element_key, element_id, kind, message) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
          runtime::task_id_for(instance_id_, req_int(e, "key")), instance_id_,
          element_key != nullptr && element_key->is_number_integer()
              ? element_key->get<std::int64_t>()
              : std::int64_t{0},
          opt_str(e, "element"), opt_str(e, "kind"), opt_str(e, "message"));
      return;
    }
    case EventType::kIncidentResolved:
      add("DELETE FROM incidents WHERE id = ?1",
          runtime::task_id_for(instance_id_, req_int(e, "key")));
      return;
    case EventType::kDecisionTaken:
      return;
    case EventType::kRecordWritten: {
      const Json* data = find(e, "data");
      add("INSERT INTO records(instance_id, seq, kind, element_id, school, period, data, time_ms) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
          instance_id_, e.seq, req_str(e, "record"), req_str(e, "element"), opt_str(e, "school"),
          opt_str(e, "period"), data != nullptr ? column_text(*data) : std::string("{}"),
          e.time_ms);
      return;
    }
    case EventType::kMessageQueued: {
      const Json* data = find(e, "data");
      const std::string subprocess = req_str(e, "subprocess");
      add("INSERT INTO outbox(id, instance_id, seq, subprocess, element_id, school, period, data, "
          "created_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
          pmiflow::outbox_id_for(instance_id_, req_int(e, "key"), subprocess), instance_id_, e.seq,
          subprocess, req_str(e, "element"), opt_str(e, "school"), opt_str(e, "period"),
          data != nullptr ? column_text(*data) : std::string("{}"), e.time_ms);
      return;
    }
    case EventType::kInstanceCompleted:
      status_ = "completed";
      ended_ms_ = e.time_ms;
      joins_changed_ = true;
      if (new_state_ != nullptr) return;
      // Tokens waiting at joins end with the instance.
      add("DELETE FROM join_arrivals WHERE instance_id = ?1", instance_id_);
      return;
    case EventType::kInstanceTerminated:
      status_ = "terminated";
      ended_ms_ = e.time_ms;
      joins_changed_ = true;
      if (new_state_ != nullptr) return;
      // Tokens waiting at joins end with the instance.
      add("DELETE FROM join_arrivals WHERE instance_id = ?1", instance_id_);
      return;
  }
  // An event type this build does not project: stored in the log, no projection change.
}

void RequestWriter::on_variables(const Event& e) {
  const Json* changes = find(e, "changes");
  if (changes == nullptr || !changes->is_array()) missing(e, "changes");
  for (const Json& change : *changes) {
    auto name = change.find("name");
    auto value = change.find("new");
    if (name == change.end() || !name->is_string()) missing(e, "changes[].name");
    if (value == change.end()) missing(e, "changes[].new");
    variables_[name->get<std::string>()] = column_text(*value);
  }
}

void RequestWriter::join_delta(const std::string& element, const std::string& flow, int delta) {
  joins_changed_ = true;
  if (new_state_ != nullptr) return;  // finish() mirrors the fold instead
  if (delta > 0) {
    add("INSERT INTO join_arrivals(instance_id, element_id, flow_id, count) "
        "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(instance_id, element_id, flow_id) "
        "DO UPDATE SET count = count + excluded.count",
        instance_id_, element, flow, delta);
    return;
  }
  add("UPDATE join_arrivals SET count = count + ?4 "
      "WHERE instance_id = ?1 AND element_id = ?2 AND flow_id = ?3",
      instance_id_, element, flow, delta);
  add("DELETE FROM join_arrivals WHERE instance_id = ?1 AND element_id = ?2 AND flow_id = ?3 "
      "AND count <= 0",
      instance_id_, element, flow);
}

RequestPlan RequestWriter::plan() && {
  finish();
  plan_.head_after = head_;
  return std::move(plan_);
}

void RequestWriter::finish() {
  for (const auto& [name, value] : variables_) {
    add("INSERT INTO variables(instance_id, name, value) VALUES(?1, ?2, ?3) "
        "ON CONFLICT(instance_id, name) DO UPDATE SET value = excluded.value",
        instance_id_, name, value);
  }
  for (const auto& [key, job] : new_jobs_) {
    add("INSERT INTO jobs(id, instance_id, element_key, element_id, type, retries_left, state, "
        "last_error) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        runtime::task_id_for(instance_id_, key), instance_id_, key, job.element, job.type,
        job.retries_left, job.state, job.last_error);
  }
  if (joins_changed_ && new_state_ != nullptr) {
    add("DELETE FROM join_arrivals WHERE instance_id = ?1", instance_id_);
    for (const auto& [element, flows] : new_state_->join_arrivals) {
      for (const auto& [flow, count] : flows) {
        if (count == 0) continue;
        add("INSERT INTO join_arrivals(instance_id, element_id, flow_id, count) "
            "VALUES(?1, ?2, ?3, ?4)",
            instance_id_, element, flow, count);
      }
    }
  }
  if (last_seq_ == 0) return;  // no events
  batch_ += ']';
  add("INSERT INTO event_batches(instance_id, first_seq, last_seq, prev_hash, events) "
      "VALUES(?1, ?2, ?3, ?4, ?5)",
      instance_id_, first_seq_, last_seq_, batch_prev_hash_, std::move(batch_));
  // With the fold, the active element instances are its own; without, those before the
  // request changed by its events.
  Json active = Json::array();
  if (new_state_ != nullptr) {
    for (const auto& [key, el] : new_state_->elements) {
      active.push_back(Json::array({key, el.element_id}));
    }
  } else {
    for (const auto& [key, element] : active_) active.push_back(Json::array({key, element}));
  }
  if (status_) {
    add("UPDATE instances SET last_seq = ?2, status = ?3, ended_ms = ?4, head_hash = ?5, "
        "active_elements = ?6 WHERE id = ?1",
        instance_id_, last_seq_, *status_, ended_ms_, head_, column_text(active));
  } else {
    add("UPDATE instances SET last_seq = ?2, head_hash = ?3, active_elements = ?4 WHERE id = ?1",
        instance_id_, last_seq_, head_, column_text(active));
  }
}

}  // namespace pmiflow::persistence::detail
