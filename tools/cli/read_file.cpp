#include "tools/cli/read_file.h"

#include <filesystem>
#include <fstream>

#include "engine/common/limits.h"

namespace pmiflow::cli {

Result<std::string> read_file(const std::string& path, std::size_t max_bytes, const char* what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return make_error(ErrorCode::kIo, path + ": is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, path + ": cannot open file");
  // Read in chunks up to one byte past the limit (a pipe has no size to ask for first).
  std::string text;
  char chunk[64 * 1024];
  while (text.size() <= max_bytes) {
    in.read(chunk, sizeof chunk);
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (!in) break;
  }
  if (in.bad()) return make_error(ErrorCode::kIo, path + ": read error");
  if (text.size() > max_bytes) {
    return make_error(
        ErrorCode::kInvalidArgument,
        path + ": more than " + limits::bytes_text(max_bytes) + ", the limit for " + what);
  }
  return text;
}

}  // namespace pmiflow::cli
