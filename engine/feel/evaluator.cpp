#include "engine/feel/evaluator.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "engine/feel/text.h"

namespace pmiflow::feel {
namespace {

const char* op_text(Op op) {
  switch (op) {
    case Op::kEq:
      return "=";
    case Op::kNe:
      return "!=";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
    case Op::kAdd:
      return "+";
    case Op::kSub:
      return "-";
    case Op::kMul:
      return "*";
    case Op::kDiv:
      return "/";
  }
  return "?";
}

class Evaluator {
 public:
  Evaluator(const Variables& vars, EvalError& error) : vars_(vars), error_(error) {}

  bool eval(const Node& n, Value& out) {
    switch (n.kind) {
      case NodeKind::kLiteral:
        out.borrow(n.value);
        return true;
      case NodeKind::kVariable: {
        auto it = vars_.find(n.name);
        out.borrow(it == vars_.end() ? null_json() : navigate(it->second, n.members));
        return true;
      }
      case NodeKind::kPath: {
        Value base;
        if (!eval(*n.children[0], base)) return false;
        const Json& target = navigate(base.get(), n.members);
        if (base.is_owned()) {
          Json copy = target;  // `target` points into `base`, which dies here
          out.set(std::move(copy));
        } else {
          out.borrow(target);
        }
        return true;
      }
      case NodeKind::kList: {
        Json list = Json::array();
        for (const auto& child : n.children) {
          Value item;
          if (!eval(*child, item)) return false;
          list.push_back(item.take());
        }
        out.set(std::move(list));
        return true;
      }
      case NodeKind::kNegate:
        return negate(n, out);
      case NodeKind::kNot:
        return logical_not(n, out);
      case NodeKind::kAnd:
      case NodeKind::kOr:
        return junction(n, out);
      case NodeKind::kCompare:
        return compare(n, out);
      case NodeKind::kArith:
        return arithmetic(n, out);
      case NodeKind::kIn:
        return in(n, out);
    }
    return fail("internal error: unknown expression node");
  }

 private:
  bool fail(std::string message) {
    error_.message = std::move(message);
    return false;
  }

  // Member access; anything missing or not a context gives null.
  static const Json& navigate(const Json& root, const std::vector<std::string>& members) {
    const Json* cur = &root;
    for (const auto& m : members) {
      if (!cur->is_object()) return null_json();
      auto it = cur->find(m);
      if (it == cur->end()) return null_json();
      cur = &*it;
    }
    return *cur;
  }

  bool negate(const Node& n, Value& out) {
    Value v;
    if (!eval(*n.children[0], v)) return false;
    const Json& x = v.get();
    if (x.is_null()) {
      out.set(Json());
      return true;
    }
    Number num;
    if (!to_number(x, num)) return fail("cannot apply unary '-' to " + describe(x));
    if (n.negations % 2 == 0) {
      out.set(x);
    } else if (num.exact && num.i != std::numeric_limits<std::int64_t>::min()) {
      out.set(Json(-num.i));
    } else {
      out.set(number_json(-num.d));
    }
    return true;
  }

  bool logical_not(const Node& n, Value& out) {
    Value v;
    if (!eval(*n.children[0], v)) return false;
    const Json& x = v.get();
    if (x.is_null()) {
      out.set(Json());
    } else if (x.is_boolean()) {
      out.set(Json(!x.get<bool>()));
    } else {
      return fail("not() expects a boolean, found " + describe(x));
    }
    return true;
  }

  // Three-valued `and` / `or`, evaluated left to right. `and` stops at the first false and `or`
  // at the first true: the result is then decided, and later operands are not evaluated.
  bool junction(const Node& n, Value& out) {
    const bool is_and = n.kind == NodeKind::kAnd;
    const bool decisive = !is_and;  // false decides `and`, true decides `or`
    bool saw_null = false;
    for (const auto& child : n.children) {
      Value v;
      if (!eval(*child, v)) return false;
      const Json& x = v.get();
      if (x.is_null()) {
        saw_null = true;
      } else if (x.is_boolean()) {
        if (x.get<bool>() == decisive) {
          out.set(Json(decisive));
          return true;
        }
      } else {
        return fail(std::string("'") + (is_and ? "and" : "or") +
                    "' expects boolean operands, found " + describe(x));
      }
    }
    out.set(saw_null ? Json() : Json(!decisive));
    return true;
  }

  // FEEL equality, extended so that `x = null` always answers: null equals only null, and values
  // of different non-null types are unequal (FEEL itself gives null for the latter; a boolean
  // answer lets conditions such as `x = null` or `status = "ok"` work on any variable).
  // Numbers compare numerically (3 = 3.0); lists and contexts compare element by element.
  bool equal(const Json& a, const Json& b, int depth, bool& eq) {
    if (depth > kMaxValueDepth) return fail("values are nested too deeply to compare");
    Number na;
    Number nb;
    if (to_number(a, na) && to_number(b, nb)) {
      eq = compare_numbers(na, nb) == std::partial_ordering::equivalent;
      return true;
    }
    if (a.type() != b.type()) {
      eq = false;
      return true;
    }
    switch (a.type()) {
      case Json::value_t::array: {
        eq = a.size() == b.size();
        for (size_t i = 0; eq && i < a.size(); ++i) {
          if (!equal(a[i], b[i], depth + 1, eq)) return false;
        }
        return true;
      }
      case Json::value_t::object: {
        eq = a.size() == b.size();
        for (auto it = a.begin(); eq && it != a.end(); ++it) {
          auto other = b.find(it.key());
          if (other == b.end()) {
            eq = false;
          } else if (!equal(it.value(), *other, depth + 1, eq)) {
            return false;
          }
        }
        return true;
      }
      default:
        eq = a == b;
        return true;
    }
  }

