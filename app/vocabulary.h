// The vocabulary people read a deployment in (model/vocabulary.h): the labels of the forms a
// definition was deployed with, then those of a domain (a plug-in's roles, records, start data).
#pragma once

#include <cstdint>
#include <string>

#include "engine/common/result.h"
#include "engine/engine/definition_store.h"
#include "engine/model/vocabulary.h"

namespace pmiflow::app {

// Of version `version` of `key` (0: the latest). kNotFound when it is not deployed.
Result<model::Vocabulary> definition_vocabulary(DefinitionStore& store, const std::string& key,
                                                std::int32_t version,
                                                const model::Vocabulary& domain);

// Of the latest version of every deployed definition (a report or a summary over several
// processes); a label two definitions give differently is the first key's, in key order.
Result<model::Vocabulary> deployed_vocabulary(DefinitionStore& store,
                                              const model::Vocabulary& domain);

}  // namespace pmiflow::app
