#include "persistence/sqlite/sqlite_schema.h"

#include <cstdio>
#include <string>

namespace pmiflow::persistence::detail {
namespace {

// Migration 1: the initial schema. Column meanings: docs/storage-format.md.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE definitions(
  key           TEXT    NOT NULL,
  version       INTEGER NOT NULL,
  sha256        TEXT    NOT NULL,
  xml           TEXT    NOT NULL,
  resource_name TEXT    NOT NULL,
  deployed_ms   INTEGER NOT NULL,
  PRIMARY KEY(key, version)
);

CREATE TABLE instances(
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  process    TEXT    NOT NULL,
  school     TEXT    NOT NULL,
  period     TEXT    NOT NULL,
  version    INTEGER NOT NULL,
  status     TEXT    NOT NULL CHECK(status IN ('active', 'completed', 'terminated')),
  last_seq   INTEGER NOT NULL,
  head_hash  TEXT    NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL,
  ended_ms   INTEGER NOT NULL DEFAULT 0,
  UNIQUE(process, school, period)
);
CREATE INDEX instances_by_school ON instances(school, period);
CREATE INDEX instances_by_period ON instances(period);
CREATE INDEX instances_by_status ON instances(status);

CREATE TABLE events(
  instance_id        INTEGER NOT NULL,
  seq                INTEGER NOT NULL,
  type               INTEGER NOT NULL,
  type_version       INTEGER NOT NULL,
  time_ms            INTEGER NOT NULL,
  actor              TEXT    NOT NULL,
  definition_version INTEGER NOT NULL,
  payload            TEXT    NOT NULL,
  prev_hash          TEXT    NOT NULL,
  hash               TEXT    NOT NULL,
  PRIMARY KEY(instance_id, seq)
) WITHOUT ROWID;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;
-- INSERT OR REPLACE deletes without firing DELETE triggers (recursive_triggers is off).
CREATE TRIGGER events_append_only_replace BEFORE INSERT ON events
WHEN EXISTS (SELECT 1 FROM events WHERE instance_id = NEW.instance_id AND seq = NEW.seq)
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TABLE elements(
  instance_id INTEGER NOT NULL,
  key         INTEGER NOT NULL,
  element_id  TEXT    NOT NULL,
  PRIMARY KEY(instance_id, key)
) WITHOUT ROWID;

CREATE TABLE tasks(
  id               TEXT    PRIMARY KEY,
  instance_id      INTEGER NOT NULL,
  element_key      INTEGER NOT NULL,
  element_id       TEXT    NOT NULL,
  name             TEXT    NOT NULL,
  candidate_groups TEXT    NOT NULL,
  form             TEXT    NOT NULL,
  created_ms       INTEGER NOT NULL
);
CREATE INDEX tasks_by_instance ON tasks(instance_id, element_key);
CREATE TABLE task_groups(
  grp     TEXT NOT NULL,
  task_id TEXT NOT NULL,
  PRIMARY KEY(grp, task_id)
) WITHOUT ROWID;
CREATE INDEX task_groups_by_task ON task_groups(task_id);

CREATE TABLE variables(
  instance_id INTEGER NOT NULL,
  name        TEXT    NOT NULL,
  value       TEXT    NOT NULL,
  PRIMARY KEY(instance_id, name)
) WITHOUT ROWID;

CREATE TABLE jobs(
  id           TEXT    PRIMARY KEY,
  instance_id  INTEGER NOT NULL,
  element_key  INTEGER NOT NULL,
  element_id   TEXT    NOT NULL,
  type         TEXT    NOT NULL,
  retries_left INTEGER NOT NULL,
  state        TEXT    NOT NULL CHECK(state IN ('activatable', 'failed')),
  last_error   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX jobs_by_instance ON jobs(instance_id, element_key);
CREATE INDEX jobs_by_state ON jobs(state, type);

CREATE TABLE incidents(
  id          TEXT    PRIMARY KEY,
  instance_id INTEGER NOT NULL,
  element_key INTEGER NOT NULL,
  element_id  TEXT    NOT NULL,
  kind        TEXT    NOT NULL,
  message     TEXT    NOT NULL
);
CREATE INDEX incidents_by_instance ON incidents(instance_id);

CREATE TABLE join_arrivals(
  instance_id INTEGER NOT NULL,
  element_id  TEXT    NOT NULL,
  flow_id     TEXT    NOT NULL,
  count       INTEGER NOT NULL,
  PRIMARY KEY(instance_id, element_id, flow_id)
) WITHOUT ROWID;

CREATE TABLE activation_counts(
  instance_id INTEGER NOT NULL,
  element_id  TEXT    NOT NULL,
  count       INTEGER NOT NULL,
  PRIMARY KEY(instance_id, element_id)
) WITHOUT ROWID;

-- The process's records (RecordWritten events); never deleted or changed.
CREATE TABLE records(
  instance_id INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  kind        TEXT    NOT NULL,
  element_id  TEXT    NOT NULL,
  school      TEXT    NOT NULL,
  period      TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  time_ms     INTEGER NOT NULL,
  PRIMARY KEY(instance_id, seq)
) WITHOUT ROWID;
CREATE INDEX records_by_kind ON records(kind, period);
CREATE TRIGGER records_append_only_update BEFORE UPDATE ON records
BEGIN
  SELECT RAISE(ABORT, 'records are append-only');
END;
CREATE TRIGGER records_append_only_delete BEFORE DELETE ON records
BEGIN
  SELECT RAISE(ABORT, 'records are append-only');
END;

-- Messages to other subprocesses (MessageQueued events), delivered at least once.
CREATE TABLE outbox(
  id          TEXT    PRIMARY KEY,
  instance_id INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  subprocess  TEXT    NOT NULL,
  element_id  TEXT    NOT NULL,
  school      TEXT    NOT NULL,
  period      TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  created_ms  INTEGER NOT NULL,
  acked_ms    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox(subprocess, acked_ms);
)sql";

// Migration 2: user-task forms, versioned by form id, and the form versions each definition
// version was deployed with (Camunda's bindingType="deployment"). Definitions deployed before
// it are bound to no form.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE forms(
  id            TEXT    NOT NULL,
  version       INTEGER NOT NULL,
  sha256        TEXT    NOT NULL,
  json          TEXT    NOT NULL,
  resource_name TEXT    NOT NULL,
  deployed_ms   INTEGER NOT NULL,
  PRIMARY KEY(id, version)
);

CREATE TABLE definition_forms(
  key          TEXT    NOT NULL,
  version      INTEGER NOT NULL,
  form_id      TEXT    NOT NULL,
  form_version INTEGER NOT NULL,
  PRIMARY KEY(key, version, form_id)
) WITHOUT ROWID;
)sql";

