// What the fuzz targets assert beyond "no crash, no leak, no undefined behaviour": a failed
// check prints what failed and aborts, which libFuzzer (and corpus_main.cpp) report as a crash
// with the input that caused it. An exception that escapes a target is reported the same way:
// at the CLI it would be exit 70, "internal error".
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "engine/common/utf8.h"

namespace pmiflow::fuzz {

inline void check(bool ok, std::string_view what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

// Text that reaches the store or JSON output must be UTF-8 (nlohmann refuses to write it
// otherwise).
inline void check_utf8(std::string_view text, std::string_view what) {
  check(find_invalid_utf8(text) == std::string_view::npos, what);
}

}  // namespace pmiflow::fuzz
