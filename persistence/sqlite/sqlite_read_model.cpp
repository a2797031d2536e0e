// SqliteStore as the read model: the queries over the projections.
#include <exception>
#include <map>
#include <variant>

#include "persistence/sqlite/sqlite_filter.h"
#include "persistence/sqlite/sqlite_store_impl.h"

namespace pmiflow::persistence {

using detail::Filter;
using detail::Query;

namespace {

constexpr const char* kJobColumns =
    "id, instance_id, element_id, type, retries_left, state, worker, deadline_ms, token, "
    "retry_at_ms";

JobRow read_job(const detail::Query& q) {
  JobRow row;
  row.id = q.text(0);
  row.instance_id = q.int64(1);
  row.element_id = q.text(2);
  row.type = q.text(3);
  row.retries_left = q.int32(4);
  row.state = q.text(5);
  row.worker = q.text(6);
  row.deadline_ms = q.int64(7);
  row.token = q.int64(8);
  row.retry_at_ms = q.int64(9);
  return row;
}

// The tags of the instance `alias`.id, as one JSON object column.
std::string tags_column(const char* alias) {
  return std::string(
             "(SELECT json_group_object(name, value) FROM instance_tags tg "
             "WHERE tg.instance_id = ") +
         alias + ".id)";
}

runtime::Tags read_tags(const std::string& text) {
  runtime::Tags tags;
  const Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return tags;
  for (const auto& [name, value] : j.items()) {
    if (value.is_string()) tags[name] = value.get<std::string>();
  }
  return tags;
}

// instances.active_elements: [[key, element id], ...] in key order.
std::vector<std::string> read_active_elements(const std::string& text) {
  std::vector<std::string> out;
  const Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const Json& pair : j) {
    if (pair.is_array() && pair.size() == 2 && pair[1].is_string()) {
      out.push_back(pair[1].get<std::string>());
    }
  }
  return out;
}

const std::string kInstanceColumns =
    "i.id, i.process, i.business_id, i.version, i.status, i.last_seq, i.created_ms, "
    "i.ended_ms, (SELECT count(*) FROM incidents n WHERE n.instance_id = i.id), i.head_hash, "
    "i.active_elements, " +
    tags_column("i") + ", i.parent_id, i.parent_key, i.parent_element";

InstanceRow read_instance(const Query& q) {
  InstanceRow row;
  row.id = q.int64(0);
  row.business_key = {q.text(1), q.text(2)};
  row.version = q.int32(3);
  row.status = q.text(4);
  row.last_seq = q.int64(5);
  row.created_ms = q.int64(6);
  row.ended_ms = q.int64(7);
  row.open_incidents = q.int32(8);
  row.head_hash = q.text(9);
  row.active_elements = read_active_elements(q.text(10));
  row.tags = read_tags(q.text(11));
  row.parent = {q.int64(12), q.int64(13), q.text(14)};
  return row;
}

const std::string kTaskColumns =
    "t.id, t.instance_id, t.element_id, t.name, t.candidate_groups, t.form, i.process, "
    "i.business_id, " +
    tags_column("i") + ", t.created_ms";

TaskRow read_task(const Query& q) {
  TaskRow row;
  row.id = q.text(0);
  row.instance_id = q.int64(1);
  row.element_id = q.text(2);
  row.name = q.text(3);
  const Json groups = Json::parse(q.text(4), nullptr, false);
  if (groups.is_array()) {
    for (const Json& g : groups) {
      if (g.is_string()) row.candidate_groups.push_back(g.get<std::string>());
    }
  }
  row.form = q.text(5);
  row.business_key = {q.text(6), q.text(7)};
  row.tags = read_tags(q.text(8));
  row.created_ms = q.int64(9);
  return row;
}

}  // namespace

Result<InstanceRow> SqliteStore::instance(std::int64_t id) {
  try {
    MutexLock lock(impl_->mu);
    std::optional<InstanceRow> row;
    PMIFLOW_TRY(impl_->each(
        "SELECT " + kInstanceColumns + " FROM instances i WHERE i.id = ?1",
        [&](Query& q) { q.bind(1, id); }, [&](const Query& q) { row = read_instance(q); }));
    if (!row) {
      return make_error(ErrorCode::kNotFound, "instance " + std::to_string(id) + " not found");
    }
    return std::move(*row);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, "instance " + std::to_string(id) + ": " + e.what());
  }
}

Result<std::vector<InstanceRow>> SqliteStore::instances(const InstanceQuery& query) {
  try {
    MutexLock lock(impl_->mu);
    Filter filter;
    if (query.process) filter.equals("i.process", *query.process);
    if (query.status) filter.equals("i.status", *query.status);
    if (query.parent_id) filter.equals("i.parent_id", *query.parent_id);
    filter.tags("i.id", query.tags);
    std::vector<InstanceRow> rows;
    PMIFLOW_TRY(impl_->each(
        "SELECT " + kInstanceColumns + " FROM instances i" + filter.where() + " ORDER BY i.id",
        [&](Query& q) { filter.bind(q); },
        [&](const Query& q) { rows.push_back(read_instance(q)); }));
    return rows;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("instances: ") + e.what());
  }
}