  bool compare(const Node& n, Value& out) {
    Value lv;
    Value rv;
    if (!eval(*n.children[0], lv) || !eval(*n.children[1], rv)) return false;
    const Json& a = lv.get();
    const Json& b = rv.get();
    const Op op = n.ops[0];
    if (op == Op::kEq || op == Op::kNe) {
      bool eq = false;
      if (!equal(a, b, 0, eq)) return false;
      out.set(Json(op == Op::kEq ? eq : !eq));
      return true;
    }
    if (a.is_null() || b.is_null()) {
      out.set(Json());
      return true;
    }
    std::partial_ordering ord = std::partial_ordering::unordered;
    Number na;
    Number nb;
    if (to_number(a, na) && to_number(b, nb)) {
      ord = compare_numbers(na, nb);
    } else if (a.is_string() && b.is_string()) {
      // std::string compares bytes as unsigned char, i.e. by UTF-8 code point order.
      ord = a.get_ref<const std::string&>() <=> b.get_ref<const std::string&>();
    } else {
      return fail("cannot compare " + describe(a) + " with " + describe(b) + " using '" +
                  op_text(op) + "'");
    }
    bool result = false;
    switch (op) {
      case Op::kLt:
        result = ord < 0;
        break;
      case Op::kLe:
        result = ord <= 0;
        break;
      case Op::kGt:
        result = ord > 0;
        break;
      case Op::kGe:
        result = ord >= 0;
        break;
      default:
        break;
    }
    out.set(Json(result));
    return true;
  }

  // Applies `op` to acc and rhs, leaving the result in acc.
  bool apply(Op op, Value& acc, const Json& b) {
    const Json& a = acc.get();
    if (a.is_null() || b.is_null()) {
      acc.set(Json());
      return true;
    }
    if (op == Op::kAdd && a.is_string() && b.is_string()) {
      const auto& sb = b.get_ref<const std::string&>();
      if (a.get_ref<const std::string&>().size() + sb.size() > kMaxStringBytes) {
        return fail("string concatenation with '+' exceeds " + std::to_string(kMaxStringBytes) +
                    " bytes");
      }
      if (!acc.is_owned()) acc.set(a);
      acc.owned().get_ref<std::string&>() += sb;
      return true;
    }
    Number x;
    Number y;
    if (!to_number(a, x) || !to_number(b, y)) {
      return fail("cannot apply '" + std::string(op_text(op)) + "' to " + describe(a) + " and " +
                  describe(b));
    }
    if (op == Op::kDiv) {
      if (y.d == 0) {  // FEEL: division by zero is null
        acc.set(Json());
        return true;
      }
      if (x.exact && y.exact && !(x.i == std::numeric_limits<std::int64_t>::min() && y.i == -1) &&
          x.i % y.i == 0) {
        acc.set(Json(x.i / y.i));
        return true;
      }
    } else if (x.exact && y.exact) {
      std::int64_t r = 0;
      bool overflow = false;
      switch (op) {
        case Op::kAdd:
          overflow = __builtin_add_overflow(x.i, y.i, &r);
          break;
        case Op::kSub:
          overflow = __builtin_sub_overflow(x.i, y.i, &r);
          break;
        default:
          overflow = __builtin_mul_overflow(x.i, y.i, &r);
          break;
      }
      if (!overflow) {
        acc.set(Json(r));
        return true;
      }
    }
    double r = 0;
    switch (op) {
      case Op::kAdd:
        r = x.d + y.d;
        break;
      case Op::kSub:
        r = x.d - y.d;
        break;
      case Op::kMul:
        r = x.d * y.d;
        break;
      default:
        r = x.d / y.d;
        break;
    }
    if (!std::isfinite(r)) {
      return fail("result of " + describe(a) + " " + op_text(op) + " " + describe(b) +
                  " is out of range");
    }
    acc.set(number_json(r));
    return true;
  }

  bool arithmetic(const Node& n, Value& out) {
    if (!eval(*n.children[0], out)) return false;
    for (size_t i = 1; i < n.children.size(); ++i) {
      Value rhs;
      if (!eval(*n.children[i], rhs)) return false;
      if (!apply(n.ops[i - 1], out, rhs.get())) return false;
    }
    return true;
  }

  // `x in L`: true when x equals an item of L, where L is a list literal (its items evaluated
  // lazily, left to right) or any other expression (a list value tests membership, any other
  // value tests equality). Not found: false, or null when x is null (FEEL null semantics).
  bool in(const Node& n, Value& out) {
    Value lv;
    if (!eval(*n.children[0], lv)) return false;
    const Json& x = lv.get();
    const Node& rhs = *n.children[1];
    bool found = false;
    if (rhs.kind == NodeKind::kList) {
      for (size_t i = 0; !found && i < rhs.children.size(); ++i) {
        Value item;
        if (!eval(*rhs.children[i], item)) return false;
        if (!equal(x, item.get(), 0, found)) return false;
      }
    } else {
      Value rv;
      if (!eval(rhs, rv)) return false;
      const Json& list = rv.get();
      if (list.is_array()) {
        for (size_t i = 0; !found && i < list.size(); ++i) {
          if (!equal(x, list[i], 0, found)) return false;
        }
      } else if (!equal(x, list, 0, found)) {
        return false;
      }
    }
    out.set(found ? Json(true) : (x.is_null() ? Json() : Json(false)));
    return true;
  }

  const Variables& vars_;
  EvalError& error_;
};

}  // namespace

bool evaluate_tree(const Node& root, const Variables& vars, Value& out, EvalError& error) {
  return Evaluator(vars, error).eval(root, out);
}

}  // namespace pmiflow::feel
