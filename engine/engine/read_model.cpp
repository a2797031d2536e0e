#include "engine/engine/read_model.h"

namespace pmiflow {

std::string outbox_id_for(std::int64_t instance_id, std::int64_t key,
                          const std::string& subprocess) {
  return std::to_string(instance_id) + "-" + std::to_string(key) + "-" + subprocess;
}

}  // namespace pmiflow
