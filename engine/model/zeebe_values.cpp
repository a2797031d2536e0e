#include "engine/model/zeebe_values.h"

#include <algorithm>
#include <cstddef>
#include <unordered_set>

#include "engine/model/xml_text.h"

namespace pmiflow::model::detail {
namespace {

// Reads a FEEL string literal starting at s[pos] == '"'; advances pos past the closing quote.
bool read_feel_string(std::string_view s, std::size_t& pos, std::string& out) {
  if (pos >= s.size() || s[pos] != '"') return false;
  ++pos;
  while (pos < s.size()) {
    char c = s[pos++];
    if (c == '"') return true;
    if (c == '\\' && pos < s.size()) {
      char e = s[pos++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        default:
          out += e;
          break;
      }
    } else {
      out += c;
    }
  }
  return false;
}

}  // namespace

bool parse_candidate_groups(std::string_view value, std::vector<std::string>& groups) {
  std::vector<std::string> items;
  std::string_view text = trim(value);
  if (!text.empty() && text.front() == '=') {
    std::string_view expr = trim(text.substr(1));
    std::size_t pos = 0;
    auto skip_ws = [&] {
      while (pos < expr.size() && is_space(expr[pos])) ++pos;
    };
    if (!expr.empty() && expr.front() == '"') {
      std::string item;
      if (!read_feel_string(expr, pos, item)) return false;
      skip_ws();
      if (pos != expr.size()) return false;
      items.push_back(std::move(item));
    } else if (!expr.empty() && expr.front() == '[') {
      ++pos;
      skip_ws();
      if (pos < expr.size() && expr[pos] == ']') {
        ++pos;
      } else {
        while (true) {
          skip_ws();
          std::string item;
          if (!read_feel_string(expr, pos, item)) return false;
          items.push_back(std::move(item));
          skip_ws();
          if (pos < expr.size() && expr[pos] == ',') {
            ++pos;
            continue;
          }
          if (pos < expr.size() && expr[pos] == ']') {
            ++pos;
            break;
          }
          return false;
        }
      }
      skip_ws();
      if (pos != expr.size()) return false;
    } else {
      return false;
    }
  } else {
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t comma = text.find(',', start);
      if (comma == std::string_view::npos) comma = text.size();
      items.emplace_back(trim(text.substr(start, comma - start)));
      start = comma + 1;
    }
  }
  groups.clear();
  std::unordered_set<std::string> seen;
  for (std::string& item : items) {
    std::string t(trim(item));
    if (t.empty() || !seen.insert(t).second) continue;
    groups.push_back(std::move(t));
  }
  return true;
}

bool parse_retries(std::string_view value, int& out) {
  std::string_view t = trim(value);
  if (t.empty() || t.size() > 9) return false;
  int v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace pmiflow::model::detail
