#include "engine/engine/store.h"

namespace pmiflow {

std::string outbox_id_for(std::int64_t instance_id, std::int64_t key,
                          const std::string& subprocess) {
  return std::to_string(instance_id) + "-" + std::to_string(key) + "-" + subprocess;
}

Result<std::int32_t> Store::latest_version(const std::string& key) {
  auto deployed = definition(key, 0);
  if (!deployed.ok()) return deployed.error();
  return deployed->version;
}

}  // namespace pmiflow
