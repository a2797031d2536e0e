#include "engine/common/json_input.h"

#include <cstdio>
#include <vector>

#include "engine/common/utf8.h"

namespace pmiflow {
namespace {

std::string hex_byte(unsigned char c) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", static_cast<unsigned>(c));
  return text;
}

Error too_large(const std::string& where, std::size_t size, const limits::JsonLimits& limits) {
  return make_error(ErrorCode::kInvalidArgument,
                    where + ": " + std::to_string(size) + " bytes, more than the limit for " +
                        limits.what + " (" + limits::bytes_text(limits.max_bytes) + ")");
}

std::string depth_limit_text(const limits::JsonLimits& limits) {
  return "the limit for " + std::string(limits.what) + ": " + std::to_string(limits.max_depth) +
         " levels of arrays and objects";
}

// The offset of the bracket that opens level max_depth + 1, counting '[' and '{' outside
// strings; npos when there is none. Where nlohmann accepts the text (up to its first error), the
// count is the depth of the value it builds, so nothing deeper is ever built.
std::size_t find_too_deep(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

// "items[2].name", "[0]", "" (the value itself).
std::string member_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

}  // namespace

Result<Json> parse_json_checked(std::string_view text, const std::string& where,
                                const limits::JsonLimits& limits) {
  if (text.size() > limits.max_bytes) return too_large(where, text.size(), limits);
  if (const std::size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
    return make_error(ErrorCode::kInvalidArgument,
                      where + ": invalid UTF-8 at byte offset " + std::to_string(bad) + " (" +
                          hex_byte(static_cast<unsigned char>(text[bad])) + ")");
  }
  if (const std::size_t deep = find_too_deep(text, limits.max_depth);
      deep != std::string_view::npos) {
    return make_error(ErrorCode::kInvalidArgument,
                      where + ": nested deeper than " + std::to_string(limits.max_depth) +
                          " levels at byte offset " + std::to_string(deep) + " (" +
                          depth_limit_text(limits) + ")");
  }
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    return make_error(ErrorCode::kInvalidArgument, where + " is not JSON: " + e.what());
  }
}

bool is_json_text(std::string_view text) {
  return Json::accept(text);
}

Status check_json_value(const Json& value, const std::string& where,
                        const limits::JsonLimits& limits) {
  struct Item {
    const Json* value;
    int depth;  // of the containers around it
    std::string path;
  };
  auto bad_utf8 = [&](const std::string& path, const std::string& s, bool key) {
    const std::size_t bad = find_invalid_utf8(s);
    return make_error(ErrorCode::kInvalidArgument,
                      where + ": " + (key ? "a key" : "a string") +
                          (path.empty() ? std::string() : " at " + path) +
                          " is not valid UTF-8 (byte offset " + std::to_string(bad) + " is " +
                          hex_byte(static_cast<unsigned char>(s[bad])) + ")");
  };
  std::vector<Item> stack;
  stack.push_back(Item{&value, 0, ""});
  while (!stack.empty()) {
    Item item = std::move(stack.back());
    stack.pop_back();
    const Json& v = *item.value;
    if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      if (find_invalid_utf8(s) != std::string_view::npos) return bad_utf8(item.path, s, false);
      continue;
    }
    if (!v.is_array() && !v.is_object()) continue;
    if (item.depth + 1 > limits.max_depth) {
      return make_error(ErrorCode::kInvalidArgument,
                        where + ": nested deeper than " + std::to_string(limits.max_depth) +
                            " levels" + (item.path.empty() ? "" : " at " + item.path) + " (" +
                            depth_limit_text(limits) + ")");
    }
    if (v.is_array()) {
      for (std::size_t k = v.size(); k-- > 0;) {
        stack.push_back(Item{&v[k], item.depth + 1, item.path + "[" + std::to_string(k) + "]"});
      }
      continue;
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (find_invalid_utf8(it.key()) != std::string_view::npos) {
        return bad_utf8(item.path, it.key(), true);
      }
    }
    for (auto it = v.rbegin(); it != v.rend(); ++it) {  // popped in document order
      stack.push_back(Item{&it.value(), item.depth + 1, member_path(item.path, it.key())});
    }
  }
  const std::size_t size = json_text(value).size();
  if (size > limits.max_bytes) return too_large(where, size, limits);
  return {};
}

}  // namespace pmiflow