Result<std::vector<TaskRow>> SqliteStore::tasks(const TaskQuery& query) {
  try {
    MutexLock lock(impl_->mu);
    Filter filter;
    std::string from = " FROM tasks t JOIN instances i ON i.id = t.instance_id";
    if (query.role) {
      from += " JOIN task_groups g ON g.task_id = t.id";
      filter.equals("g.grp", *query.role);
    }
    if (query.instance_id) filter.equals("t.instance_id", *query.instance_id);
    filter.tags("t.instance_id", query.tags);
    std::vector<TaskRow> out;
    PMIFLOW_TRY(impl_->each(
        "SELECT " + kTaskColumns + from + filter.where() +
            " ORDER BY t.created_ms, t.instance_id, t.element_key",
        [&](Query& q) { filter.bind(q); }, [&](const Query& q) { out.push_back(read_task(q)); }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("tasks: ") + e.what());
  }
}

Result<TaskRow> SqliteStore::task(const std::string& id) {
  try {
    MutexLock lock(impl_->mu);
    std::optional<TaskRow> found;
    PMIFLOW_TRY(impl_->each(
        "SELECT " + kTaskColumns +
            " FROM tasks t JOIN instances i ON i.id = t.instance_id WHERE t.id = ?1",
        [&](Query& q) { q.bind(1, id); }, [&](const Query& q) { found = read_task(q); }));
    if (!found) return make_error(ErrorCode::kNotFound, "task " + id + " is not open");
    return std::move(*found);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, "task " + id + ": " + e.what());
  }
}

