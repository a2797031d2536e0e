// FEEL subset: lexer, recursive-descent parser and tree-walking evaluator.
//
// Limits that keep every input bounded:
//   - texts longer than limits::kMaxFeelBytes are rejected before lexing;
//   - brackets ('(', '[', 'not(') nest at most limits::kMaxFeelNesting levels deep;
//   - chains of binary operators and of unary minus build flat n-ary nodes, so the AST depth (and
//     with it parser, evaluator and destructor recursion) is bounded by the bracket nesting;
//   - string concatenation results are capped at kMaxStringBytes;
//   - comparing JSON values recurses at most kMaxValueDepth levels into lists and contexts.
//
// Numbers are IEEE doubles, with exact 64-bit integer arithmetic when both operands are integers
// and the result fits (FEEL specifies decimal128; for conditions the difference only shows in
// cases like 0.1 + 0.2 = 0.3, which is false here).
#include "engine/feel/feel.h"

#include "engine/common/limits.h"
#include "engine/common/utf8.h"

#include <charconv>
#include <cmath>
#include <compare>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace pmiflow::feel {

namespace {

constexpr size_t kMaxTextBytes = limits::kMaxFeelBytes;
constexpr int kMaxNesting = limits::kMaxFeelNesting + 1;  // counting the whole text's level
constexpr size_t kMaxStringBytes = 16 * limits::kMiB;
constexpr int kMaxValueDepth = 256;
constexpr size_t kMaxQuotedBytes = 40;

enum class NodeKind {
  kLiteral,   // value
  kVariable,  // name, members
  kPath,      // children[0], members
  kList,      // children
  kNegate,    // children[0], negations
  kNot,       // children[0]
  kAnd,       // children (two or more)
  kOr,        // children (two or more)
  kCompare,   // children[0] ops[0] children[1]
  kArith,     // children[0] ops[0] children[1] ops[1] ... (left-associative)
  kIn,        // children[0] in children[1]
};

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kAdd, kSub, kMul, kDiv };

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

}  // namespace

// An AST node; which fields are used depends on `kind` (see NodeKind).
class Node {
 public:
  explicit Node(NodeKind k) : kind(k) {}

  NodeKind kind;
  Json value;
  std::string name;
  std::vector<std::string> members;
  std::vector<std::unique_ptr<Node>> children;
  std::vector<Op> ops;
  size_t negations = 0;
};

namespace {

// ---------------------------------------------------------------------------------------------
// Text helpers

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

// The whole UTF-8 character that starts at byte `pos` of `s` (which is valid UTF-8).
std::string_view utf8_char_at(std::string_view s, size_t pos) {
  size_t end = pos + 1;
  while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
  return s.substr(pos, end - pos);
}

// JSON-quoted, possibly truncated rendering of a string for messages.
std::string quote(std::string_view s) {
  std::string_view head = utf8_prefix(s, kMaxQuotedBytes);
  std::string text = Json(std::string(head)).dump(-1, ' ', false, Json::error_handler_t::replace);
  if (head.size() < s.size()) text += "...";
  return text;
}

// "string \"a\"", "number 3", "boolean true", "null", "list of 2 items", "context".
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

// ---------------------------------------------------------------------------------------------
// Numbers

struct Number {
  bool exact = false;  // `i` holds the value exactly
  std::int64_t i = 0;
  double d = 0;
};

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

// Integral doubles within +-2^53 become JSON integers, so that 6 / 3 renders as 2.
Json number_json(double d) {
  constexpr double kExactLimit = 9007199254740992.0;  // 2^53
  if (std::trunc(d) == d && std::fabs(d) <= kExactLimit) {
    return Json(static_cast<std::int64_t>(d));
  }
  return Json(d);
}

// ---------------------------------------------------------------------------------------------
// Evaluation

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

const Json& null_json() {
  static const Json kNull;
  return kNull;
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

// ---------------------------------------------------------------------------------------------
// Lexer

enum class Tok {
  kEnd,
  kNumber,
  kString,
  kName,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
};

struct Token {
  Tok kind = Tok::kEnd;
  size_t pos = 0;    // byte offset of the first character
  size_t end = 0;    // byte offset past the last character
  std::string text;  // names: the name; strings: the decoded value
  Json number;       // numbers: the value
};

bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}
bool is_name_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool is_name_char(unsigned char c) {
  return is_name_start(c) || is_digit(c);
}

bool is_keyword(std::string_view s) {
  return s == "true" || s == "false" || s == "null" || s == "and" || s == "or" || s == "in" ||
         s == "not";
}

std::string hex4(unsigned v) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string s(4, '0');
  for (int i = 3; i >= 0; --i) {
    s[static_cast<size_t>(i)] = kDigits[v & 0xF];
    v >>= 4;
  }
  return s;
}

