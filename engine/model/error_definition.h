// What an error event throws or catches (<error> of the definitions, named by an errorRef): an
// error end event throws the error's code; an error boundary event or an error start event of
// an event subprocess catches the errors with its code, or every error when it names none
// (docs/bpmn-support.md, "Errors").
#pragma once

#include <string>

namespace pmiflow::model {

struct ErrorDefinition {
  std::string id;    // the <error> element's id (empty: a catch event that names none)
  std::string name;  // its name, for people
  std::string code;  // its errorCode; empty on a catch event: it catches every error
};

}  // namespace pmiflow::model
