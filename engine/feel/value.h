// FEEL values during evaluation (private to engine/feel): JSON values, numbers read from them,
// the wording of a value in messages, and Value, a result borrowed or owned.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/common/json.h"
#include "engine/common/limits.h"

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
