#include "engine/feel/parser.h"

#include <charconv>
#include <cmath>
#include <system_error>
#include <utility>
#include <vector>

#include "engine/common/utf8.h"
#include "engine/feel/builtins.h"
#include "engine/feel/text.h"

namespace pmiflow::feel {
namespace {

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
  kLBrace,
  kRBrace,
  kColon,
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

bool is_keyword(std::string_view s) {
  return s == "true" || s == "false" || s == "null" || s == "and" || s == "or" || s == "in" ||
         s == "not";
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
      case '{':
        kind = Tok::kLBrace;
        break;
      case '}':
        kind = Tok::kRBrace;
        break;
      case ':':
        kind = Tok::kColon;
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

  // postfix := primary { '.' name | '[' expression ']' }
  std::unique_ptr<Node> postfix() {
    auto base = primary();
    while (base && (tok_.kind == Tok::kDot || tok_.kind == Tok::kLBracket)) {
      if (tok_.kind == Tok::kLBracket) {
        const size_t open = tok_.pos;
        if (!advance()) return nullptr;
        auto filter = expression(open);
        if (!filter || !expect_close(Tok::kRBracket, ']', open, "the filter '['")) return nullptr;
        auto node = std::make_unique<Node>(NodeKind::kFilter);
        node->children.push_back(std::move(base));
        node->children.push_back(std::move(filter));
        base = std::move(node);
        continue;
      }
      if (base->kind != NodeKind::kVariable && base->kind != NodeKind::kPath) {
        auto path = std::make_unique<Node>(NodeKind::kPath);
        path->children.push_back(std::move(base));
        base = std::move(path);
      }
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
      case Tok::kLBrace:
        return context(pos);
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
    if (const Builtin* fn = match_builtin()) return call(*fn, pos);
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
                           "' (supported: " + builtin_names() + ")");
    }
    auto node = std::make_unique<Node>(NodeKind::kVariable);
    variables_.insert(name);
    node->name = std::move(name);
    return node;
  }

  // The built-in function whose name's words start at the current name token and are followed
  // by '(' (the longest, for "date" and "date and time"); moves the lexer past the name's last
  // word. nullptr when there is none.
  const Builtin* match_builtin() {
    const Builtin* best = nullptr;
    size_t best_end = 0;
    for (const Builtin& fn : builtins()) {
      std::string_view name = fn.name;
      size_t space = name.find(' ');
      if (name.substr(0, space) != tok_.text) continue;
      size_t end = tok_.end;
      bool words_match = true;
      while (space != std::string_view::npos && words_match) {
        size_t next = name.find(' ', space + 1);
        std::string_view word = name.substr(
            space + 1, next == std::string_view::npos ? std::string_view::npos : next - space - 1);
        size_t q = end;
        while (q < src_.size() && is_space(at(q))) ++q;
        words_match =
            q > end && src_.substr(q, word.size()) == word && !is_name_char(at(q + word.size()));
        end = q + word.size();
        space = next;
      }
      size_t q = end;
      while (q < src_.size() && is_space(at(q))) ++q;
      if (!words_match || at(q) != '(') continue;
      if (best == nullptr || end > best_end) {
        best = &fn;
        best_end = end;
      }
    }
    if (best != nullptr) p_ = best_end;
    return best;
  }

  // fn '(' [ expression { ',' expression } ] ')', the lexer just past the function's name.
  std::unique_ptr<Node> call(const Builtin& fn, size_t name_pos) {
    if (!advance()) return nullptr;  // '('
    const size_t open = tok_.pos;
    if (!advance()) return nullptr;
    auto node = std::make_unique<Node>(NodeKind::kCall);
    node->builtin = &fn;
    if (tok_.kind != Tok::kRParen) {
      while (true) {
        auto arg = expression(open);
        if (!arg) return nullptr;
        node->children.push_back(std::move(arg));
        if (tok_.kind != Tok::kComma) break;
        if (!advance()) return nullptr;
      }
    }
    const std::string what = "the arguments of " + std::string(fn.name) + "()";
    if (!expect_close(Tok::kRParen, ')', open, what.c_str())) return nullptr;
    const auto n = static_cast<int>(node->children.size());
    if (n < fn.min_args || (fn.max_args >= 0 && n > fn.max_args)) {
      return fail(name_pos, std::string(fn.name) + "() does not take " + std::to_string(n) +
                                (n == 1 ? " argument" : " arguments") + ": " + fn.signature);
    }
    return node;
  }

  // context := '{' [ key ':' expression { ',' key ':' expression } ] '}', key a name or a string
  std::unique_ptr<Node> context(size_t open) {
    if (!advance()) return nullptr;
    auto node = std::make_unique<Node>(NodeKind::kContext);
    if (tok_.kind == Tok::kRBrace) {
      if (!advance()) return nullptr;
      return node;
    }
    while (true) {
      if (tok_.kind != Tok::kName && tok_.kind != Tok::kString) {
        return fail(tok_.pos,
                    "expected a key (a name or a string) in the context opened at column " +
                        std::to_string(column_of(src_, open)) + ", found " + describe_token());
      }
      std::string key = tok_.text;
      if (!advance()) return nullptr;
      if (tok_.kind != Tok::kColon) {
        return fail(tok_.pos, "expected ':' after the key '" +
                                  std::string(utf8_prefix(key, kMaxQuotedBytes)) + "', found " +
                                  describe_token());
      }
      if (!advance()) return nullptr;
      auto value = expression(open);
      if (!value) return nullptr;
      node->members.push_back(std::move(key));
      node->children.push_back(std::move(value));
      if (tok_.kind != Tok::kComma) break;
      if (!advance()) return nullptr;
    }
    if (!expect_close(Tok::kRBrace, '}', open, "the context '{'")) return nullptr;
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

std::unique_ptr<Node> parse_expression(std::string_view text, std::size_t start,
                                       std::set<std::string>& variables, std::size_t& error_pos,
                                       std::string& error_message) {
  Parser parser(text, variables);
  std::unique_ptr<Node> root = parser.parse(start);
  if (!root) {
    error_pos = parser.error_pos();
    error_message = parser.error_message();
  }
  return root;
}

}  // namespace pmiflow::feel
