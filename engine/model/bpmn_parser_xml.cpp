#include "engine/model/bpmn_parser_xml.h"

#include <algorithm>
#include <cstdint>

#include "engine/common/utf8.h"

namespace pmiflow::model::detail {

namespace {

int clamp_int(std::size_t v) {
  return v > static_cast<std::size_t>(INT32_MAX) ? INT32_MAX : static_cast<int>(v);
}

}  // namespace

LineTable::LineTable(std::string_view text) : size_(text.size()) {
  starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
      starts_.push_back(i + 1);
    }
  }
}

SourceLocation LineTable::at(std::ptrdiff_t offset) const {
  if (offset < 0) return {};
  std::size_t off = std::min(static_cast<std::size_t>(offset), size_);
  auto it = std::upper_bound(starts_.begin(), starts_.end(), off);
  std::size_t line = static_cast<std::size_t>(it - starts_.begin());  // >= 1
  std::size_t column = off - starts_[line - 1] + 1;
  return {clamp_int(line), clamp_int(column)};
}

SourceLocation location_of(const LineTable& lines, pugi::xml_node node) {
  std::ptrdiff_t off = node.offset_debug();
  if (off < 0) return {};
  if (node.type() == pugi::node_element && off > 0) --off;
  return lines.at(off);
}

std::string_view local_name(pugi::xml_node node) {
  std::string_view name = qualified_name(node);
  std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view NamespaceResolver::of(pugi::xml_node node) {
  std::string_view name = node.name();
  std::size_t colon = name.find(':');
  std::string_view prefix = colon == std::string_view::npos ? "" : name.substr(0, colon);
  if (prefix == "xml") return kXmlNamespace;
  // The element itself: scanned, not cached (each element is resolved O(1) times).
  const std::string_view own = prefix.empty() ? std::string_view("xmlns") : std::string_view();
  for (pugi::xml_attribute a : node.attributes()) {
    std::string_view attribute = a.name();
    if (prefix.empty() ? attribute == own
                       : (attribute.size() == prefix.size() + 6 &&
                          attribute.substr(0, 6) == "xmlns:" && attribute.substr(6) == prefix)) {
      return a.value();
    }
  }
  for (pugi::xml_node n = node.parent(); n && n.type() == pugi::node_element; n = n.parent()) {
    const Declarations& declarations = declarations_of(n);
    auto it = declarations.find(prefix);
    if (it != declarations.end()) return it->second;
  }
  return {};
}

const NamespaceResolver::Declarations& NamespaceResolver::declarations_of(pugi::xml_node n) {
  auto [it, inserted] = cache_.try_emplace(n.internal_object());
  if (inserted) {
    for (pugi::xml_attribute a : n.attributes()) {
      std::string_view attribute = a.name();
      if (attribute == "xmlns") {
        it->second.emplace("", a.value());
      } else if (attribute.substr(0, 6) == "xmlns:") {
        it->second.emplace(attribute.substr(6), a.value());
      }
    }
  }
  return it->second;
}

namespace {

std::size_t utf8_length(std::uint32_t code_point) {
  if (code_point < 0x80) return 1;
  if (code_point < 0x800) return 2;
  if (code_point < 0x10000) return 3;
  return 4;
}

}  // namespace

std::size_t raw_offset_of(std::string_view buffer, std::size_t start, std::size_t k, bool cdata) {
  std::size_t decoded = 0;
  std::size_t i = start;
  while (decoded < k && i < buffer.size()) {
    std::size_t raw_len = 1;
    std::size_t dec_len = 1;
    if (buffer[i] == '\r' && i + 1 < buffer.size() && buffer[i + 1] == '\n') {
      raw_len = 2;
    } else if (!cdata && buffer[i] == '&') {
      std::size_t semi = buffer.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 12) {
        raw_len = semi - i + 1;
        std::string_view ref = buffer.substr(i + 1, semi - i - 1);
        if (!ref.empty() && ref.front() == '#') {
          std::uint32_t cp = 0;
          bool hex = ref.size() > 1 && (ref[1] == 'x' || ref[1] == 'X');
          for (std::size_t j = hex ? 2 : 1; j < ref.size(); ++j) {
            char c = ref[j];
            std::uint32_t d = 0;
            if (c >= '0' && c <= '9') {
              d = static_cast<std::uint32_t>(c - '0');
            } else if (hex && c >= 'a' && c <= 'f') {
              d = static_cast<std::uint32_t>(c - 'a' + 10);
            } else if (hex && c >= 'A' && c <= 'F') {
              d = static_cast<std::uint32_t>(c - 'A' + 10);
            }
            cp = std::min<std::uint32_t>(cp * (hex ? 16U : 10U) + d, 0x10FFFF);
          }
          dec_len = utf8_length(cp);
        }
      }
    }
    if (decoded + dec_len > k) break;
    decoded += dec_len;
    i += raw_len;
  }
  return i;
}

std::optional<BadReference> find_bad_character_reference(pugi::xml_document& doc) {
  struct Walker : pugi::xml_tree_walker {
    std::optional<BadReference> found;
    bool for_each(pugi::xml_node& node) override {
      auto bad = [](const char* value) {
        return find_invalid_utf8(value) != std::string_view::npos;
      };
      if (node.type() == pugi::node_element) {
        for (pugi::xml_attribute a : node.attributes()) {
          if (bad(a.value())) {
            found = BadReference{node, "attribute " + std::string(a.name()) + " of <" +
                                           std::string(node.name()) + ">"};
            return false;
          }
        }
      } else if (node.type() == pugi::node_pcdata && bad(node.value())) {
        found = BadReference{node, "text of <" + std::string(node.parent().name()) + ">"};
        return false;
      }
      return true;
    }
  } walker;
  doc.traverse(walker);
  return walker.found;
}

}  // namespace pmiflow::model::detail
