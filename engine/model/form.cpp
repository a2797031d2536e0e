// form-js schema parsing and the check of a task's submitted variables (contract: form.h).
#include "engine/model/form.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/common/json_input.h"
#include "engine/feel/feel.h"

namespace pmiflow {

namespace form_detail {

enum class Kind {
  kText,      // textfield, textarea
  kNumber,    // number
  kCheckbox,  // checkbox
  kSingle,    // select, radio
  kMulti,     // checklist, taglist
  kDatetime,  // datetime
  kAny,       // expression, filepicker: bound, value not checked
  kGroup,     // group (with or without path)
  kList,      // dynamiclist
  kDisplay,   // text, html, image, ...: binds nothing
};

struct Field {
  Kind kind = Kind::kDisplay;
  std::string type;               // the form-js type
  std::string name;               // key or path as written ("" for a group without path)
  std::vector<std::string> path;  // name split at '.'
  bool required = false;
  std::optional<Json> min;
  std::optional<Json> max;
  std::optional<std::size_t> min_length;
  std::optional<std::size_t> max_length;
  bool integer = false;            // number with decimalDigits 0
  std::vector<Json> values;        // static options
  std::string values_key;          // options held by this instance variable
  bool values_expression = false;  // options computed by a FEEL expression: not checked
  std::string subtype;             // datetime: date | time | datetime
  std::optional<feel::Expression> hide;
  std::vector<Field> children;
};

}  // namespace form_detail

namespace {

using form_detail::Field;
using form_detail::Kind;

// ---------------------------------------------------------------------------------------------
// Small helpers

std::optional<Kind> kind_of(std::string_view type) {
  if (type == "textfield" || type == "textarea") return Kind::kText;
  if (type == "number") return Kind::kNumber;
  if (type == "checkbox") return Kind::kCheckbox;
  if (type == "select" || type == "radio") return Kind::kSingle;
  if (type == "checklist" || type == "taglist") return Kind::kMulti;
  if (type == "datetime") return Kind::kDatetime;
  if (type == "expression" || type == "filepicker") return Kind::kAny;
  if (type == "group") return Kind::kGroup;
  if (type == "dynamiclist") return Kind::kList;
  if (type == "text" || type == "html" || type == "image" || type == "separator" ||
      type == "spacer" || type == "button" || type == "iframe" || type == "table" ||
      type == "documentPreview") {
    return Kind::kDisplay;
  }
  return std::nullopt;
}

bool is_keyed(Kind kind) {
  return kind != Kind::kGroup && kind != Kind::kList && kind != Kind::kDisplay;
}

// 3 (signed or unsigned in nlohmann's terms), not 3.0 nor -1.
bool is_non_negative_integer(const Json& value) {
  return value.is_number_unsigned() ||
         (value.is_number_integer() && value.get<std::int64_t>() >= 0);
}

bool is_identifier(std::string_view s) {
  if (s.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(s.front())) return false;
  for (char c : s) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

// "a.b.c" -> {"a", "b", "c"}; empty when any segment is not an identifier.
std::vector<std::string> split_path(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = text.find('.', start);
    std::string_view segment =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!is_identifier(segment)) return {};
    out.emplace_back(segment);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

std::string join_path(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// Compact JSON cut at `limit` bytes without splitting a UTF-8 sequence.
std::string shorten(std::string text, std::size_t limit = 60) {
  if (text.size() <= limit) return text;
  std::size_t cut = limit - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  return text.substr(0, cut) + "...";
}

// "string \"si\"", "number 3", "boolean true", "null", "array [1,2]", "object {...}".
std::string found(const Json& value) {
  if (value.is_null()) return "null";
  const char* type = value.is_string()    ? "string"
                     : value.is_number()  ? "number"
                     : value.is_boolean() ? "boolean"
                     : value.is_array()   ? "array"
                                          : "object";
  return std::string(type) + " " + shorten(json_text(value));
}

std::string list_values(const std::vector<Json>& values) {
  std::string out;
  for (const Json& v : values) {
    if (!out.empty()) out += ", ";
    out += json_text(v);
  }
  return shorten(out, 400);
}

std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++n;
  }
  return n;
}

bool all_whitespace(const std::string& s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// ISO 8601 pieces as form-js writes them

bool digits(std::string_view s, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > s.size()) return false;
  out = 0;
  for (std::size_t k = pos; k < pos + count; ++k) {
    if (s[k] < '0' || s[k] > '9') return false;
    out = out * 10 + (s[k] - '0');
  }
  return true;
}

// "YYYY-MM-DD", a real calendar date.
bool is_iso_date(std::string_view s) {
  int year = 0;
  int month = 0;
  int day = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4, year) ||
      !digits(s, 5, 2, month) || !digits(s, 8, 2, day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int last = month == 2 && leap ? 29 : kDays[month - 1];
  return day <= last;
}

// "HH:MM" or "HH:MM:SS" (optionally ".fff"), then nothing, "Z" or "+HH:MM" / "-HH:MM".
bool is_iso_time(std::string_view s) {
  int hour = 0;
  int minute = 0;
  if (!digits(s, 0, 2, hour) || s.size() < 5 || s[2] != ':' || !digits(s, 3, 2, minute)) {
    return false;
  }
  if (hour > 23 || minute > 59) return false;
  std::size_t pos = 5;
  if (pos < s.size() && s[pos] == ':') {
    int second = 0;
    if (!digits(s, pos + 1, 2, second) || second > 59) return false;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      std::size_t end = pos + 1;
      while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
      if (end == pos + 1) return false;
      pos = end;
    }
  }
  if (pos == s.size()) return true;
  if (s[pos] == 'Z') return pos + 1 == s.size();
  if (s[pos] != '+' && s[pos] != '-') return false;
  int oh = 0;
  int om = 0;
  return s.size() == pos + 6 && digits(s, pos + 1, 2, oh) && s[pos + 3] == ':' &&
         digits(s, pos + 4, 2, om) && oh <= 23 && om <= 59;
}

bool is_iso_datetime(std::string_view s) {
  return s.size() > 11 && s[10] == 'T' && is_iso_date(s.substr(0, 10)) && is_iso_time(s.substr(11));
}

// ---------------------------------------------------------------------------------------------
// Parsing

class Parser {
 public:
  explicit Parser(std::string source) : source_(std::move(source)) {}

