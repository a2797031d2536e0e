#include "tools/cli/duration_input.h"

#include "engine/time/cycle.h"
#include "engine/time/zone.h"

namespace pmiflow::cli {

Result<std::int64_t> parse_duration_flag(const std::string& text, const std::string& flag,
                                         std::int64_t now_ms) {
  auto d = time::parse_duration(text);
  if (!d.ok()) return make_error(ErrorCode::kInvalidArgument, flag + ": " + d.error().message);
  auto until = time::add_duration(now_ms, *d, time::default_zone());
  if (!until) {
    return make_error(ErrorCode::kInvalidArgument, flag + ": '" + text + "' is out of range");
  }
  return *until - now_ms;
}

}  // namespace pmiflow::cli
