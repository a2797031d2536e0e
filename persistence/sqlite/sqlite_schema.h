// Private to persistence/: the SQLite schema of a pmiflow database and its migrations
// (docs/storage-format.md describes every table).
//
// A pmiflow database is recognised by `PRAGMA application_id` = kApplicationId ('PMIF') and
// its schema version is `PRAGMA user_version`: the number of the last migration applied.
// Migrations are forward only; each runs in its own transaction together with the
// user_version bump, so a database is always at exactly one version.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "engine/common/result.h"
#include "persistence/sqlite/sqlite_statement.h"

namespace pmiflow::persistence::detail {

inline constexpr std::int32_t kApplicationId = 0x504D4946;  // 'PMIF'

struct Migration {
  int version;              // 1, 2, ...: dense; equals the user_version it leaves behind
  const char* description;  // one line, for docs and error messages
  const char* sql;          // statements run inside the migration's transaction
};

// The append-only list of migrations. Never edit or reorder an entry once released: add one.
std::span<const Migration> migrations();
// The newest schema version this build knows (the last migration's number).
int latest_schema_version();

// Checks, without writing anything, that the database behind `db` is empty (a new file) or a
// pmiflow database this build can read: kNotADatabase when the file is not SQLite or belongs
// to another application, kSchemaTooNew when its user_version is newer than this build.
// Sets `needs_migration` when migrations are missing. `path` is for messages.
// Call it before any PRAGMA that writes (journal_mode=WAL), so a refused file stays intact.
Status inspect_schema(Connection& db, const std::string& path, bool& needs_migration);

// Applies every migration newer than the database's user_version, one transaction each
// (BEGIN IMMEDIATE, re-reading user_version inside, so two processes migrating the same file
// at once apply each migration once).
Status migrate(Connection& db, const std::string& path);

}  // namespace pmiflow::persistence::detail