  std::vector<Field> parse_root(const Json& form) {
    if (!form.is_object()) {
      problem("the form", "expected a JSON object, found " + found(form));
      return {};
    }
    auto type = form.find("type");
    if (type == form.end() || !type->is_string() || *type != "default") {
      problem("the form", "\"type\" must be \"default\", found " +
                              (type == form.end() ? std::string("nothing") : found(*type)));
    }
    auto id = form.find("id");
    if (id == form.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
      problem("the form", "\"id\" must be a non-empty string, found " +
                              (id == form.end() ? std::string("nothing") : found(*id)));
    }
    auto version = form.find("schemaVersion");
    if (version != form.end() && !version->is_number_integer()) {
      problem("the form", "\"schemaVersion\" must be an integer, found " + found(*version));
    }
    auto components = form.find("components");
    if (components == form.end() || !components->is_array()) {
      problem("the form",
              "\"components\" must be an array, found " +
                  (components == form.end() ? std::string("nothing") : found(*components)));
      return {};
    }
    std::vector<Field> fields;
    Scope scope;
    parse_components(*components, "components", scope, "", fields);
    return fields;
  }

  const std::vector<std::string>& problems() const { return problems_; }

 private:
  // The bindings made so far into one JSON object (the top level or a dynamiclist item):
  // full dotted path -> where, and whether it is a container (group path).
  struct Binding {
    std::string where;
    bool container = false;
  };
  using Scope = std::map<std::string, Binding>;

  void problem(const std::string& where, const std::string& what) {
    problems_.push_back(source_ + ": " + where + ": " + what);
  }

  // Registers `full` (dotted) in `scope`, or reports a problem when it clashes with a binding
  // already there (the same path, or a path inside a field that is not a group).
  void bind(Scope& scope, const std::string& full, bool container, const std::string& where) {
    for (const auto& [other, binding] : scope) {
      const bool same = other == full;
      const bool other_inside = other.size() > full.size() &&
                                other.compare(0, full.size(), full) == 0 &&
                                other[full.size()] == '.';
      const bool inside_other = full.size() > other.size() &&
                                full.compare(0, other.size(), other) == 0 &&
                                full[other.size()] == '.';
      if (same || (other_inside && !container) || (inside_other && !binding.container)) {
        problem(where, "binds '" + full + "', which " + binding.where + " already binds" +
                           (same ? "" : " (one is inside the other)"));
        return;
      }
    }
    scope[full] = Binding{where, container};
  }