// 1-based column of byte offset `pos`, counting UTF-8 characters (equal to bytes for ASCII).
int column_of(std::string_view s, size_t pos) {
  int col = 1;
  for (size_t i = 0; i < pos && i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++col;
  }
  return col;
}

// ---------------------------------------------------------------------------------------------
// Parser. Every parse function returns nullptr after recording the first error.

class Parser {
 public:
  Parser(std::string_view src, std::set<std::string>& variables)
      : src_(src), variables_(variables) {}

  // Parses the whole text, starting at byte offset `start`.
  std::unique_ptr<Node> parse(size_t start) {
    p_ = start;
    if (!advance()) return nullptr;
    auto root = expression(tok_.pos);
    if (!root) return nullptr;
    if (tok_.kind != Tok::kEnd) {
      return fail(tok_.pos,
                  "unexpected " + describe_token() + ", expected an operator or end of expression");
    }
    return root;
  }

  const std::string& error_message() const { return error_message_; }
  size_t error_pos() const { return error_pos_; }

 private:
  std::nullptr_t fail(size_t pos, std::string message) {
    if (!failed_) {
      failed_ = true;
      error_pos_ = pos;
      error_message_ = std::move(message);
    }
    return nullptr;
  }
  bool lex_fail(size_t pos, std::string message) {
    fail(pos, std::move(message));
    return false;
  }

  // ---- lexing

  unsigned char at(size_t i) const {
    return i < src_.size() ? static_cast<unsigned char>(src_[i]) : 0;
  }

  // Reads the next token into tok_. False on a lexical error.
  bool advance() {
    while (p_ < src_.size() && is_space(at(p_))) ++p_;
    tok_ = Token{};
    tok_.pos = p_;
    if (p_ >= src_.size()) {
      tok_.kind = Tok::kEnd;
      tok_.end = p_;
      return true;
    }
    const unsigned char c = at(p_);
    if (is_digit(c) || (c == '.' && is_digit(at(p_ + 1)))) return lex_number();
    if (is_name_start(c)) {
      size_t e = p_;
      while (e < src_.size() && is_name_char(at(e))) ++e;
      tok_.kind = Tok::kName;
      tok_.text = std::string(src_.substr(p_, e - p_));
      p_ = tok_.end = e;
      return true;
    }
    if (c == '"') return lex_string();
    Tok kind = Tok::kEnd;
    size_t len = 1;
    switch (c) {
      case '(':
        kind = Tok::kLParen;
        break;
      case ')':
        kind = Tok::kRParen;
        break;
      case '[':
        kind = Tok::kLBracket;
        break;
      case ']':
        kind = Tok::kRBracket;
        break;
      case ',':
        kind = Tok::kComma;
        break;
      case '.':
        kind = Tok::kDot;
        break;
      case '+':
        kind = Tok::kPlus;
        break;
      case '-':
        kind = Tok::kMinus;
        break;
      case '*':
        kind = Tok::kStar;
        break;
      case '/':
        kind = Tok::kSlash;
        break;
      case '=':
        kind = Tok::kEq;
        break;
      case '!':
        if (at(p_ + 1) != '=') return lex_fail(p_, "unexpected character '!' (did you mean '!='?)");
        kind = Tok::kNe;
        len = 2;
        break;
      case '<':
        kind = at(p_ + 1) == '=' ? Tok::kLe : Tok::kLt;
        len = kind == Tok::kLe ? 2 : 1;
        break;
      case '>':
        kind = at(p_ + 1) == '=' ? Tok::kGe : Tok::kGt;
        len = kind == Tok::kGe ? 2 : 1;
        break;
      default:
        if (c > 0x20 && c < 0x7F) {
          return lex_fail(p_, std::string("unexpected character '") + static_cast<char>(c) + "'");
        }
        return lex_fail(p_, "unexpected character U+" + hex4(c));
    }
    tok_.kind = kind;
    p_ = tok_.end = p_ + len;
    return true;
  }

