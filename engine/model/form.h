// User-task forms: a form-js JSON schema (the format of @bpmn-io/form-js and Camunda Modeler,
// kept in process-definitions/forms/<formId>.form) and the check of the variables submitted
// when a task is completed against it. No I/O: the caller reads the file and passes the JSON.
//
// What Form::parse accepts (anything else is a kValidation error naming the component by its
// index path and key, e.g. "forms/x.form: components[2].components[0] (key 'puntaje'): ..."):
//   root      {"type": "default", "id": non-empty string, "components": [...],
//              "schemaVersion"?: integer, "exporter"?, "$schema"?, ...}
//   keyed     textfield, textarea, number, checkbox, select, radio, checklist, taglist,
//             datetime (bind the variable named by "key"; "a.b" nests, as in form-js), and
//             expression, filepicker (bound, value not checked: any JSON)
//   pathed    group ("path" optional: without it the children bind at the group's level, with
//             it they bind inside the object at that path), dynamiclist ("path" required: an
//             array of objects, each checked against the children)
//   display   text, html, image, separator, spacer, button, iframe, table, documentPreview
//             (bind nothing)
//   per component: "conditional": {"hide": FEEL} (compiled with engine/feel, which supports a
//   subset of FEEL: see feel.h); "validate": {"required", "min", "max", "minLength",
//   "maxLength"}; "values":
//   [{"label", "value"}] or "valuesKey" or "valuesExpression" for select/radio/checklist/taglist;
//   "decimalDigits" for number; "subtype" ("date" | "time" | "datetime", default "date") for
//   datetime. An unknown component type, a missing key or path, a key bound twice in the same
//   object, an uncompilable expression, "validate.pattern" (not enforced here, so
//   refused rather than silently ignored) and "serializeToString" on a number are errors. Other
//   form-js properties (layout, label, description, appearance, ...) are kept in json() and not
//   interpreted. The whole form must be within limits::kFormJson (engine/common/limits.h: at most
//   64 levels deep, its strings and keys UTF-8, its JSON text at most 1 MiB).
//
// What Form::check enforces, per component, over the submitted variables:
//   * required: "validate.required": true means present and not null; for a textfield,
//     textarea, select, radio or datetime also not an empty (or, for text, all-whitespace)
//     string; for a checklist, taglist or dynamiclist (a pmiflow extension: form-js has no
//     validate on dynamic lists) a non-empty array; for a checkbox the value true (as form-js:
//     a required checkbox must be ticked; yes/no decisions use a radio with values true/false).
//   * hidden fields: a component whose "conditional.hide" evaluates to true (over the instance
//     variables overlaid with the submitted ones; inside a dynamiclist item also `this` = the
//     item, `parent` = the enclosing scope, `i` = the 1-based item indexes, as in form-js) is not
//     required, nor are its children. An expression that yields anything but true (false, null,
//     an evaluation error) leaves the component shown. A value submitted for a hidden field is
//     still type-checked (form-js itself drops it; an API client may send it).
//   * types: textfield, textarea -> string (minLength/maxLength count code points); number -> JSON
//   number within validate.min/max (inclusive), an integer (4 or 4.0)
//     when "decimalDigits" is 0 (the only decimalDigits value enforced; "increment" is not);
//     checkbox -> boolean; select, radio -> one of "values" (JSON equality, so a radio may offer
//     true/false), or of the options held by the variable named by "valuesKey", or anything
//     with "valuesExpression"; checklist, taglist -> array of distinct allowed values;
//     datetime -> string: date "YYYY-MM-DD" (a real calendar date), time "HH:MM[:SS]" with an
//     optional "Z" or "+HH:MM", datetime "<date>T<time>"; group with path -> object;
//     dynamiclist -> array of objects, checked recursively; expression, filepicker -> any JSON.
//     null is accepted for any field that is not required (it clears the variable).
//   * unknown variables: a submitted top-level variable that no field of the form binds is an
//     error, and so is a member of an object bound by a group path or a dynamiclist item that no
//     child binds. Stricter than Camunda, which stores whatever is sent: a typo must not pass
//     silently as a new variable while the field it meant stays empty.
// Each FieldError names the field by its path in the submitted data ("alineada",
// "cronograma[1].mes", "evaluacion_ee.items[0].puntaje", 0-based indexes) and its message
// starts with that path and says what was expected and what was found, e.g.
// `alineada: expected a boolean, found string "si"`. Errors come in component order, then the
// unknown variables in name order.
//
// Thread-safety: a Form is immutable after parse; check may run concurrently.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/common/json.h"
#include "engine/common/result.h"

namespace pmiflow {

struct FieldError {
  std::string field;    // path of the field in the submitted data, e.g. "cronograma[1].mes"
  std::string message;  // starts with `field`, then ": expected ..., found ..."
};

namespace form_detail {
struct Field;  // a parsed component (form.cpp)
}

class Form {
 public:
  // Parses and validates a form-js schema. `source` names it in error messages (a file name).
  // Errors: kValidation listing every problem found, one per line.
  static Result<Form> parse(const Json& form_js, const std::string& source);

  // Checks the variables submitted to complete a task. `instance_vars` are the instance's
  // variables before the submission; they are only read by conditional.hide expressions and
  // valuesKey options. Returns no errors when the submission is acceptable.
  std::vector<FieldError> check(const Variables& submitted, const Variables& instance_vars) const;

  // The form's "id" (what zeebe:formDefinition formId names).
  const std::string& id() const { return id_; }
  // The schema as given to parse, to hand to a form-js renderer.
  const Json& json() const { return json_; }
  // The top-level variable names the form binds, sorted.
  std::vector<std::string> variables() const;

 private:
  Form() = default;

  std::string id_;
  Json json_;
  std::shared_ptr<const std::vector<form_detail::Field>> fields_;
};

// The messages joined with "; " on one line, e.g. for an Error message.
std::string join_field_errors(const std::vector<FieldError>& errors);

}  // namespace pmiflow