  void parse_components(const Json& components, const std::string& where, Scope& scope,
                        const std::string& prefix, std::vector<Field>& out) {
    for (std::size_t index = 0; index < components.size(); ++index) {
      const std::string here = where + "[" + std::to_string(index) + "]";
      Field field;
      if (parse_component(components[index], here, scope, prefix, field)) {
        out.push_back(std::move(field));
      }
    }
  }

  bool parse_component(const Json& c, const std::string& here_index, Scope& scope,
                       const std::string& prefix, Field& field) {
    if (!c.is_object()) {
      problem(here_index, "expected a component object, found " + found(c));
      return false;
    }
    std::string here = here_index;
    if (auto key = c.find("key"); key != c.end() && key->is_string()) {
      here += " (key '" + key->get<std::string>() + "')";
    } else if (auto path = c.find("path"); path != c.end() && path->is_string()) {
      here += " (path '" + path->get<std::string>() + "')";
    }
    auto type = c.find("type");
    if (type == c.end() || !type->is_string()) {
      problem(here, "\"type\" must be a string, found " +
                        (type == c.end() ? std::string("nothing") : found(*type)));
      return false;
    }
    field.type = type->get<std::string>();
    std::optional<Kind> kind = kind_of(field.type);
    if (!kind) {
      problem(here, "unknown component type '" + field.type + "'");
      return false;
    }
    field.kind = *kind;

    if (auto id = c.find("id"); id != c.end()) {
      if (!id->is_string() || id->get_ref<const std::string&>().empty()) {
        problem(here, "\"id\" must be a non-empty string, found " + found(*id));
      } else if (!ids_.insert(id->get<std::string>()).second) {
        problem(here, "duplicate component id '" + id->get<std::string>() + "'");
      }
    }

    bool ok = true;
    if (is_keyed(field.kind)) {
      auto key = c.find("key");
      if (key == c.end() || !key->is_string() ||
          (field.path = split_path(key->get_ref<const std::string&>())).empty()) {
        problem(here, "a " + field.type +
                          " needs a \"key\" made of identifiers joined by '.', found " +
                          (key == c.end() ? std::string("nothing") : found(*key)));
        ok = false;
      } else {
        field.name = key->get<std::string>();
        bind(scope, join_path(prefix, field.name), false, here);
      }
    } else if (field.kind == Kind::kGroup || field.kind == Kind::kList) {
      auto path = c.find("path");
      const bool given =
          path != c.end() && !(path->is_string() && path->get_ref<const std::string&>().empty());
      if (given) {
        if (!path->is_string() ||
            (field.path = split_path(path->get_ref<const std::string&>())).empty()) {
          problem(here, "\"path\" must be identifiers joined by '.', found " + found(*path));
          ok = false;
        } else {
          field.name = path->get<std::string>();
          bind(scope, join_path(prefix, field.name), field.kind == Kind::kGroup, here);
        }
      } else if (field.kind == Kind::kList) {
        problem(here, "a dynamiclist needs a \"path\" (the array variable it fills)");
        ok = false;
      }
    }

    parse_conditional(c, here, field);
    parse_validate(c, here, field);
    if (field.kind == Kind::kSingle || field.kind == Kind::kMulti) parse_values(c, here, field);
    if (field.kind == Kind::kNumber) parse_number(c, here, field);
    if (field.kind == Kind::kDatetime) parse_datetime(c, here, field);

    if (field.kind == Kind::kGroup || field.kind == Kind::kList) {
      auto children = c.find("components");
      if (children != c.end() && !children->is_array()) {
        problem(here, "\"components\" must be an array, found " + found(*children));
        ok = false;
      } else if (children != c.end()) {
        const std::string where = here_index + ".components";
        if (field.kind == Kind::kList) {
          Scope item_scope;  // each item is an object of its own
          parse_components(*children, where, item_scope, "", field.children);
        } else {
          parse_components(*children, where, scope,
                           field.path.empty() ? prefix : join_path(prefix, field.name),
                           field.children);
        }
      }
    }
    return ok;
  }