  // number := digits ['.' digits] | '.' digits
  bool lex_number() {
    const size_t start = p_;
    size_t e = p_;
    while (is_digit(at(e))) ++e;
    bool decimal = false;
    if (at(e) == '.' && is_digit(at(e + 1))) {
      decimal = true;
      ++e;
      while (is_digit(at(e))) ++e;
    }
    if (e < src_.size() && is_name_char(at(e))) {
      size_t bad = e;
      return lex_fail(bad, "invalid number: unexpected character '" +
                               std::string(utf8_char_at(src_, bad)) + "' after '" +
                               std::string(src_.substr(start, bad - start)) + "'");
    }
    const char* first = src_.data() + start;
    const char* last = src_.data() + e;
    if (!decimal) {
      std::int64_t i = 0;
      auto r = std::from_chars(first, last, i);
      if (r.ec == std::errc() && r.ptr == last) {
        tok_.number = Json(i);
        return finish_number(start, e);
      }
    }
    double d = 0;
    auto r = std::from_chars(first, last, d);
    if (r.ec == std::errc::result_out_of_range) {
      // Out of range means overflow when the integer part is non-zero, underflow otherwise (a
      // literal such as 0.000...1 too small for a double, read as 0).
      size_t k = start;
      while (at(k) == '0') ++k;
      if (is_digit(at(k))) return lex_fail(start, "number out of range");
      d = 0;
    } else if (r.ec != std::errc() || r.ptr != last || !std::isfinite(d)) {
      return lex_fail(start, "number out of range");
    }
    tok_.number = Json(d);
    return finish_number(start, e);
  }

  bool finish_number(size_t start, size_t e) {
    tok_.kind = Tok::kNumber;
    tok_.pos = start;
    p_ = tok_.end = e;
    return true;
  }

