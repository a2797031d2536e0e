#include "persistence/sqlite/sqlite_request_writer.h"

#include <string>
#include <utility>

#include "engine/engine/read_model.h"
#include "persistence/sqlite/sqlite_event_batch.h"

namespace pmiflow::persistence::detail {
namespace {

// A JSON column's text; malformed UTF-8 throws, as nlohmann's dump() does.
std::string column_text(const Json& j) {
  return json_text(j, Json::error_handler_t::strict);
}

std::string column_text(const Variables& vars) {
  std::string out = "{";
  for (const auto& [name, value] : vars) {
    if (out.size() > 1) out += ',';
    append_json_string(out, name, Json::error_handler_t::strict);
    out += ':';
    append_json_text(out, value, Json::error_handler_t::strict);
  }
  return out + "}";
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

// Collects a plan's statements; integers bind as INTEGER, the rest as TEXT.
class Planner {
 public:
  explicit Planner(RequestPlan& plan) : plan_(plan) {}

  template <typename... Args>
  void add(std::string_view sql, Args&&... args) {
    Op op{sql, {}};
    op.args.reserve(sizeof...(args));
    (op.args.push_back(to_arg(std::forward<Args>(args))), ...);
    plan_.ops.push_back(std::move(op));
  }

 private:
  template <typename T>
  static Op::Arg to_arg(T&& v) {
    if constexpr (std::is_integral_v<std::decay_t<T>>) {
      return static_cast<std::int64_t>(v);
    } else {
      return std::string(std::forward<T>(v));
    }
  }

  RequestPlan& plan_;
};

void plan_tasks(Planner& p, const AppendRequest& req, const runtime::InstanceState& s) {
  for (const std::string& id : req.changes->tasks.touched) {
    auto it = s.tasks.find(id);
    if (it != s.tasks.end()) {
      const runtime::UserTask& t = it->second;
      Json groups = t.candidate_groups;
      p.add(
          "INSERT INTO tasks(id, instance_id, element_key, element_id, name, candidate_groups, "
          "form, created_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
          id, s.id, t.element_key, t.element_id, t.name, column_text(groups), t.form, t.created_ms);
      for (const std::string& group : t.candidate_groups) {
        p.add("INSERT OR IGNORE INTO task_groups(grp, task_id) VALUES(?1, ?2)", group, id);
      }
    } else if (req.changes->tasks.existed_before(id)) {
      // By primary key, one row per candidate group of the task (read from its row, which
      // goes next): no index by task_id to maintain on every insert and delete.
      p.add(
          "DELETE FROM task_groups WHERE task_id = ?1 AND grp IN "
          "(SELECT value FROM json_each((SELECT candidate_groups FROM tasks WHERE id = ?1)))",
          id);
      p.add("DELETE FROM tasks WHERE id = ?1", id);
    }
  }
}

void plan_jobs(Planner& p, const AppendRequest& req, const runtime::InstanceState& s) {
  for (const std::string& id : req.changes->jobs.touched) {
    auto it = s.jobs.find(id);
    if (it != s.jobs.end()) {
      const runtime::Job& j = it->second;
      p.add(
          "INSERT INTO jobs(id, instance_id, element_key, element_id, type, retries_left, state, "
          "last_error, worker, deadline_ms, token, retry_at_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, "
          "?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT(id) DO UPDATE SET retries_left = "
          "excluded.retries_left, state = excluded.state, last_error = excluded.last_error, "
          "worker = excluded.worker, deadline_ms = excluded.deadline_ms, token = excluded.token, "
          "retry_at_ms = excluded.retry_at_ms",
          id, s.id, j.element_key, j.element_id, j.type, j.retries_left,
          runtime::to_string(j.state), j.last_error, j.worker, j.deadline_ms, j.token,
          j.retry_at_ms);
    } else if (req.changes->jobs.existed_before(id)) {
      p.add("DELETE FROM jobs WHERE id = ?1", id);
    }
  }
}

void plan_incidents(Planner& p, const AppendRequest& req, const runtime::InstanceState& s) {
  for (const std::string& id : req.changes->incidents.touched) {
    auto it = s.incidents.find(id);
    if (it != s.incidents.end()) {
      const runtime::Incident& i = it->second;
      p.add(
          "INSERT INTO incidents(id, instance_id, element_key, element_id, kind, message, "
          "raised_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
          id, s.id, i.element_key, i.element_id, i.kind, i.message, i.raised_ms);
    } else if (req.changes->incidents.existed_before(id)) {
      p.add("DELETE FROM incidents WHERE id = ?1", id);
    }
  }
}

void plan_timers(Planner& p, const AppendRequest& req, const runtime::InstanceState& s) {
  for (const std::string& id : req.changes->timers.touched) {
    std::int64_t instance = 0;
    std::int64_t key = 0;
    if (!runtime::parse_task_id(id, instance, key)) continue;
    auto it = s.timers.find(key);
    if (it != s.timers.end()) {
      const runtime::Timer& t = it->second;
      p.add(
          "INSERT INTO timers(id, instance_id, timer_key, element_key, element_id, due_ms) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
          id, s.id, t.key, t.element_key, t.element_id, t.due_ms);
    } else if (req.changes->timers.existed_before(id)) {
      p.add("DELETE FROM timers WHERE id = ?1", id);
    }
  }
}

void plan_subscriptions(Planner& p, const AppendRequest& req, const runtime::InstanceState& s) {
  for (const std::string& id : req.changes->subscriptions.touched) {
    std::int64_t instance = 0;
    std::int64_t key = 0;
    if (!runtime::parse_task_id(id, instance, key)) continue;
    auto it = s.subscriptions.find(key);
    if (it != s.subscriptions.end()) {
      const runtime::MessageSubscription& m = it->second;
      p.add(
          "INSERT INTO message_subscriptions(id, instance_id, sub_key, element_key, element_id, "
          "name, correlation_key) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
          id, s.id, m.key, m.element_key, m.element_id, m.name, m.correlation_key);
    } else if (req.changes->subscriptions.existed_before(id)) {
      p.add("DELETE FROM message_subscriptions WHERE id = ?1", id);
    }
  }
}

// The event of `seq` among the request's events.
const runtime::Event& event_at(const AppendRequest& req, std::int64_t seq) {
  return req.events.at(static_cast<std::size_t>(seq - req.events.front().seq));
}

void plan_records_and_outbox(Planner& p, const AppendRequest& req) {
  const std::int64_t id = req.instance_id;
  for (std::int64_t seq : req.changes->records) {
    const runtime::Event& e = event_at(req, seq);
    const auto& r = e.as<runtime::RecordWritten>();
    p.add(
        "INSERT INTO records(instance_id, seq, kind, element_id, data, time_ms, responsible) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        id, e.seq, r.record, r.element, column_text(r.data), e.time_ms, r.responsible);
  }
  for (std::int64_t seq : req.changes->messages) {
    const runtime::Event& e = event_at(req, seq);
    const auto& m = e.as<runtime::MessageQueued>();
    p.add(
        "INSERT INTO outbox(id, instance_id, seq, subprocess, element_id, data, created_ms) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        outbox_id_for(id, m.key, m.subprocess), id, e.seq, m.subprocess, m.element,
        column_text(m.data), e.time_ms);
  }
}

void plan_correlations(Planner& p, const AppendRequest& req) {
  for (std::int64_t seq : req.changes->correlations) {
    const runtime::Event& e = event_at(req, seq);
    const auto& m = e.as<runtime::MessageCorrelated>();
    p.add(
        "INSERT INTO message_correlations(message_key, process, instance_id, seq, element_id, "
        "time_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
        m.message_key, req.business_key.process, req.instance_id, e.seq, m.element, e.time_ms);
  }
}

void plan_joins(Planner& p, const AppendRequest& req, const runtime::InstanceState& s) {
  if (!req.changes->joins) return;
  p.add("DELETE FROM join_arrivals WHERE instance_id = ?1", s.id);
  for (const auto& [join, flows] : s.join_arrivals) {
    for (const auto& [flow, count] : flows) {
      if (count == 0) continue;
      p.add(
          "INSERT INTO join_arrivals(instance_id, scope_key, element_id, flow_id, count) "
          "VALUES(?1, ?2, ?3, ?4, ?5)",
          s.id, join.scope_key, join.element_id, flow, count);
    }
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

RequestPlan plan_request(const AppendRequest& req, const std::string& head) {
  RequestPlan plan;
  plan.head_before = head;
  plan.head_after = head;
  const runtime::InstanceState& s = *req.new_state;
  Planner p(plan);
  // The request's events, sealed onto `head`, are one event_batches row.
  std::string row;
  for (const runtime::Event& e : req.events) {
    audit::EncodedEvent encoded = audit::encode(req.instance_id, plan.head_after, e);
    append_event_to_row(row, e, encoded);
    plan.head_after = std::move(encoded.hash);
  }
  // The instance row first: on creation the other rows refer to it.
  Json active = Json::array();
  for (const auto& [key, element] : s.elements) {
    if (!runtime::is_inner_instance(s, element)) {
      active.push_back(Json::array({key, element.element_id}));
    }
  }
  const char* status = runtime::to_string(s.status);
  if (req.create) {
    p.add(
        "INSERT INTO instances(id, process, business_id, version, status, last_seq, head_hash, "
        "created_ms, ended_ms, active_elements, parent_id, parent_key, parent_element) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        req.instance_id, req.business_key.process, req.business_key.id, s.definition_version,
        status, s.last_seq, plan.head_after, s.created_ms, s.ended_ms, column_text(active),
        s.parent.instance_id, s.parent.element_key, s.parent.element_id);
    for (const auto& [name, value] : s.tags) {
      p.add("INSERT INTO instance_tags(instance_id, name, value) VALUES(?1, ?2, ?3)",
            req.instance_id, name, value);
    }
  } else if (req.changes->status) {
    p.add(
        "UPDATE instances SET last_seq = ?2, status = ?3, ended_ms = ?4, head_hash = ?5, "
        "active_elements = ?6 WHERE id = ?1",
        req.instance_id, s.last_seq, status, s.ended_ms, plan.head_after, column_text(active));
  } else {
    p.add("UPDATE instances SET last_seq = ?2, head_hash = ?3, active_elements = ?4 WHERE id = ?1",
          req.instance_id, s.last_seq, plan.head_after, column_text(active));
  }
  if (!req.events.empty()) {
    p.add(
        "INSERT INTO event_batches(instance_id, first_seq, last_seq, prev_hash, events) "
        "VALUES(?1, ?2, ?3, ?4, ?5)",
        req.instance_id, req.events.front().seq, req.events.back().seq, head, row + "]");
  }
  for (const std::string& name : req.changes->variables) {
    auto it = s.variables.find(name);
    if (it == s.variables.end()) continue;
    p.add(
        "INSERT INTO variables(instance_id, name, value) VALUES(?1, ?2, ?3) "
        "ON CONFLICT(instance_id, name) DO UPDATE SET value = excluded.value",
        req.instance_id, name, column_text(it->second));
  }
  plan_tasks(p, req, s);
  plan_jobs(p, req, s);
  plan_incidents(p, req, s);
  plan_timers(p, req, s);
  plan_subscriptions(p, req, s);
  plan_records_and_outbox(p, req);
  plan_correlations(p, req);
  plan_joins(p, req, s);
  return plan;
}

}  // namespace pmiflow::persistence::detail
