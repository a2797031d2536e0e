// What the people of a process call its variables, their coded values and its roles, and how
// they write values and dates: what the history, the reports, the summary and the outbox show
// them instead of variable names, codes and JSON.
//
// The labels come from the process's forms (each form-js field's "label", each option of a
// select, radio, checklist or taglist) and from a plug-in that knows its domain (the roles, the
// start data, the codes its handlers write). Values are written as an SE in Colombia writes
// them: dates day/month/year in the engine's zone (America/Bogota), a decimal comma, "Sí" and
// "No", lists one item after another.
//
// Thread-safety: immutable once filled; reads may be concurrent.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "engine/common/json.h"

namespace pmiflow::model {

class Vocabulary {
 public:
  // The labels of a form-js schema. A field's path is its key inside the objects that groups
  // with a path and dynamic lists open: "cronograma.actividad" for the field "actividad" of
  // the dynamic list "cronograma". A path labelled already keeps its first label.
  void add_form(const Json& form_js);
  void add_field(const std::string& path, const std::string& label);
  // `value` is compared as JSON: "PRESENCIAL", true, 3.
  void add_option(const std::string& path, const Json& value, const std::string& label);
  void add_role(const std::string& id, const std::string& label);
  // A record kind (RecordWritten's name): "programacion" -> "Programación de la Asistencia
  // Técnica".
  void add_record(const std::string& id, const std::string& label);
  // Adds what `other` labels and this does not.
  void merge(const Vocabulary& other);

  // The label of a variable or member path, else the path's last part in words
  // ("evaluacion.objetivos_total" -> "Objetivos total").
  std::string field(const std::string& path) const;
  // The name of a role (a candidate group), else its id.
  std::string role(const std::string& id) const;
  // The name of a record kind, else its id.
  std::string record(const std::string& id) const;
  // `v`, the value at `path`, as people read it: an option by its label; true/false as Sí/No;
  // a number with a decimal comma; a date "2027-03-07" (or a date-time) as "07/03/2027"; a
  // list as its items joined with "; "; an object as "Label: value, Label: value"; null as "".
  std::string value(const std::string& path, const Json& v) const;

 private:
  void add_components(const Json& components, const std::string& prefix);

  std::map<std::string, std::string> fields_;
  std::map<std::string, std::map<std::string, std::string>> options_;  // path -> JSON text -> label
  std::map<std::string, std::string> roles_;
  std::map<std::string, std::string> records_;
};

// An instant as an SE writes it, in the engine's zone: "07/12/2026" and "07/12/2026 17:22:54".
std::string date_text(std::int64_t instant_ms);
std::string date_time_text(std::int64_t instant_ms);

// A number with a decimal comma ("4,5", "12"), as spreadsheets in Colombia read it.
std::string number_text(const Json& number);

}  // namespace pmiflow::model
