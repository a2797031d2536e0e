// FEEL values during evaluation (private to engine/feel): JSON values, numbers read from them,
// the wording of a value in messages, and Value, a result borrowed or owned.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/common/json.h"
#include "engine/common/limits.h"
#include "engine/time/zone.h"

namespace pmiflow::feel {

inline constexpr std::size_t kMaxStringBytes = 16 * limits::kMiB;
inline constexpr int kMaxValueDepth = 256;

// "string \"a\"", "number 3", "boolean true", "null", "list of 2 items", "context".
std::string describe(const Json& v);

struct Number {
  bool exact = false;  // `i` holds the value exactly
  std::int64_t i = 0;
  double d = 0;
};

bool to_number(const Json& v, Number& n);
std::partial_ordering compare_numbers(const Number& a, const Number& b);
// Integral doubles within +-2^53 become JSON integers, so that 6 / 3 renders as 2.
Json number_json(double d);

// FEEL equality, extended so that `x = null` always answers: null equals only null, and values
// of different non-null types are unequal (FEEL itself gives null for the latter; a boolean
// answer lets conditions such as `x = null` or `status = "ok"` work on any variable).
// Numbers compare numerically (3 = 3.0); lists and contexts compare element by element;
// temporals of one kind by their order (a local date and time is read in `zone`). False with
// `error` only for values nested deeper than kMaxValueDepth.
bool values_equal(const Json& a, const Json& b, const time::Zone& zone, bool& eq,
                  std::string& error, int depth = 0);

// The order of two numbers, two strings (by code point) or two temporals of one kind; false
// with `error` for anything else.
bool order_values(const Json& a, const Json& b, const time::Zone& zone,
                  std::partial_ordering& order, std::string& error);

// The result of evaluating a node: borrowed from the variables or the AST when possible (so
// that reading a large variable does not copy it), owned otherwise.
class Value {
 public:
  const Json& get() const { return borrowed_ != nullptr ? *borrowed_ : owned_; }
  void borrow(const Json& v) { borrowed_ = &v; }
  void set(Json v) {
    owned_ = std::move(v);
    borrowed_ = nullptr;
  }
  // Takes the value out (copying only if borrowed).
  Json take() {
    if (borrowed_ != nullptr) return *borrowed_;
    return std::move(owned_);
  }
  bool is_owned() const { return borrowed_ == nullptr; }
  Json& owned() { return owned_; }

 private:
  const Json* borrowed_ = nullptr;
  Json owned_;
};

const Json& null_json();

}  // namespace pmiflow::feel
