// What a CLI command works with: the store behind --db, the handlers, the engine.
#pragma once

#include <memory>
#include <string>

#include "app/verify.h"
#include "engine/engine/clock.h"
#include "engine/engine/engine.h"
#include "engine/engine/handler.h"
#include "engine/model/bpmn_parser.h"
#include "engine/model/vocabulary.h"
#include "persistence/sqlite/sqlite_store.h"
#include "tools/cli/read_file.h"

namespace pmiflow::cli {

// --db, else $PMIFLOW_DB, else ./pmiflow.db.
std::string resolve_db_path(const std::string& flag);

struct Session {
  std::unique_ptr<persistence::SqliteStore> store;
  HandlerRegistry handlers;
  std::unique_ptr<Clock> clock;  // the system's, or a simulated one (`run --clock simulated`)
  std::unique_ptr<Engine> engine;
};

enum class OpenMode {
  kCreate,    // create the database when missing (deploy, start, bench)
  kExisting,  // the database must exist (queries, complete): kIo naming the path otherwise
};

// `clock`: the engine's (null: the system's).
Result<std::unique_ptr<Session>> open_session(const std::string& db_flag, OpenMode mode,
                                              persistence::SqliteOptions options = {},
                                              std::unique_ptr<Clock> clock = nullptr);

// More read-only connections to the session's database (for `verify --all`'s workers).
app::OpenReader more_readers(const Session& session);

// Registers the handlers this build ships (D02.03's) with the SE's default settings.
void register_shipped_handlers(HandlerRegistry& registry);

// The labels people read this build's deployments in: those of the forms of version `version`
// of `key` (0: the latest; "" for the latest version of every deployed definition), then the
// shipped domain's (D02.03's roles, records and start data: handlers/d02_03/vocabulary.h). A
// definition that is not deployed leaves the domain's alone.
model::Vocabulary shipped_vocabulary(Session& session, const std::string& key = "",
                                     std::int32_t version = 0);

// Validation against the handler types this build ships (what `validate` and `deploy` check).
model::ValidationOptions shipped_validation_options();

// The bundled definitions: $PMIFLOW_DEFINITIONS, else the source tree's process-definitions.
std::string definitions_dir();

// The bundled D02.03 definition file (one school on its own).
std::string d02_03_definition_path();

// Where a definition file's forms are: `<dir of bpmn_path>/forms/<formId>.form`. A missing
// file is kNotFound naming the path looked for.
FormResolver forms_beside(const std::string& bpmn_path);

// Reads the definition file at `path` and deploys it with its forms (forms_beside).
Result<DeployOutcome> deploy_file(Engine& engine, const std::string& path);

}  // namespace pmiflow::cli
