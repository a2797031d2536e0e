#include "engine/common/limits.h"

namespace pmiflow::limits {

std::string bytes_text(std::size_t bytes) {
  std::string exact = std::to_string(bytes) + " bytes";
  if (bytes >= kMiB && bytes % kMiB == 0) {
    return std::to_string(bytes / kMiB) + " MiB (" + exact + ")";
  }
  if (bytes >= kKiB && bytes % kKiB == 0) {
    return std::to_string(bytes / kKiB) + " KiB (" + exact + ")";
  }
  return exact;
}

}  // namespace pmiflow::limits
