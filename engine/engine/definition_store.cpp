#include "engine/engine/definition_store.h"

#include <algorithm>

namespace pmiflow {

Result<std::int32_t> DefinitionStore::latest_version(const std::string& key) {
  auto deployed = definition(key, 0);
  if (!deployed.ok()) return deployed.error();
  return deployed->version;
}

Result<std::map<std::string, std::int32_t>> DefinitionStore::latest_versions() {
  auto all = definitions();
  if (!all.ok()) return all.error();
  std::map<std::string, std::int32_t> out;
  for (const DeployedDefinition& d : *all) out[d.key] = std::max(out[d.key], d.version);
  return out;
}

}  // namespace pmiflow