// Migration 3: the events of one request in one row of event_batches, appended at the end of a
// rowid b-tree. One row per request instead of one per event cuts the inserts of an append
// ~10-fold, and an instance's log is read with one index range scan and a row per request.
// `events` becomes a read-only view with the old columns (one row per event). Old events
// become batches of one, with their stored prev_hash. Also drops the write-only
// activation_counts projection (the counts are in each instance's folded state), and moves the
// active element instances from the elements table into instances.active_elements, which
// the UPDATE of the instance row every request makes anyway writes with no statement of its
// own.
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE event_batches(
  id          INTEGER PRIMARY KEY,
  instance_id INTEGER NOT NULL,
  first_seq   INTEGER NOT NULL,
  last_seq    INTEGER NOT NULL,
  prev_hash   TEXT    NOT NULL,
  events      TEXT    NOT NULL
);
CREATE UNIQUE INDEX event_batches_by_instance ON event_batches(instance_id, first_seq);
INSERT INTO event_batches(instance_id, first_seq, last_seq, prev_hash, events)
  SELECT instance_id, seq, seq, prev_hash,
         json_array(json_object(
           'seq', seq, 'type', type, 'type_version', type_version, 'time_ms', time_ms,
           'actor', CASE WHEN json_valid(actor) THEN json(actor) ELSE actor END,
           'definition_version', definition_version,
           'payload', CASE WHEN json_valid(payload) THEN json(payload) ELSE payload END,
           'hash', hash))
  FROM events ORDER BY instance_id, seq;