  // string := '"' { char | '\' ( '"' | '\' | '/' | 'n' | 't' | 'r' | 'b' | 'f' | 'uXXXX' ) } '"'
  bool lex_string() {
    const size_t start = p_;
    size_t i = p_ + 1;
    std::string value;
    while (true) {
      if (i >= src_.size()) return lex_fail(start, "unterminated string");
      const unsigned char c = at(i);
      if (c == '"') break;
      if (c != '\\') {
        value += static_cast<char>(c);
        ++i;
        continue;
      }
      const size_t esc = i;
      if (i + 1 >= src_.size()) return lex_fail(start, "unterminated string");
      const unsigned char e = at(i + 1);
      i += 2;
      switch (e) {
        case '"':
          value += '"';
          break;
        case '\\':
          value += '\\';
          break;
        case '/':
          value += '/';
          break;
        case 'n':
          value += '\n';
          break;
        case 't':
          value += '\t';
          break;
        case 'r':
          value += '\r';
          break;
        case 'b':
          value += '\b';
          break;
        case 'f':
          value += '\f';
          break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!read_hex4(i, cp)) {
            return lex_fail(esc, "invalid escape sequence: '\\u' must be followed by 4 hex digits");
          }
          i += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low = 0;
            if (at(i) != '\\' || at(i + 1) != 'u' || !read_hex4(i + 2, low) || low < 0xDC00 ||
                low > 0xDFFF) {
              return lex_fail(esc,
                              "invalid escape sequence: unpaired surrogate '\\u" + hex4(cp) + "'");
            }
            i += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return lex_fail(esc,
                            "invalid escape sequence: unpaired surrogate '\\u" + hex4(cp) + "'");
          }
          append_utf8(value, cp);
          break;
        }
        default:
          if (e > 0x20 && e < 0x7F) {
            return lex_fail(esc, std::string("invalid escape sequence '\\") + static_cast<char>(e) +
                                     "' in string");
          }
          return lex_fail(esc, "invalid escape sequence in string");
      }
    }
    tok_.kind = Tok::kString;
    tok_.text = std::move(value);
    p_ = tok_.end = i + 1;
    return true;
  }

  bool read_hex4(size_t i, std::uint32_t& out) const {
    out = 0;
    for (size_t k = 0; k < 4; ++k) {
      const unsigned char h = at(i + k);
      std::uint32_t v = 0;
      if (h >= '0' && h <= '9') {
        v = h - '0';
      } else if (h >= 'a' && h <= 'f') {
        v = h - 'a' + 10u;
      } else if (h >= 'A' && h <= 'F') {
        v = h - 'A' + 10u;
      } else {
        return false;
      }
      out = (out << 4) | v;
    }
    return true;
  }

  std::string describe_token() const {
    std::string_view raw = src_.substr(tok_.pos, tok_.end - tok_.pos);
    switch (tok_.kind) {
      case Tok::kEnd:
        return "end of expression";
      case Tok::kNumber:
        return "number " + std::string(utf8_prefix(raw, kMaxQuotedBytes)) +
               (raw.size() > kMaxQuotedBytes ? "..." : "");
      case Tok::kString:
        return "string " + quote(tok_.text);
      case Tok::kName:
        if (is_keyword(tok_.text)) return "'" + tok_.text + "'";
        return "name '" + std::string(utf8_prefix(raw, kMaxQuotedBytes)) +
               (raw.size() > kMaxQuotedBytes ? "...'" : "'");
      default:
        return "'" + std::string(raw) + "'";
    }
  }

  bool is_name(std::string_view s) const { return tok_.kind == Tok::kName && tok_.text == s; }

  // ---- grammar

  // Entered for the whole text and for each bracketed sub-expression; `open` is the offset of the
  // bracket, reported when the nesting limit is exceeded.
  std::unique_ptr<Node> expression(size_t open) {
    if (depth_ >= kMaxNesting) {
      return fail(open, "expression nested too deeply (more than " +
                            std::to_string(kMaxNesting - 1) + " levels of brackets)");
    }
    ++depth_;
    auto n = disjunction();
    --depth_;
    return n;
  }

  std::unique_ptr<Node> junction(NodeKind kind, std::string_view keyword) {
    auto first = kind == NodeKind::kOr ? junction(NodeKind::kAnd, "and") : comparison();
    if (!first || !is_name(keyword)) return first;
    auto node = std::make_unique<Node>(kind);
    node->children.push_back(std::move(first));
    while (is_name(keyword)) {
      if (!advance()) return nullptr;
      auto next = kind == NodeKind::kOr ? junction(NodeKind::kAnd, "and") : comparison();
      if (!next) return nullptr;
      node->children.push_back(std::move(next));
    }
    return node;
  }

  std::unique_ptr<Node> disjunction() { return junction(NodeKind::kOr, "or"); }

  bool at_comparison(Op& op) const {
    switch (tok_.kind) {
      case Tok::kEq:
        op = Op::kEq;
        return true;
      case Tok::kNe:
        op = Op::kNe;
        return true;
      case Tok::kLt:
        op = Op::kLt;
        return true;
      case Tok::kLe:
        op = Op::kLe;
        return true;
      case Tok::kGt:
        op = Op::kGt;
        return true;
      case Tok::kGe:
        op = Op::kGe;
        return true;
      default:
        return false;
    }
  }

  // comparison := additive [ ( '=' | '!=' | '<' | '<=' | '>' | '>=' | 'in' ) additive ]
  std::unique_ptr<Node> comparison() {
    auto lhs = additive();
    if (!lhs) return nullptr;
    Op op = Op::kEq;
    const bool is_in = is_name("in");
    if (!is_in && !at_comparison(op)) return lhs;
    if (!advance()) return nullptr;
    auto rhs = additive();
    if (!rhs) return nullptr;
    auto node = std::make_unique<Node>(is_in ? NodeKind::kIn : NodeKind::kCompare);
    node->children.push_back(std::move(lhs));
    node->children.push_back(std::move(rhs));
    if (!is_in) node->ops.push_back(op);
    Op ignored = Op::kEq;
    if (is_name("in") || at_comparison(ignored)) {
      return fail(tok_.pos, "comparisons cannot be chained: use 'and' or parentheses before " +
                                describe_token());
    }
    return node;
  }

  // additive := multiplicative { ('+' | '-') multiplicative }
  // multiplicative := unary { ('*' | '/') unary }
  std::unique_ptr<Node> binary_chain(bool additive_level) {
    auto operand = [&]() { return additive_level ? binary_chain(false) : unary(); };
    auto first = operand();
    if (!first) return nullptr;
    auto op_here = [&](Op& op) {
      if (additive_level && (tok_.kind == Tok::kPlus || tok_.kind == Tok::kMinus)) {
        op = tok_.kind == Tok::kPlus ? Op::kAdd : Op::kSub;
        return true;
      }
      if (!additive_level && (tok_.kind == Tok::kStar || tok_.kind == Tok::kSlash)) {
        op = tok_.kind == Tok::kStar ? Op::kMul : Op::kDiv;
        return true;
      }
      return false;
    };
    Op op = Op::kAdd;
    if (!op_here(op)) return first;
    auto node = std::make_unique<Node>(NodeKind::kArith);
    node->children.push_back(std::move(first));
    while (op_here(op)) {
      if (!advance()) return nullptr;
      auto next = operand();
      if (!next) return nullptr;
      node->ops.push_back(op);
      node->children.push_back(std::move(next));
    }
    return node;
  }

  std::unique_ptr<Node> additive() { return binary_chain(true); }

  // unary := { '-' } postfix
  std::unique_ptr<Node> unary() {
    size_t negations = 0;
    while (tok_.kind == Tok::kMinus) {
      ++negations;
      if (!advance()) return nullptr;
    }
    auto operand = postfix();
    if (!operand || negations == 0) return operand;
    auto node = std::make_unique<Node>(NodeKind::kNegate);
    node->negations = negations;
    node->children.push_back(std::move(operand));
    return node;
  }

  // postfix := primary { '.' name }
  std::unique_ptr<Node> postfix() {
    auto base = primary();
    if (!base || tok_.kind != Tok::kDot) return base;
    if (base->kind != NodeKind::kVariable) {
      auto path = std::make_unique<Node>(NodeKind::kPath);
      path->children.push_back(std::move(base));
      base = std::move(path);
    }
    while (tok_.kind == Tok::kDot) {
      if (!advance()) return nullptr;
      if (tok_.kind != Tok::kName) {
        return fail(tok_.pos, "expected a name after '.', found " + describe_token());
      }
      base->members.push_back(tok_.text);
      if (!advance()) return nullptr;
    }
    return base;
  }

  // Expects `closer` at the current token and consumes it.
  bool expect_close(Tok closer, char closer_char, size_t open, const char* what) {
    if (tok_.kind == closer) return advance();
    fail(tok_.pos, std::string("expected '") + closer_char + "' to close " + what +
                       " opened at column " + std::to_string(column_of(src_, open)) + ", found " +
                       describe_token());
    return false;
  }

  // primary := number | string | 'true' | 'false' | 'null' | name | 'not' '(' expression ')'
  //          | '(' expression ')' | '[' [ expression { ',' expression } ] ']'
  std::unique_ptr<Node> primary() {
    const size_t pos = tok_.pos;
    switch (tok_.kind) {
      case Tok::kNumber:
      case Tok::kString: {
        auto node = std::make_unique<Node>(NodeKind::kLiteral);
        node->value = tok_.kind == Tok::kNumber ? std::move(tok_.number) : Json(tok_.text);
        if (!advance()) return nullptr;
        return node;
      }
      case Tok::kName:
        return name_or_call();
      case Tok::kLParen: {
        if (!advance()) return nullptr;
        auto inner = expression(pos);
        if (!inner || !expect_close(Tok::kRParen, ')', pos, "'('")) return nullptr;
        return inner;
      }
      case Tok::kLBracket:
        return list(pos);
      case Tok::kEnd:
        return fail(pos, "unexpected end of expression, expected an operand");
      default:
        return fail(pos, "unexpected " + describe_token() + ", expected an operand");
    }
  }

  std::unique_ptr<Node> name_or_call() {
    const size_t pos = tok_.pos;
    std::string name = tok_.text;
    if (name == "true" || name == "false" || name == "null") {
      auto node = std::make_unique<Node>(NodeKind::kLiteral);
      if (name != "null") node->value = Json(name == "true");
      if (!advance()) return nullptr;
      return node;
    }
    if (name == "and" || name == "or" || name == "in") {
      return fail(pos, "unexpected '" + name + "', expected an operand");
    }
    if (!advance()) return nullptr;
    if (name == "not") {
      if (tok_.kind != Tok::kLParen) {
        return fail(tok_.pos, "expected '(' after 'not', found " + describe_token());
      }
      const size_t open = tok_.pos;
      if (!advance()) return nullptr;
      auto inner = expression(open);
      if (!inner || !expect_close(Tok::kRParen, ')', open, "'not('")) return nullptr;
      auto node = std::make_unique<Node>(NodeKind::kNot);
      node->children.push_back(std::move(inner));
      return node;
    }
    if (tok_.kind == Tok::kLParen) {
      return fail(pos, "unknown function '" + std::string(utf8_prefix(name, kMaxQuotedBytes)) +
                           "' (supported: not)");
    }
    auto node = std::make_unique<Node>(NodeKind::kVariable);
    variables_.insert(name);
    node->name = std::move(name);
    return node;
  }

  std::unique_ptr<Node> list(size_t open) {
    if (!advance()) return nullptr;
    auto node = std::make_unique<Node>(NodeKind::kList);
    if (tok_.kind == Tok::kRBracket) {
      if (!advance()) return nullptr;
      return node;
    }
    while (true) {
      auto item = expression(open);
      if (!item) return nullptr;
      node->children.push_back(std::move(item));
      if (tok_.kind != Tok::kComma) break;
      if (!advance()) return nullptr;
    }
    if (tok_.kind == Tok::kRBracket) {
      if (!advance()) return nullptr;
      return node;
    }
    return fail(tok_.pos, "expected ']' or ',' in the list opened at column " +
                              std::to_string(column_of(src_, open)) + ", found " +
                              describe_token());
  }

  std::string_view src_;
  std::set<std::string>& variables_;
  size_t p_ = 0;
  Token tok_;
  int depth_ = 0;
  bool failed_ = false;
  size_t error_pos_ = 0;
  std::string error_message_;
};

}  // namespace

