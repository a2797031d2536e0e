// XML helpers of the BPMN parser (private to engine/model; the files named bpmn_parser* are the
// only ones that use pugixml): positions as line:column, names and namespaces, and the checks on
// character references that pugixml lets through.
#pragma once

#include <pugixml.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/model/process_definition.h"

namespace pmiflow::model::detail {

constexpr std::string_view kBpmnNamespace = "http://www.omg.org/spec/BPMN/20100524/MODEL";
constexpr std::string_view kZeebeNamespace = "http://camunda.org/schema/zeebe/1.0";
constexpr std::string_view kXmlNamespace = "http://www.w3.org/XML/1998/namespace";

// Maps byte offsets of the parsed buffer to 1-based line:column (columns count bytes).
class LineTable {
 public:
  explicit LineTable(std::string_view text);
  // An offset outside the buffer (pugixml gives -1 when it does not know) is clamped.
  SourceLocation at(std::ptrdiff_t offset) const;

 private:
  std::size_t size_;
  std::vector<std::size_t> starts_;
};

// Where `node` is: an element at its '<', a text at its first character.
SourceLocation location_of(const LineTable& lines, pugi::xml_node node);

inline std::string_view qualified_name(pugi::xml_node node) {
  return node.name();
}
std::string_view local_name(pugi::xml_node node);
inline std::string id_of(pugi::xml_node node) {
  return node.attribute("id").value();
}

// Resolves element namespaces (prefix -> URI from xmlns declarations in scope). Each element's
// own declarations are read once and cached, so resolving many siblings costs time linear in
// the document, whatever the number of declarations. Lookup walks the ancestors: call it only
// on shallow elements (the parser never resolves below definitions/process/node/extension).
class NamespaceResolver {
 public:
  std::string_view of(pugi::xml_node node);

 private:
  using Declarations = std::unordered_map<std::string_view, std::string_view>;
  const Declarations& declarations_of(pugi::xml_node n);
  std::unordered_map<const void*, Declarations> cache_;
};

// Starting at raw offset `start` (the first byte of a text or CDATA node as pugixml saw it),
// returns the raw offset where decoded byte `k` of the node's value comes from. Undoes what
// parse_default decodes: entity references (text only) and CR LF -> LF.
std::size_t raw_offset_of(std::string_view buffer, std::size_t start, std::size_t k, bool cdata);

// pugixml decodes a character reference to any number, so &#xD800; or &#x23FFFF; becomes bytes
// that are not UTF-8; XML 1.0 allows references to characters only (sections 2.2 and 4.1). The
// first element with such an attribute value or text, and what it is, found without recursion.
struct BadReference {
  pugi::xml_node node;  // the element, or the text node
  std::string what;     // "attribute name of <bpmn:task>", "text of <bpmn:documentation>"
};
std::optional<BadReference> find_bad_character_reference(pugi::xml_document& doc);

}  // namespace pmiflow::model::detail