DROP TABLE events;
CREATE TRIGGER event_batches_append_only_update BEFORE UPDATE ON event_batches
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER event_batches_append_only_delete BEFORE DELETE ON event_batches
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;
-- INSERT OR REPLACE deletes without firing DELETE triggers (recursive_triggers is off).
CREATE TRIGGER event_batches_append_only_replace BEFORE INSERT ON event_batches
WHEN EXISTS (SELECT 1 FROM event_batches
             WHERE id = NEW.id OR (instance_id = NEW.instance_id AND first_seq = NEW.first_seq))
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE VIEW events AS
  SELECT b.instance_id AS instance_id,
         json_extract(e.value, '$.seq') AS seq,
         json_extract(e.value, '$.type') AS type,
         json_extract(e.value, '$.type_version') AS type_version,
         json_extract(e.value, '$.time_ms') AS time_ms,
         json_extract(e.value, '$.actor') AS actor,
         json_extract(e.value, '$.definition_version') AS definition_version,
         json_extract(e.value, '$.payload') AS payload,
         json_extract(e.value, '$.hash') AS hash,
         b.id AS batch_id,
         e.key AS batch_index
  FROM event_batches b, json_each(b.events) e;
DROP TABLE activation_counts;
ALTER TABLE instances ADD COLUMN active_elements TEXT NOT NULL DEFAULT '[]';
UPDATE instances SET active_elements =
  (SELECT json_group_array(json_array(key, element_id))
   FROM (SELECT key, element_id FROM elements WHERE instance_id = instances.id ORDER BY key))
  WHERE id IN (SELECT instance_id FROM elements);
DROP TABLE elements;
)sql";

// Migration 4: fewer pages written per group commit.
// * variables and records become rowid tables, their key a unique index. Rows then sit in the
//   order they were written, so a group commit of many instances writes its new rows into the
//   same few pages at the end of the table; keyed by (instance_id, ...) WITHOUT ROWID, each
//   instance's rows had pages of their own, and every request rewrote one of them. The index
//   entries are small, so those of the instances in progress share pages too.
// * tasks becomes WITHOUT ROWID keyed by id (one b-tree instead of a table and the index of
//   its TEXT primary key), and task_groups loses its index by task_id: a task's rows are
//   deleted by primary key, one per candidate group of its row.
constexpr const char* kSchemaV4 = R"sql(
CREATE TABLE tasks_v4(
  id               TEXT    PRIMARY KEY,
  instance_id      INTEGER NOT NULL,
  element_key      INTEGER NOT NULL,
  element_id       TEXT    NOT NULL,
  name             TEXT    NOT NULL,
  candidate_groups TEXT    NOT NULL,
  form             TEXT    NOT NULL,
  created_ms       INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO tasks_v4(id, instance_id, element_key, element_id, name, candidate_groups, form,
                     created_ms)
  SELECT id, instance_id, element_key, element_id, name, candidate_groups, form, created_ms
  FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_v4 RENAME TO tasks;
CREATE INDEX tasks_by_instance ON tasks(instance_id, element_key);
DROP INDEX task_groups_by_task;
CREATE TABLE variables_v4(
  instance_id INTEGER NOT NULL,
  name        TEXT    NOT NULL,
  value       TEXT    NOT NULL,
  UNIQUE(instance_id, name)
);
INSERT INTO variables_v4(instance_id, name, value)
  SELECT instance_id, name, value FROM variables ORDER BY instance_id, name;
DROP TABLE variables;
ALTER TABLE variables_v4 RENAME TO variables;
CREATE TABLE records_v4(
  instance_id INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  kind        TEXT    NOT NULL,
  element_id  TEXT    NOT NULL,
  school      TEXT    NOT NULL,
  period      TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  time_ms     INTEGER NOT NULL,
  UNIQUE(instance_id, seq)
);
INSERT INTO records_v4(instance_id, seq, kind, element_id, school, period, data, time_ms)
  SELECT instance_id, seq, kind, element_id, school, period, data, time_ms FROM records
  ORDER BY time_ms, instance_id, seq;
DROP TABLE records;
ALTER TABLE records_v4 RENAME TO records;
CREATE INDEX records_by_kind ON records(kind, period);
CREATE TRIGGER records_append_only_update BEFORE UPDATE ON records
BEGIN
  SELECT RAISE(ABORT, 'records are append-only');
END;
CREATE TRIGGER records_append_only_delete BEFORE DELETE ON records
BEGIN
  SELECT RAISE(ABORT, 'records are append-only');
END;
)sql";

