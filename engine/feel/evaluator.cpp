#include "engine/feel/evaluator.h"

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "engine/feel/builtins.h"
#include "engine/feel/temporal_value.h"
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
  Evaluator(const Variables& vars, const Env& env, EvalError& error)
      : vars_(vars), env_(env), error_(error) {}

  bool eval(const Node& n, Value& out) {
    switch (n.kind) {
      case NodeKind::kLiteral:
        out.borrow(n.value);
        return true;
      case NodeKind::kVariable: {
        const Json* found = lookup(n.name);
        Json computed;
        const Json& target = found == nullptr ? null_json() : navigate(*found, n.members, computed);
        if (&target == &computed) {
          out.set(std::move(computed));
        } else {
          out.borrow(target);
        }
        return true;
      }
      case NodeKind::kPath: {
        Value base;
        if (!eval(*n.children[0], base)) return false;
        Json computed;
        const Json& target = navigate(base.get(), n.members, computed);
        if (&target == &computed) {
          out.set(std::move(computed));
        } else if (base.is_owned()) {
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
      case NodeKind::kCall:
        return call(n, out);
      case NodeKind::kContext:
        return context(n, out);
      case NodeKind::kFilter:
        return filter(n, out);
    }
    return fail("internal error: unknown expression node");
  }

 private:
  bool fail(std::string message) {
    error_.message = std::move(message);
    return false;
  }

  // A name in scope: an entry of an enclosing context literal or the item of an enclosing
  // filter (and its members), innermost first, then the variables. Null when none has it.
  const Json* lookup(const std::string& name) const {
    for (auto frame = frames_.rbegin(); frame != frames_.rend(); ++frame) {
      if (frame->item != nullptr && name == "item") return frame->item;
      if (frame->context != nullptr) {
        auto it = frame->context->find(name);
        if (it != frame->context->end()) return &*it;
      }
    }
    auto it = vars_.find(name);
    return it == vars_.end() ? nullptr : &it->second;
  }

  // {a: 1, b: a + 1}: each entry sees the ones before it.
  bool context(const Node& n, Value& out) {
    Json object = Json::object();
    frames_.push_back(Frame{nullptr, &object});
    for (std::size_t i = 0; i < n.children.size(); ++i) {
      Value value;
      if (!eval(*n.children[i], value)) {
        frames_.pop_back();
        return false;
      }
      Json entry = value.take();
      object[n.members[i]] = std::move(entry);
    }
    frames_.pop_back();
    out.set(std::move(object));
    return true;
  }

  // list[1] (from 1; -1 is the last), list[condition] (the items for which it is true; an
  // item's members are names in the condition, the item itself is `item`). A value that is
  // not a list is a list of one; null gives null.
  bool filter(const Node& n, Value& out) {
    Value base;
    if (!eval(*n.children[0], base)) return false;
    const Json& b = base.get();
    if (b.is_null()) {
      out.set(Json());
      return true;
    }
    const Json items = b.is_array() ? Json() : Json::array({b});
    const Json& list = b.is_array() ? b : items;
    // An index does not depend on the item: evaluate it once, outside any item.
    {
      EvalError ignored;  // a condition over the items may fail outside them
      Evaluator outside(vars_, env_, ignored);
      outside.frames_ = frames_;
      Value index;
      if (outside.eval(*n.children[1], index) && index.get().is_number()) {
        const double at = index.get().get<double>();
        const auto size = static_cast<double>(list.size());
        const double position = at < 0 ? size + at : at - 1;
        if (std::floor(at) != at || at == 0 || position < 0 || position >= size) {
          out.set(Json());
        } else {
          out.set(list[static_cast<std::size_t>(position)]);
        }
        return true;
      }
    }
    Json kept = Json::array();
    for (const Json& item : list) {
      frames_.push_back(Frame{&item, item.is_object() ? &item : nullptr});
      Value keep;
      const bool ok = eval(*n.children[1], keep);
      frames_.pop_back();
      if (!ok) return false;
      if (keep.get() == Json(true)) kept.push_back(item);
    }
    out.set(std::move(kept));
    return true;
  }

  // Member access; anything missing or not a context gives null; a member of a list is the
  // list of that member of each item. A property of a temporal (`fecha.year`) is computed into
  // `computed`, which is then returned.
  static const Json& navigate(const Json& root, const std::vector<std::string>& members,
                              Json& computed) {
    const Json* cur = &root;
    for (std::size_t i = 0; i < members.size(); ++i) {
      const std::string& m = members[i];
      if (cur->is_array()) {
        const std::vector<std::string> rest(members.begin() + static_cast<std::ptrdiff_t>(i),
                                            members.end());
        Json mapped = Json::array();
        for (const Json& item : *cur) {
          Json item_computed;
          mapped.push_back(navigate(item, rest, item_computed));
        }
        computed = std::move(mapped);
        return computed;
      }
      Temporal t;
      if (read_temporal(*cur, t)) {
        std::optional<Json> property = temporal_property(t, m);
        if (!property) return null_json();
        computed = std::move(*property);
        cur = &computed;
        continue;
      }
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
    Temporal t;
    if (read_temporal(x, t)) {
      Json negated;
      std::string message;
      if (!negate_temporal(t, negated, message)) return fail(std::move(message));
      if (n.negations % 2 == 0) {
        out.set(x);
      } else {
        out.set(std::move(negated));
      }
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

  bool equal(const Json& a, const Json& b, bool& eq) {
    std::string message;
    if (!values_equal(a, b, env_.zone, eq, message)) return fail(std::move(message));
    return true;
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
      if (!equal(a, b, eq)) return false;
      out.set(Json(op == Op::kEq ? eq : !eq));
      return true;
    }
    if (a.is_null() || b.is_null()) {
      out.set(Json());
      return true;
    }
    std::partial_ordering ord = std::partial_ordering::unordered;
    std::string message;
    if (!order_values(a, b, env_.zone, ord, message)) {
      return fail(message + " using '" + op_text(op) + "'");
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
    if (is_temporal(a) || is_temporal(b)) {
      Json result;
      std::string message;
      if (!temporal_arithmetic(op_text(op)[0], a, b, env_.zone, result, message)) {
        return fail(std::move(message));
      }
      acc.set(std::move(result));
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
        if (!equal(x, item.get(), found)) return false;
      }
    } else {
      Value rv;
      if (!eval(rhs, rv)) return false;
      const Json& list = rv.get();
      if (list.is_array()) {
        for (size_t i = 0; !found && i < list.size(); ++i) {
          if (!equal(x, list[i], found)) return false;
        }
      } else if (!equal(x, list, found)) {
        return false;
      }
    }
    out.set(found ? Json(true) : (x.is_null() ? Json() : Json(false)));
    return true;
  }

  // A built-in function: its arguments evaluated left to right, then the function; `is defined`
  // looks at its argument's path instead of its value.
  bool call(const Node& n, Value& out) {
    const Builtin& fn = *n.builtin;
    if (fn.reads_path) {
      out.set(Json(is_defined(*n.children[0])));
      return true;
    }
    std::vector<Json> args;
    args.reserve(n.children.size());
    for (const auto& child : n.children) {
      Value arg;
      if (!eval(*child, arg)) return false;
      args.push_back(arg.take());
    }
    Json result;
    std::string message;
    if (!fn.call(CallContext{env_}, args, result, message)) {
      return fail(std::string(fn.name) + "(): " + message);
    }
    out.set(std::move(result));
    return true;
  }

  // A variable (and each member of its path) that exists, even with a null value; any other
  // expression is defined (its value exists).
  bool is_defined(const Node& arg) const {
    if (arg.kind != NodeKind::kVariable) return true;
    const Json* cur = lookup(arg.name);
    if (cur == nullptr) return false;
    for (const auto& m : arg.members) {
      if (!cur->is_object()) return false;
      auto member = cur->find(m);
      if (member == cur->end()) return false;
      cur = &*member;
    }
    return true;
  }

  // A scope opened by a context literal (its entries so far) or a filter (its item).
  struct Frame {
    const Json* item;     // `item`, or null
    const Json* context;  // names looked up in this object, or null
  };

  const Variables& vars_;
  const Env& env_;
  EvalError& error_;
  std::vector<Frame> frames_;
};

}  // namespace

bool evaluate_tree(const Node& root, const Variables& vars, const Env& env, Value& out,
                   EvalError& error) {
  return Evaluator(vars, env, error).eval(root, out);
}

}  // namespace pmiflow::feel