Result<Variables> SqliteStore::variables(std::int64_t instance_id) {
  try {
    MutexLock lock(impl_->mu);
    Impl::ReadTransaction tx(*impl_);
    PMIFLOW_TRY(tx.status());
    auto exists = impl_->instance_exists(instance_id);
    if (!exists.ok()) return exists.error();
    if (!*exists) {
      return make_error(ErrorCode::kNotFound,
                        "instance " + std::to_string(instance_id) + " not found");
    }
    Variables out;
    PMIFLOW_TRY(impl_->each(
        "SELECT name, value FROM variables WHERE instance_id = ?1 ORDER BY name",
        [&](Query& q) { q.bind(1, instance_id); },
        [&](const Query& q) { out[q.text(0)] = Json::parse(q.text(1), nullptr, false); }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal,
                      "variables of instance " + std::to_string(instance_id) + ": " + e.what());
  }
}

Result<std::vector<JobRow>> SqliteStore::jobs(std::optional<std::int64_t> instance_id) {
  try {
    MutexLock lock(impl_->mu);
    std::vector<JobRow> out;
    PMIFLOW_TRY(impl_->each(
        std::string("SELECT ") + kJobColumns + " FROM jobs" +
            (instance_id ? " WHERE instance_id = ?1" : "") + " ORDER BY instance_id, element_key",
        [&](Query& q) {
          if (instance_id) q.bind(1, *instance_id);
        },
        [&](const Query& q) { out.push_back(read_job(q)); }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("jobs: ") + e.what());
  }
}

Result<std::vector<JobRow>> SqliteStore::activatable_jobs(const std::string& type,
                                                          std::int64_t now_ms, std::size_t limit) {
  try {
    std::vector<JobRow> out;
    PMIFLOW_TRY(impl_->with_reader([&](detail::Connection& c) {
      return impl_->each_on(
          c,
          std::string("SELECT ") + kJobColumns +
              " FROM jobs WHERE type = ?1 AND ((state = 'activatable' AND retry_at_ms <= ?2) OR "
              "(state = 'activated' AND "
              "deadline_ms <= ?2)) ORDER BY instance_id, element_key LIMIT ?3",
          [&](Query& q) {
            q.bind(1, type).bind(2, now_ms).bind(3, static_cast<std::int64_t>(limit));
          },
          [&](const Query& q) { out.push_back(read_job(q)); });
    }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("activatable jobs: ") + e.what());
  }
}

Result<std::vector<IncidentRow>> SqliteStore::incidents(const IncidentQuery& query) {
  try {
    MutexLock lock(impl_->mu);
    Filter filter;
    if (query.instance_id) filter.equals("instance_id", *query.instance_id);
    if (query.kind) filter.equals("kind", *query.kind);
    filter.tags("instance_id", query.tags);
    std::vector<IncidentRow> out;
    PMIFLOW_TRY(impl_->each(
        "SELECT id, instance_id, element_id, kind, message, raised_ms FROM incidents" +
            filter.where() + " ORDER BY instance_id, rowid",
        [&](Query& q) { filter.bind(q); },
        [&](const Query& q) {
          IncidentRow row;
          row.id = q.text(0);
          row.instance_id = q.int64(1);
          row.element_id = q.text(2);
          row.kind = q.text(3);
          row.message = q.text(4);
          row.raised_ms = q.int64(5);
          out.push_back(std::move(row));
        }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("incidents: ") + e.what());
  }
}

Result<std::vector<TimerRow>> SqliteStore::timers(const TimerQuery& query) {
  try {
    MutexLock lock(impl_->mu);
    std::vector<TimerRow> out;
    std::string sql =
        "SELECT id, instance_id, timer_key, element_key, element_id, due_ms FROM timers WHERE "
        "(?1 IS NULL OR instance_id = ?1) AND (?2 IS NULL OR due_ms <= ?2) "
        "ORDER BY due_ms, instance_id, timer_key";
    if (query.limit != 0) sql += " LIMIT " + std::to_string(query.limit);
    PMIFLOW_TRY(impl_->each(
        sql,
        [&](Query& q) {
          if (query.instance_id) q.bind(1, *query.instance_id);
          if (query.due_by) q.bind(2, *query.due_by);
        },
        [&](const Query& q) {
          TimerRow row;
          row.id = q.text(0);
          row.instance_id = q.int64(1);
          row.key = q.int64(2);
          row.element_key = q.int64(3);
          row.element_id = q.text(4);
          row.due_ms = q.int64(5);
          out.push_back(std::move(row));
        }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("timers: ") + e.what());
  }
}

Result<std::vector<RecordRow>> SqliteStore::records(const RecordQuery& query) {
  try {
    MutexLock lock(impl_->mu);
    Filter filter;
    if (query.kind) filter.equals("r.kind", *query.kind);
    filter.tags("r.instance_id", query.tags);
    std::vector<RecordRow> out;
    PMIFLOW_TRY(impl_->each(
        "SELECT r.instance_id, r.seq, r.kind, r.element_id, i.process, i.business_id, " +
            tags_column("i") +
            ", r.data, r.time_ms, r.responsible FROM records r JOIN instances i ON i.id = "
            "r.instance_id" +
            filter.where() + " ORDER BY r.instance_id, r.seq",
        [&](Query& q) { filter.bind(q); },
        [&](const Query& q) {
          RecordRow r;
          r.instance_id = q.int64(0);
          r.seq = q.int64(1);
          r.kind = q.text(2);
          r.element_id = q.text(3);
          r.business_key = {q.text(4), q.text(5)};
          r.tags = read_tags(q.text(6));
          r.data = Json::parse(q.text(7), nullptr, false);
          r.time_ms = q.int64(8);
          r.responsible = q.text(9);
          out.push_back(std::move(r));
        }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("records: ") + e.what());
  }
}

Result<std::vector<OutboxRow>> SqliteStore::outbox(std::optional<std::string> subprocess,
                                                   bool include_acked) {
  try {
    MutexLock lock(impl_->mu);
    std::vector<OutboxRow> out;
    PMIFLOW_TRY(impl_->each(
        "SELECT o.id, o.instance_id, o.seq, o.subprocess, o.element_id, i.process, "
        "i.business_id, " +
            tags_column("i") +
            ", o.data, o.created_ms, o.acked_ms FROM outbox o JOIN instances i ON i.id = "
            "o.instance_id WHERE (?1 IS NULL OR o.subprocess = ?1) AND (?2 = 1 OR o.acked_ms = 0) "
            "ORDER BY o.rowid",
        [&](Query& q) {
          if (subprocess) q.bind(1, *subprocess);
          q.bind(2, include_acked ? 1 : 0);
        },
        [&](const Query& q) {
          OutboxRow m;
          m.id = q.text(0);
          m.instance_id = q.int64(1);
          m.seq = q.int64(2);
          m.subprocess = q.text(3);
          m.element_id = q.text(4);
          m.business_key = {q.text(5), q.text(6)};
          m.tags = read_tags(q.text(7));
          m.data = Json::parse(q.text(8), nullptr, false);
          m.created_ms = q.int64(9);
          m.acked_ms = q.int64(10);
          out.push_back(std::move(m));
        }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("outbox: ") + e.what());
  }
}

Status SqliteStore::ack_outbox(const std::string& id, std::int64_t now_ms) {
  try {
    MutexLock lock(impl_->mu);
    bool exists = false;
    PMIFLOW_TRY(impl_->each(
        "SELECT 1 FROM outbox WHERE id = ?1", [&](Query& q) { q.bind(1, id); },
        [&](const Query&) { exists = true; }));
    if (!exists) return make_error(ErrorCode::kNotFound, "no outbox message " + id);
    detail::WriteContext ctx{impl_->db, impl_->path};
    PMIFLOW_TRY(
        ctx.run("UPDATE outbox SET acked_ms = ?2 WHERE id = ?1 AND acked_ms = 0", id, now_ms));
    return impl_->durable();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("outbox ack: ") + e.what());
  }
}

}  // namespace pmiflow::persistence