// Migration 5: the engine's shape of issue 15.
// * A generic business key: instances are unique by (process, business_id), and carry tags
//   (instance_tags, indexed by name and value) for queries. D02.03's instances keep their
//   identity: business id "<school>/<period>" (handlers/d02_03/business_key.h), tags school
//   and period.
// * Instance ids are reserved before an instance's first request is interpreted (the engine
//   runs its handlers on the new state, with its task and job ids): `sequences` holds the
//   next id to hand out.
// * records and outbox drop school and period (the instance's tags; RecordWritten and
//   MessageQueued v2 no longer carry them).
// * join_arrivals is keyed by the join's flow scope too (element instances nest).
constexpr const char* kSchemaV5 = R"sql(
CREATE TABLE instances_v5(
  id              INTEGER PRIMARY KEY,
  process         TEXT    NOT NULL,
  business_id     TEXT    NOT NULL,
  version         INTEGER NOT NULL,
  status          TEXT    NOT NULL CHECK(status IN ('active', 'completed', 'terminated')),
  last_seq        INTEGER NOT NULL,
  head_hash       TEXT    NOT NULL DEFAULT '',
  created_ms      INTEGER NOT NULL,
  ended_ms        INTEGER NOT NULL DEFAULT 0,
  active_elements TEXT    NOT NULL DEFAULT '[]',
  UNIQUE(process, business_id)
);
INSERT INTO instances_v5(id, process, business_id, version, status, last_seq, head_hash,
                         created_ms, ended_ms, active_elements)
  SELECT id, process, school || '/' || period, version, status, last_seq, head_hash, created_ms,
         ended_ms, active_elements
  FROM instances ORDER BY id;
CREATE TABLE instance_tags(
  instance_id INTEGER NOT NULL,
  name        TEXT    NOT NULL,
  value       TEXT    NOT NULL,
  PRIMARY KEY(instance_id, name)
) WITHOUT ROWID;
INSERT INTO instance_tags(instance_id, name, value)
  SELECT id, 'period', period FROM instances UNION ALL SELECT id, 'school', school FROM instances;
CREATE INDEX instance_tags_by_value ON instance_tags(name, value, instance_id);
CREATE TABLE sequences(
  name TEXT    PRIMARY KEY,
  next INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO sequences(name, next)
  SELECT 'instances', max(coalesce((SELECT max(id) FROM instances), 0),
                          coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'instances'), 0))
                      + 1;
DROP TABLE instances;
ALTER TABLE instances_v5 RENAME TO instances;
CREATE INDEX instances_by_status ON instances(status);

CREATE TABLE records_v5(
  instance_id INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  kind        TEXT    NOT NULL,
  element_id  TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  time_ms     INTEGER NOT NULL,
  UNIQUE(instance_id, seq)
);
INSERT INTO records_v5(instance_id, seq, kind, element_id, data, time_ms)
  SELECT instance_id, seq, kind, element_id, data, time_ms FROM records ORDER BY rowid;
DROP TABLE records;
ALTER TABLE records_v5 RENAME TO records;
CREATE INDEX records_by_kind ON records(kind);
CREATE TRIGGER records_append_only_update BEFORE UPDATE ON records
BEGIN
  SELECT RAISE(ABORT, 'records are append-only');
END;
CREATE TRIGGER records_append_only_delete BEFORE DELETE ON records
BEGIN
  SELECT RAISE(ABORT, 'records are append-only');
END;

