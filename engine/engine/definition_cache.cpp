#include "engine/engine/definition_cache.h"

#include "engine/engine/deployment.h"

namespace pmiflow {

Result<DefinitionCache::LoadedPtr> DefinitionCache::definition(const std::string& key,
                                                               std::int32_t version) {
  if (version != 0) {
    MutexLock lock(mu_);
    auto it = definitions_.find({key, version});
    if (it != definitions_.end()) return it->second;
  }
  auto deployed = store_.definition(key, version);
  if (!deployed.ok()) return deployed.error();
  {
    MutexLock lock(mu_);
    auto it = definitions_.find({key, deployed->version});
    if (it != definitions_.end()) return it->second;
  }
  auto loaded = model::load_bpmn(deployed->xml, deployed->resource_name, validation_);
  if (!loaded.definition) {
    return make_error(ErrorCode::kValidation,
                      key + " version " + std::to_string(deployed->version) +
                          " does not load: " + diagnostics_text(loaded.diagnostics));
  }
  auto ptr = std::make_shared<const LoadedDefinition>(LoadedDefinition{
      deployed->version,
      std::make_shared<const model::ProcessDefinition>(std::move(*loaded.definition)),
      std::move(deployed->forms)});
  MutexLock lock(mu_);
  // Another thread may have loaded the same version meanwhile: the first one stays, so that a
  // pointer handed out keeps pointing at what the cache holds.
  return definitions_.try_emplace({key, deployed->version}, std::move(ptr)).first->second;
}

Result<std::shared_ptr<const Form>> DefinitionCache::form(const std::string& form_id,
                                                          std::int32_t version) {
  {
    MutexLock lock(mu_);
    auto it = forms_.find({form_id, version});
    if (it != forms_.end()) return it->second;
  }
  auto deployed = store_.form(form_id, version);
  if (!deployed.ok()) return deployed.error();
  Json json = Json::parse(deployed->json, nullptr, /*allow_exceptions=*/false);
  auto parsed = Form::parse(json, deployed->resource_name);
  if (!parsed.ok()) {
    return make_error(ErrorCode::kInternal, "form '" + form_id + "' version " +
                                                std::to_string(deployed->version) +
                                                " does not load: " + parsed.error().message);
  }
  auto ptr = std::make_shared<const Form>(std::move(*parsed));
  MutexLock lock(mu_);
  // As for definitions: the first one loaded stays (the engine hands out raw pointers to it).
  return forms_.try_emplace({form_id, deployed->version}, std::move(ptr)).first->second;
}

}  // namespace pmiflow