  void parse_conditional(const Json& c, const std::string& here, Field& field) {
    auto conditional = c.find("conditional");
    if (conditional == c.end()) return;
    if (!conditional->is_object()) {
      problem(here, "\"conditional\" must be an object, found " + found(*conditional));
      return;
    }
    auto hide = conditional->find("hide");
    if (hide == conditional->end()) return;
    if (!hide->is_string()) {
      problem(here, "\"conditional.hide\" must be a FEEL expression string, found " + found(*hide));
      return;
    }
    feel::Expression expression;
    feel::CompileError error;
    if (!feel::compile(hide->get_ref<const std::string&>(), expression, error)) {
      problem(here, "\"conditional.hide\" '" + hide->get<std::string>() + "' does not compile: " +
                        error.message + " (column " + std::to_string(error.column) + ")");
      return;
    }
    field.hide = std::move(expression);
  }

  void parse_validate(const Json& c, const std::string& here, Field& field) {
    auto validate = c.find("validate");
    if (validate == c.end()) return;
    if (!validate->is_object()) {
      problem(here, "\"validate\" must be an object, found " + found(*validate));
      return;
    }
    if (auto required = validate->find("required"); required != validate->end()) {
      if (!required->is_boolean()) {
        problem(here, "\"validate.required\" must be a boolean, found " + found(*required));
      } else {
        field.required = required->get<bool>();
      }
    }
    for (const char* name : {"min", "max"}) {
      auto bound = validate->find(name);
      if (bound == validate->end()) continue;
      if (!bound->is_number()) {
        problem(here,
                std::string("\"validate.") + name + "\" must be a number, found " + found(*bound));
      } else if (field.kind != Kind::kNumber) {
        problem(here,
                std::string("\"validate.") + name + "\" applies to a number, not a " + field.type);
      } else {
        (std::string_view(name) == "min" ? field.min : field.max) = *bound;
      }
    }
    for (const char* name : {"minLength", "maxLength"}) {
      auto length = validate->find(name);
      if (length == validate->end()) continue;
      if (!is_non_negative_integer(*length)) {
        problem(here, std::string("\"validate.") + name +
                          "\" must be a non-negative integer, found " + found(*length));
      } else if (field.kind != Kind::kText) {
        problem(here, std::string("\"validate.") + name + "\" applies to a textfield or " +
                          "textarea, not a " + field.type);
      } else {
        (std::string_view(name) == "minLength" ? field.min_length : field.max_length) =
            length->get<std::size_t>();
      }
    }
    if (validate->contains("pattern")) {
      problem(here, "\"validate.pattern\" is not supported (pmiflow cannot enforce it)");
    }
  }

  void parse_values(const Json& c, const std::string& here, Field& field) {
    auto values = c.find("values");
    auto key = c.find("valuesKey");
    auto expression = c.find("valuesExpression");
    const int sources =
        (values != c.end() ? 1 : 0) + (key != c.end() ? 1 : 0) + (expression != c.end() ? 1 : 0);
    if (sources != 1) {
      problem(here, "a " + field.type +
                        " needs exactly one of \"values\", \"valuesKey\", \"valuesExpression\"");
      return;
    }
    if (key != c.end()) {
      if (!key->is_string() || !is_identifier(key->get_ref<const std::string&>())) {
        problem(here, "\"valuesKey\" must be a variable name, found " + found(*key));
      } else {
        field.values_key = key->get<std::string>();
      }
      return;
    }
    if (expression != c.end()) {
      if (!expression->is_string()) {
        problem(here, "\"valuesExpression\" must be a string, found " + found(*expression));
      }
      field.values_expression = true;
      return;
    }
    if (!values->is_array() || values->empty()) {
      problem(here, "\"values\" must be a non-empty array of {\"label\", \"value\"}, found " +
                        found(*values));
      return;
    }
    for (std::size_t k = 0; k < values->size(); ++k) {
      const Json& option = (*values)[k];
      const std::string where = "values[" + std::to_string(k) + "]";
      auto label = option.is_object() ? option.find("label") : option.end();
      auto value = option.is_object() ? option.find("value") : option.end();
      if (!option.is_object() || label == option.end() || !label->is_string() ||
          value == option.end() || value->is_null() || value->is_object() || value->is_array()) {
        problem(here, where + " must be {\"label\": string, \"value\": string, number or " +
                          "boolean}, found " + found(option));
        continue;
      }
      for (const Json& seen : field.values) {
        if (seen == *value) problem(here, where + " repeats the value " + json_text(*value));
      }
      field.values.push_back(*value);
    }
  }