CREATE TABLE outbox_v5(
  id          TEXT    PRIMARY KEY,
  instance_id INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  subprocess  TEXT    NOT NULL,
  element_id  TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  created_ms  INTEGER NOT NULL,
  acked_ms    INTEGER NOT NULL DEFAULT 0
);
INSERT INTO outbox_v5(id, instance_id, seq, subprocess, element_id, data, created_ms, acked_ms)
  SELECT id, instance_id, seq, subprocess, element_id, data, created_ms, acked_ms
  FROM outbox ORDER BY rowid;
DROP TABLE outbox;
ALTER TABLE outbox_v5 RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox(subprocess, acked_ms);

CREATE TABLE join_arrivals_v5(
  instance_id INTEGER NOT NULL,
  scope_key   INTEGER NOT NULL,
  element_id  TEXT    NOT NULL,
  flow_id     TEXT    NOT NULL,
  count       INTEGER NOT NULL,
  PRIMARY KEY(instance_id, scope_key, element_id, flow_id)
) WITHOUT ROWID;
INSERT INTO join_arrivals_v5(instance_id, scope_key, element_id, flow_id, count)
  SELECT instance_id, 0, element_id, flow_id, count FROM join_arrivals;
DROP TABLE join_arrivals;
ALTER TABLE join_arrivals_v5 RENAME TO join_arrivals;
)sql";

// Timers as rows: one per waiting timer, found by due time (the runner's query).
constexpr const char* kSchemaV6 = R"sql(
CREATE TABLE timers(
  id          TEXT    PRIMARY KEY,
  instance_id INTEGER NOT NULL,
  timer_key   INTEGER NOT NULL,
  element_key INTEGER NOT NULL,
  element_id  TEXT    NOT NULL,
  due_ms      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX timers_by_due ON timers(due_ms, instance_id, timer_key);
CREATE INDEX timers_by_instance ON timers(instance_id, timer_key);
)sql";

// Messages: published ones (buffered until expires_ms, their id remembered until
// dedup_until_ms, the row kept until both pass), open subscriptions (a projection, found by
// name and key) and correlations (a projection of MessageCorrelated; one per message and
// process).
constexpr const char* kSchemaV7 = R"sql(
CREATE TABLE messages(
  key             INTEGER PRIMARY KEY AUTOINCREMENT,
  name            TEXT    NOT NULL,
  correlation_key TEXT    NOT NULL,
  message_id      TEXT    NOT NULL,
  variables       TEXT    NOT NULL,
  published_ms    INTEGER NOT NULL,
  expires_ms      INTEGER NOT NULL,
  dedup_until_ms  INTEGER NOT NULL,
  kept_until_ms   INTEGER NOT NULL
);
CREATE INDEX messages_by_name_key ON messages(name, correlation_key, expires_ms);
CREATE INDEX messages_by_id ON messages(message_id, name, correlation_key) WHERE message_id <> '';
CREATE INDEX messages_by_kept ON messages(kept_until_ms);
CREATE TABLE message_subscriptions(
  id              TEXT    PRIMARY KEY,
  instance_id     INTEGER NOT NULL,
  sub_key         INTEGER NOT NULL,
  element_key     INTEGER NOT NULL,
  element_id      TEXT    NOT NULL,
  name            TEXT    NOT NULL,
  correlation_key TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX subscriptions_by_name_key ON message_subscriptions(name, correlation_key, instance_id);
CREATE INDEX subscriptions_by_instance ON message_subscriptions(instance_id, sub_key);
CREATE TABLE message_correlations(
  message_key INTEGER NOT NULL,
  process     TEXT    NOT NULL,
  instance_id INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  element_id  TEXT    NOT NULL,
  time_ms     INTEGER NOT NULL,
  PRIMARY KEY(message_key, process)
) WITHOUT ROWID;
CREATE INDEX correlations_by_instance ON message_correlations(instance_id, seq);
)sql";

