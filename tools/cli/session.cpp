#include "tools/cli/session.h"

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

#include "app/vocabulary.h"
#include "engine/common/limits.h"
#include "handlers/d02_03/d02_03_handlers.h"
#include "handlers/d02_03/vocabulary.h"

namespace pmiflow::cli {

std::string resolve_db_path(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("PMIFLOW_DB"); env != nullptr && *env != '\0') return env;
  return "pmiflow.db";
}

model::Vocabulary shipped_vocabulary(Session& session, const std::string& key,
                                     std::int32_t version) {
  const model::Vocabulary& domain = handlers::d02_03::vocabulary();
  auto words = key.empty() ? app::deployed_vocabulary(*session.store, domain)
                           : app::definition_vocabulary(*session.store, key, version, domain);
  return words.ok() ? *words : domain;
}

void register_shipped_handlers(HandlerRegistry& registry) {
  handlers::d02_03::register_handlers(registry, handlers::d02_03::Settings{});
}

model::ValidationOptions shipped_validation_options() {
  HandlerRegistry handlers;
  register_shipped_handlers(handlers);
  return model::ValidationOptions{handlers.types()};
}

std::string definitions_dir() {
  if (const char* env = std::getenv("PMIFLOW_DEFINITIONS"); env != nullptr && *env != '\0') {
    return env;
  }
  return std::string(PMIFLOW_SOURCE_DIR) + "/process-definitions";
}

std::string d02_03_definition_path() {
  return definitions_dir() + "/d02_03_apoyar_gestion_pmi.bpmn";
}

FormResolver forms_beside(const std::string& bpmn_path) {
  const std::filesystem::path dir = std::filesystem::path(bpmn_path).parent_path() / "forms";
  return [dir](const std::string& form_id) -> Result<FormFile> {
    const std::string path = (dir / (form_id + ".form")).string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return make_error(ErrorCode::kNotFound, "form file '" + path + "' does not exist");
    }
    auto json = read_file(path, limits::kMaxFormBytes, "a form file");
    if (!json.ok()) return json.error();
    return FormFile{std::move(*json), path};
  };
}

Result<DeployOutcome> deploy_file(Engine& engine, const std::string& path) {
  auto xml = read_file(path, limits::kMaxBpmnBytes, "a BPMN file");
  if (!xml.ok()) return xml.error();
  return engine.deploy(*xml, std::filesystem::path(path).filename(), forms_beside(path));
}

namespace {

// PMIFLOW_MAX_ACTIVATIONS: the runaway guard's limit (EngineOptions::max_activations_per_request).
Result<EngineOptions> engine_options() {
  EngineOptions options;
  const char* env = std::getenv("PMIFLOW_MAX_ACTIVATIONS");
  if (env == nullptr || *env == '\0') return options;
  const std::string text = env;
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value < 1 || value > 100000000) {
    return make_error(ErrorCode::kInvalidArgument, "PMIFLOW_MAX_ACTIVATIONS: '" + text +
                                                       "' is not an integer from 1 to 100000000");
  }
  options.max_activations_per_request = static_cast<int>(value);
  return options;
}

}  // namespace

Result<std::unique_ptr<Session>> open_session(const std::string& db_flag, OpenMode mode,
                                              persistence::SqliteOptions options,
                                              std::unique_ptr<Clock> clock) {
  auto engine_opts = engine_options();
  if (!engine_opts.ok()) return engine_opts.error();
  std::string path = resolve_db_path(db_flag);
  std::error_code ec;
  if (mode == OpenMode::kExisting && !std::filesystem::exists(path, ec)) {
    return make_error(ErrorCode::kIo, path +
                                          ": no such database (give --db PATH or set "
                                          "PMIFLOW_DB; `pmiflow deploy` creates one)");
  }
  auto store = persistence::SqliteStore::open(path, options);
  if (!store.ok()) return store.error();
  auto session = std::make_unique<Session>();
  session->store = std::move(*store);
  register_shipped_handlers(session->handlers);
  session->clock = clock != nullptr ? std::move(clock) : std::make_unique<SystemClock>();
  session->engine = std::make_unique<Engine>(*session->store, *session->store, *session->store,
                                             session->handlers, *session->clock, *engine_opts);
  return session;
}

app::OpenReader more_readers(const Session& session) {
  const std::string path = session.store->path();
  return [path]() -> Result<std::unique_ptr<Store>> {
    persistence::SqliteOptions options;
    options.read_only = true;
    auto store = persistence::SqliteStore::open(path, options);
    if (!store.ok()) return store.error();
    return std::unique_ptr<Store>(std::move(*store));
  };
}

}  // namespace pmiflow::cli