  void parse_number(const Json& c, const std::string& here, Field& field) {
    if (auto digits_it = c.find("decimalDigits"); digits_it != c.end()) {
      if (!is_non_negative_integer(*digits_it)) {
        problem(here,
                "\"decimalDigits\" must be a non-negative integer, found " + found(*digits_it));
      } else {
        field.integer = digits_it->get<std::size_t>() == 0;
      }
    }
    if (auto serialize = c.find("serializeToString");
        serialize != c.end() && serialize->is_boolean() && serialize->get<bool>()) {
      problem(here, "\"serializeToString\" is not supported: numbers are submitted as numbers");
    }
  }

  void parse_datetime(const Json& c, const std::string& here, Field& field) {
    field.subtype = "date";
    auto subtype = c.find("subtype");
    if (subtype == c.end()) return;
    if (!subtype->is_string() ||
        (*subtype != "date" && *subtype != "time" && *subtype != "datetime")) {
      problem(here,
              "\"subtype\" must be \"date\", \"time\" or \"datetime\", found " + found(*subtype));
      return;
    }
    field.subtype = subtype->get<std::string>();
  }

  std::string source_;
  std::vector<std::string> problems_;
  std::set<std::string> ids_;
};

void collect_top_level(const std::vector<Field>& fields, std::set<std::string>& out) {
  for (const Field& f : fields) {
    if (!f.path.empty()) {
      out.insert(f.path.front());
    } else if (f.kind == Kind::kGroup) {
      collect_top_level(f.children, out);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Checking

class Checker {
 public:
  // What conditional.hide sees at one nesting level: the instance variables overlaid with the
  // submitted ones, plus `this`, `parent` and `i` inside a dynamiclist item (as form-js).
  struct Level {
    Variables context;
    Json scope = Json::object();  // `this` at this level (the item, or all the data)
    // The top level: `scope` is left empty and is the context as an object, made only when a
    // list item's condition reads it as `parent`.
    bool scope_is_context = false;
    Json indexes = Json::array();  // 1-based indexes of the enclosing items
  };

  Checker(const Json& root, std::string form_id) : form_id_(std::move(form_id)) {
    claims_[""] = Claim{&root, {}};
  }

  void check_fields(const std::vector<Field>& fields, const Json* object,
                    const std::string& object_path, bool hidden, const Level& level) {
    for (const Field& field : fields) {
      const bool hide = hidden || is_hidden(field, level.context);
      if (field.kind == Kind::kDisplay) continue;
      if (field.kind == Kind::kGroup && field.path.empty()) {
        check_fields(field.children, object, object_path, hide, level);
        continue;
      }
      std::string path;
      const Json* value = nullptr;
      if (!resolve(field, object, object_path, path, value)) continue;
      if (field.kind == Kind::kGroup) {
        check_group(field, value, path, hide, level);
      } else if (field.kind == Kind::kList) {
        check_list(field, value, path, hide, level);
      } else {
        check_value(field, value, path, hide, level.context);
      }
    }
  }

  // Members of the submitted objects that no field binds, in path order.
  void report_unknown() {
    for (const auto& [path, claim] : claims_) {
      if (claim.object == nullptr || !claim.object->is_object()) continue;
      std::string known;
      for (const std::string& n : claim.names) known += (known.empty() ? "" : ", ") + n;
      for (const auto& [name, value] : claim.object->items()) {
        if (claim.names.count(name) != 0) continue;
        const std::string field = join_path(path, name);
        if (path.empty()) {
          add(field, "unknown variable: form " + form_id_ + " has no field " + name +
                         " (its fields: " + known + ")");
        } else {
          add(field, "unknown field: expected only " + known);
        }
      }
    }
  }

  std::vector<FieldError> take() { return std::move(errors_); }

 private:
  struct Claim {
    const Json* object = nullptr;
    std::set<std::string> names;
  };

  void add(const std::string& field, const std::string& what) {
    FieldError error{field, field + ": " + what};
    for (const FieldError& e : errors_) {
      if (e.message == error.message) return;  // e.g. one non-object holding two dotted keys
    }
    errors_.push_back(std::move(error));
  }

  Claim& claim(const std::string& object_path, const Json* object) {
    Claim& c = claims_[object_path];
    if (c.object == nullptr) c.object = object;
    return c;
  }

  static bool is_hidden(const Field& field, const Variables& context) {
    if (!field.hide) return false;
    Json result;
    feel::EvalError error;
    return field.hide->evaluate(context, result, error) && result.is_boolean() &&
           result.get<bool>();
  }

  // Walks the field's dotted path from `object`, claiming each segment; sets `value` (nullptr
  // when absent) and its display `path`. False after reporting a segment that should hold an
  // object and does not.
  bool resolve(const Field& field, const Json* object, const std::string& object_path,
               std::string& path, const Json*& value) {
    path = object_path;
    const Json* current = object;
    for (std::size_t k = 0; k < field.path.size(); ++k) {
      const std::string& segment = field.path[k];
      claim(path, current).names.insert(segment);
      path = join_path(path, segment);
      if (current == nullptr || !current->is_object()) {
        current = nullptr;
        continue;
      }
      auto it = current->find(segment);
      current = it == current->end() ? nullptr : &*it;
      if (current != nullptr && k + 1 < field.path.size() && !current->is_object() &&
          !current->is_null()) {
        add(path, "expected an object (it holds " + field.name + "), found " + found(*current));
        return false;
      }
    }
    value = current;
    return true;
  }

  void check_group(const Field& field, const Json* value, const std::string& path, bool hidden,
                   const Level& level) {
    if (value != nullptr && !value->is_null() && !value->is_object()) {
      add(path, "expected an object, found " + found(*value));
      return;
    }
    const Json* inner = value != nullptr && value->is_object() ? value : nullptr;
    claim(path, inner);
    check_fields(field.children, inner, path, hidden, level);
  }

  void check_list(const Field& field, const Json* value, const std::string& path, bool hidden,
                  const Level& level) {
    if (value == nullptr || value->is_null() || (value->is_array() && value->empty())) {
      if (field.required && !hidden) {
        add(path, "required, expected a non-empty list, found " +
                      (value == nullptr ? std::string("nothing") : found(*value)));
      }
      return;
    }
    if (!value->is_array()) {
      add(path, "expected a list (an array of objects), found " + found(*value));
      return;
    }
    for (std::size_t k = 0; k < value->size(); ++k) {
      const Json& item = (*value)[k];
      const std::string item_path = path + "[" + std::to_string(k) + "]";
      if (!item.is_object()) {
        add(item_path, "expected an object, found " + found(item));
        continue;
      }
      claim(item_path, &item);
      if (!any_hide(field.children)) {  // nothing reads the item's context: skip the copies
        check_fields(field.children, &item, item_path, hidden, level);
        continue;
      }
      Level inner;
      inner.context = level.context;
      inner.scope = item;
      inner.indexes = level.indexes;
      inner.indexes.push_back(k + 1);
      inner.context["this"] = item;
      if (level.scope_is_context) {
        Json parent = Json::object();
        for (const auto& [name, v] : level.context) parent[name] = v;
        inner.context["parent"] = std::move(parent);
      } else {
        inner.context["parent"] = level.scope;
      }
      inner.context["i"] = inner.indexes;
      check_fields(field.children, &item, item_path, hidden, inner);
    }
  }

  static bool any_hide(const std::vector<Field>& fields) {
    for (const Field& f : fields) {
      if (f.hide || any_hide(f.children)) return true;
    }
    return false;
  }

  static std::vector<Json> options(const Field& field, const Variables& context) {
    if (field.values_key.empty()) return field.values;
    std::vector<Json> out;
    auto it = context.find(field.values_key);
    if (it == context.end() || !it->second.is_array()) return out;
    for (const Json& option : it->second) {
      if (option.is_object() && option.contains("value")) {
        out.push_back(option.at("value"));
      } else {
        out.push_back(option);
      }
    }
    return out;
  }

  // "one of \"A\", \"B\"" or "one of the options in variable x (...)".
  static std::string expected_options(const Field& field, const Variables& context) {
    if (field.values_expression) return "one of the options of its valuesExpression";
    if (!field.values_key.empty()) {
      std::vector<Json> allowed = options(field, context);
      return "one of the options in variable " + field.values_key +
             (allowed.empty() ? std::string(" (it holds none)")
                              : " (" + list_values(allowed) + ")");
    }
    if (field.values.size() == 2 && field.values[0].is_boolean() && field.values[1].is_boolean() &&
        field.values[0] != field.values[1]) {
      return "a boolean (true or false)";
    }
    return "one of " + list_values(field.values);
  }

  static bool allowed(const Field& field, const Json& value, const Variables& context) {
    if (field.values_expression) return true;
    for (const Json& option : options(field, context)) {
      if (option == value) return true;
    }
    return false;
  }

  static std::string expected_when_required(const Field& field, const Variables& context) {
    switch (field.kind) {
      case Kind::kText:
        return "a non-empty string";
      case Kind::kNumber:
        return field.integer ? "an integer" : "a number";
      case Kind::kCheckbox:
        return "true (the box must be ticked)";
      case Kind::kSingle:
        return expected_options(field, context);
      case Kind::kMulti:
        return "a non-empty list of values, each " + expected_options(field, context);
      case Kind::kDatetime:
        return "a " + field.subtype;
      default:
        return "a value";
    }
  }

  void check_value(const Field& field, const Json* value, const std::string& path, bool hidden,
                   const Variables& context) {
    const bool absent = value == nullptr || value->is_null();
    bool empty = absent;
    if (!absent) {
      if (field.kind == Kind::kText && value->is_string()) {
        empty = all_whitespace(value->get_ref<const std::string&>());
      } else if ((field.kind == Kind::kSingle || field.kind == Kind::kDatetime) &&
                 value->is_string()) {
        empty = value->get_ref<const std::string&>().empty();
      } else if (field.kind == Kind::kMulti && value->is_array()) {
        empty = value->empty();
      } else if (field.kind == Kind::kCheckbox && value->is_boolean()) {
        empty = !value->get<bool>();
      }
    }
    if (field.required && !hidden && empty) {
      std::string what = value == nullptr ? std::string("nothing")
                         : value->is_string() && value->get_ref<const std::string&>().empty()
                             ? std::string("an empty string")
                             : found(*value);
      add(path, "required, expected " + expected_when_required(field, context) + ", found " + what);
      return;
    }
    if (absent) return;
    const Json& v = *value;
    switch (field.kind) {
      case Kind::kText:
        check_text(field, v, path);
        break;
      case Kind::kNumber:
        check_number(field, v, path);
        break;
      case Kind::kCheckbox:
        if (!v.is_boolean()) add(path, "expected a boolean, found " + found(v));
        break;
      case Kind::kSingle:
        if (!allowed(field, v, context)) {
          add(path, "expected " + expected_options(field, context) + ", found " + found(v));
        }
        break;
      case Kind::kMulti:
        check_multi(field, v, path, context);
        break;
      case Kind::kDatetime:
        check_datetime(field, v, path);
        break;
      default:
        break;
    }
  }

  void check_text(const Field& field, const Json& v, const std::string& path) {
    if (!v.is_string()) {
      add(path, "expected a string, found " + found(v));
      return;
    }
    const std::string& s = v.get_ref<const std::string&>();
    const std::size_t length = code_points(s);
    if (field.min_length && length < *field.min_length) {
      add(path, "expected at least " + std::to_string(*field.min_length) + " characters, found " +
                    std::to_string(length));
    }
    if (field.max_length && length > *field.max_length) {
      add(path, "expected at most " + std::to_string(*field.max_length) + " characters, found " +
                    std::to_string(length));
    }
  }

  void check_number(const Field& field, const Json& v, const std::string& path) {
    const char* what = field.integer ? "an integer" : "a number";
    if (!v.is_number()) {
      add(path, std::string("expected ") + what + ", found " + found(v));
      return;
    }
    const double d = v.get<double>();
    if (field.integer && !v.is_number_integer() && !(std::isfinite(d) && std::floor(d) == d)) {
      add(path, "expected an integer, found " + found(v));
      return;
    }
    const bool low = field.min && d < field.min->get<double>();
    const bool high = field.max && d > field.max->get<double>();
    if (low || high) {
      std::string range;
      if (field.min) range += " >= " + json_text(*field.min);
      if (field.min && field.max) range += " and";
      if (field.max) range += " <= " + json_text(*field.max);
      add(path, std::string("expected ") + what + range + ", found " + found(v));
    }
  }

  void check_multi(const Field& field, const Json& v, const std::string& path,
                   const Variables& context) {
    if (!v.is_array()) {
      add(path, "expected a list of values, each " + expected_options(field, context) + ", found " +
                    found(v));
      return;
    }
    for (std::size_t k = 0; k < v.size(); ++k) {
      const std::string item_path = path + "[" + std::to_string(k) + "]";
      if (!allowed(field, v[k], context)) {
        add(item_path, "expected " + expected_options(field, context) + ", found " + found(v[k]));
        continue;
      }
      for (std::size_t j = 0; j < k; ++j) {
        if (v[j] == v[k]) {
          add(item_path, "expected each option at most once, found " + json_text(v[k]) +
                             " again (first at index " + std::to_string(j) + ")");
          break;
        }
      }
    }
  }

  void check_datetime(const Field& field, const Json& v, const std::string& path) {
    const char* format = field.subtype == "date"   ? "YYYY-MM-DD"
                         : field.subtype == "time" ? "HH:MM[:SS][Z|+HH:MM]"
                                                   : "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]";
    const bool ok =
        v.is_string() && (field.subtype == "date"   ? is_iso_date(v.get<std::string>())
                          : field.subtype == "time" ? is_iso_time(v.get<std::string>())
                                                    : is_iso_datetime(v.get<std::string>()));
    if (!ok) add(path, "expected a " + field.subtype + " " + format + ", found " + found(v));
  }

  std::string form_id_;
  std::map<std::string, Claim> claims_;
  std::vector<FieldError> errors_;
};

}  // namespace

Result<Form> Form::parse(const Json& form_js, const std::string& source) {
  // The parser and the checker recurse once per level of groups: bound it first (a form file is
  // checked as it is read; this covers a Json built elsewhere).
  if (Status within = check_json_value(form_js, source, limits::kFormJson); !within.ok()) {
    return make_error(ErrorCode::kValidation, within.error().message);
  }
  Parser parser(source);
  std::vector<Field> fields = parser.parse_root(form_js);
  if (!parser.problems().empty()) {
    std::string message;
    for (const std::string& p : parser.problems()) {
      if (!message.empty()) message += "\n";
      message += p;
    }
    return make_error(ErrorCode::kValidation, message);
  }
  Form form;
  form.id_ = form_js.at("id").get<std::string>();
  form.json_ = form_js;
  form.fields_ = std::make_shared<const std::vector<Field>>(std::move(fields));
  return form;
}

namespace {

bool reads_context(const std::vector<Field>& fields) {
  for (const Field& f : fields) {
    if (f.hide || !f.values_key.empty() || reads_context(f.children)) return true;
  }
  return false;
}

}  // namespace

std::vector<FieldError> Form::check(const Variables& submitted,
                                    const Variables& instance_vars) const {
  Json root = Json::object();
  for (const auto& [name, value] : submitted) root[name] = value;
  Checker::Level level;
  // The context (the instance's variables under the submitted ones) is read by conditions and
  // by options taken from a variable; a form with neither does not copy the variables.
  if (reads_context(*fields_)) {
    level.context = instance_vars;
    for (const auto& [name, value] : submitted) level.context[name] = value;
  }
  level.scope_is_context = true;
  Checker checker(root, id_);
  checker.check_fields(*fields_, &root, "", false, level);
  checker.report_unknown();
  return checker.take();
}

std::vector<std::string> Form::variables() const {
  std::set<std::string> names;
  collect_top_level(*fields_, names);
  return {names.begin(), names.end()};
}

std::string join_field_errors(const std::vector<FieldError>& errors) {
  std::string out;
  for (const FieldError& e : errors) {
    if (!out.empty()) out += "; ";
    out += e.message;
  }
  return out;
}

}  // namespace pmiflow