// Message keys are reserved before a message is stored (so that its first correlation's
// events, which name it, commit with it): `sequences` holds the next key, as for instances.
constexpr const char* kSchemaV8 = R"sql(
INSERT INTO sequences(name, next)
  SELECT 'messages', max(coalesce((SELECT max(key) FROM messages), 0),
                         coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0))
                     + 1;
)sql";

// Jobs for workers: an open job may be activated (state 'activated'), with its last lease's
// worker, deadline and fencing token; workers find them by type.
constexpr const char* kSchemaV9 = R"sql(
CREATE TABLE jobs_v9(
  id           TEXT    PRIMARY KEY,
  instance_id  INTEGER NOT NULL,
  element_key  INTEGER NOT NULL,
  element_id   TEXT    NOT NULL,
  type         TEXT    NOT NULL,
  retries_left INTEGER NOT NULL,
  state        TEXT    NOT NULL CHECK(state IN ('activatable', 'activated', 'failed')),
  last_error   TEXT    NOT NULL DEFAULT '',
  worker       TEXT    NOT NULL DEFAULT '',
  deadline_ms  INTEGER NOT NULL DEFAULT 0,
  token        INTEGER NOT NULL DEFAULT 0
);
INSERT INTO jobs_v9(id, instance_id, element_key, element_id, type, retries_left, state,
                    last_error)
  SELECT id, instance_id, element_key, element_id, type, retries_left, state, last_error
  FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_v9 RENAME TO jobs;
CREATE INDEX jobs_by_instance ON jobs(instance_id, element_key);
CREATE INDEX jobs_by_type ON jobs(type, state, deadline_ms);
)sql";

// Jobs: a failed job with retries left is activatable again after its backoff. Incidents: when
// each was raised (0 for those raised before), and by kind.
constexpr const char* kSchemaV10 = R"sql(
ALTER TABLE jobs ADD COLUMN retry_at_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN raised_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX incidents_by_kind ON incidents(kind);
)sql";

constexpr const char* kSchemaV11 = R"sql(
ALTER TABLE instances ADD COLUMN parent_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN parent_key INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN parent_element TEXT NOT NULL DEFAULT '';
CREATE INDEX instances_by_parent ON instances(parent_id) WHERE parent_id != 0;
)sql";

constexpr const char* kSchemaV12 = R"sql(
ALTER TABLE records ADD COLUMN responsible TEXT NOT NULL DEFAULT '';
)sql";

// APPEND-ONLY. A released entry is never edited, removed or reordered.
constexpr Migration kMigrations[] = {
    {1, "initial schema: definitions, instances, events (append-only), projections", kSchemaV1},
    {2, "forms: forms (versioned by id), definition_forms (a definition's form versions)",
     kSchemaV2},
    {3,
     "event_batches (a request's events in one row), events a view; instances.active_elements "
     "replaces elements; activation_counts dropped",
     kSchemaV3},
    {4,
     "variables and records: rowid tables in write order, their key a unique index; tasks "
     "WITHOUT ROWID; task_groups_by_task dropped",
     kSchemaV4},
    {5,
     "generic business key: instances (process, business_id) and instance_tags; sequences; "
     "records and outbox without school and period; join_arrivals by flow scope",
     kSchemaV5},
    {6, "timers: one row per waiting timer, by due time", kSchemaV6},
    {7, "messages: published messages, open subscriptions, correlations", kSchemaV7},
    {8, "message keys reserved from sequences", kSchemaV8},
    {9, "jobs: state 'activated', the last lease's worker, deadline and token; by type", kSchemaV9},
    {10, "jobs: retry_at_ms (a failed job's backoff); incidents: raised_ms, by kind", kSchemaV10},
    {11, "instances: parent_id, parent_key, parent_element (a call activity's child)", kSchemaV11},
    {12, "records: responsible (the role that keeps the record)", kSchemaV12},
};

Error io_error(Connection& db, const std::string& path, const std::string& what, int rc) {
  if ((rc & 0xff) == SQLITE_NOTADB) {
    return make_error(ErrorCode::kNotADatabase,
                      "'" + path + "' is not a pmiflow database (SQLite: " + db.errmsg() + ")");
  }
  return make_error(ErrorCode::kIo, "sqlite database '" + path + "': " + what + ": " + db.errmsg());
}