// Builds Expressions; a friend of Expression.
class Compiler {
 public:
  static bool run(std::string_view text, Expression& out, CompileError& error) {
    if (text.size() > kMaxTextBytes) {
      error = {"expression too long: " + std::to_string(text.size()) + " bytes (the limit is " +
                   std::to_string(kMaxTextBytes) + ")",
               1};
      return false;
    }
    if (size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
      error = {"invalid UTF-8 byte 0x" + hex4(static_cast<unsigned char>(text[bad])).substr(2) +
                   " in expression",
               column_of(text, bad)};
      return false;
    }
    // A leading '=' (Camunda 8 style) is skipped.
    size_t start = 0;
    while (start < text.size() && is_space(static_cast<unsigned char>(text[start]))) ++start;
    if (start < text.size() && text[start] == '=') ++start;

    std::set<std::string> variables;
    Parser parser(text, variables);
    std::unique_ptr<Node> root = parser.parse(start);
    if (!root) {
      error = {parser.error_message(), column_of(text, parser.error_pos())};
      return false;
    }
    out.root_ = std::shared_ptr<const Node>(std::move(root));
    out.variables_ = std::move(variables);
    out.text_ = std::string(text);
    return true;
  }
};

bool compile(std::string_view text, Expression& out, CompileError& error) {
  try {
    return Compiler::run(text, out, error);
  } catch (const std::exception& e) {
    error = {std::string("internal error while compiling: ") + e.what(), 1};
  } catch (...) {
    error = {"internal error while compiling", 1};
  }
  return false;
}

bool Expression::evaluate(const Variables& vars, Json& out, EvalError& error) const {
  if (!root_) {
    error.message = "expression is not compiled";
    return false;
  }
  try {
    Value result;
    if (!Evaluator(vars, error).eval(*root_, result)) return false;
    out = result.take();
    return true;
  } catch (const std::exception& e) {
    error.message = std::string("internal error while evaluating: ") + e.what();
  } catch (...) {
    error.message = "internal error while evaluating";
  }
  return false;
}

}  // namespace pmiflow::feel
