// Deployed definitions and forms as the engine uses them: each version parsed once, kept for
// the life of the engine (a deployed version never changes).
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "engine/common/mutex.h"
#include "engine/common/result.h"
#include "engine/engine/definition_store.h"
#include "engine/model/bpmn_parser.h"
#include "engine/model/form.h"

namespace pmiflow {

// One deployed definition version, loaded.
struct LoadedDefinition {
  std::int32_t version = 0;
  model::ProcessDefinitionPtr model;
  std::map<std::string, std::int32_t> forms;  // DeployedDefinition::forms
};

class DefinitionCache {
 public:
  using LoadedPtr = std::shared_ptr<const LoadedDefinition>;

  DefinitionCache(DefinitionStore& store, model::ValidationOptions validation)
      : store_(store), validation_(std::move(validation)) {}

  // Version `version` of `key` (0: the latest, asked of the store each time). kValidation when
  // the stored XML no longer loads.
  Result<LoadedPtr> definition(const std::string& key, std::int32_t version);

  // A form version (0: the latest). kInternal when the stored JSON no longer loads.
  Result<std::shared_ptr<const Form>> form(const std::string& form_id, std::int32_t version);

 private:
  DefinitionStore& store_;
  const model::ValidationOptions validation_;
  Mutex mu_;
  std::map<std::pair<std::string, std::int32_t>, LoadedPtr> definitions_ GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::int32_t>, std::shared_ptr<const Form>> forms_
      GUARDED_BY(mu_);
};

}  // namespace pmiflow
