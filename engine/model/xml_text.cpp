#include "engine/model/xml_text.h"

#include <cstdint>

#include "engine/common/utf8.h"

namespace pmiflow::model::detail {

std::string declared_encoding(std::string_view xml) {
  if (xml.substr(0, 5) != "<?xml") return {};
  std::size_t end = xml.find("?>");
  if (end == std::string_view::npos) return {};
  std::string_view decl = xml.substr(0, end);
  std::size_t pos = decl.find("encoding");
  if (pos == std::string_view::npos) return {};
  pos = decl.find_first_of("\"'", pos);
  if (pos == std::string_view::npos) return {};
  char quote = decl[pos];
  std::size_t close = decl.find(quote, pos + 1);
  if (close == std::string_view::npos) return {};
  return lower(decl.substr(pos + 1, close - pos - 1));
}

bool is_latin1_name(const std::string& encoding) {
  return encoding == "iso-8859-1" || encoding == "iso8859-1" || encoding == "iso_8859-1" ||
         encoding == "latin1" || encoding == "latin-1" || encoding == "l1" ||
         encoding == "windows-1252" || encoding == "cp1252" || encoding == "iso-8859-15";
}

bool has_utf16_or_utf32_bom(std::string_view xml) {
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(xml[i]); };
  if (xml.size() >= 2 && ((b(0) == 0xFE && b(1) == 0xFF) || (b(0) == 0xFF && b(1) == 0xFE))) {
    return true;
  }
  return xml.size() >= 4 && b(0) == 0 && b(1) == 0 && b(2) == 0xFE && b(3) == 0xFF;
}

bool decode_utf16_or_utf32(std::string_view xml, std::string& out, std::size_t& bad) {
  auto b = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(xml[i]));
  };
  const bool utf32_be = xml.size() >= 4 && b(0) == 0 && b(1) == 0 && b(2) == 0xFE && b(3) == 0xFF;
  const bool utf32_le = xml.size() >= 4 && b(0) == 0xFF && b(1) == 0xFE && b(2) == 0 && b(3) == 0;
  const bool big_endian = utf32_be || (b(0) == 0xFE && b(1) == 0xFF);
  const std::size_t unit = utf32_be || utf32_le ? 4 : 2;
  auto read = [&](std::size_t i) {
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < unit; ++k) {
      v |= b(i + k) << (8 * (big_endian ? unit - 1 - k : k));
    }
    return v;
  };
  out.clear();
  out.reserve(xml.size());
  for (std::size_t i = unit; i < xml.size(); i += unit) {
    bad = i;
    if (i + unit > xml.size()) return false;
    std::uint32_t cp = read(i);
    if (unit == 2 && cp >= 0xD800 && cp <= 0xDBFF) {
      if (i + 4 > xml.size()) return false;
      const std::uint32_t low = read(i + 2);
      if (low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      i += 2;
    } else if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    append_utf8(out, cp);
  }
  return true;
}

std::string latin1_to_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 8);
  for (char c : in) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x80) {
      out += c;
    } else {
      out += static_cast<char>(0xC0 | (u >> 6));
      out += static_cast<char>(0x80 | (u & 0x3F));
    }
  }
  return out;
}

}  // namespace pmiflow::model::detail