// Reads one integer PRAGMA (or scalar query).
Status read_int(Connection& db, const std::string& path, const char* sql, std::int64_t& out) {
  sqlite3_stmt* stmt = nullptr;
  int rc = db.prepare(sql, stmt);
  if (rc != SQLITE_OK)
    return io_error(db, path, std::string("cannot read schema (") + sql + ")", rc);
  Query q(stmt);
  rc = q.step();
  if (rc != SQLITE_ROW) {
    return io_error(db, path, std::string("cannot read schema (") + sql + ")", rc);
  }
  out = q.int64(0);
  return {};
}

std::string hex(std::int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%08llX",
                static_cast<unsigned long long>(static_cast<std::uint32_t>(v)));
  return buf;
}

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

int latest_schema_version() {
  return kMigrations[std::size(kMigrations) - 1].version;
}

Status inspect_schema(Connection& db, const std::string& path, bool& needs_migration) {
  needs_migration = false;
  std::int64_t app_id = 0;
  std::int64_t user_version = 0;
  std::int64_t objects = 0;
  // One read transaction, so that another process's migration cannot commit between the
  // three reads. The first read parses the header: a file that is not SQLite fails there with
  // SQLITE_NOTADB.
  const bool in_tx = db.exec("BEGIN") == SQLITE_OK;
  Status read = read_int(db, path, "PRAGMA application_id", app_id);
  if (read.ok()) read = read_int(db, path, "PRAGMA user_version", user_version);
  if (read.ok()) read = read_int(db, path, "SELECT count(*) FROM sqlite_schema", objects);
  if (in_tx) db.exec(read.ok() ? "COMMIT" : "ROLLBACK");
  PMIFLOW_TRY(read);

  if (app_id == 0 && user_version == 0 && objects == 0) {  // a new, empty database
    needs_migration = true;
    return {};
  }
  if (app_id != kApplicationId) {
    return make_error(ErrorCode::kNotADatabase,
                      "'" + path +
                          "' is an SQLite database but not a pmiflow one (application_id " +
                          hex(app_id) + ", expected " + hex(kApplicationId) + "; user_version " +
                          std::to_string(user_version) + ")");
  }
  if (user_version > latest_schema_version()) {
    return make_error(ErrorCode::kSchemaTooNew,
                      "'" + path + "' has schema version " + std::to_string(user_version) +
                          ", newer than the " + std::to_string(latest_schema_version()) +
                          " this pmiflow knows; upgrade pmiflow to open it");
  }
  if (user_version < 1) {
    return make_error(ErrorCode::kNotADatabase,
                      "'" + path + "' has the pmiflow application_id but schema version " +
                          std::to_string(user_version) + " and " + std::to_string(objects) +
                          " schema objects");
  }
  needs_migration = user_version < latest_schema_version();
  return {};
}

Status migrate(Connection& db, const std::string& path) {
  for (const Migration& m : kMigrations) {
    int rc = db.exec("BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) return io_error(db, path, "cannot start a migration", rc);
    std::int64_t current = 0;
    Status read = read_int(db, path, "PRAGMA user_version", current);
    if (!read.ok()) {
      db.exec("ROLLBACK");
      return read;
    }
    if (current >= m.version) {  // applied already (possibly by another process just now)
      db.exec("ROLLBACK");
      continue;
    }
    const std::string finish = "PRAGMA user_version = " + std::to_string(m.version) +
                               "; PRAGMA application_id = " + std::to_string(kApplicationId) + ";";
    rc = db.exec(m.sql);
    if (rc == SQLITE_OK) rc = db.exec(finish.c_str());
    if (rc == SQLITE_OK) rc = db.exec("COMMIT");
    if (rc != SQLITE_OK) {
      Error e = io_error(
          db, path, "migration " + std::to_string(m.version) + " (" + m.description + ") failed",
          rc);
      if (db.in_transaction()) db.exec("ROLLBACK");
      return e;
    }
  }
  return {};
}

}  // namespace pmiflow::persistence::detail
