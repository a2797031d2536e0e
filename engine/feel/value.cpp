#include "engine/feel/value.h"

#include <cmath>
#include <limits>

#include "engine/feel/text.h"

namespace pmiflow::feel {

std::string describe(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return v.get<bool>() ? "boolean true" : "boolean false";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "number " + v.dump();
    case Json::value_t::string:
      return "string " + quote(v.get_ref<const std::string&>());
    case Json::value_t::array:
      return "list of " + std::to_string(v.size()) + (v.size() == 1 ? " item" : " items");
    case Json::value_t::object:
      return "context";
    case Json::value_t::binary:
      return "binary value";
    case Json::value_t::discarded:
      break;
  }
  return "invalid value";
}

bool to_number(const Json& v, Number& n) {
  switch (v.type()) {
    case Json::value_t::number_integer:
      n.exact = true;
      n.i = v.get<std::int64_t>();
      n.d = static_cast<double>(n.i);
      return true;
    case Json::value_t::number_unsigned: {
      auto u = v.get<std::uint64_t>();
      n.exact = u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
      n.i = n.exact ? static_cast<std::int64_t>(u) : 0;
      n.d = static_cast<double>(u);
      return true;
    }
    case Json::value_t::number_float:
      n.exact = false;
      n.d = v.get<double>();
      return true;
    default:
      return false;
  }
}

std::partial_ordering compare_numbers(const Number& a, const Number& b) {
  if (a.exact && b.exact) return a.i <=> b.i;
  return a.d <=> b.d;
}

Json number_json(double d) {
  constexpr double kExactLimit = 9007199254740992.0;  // 2^53
  if (std::trunc(d) == d && std::fabs(d) <= kExactLimit) {
    return Json(static_cast<std::int64_t>(d));
  }
  return Json(d);
}

const Json& null_json() {
  static const Json kNull;
  return kNull;
}

}  // namespace pmiflow::feel
