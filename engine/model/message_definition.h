// What a message event or a receive task waits for (<message> of the definitions, named by a
// messageRef): the message's name and, for everything but a start event, its correlation key
// (zeebe:subscription correlationKey), a FEEL expression evaluated when the subscription opens.
// A published message reaches a subscription with the same name whose correlation key has the
// published key's value (docs/messages.md).
#pragma once

#include <optional>
#include <string>

#include "engine/feel/feel.h"

namespace pmiflow::model {

struct MessageDefinition {
  std::string id;    // the <message> element's id
  std::string name;  // its name, what a publisher names
  // zeebe:subscription correlationKey, without its leading '=' (empty: none).
  std::string correlation_key_text;
  std::optional<feel::Expression> correlation_key;
};

}  // namespace pmiflow::model
