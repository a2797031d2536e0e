#include "engine/engine/definition_store.h"

namespace pmiflow {

Result<std::int32_t> DefinitionStore::latest_version(const std::string& key) {
  auto deployed = definition(key, 0);
  if (!deployed.ok()) return deployed.error();
  return deployed->version;
}

}  // namespace pmiflow
