// A store implementation: the event log, the read model, the definition store and the message
// store over one
// database (persistence/sqlite, persistence/memory). The engine takes the interfaces it uses
// one by one; front ends and the application layer hold a whole Store.
#pragma once

#include "engine/engine/definition_store.h"
#include "engine/engine/event_log.h"
#include "engine/engine/message_store.h"
#include "engine/engine/read_model.h"

namespace pmiflow {

class Store : public EventLog, public ReadModel, public DefinitionStore, public MessageStore {};

}  // namespace pmiflow
