#include "app/vocabulary.h"

namespace pmiflow::app {
namespace {

// Adds the labels of the forms `def` was deployed with. A form that no longer parses as JSON
// adds nothing (its tasks still show names).
Status add_forms(DefinitionStore& store, const DeployedDefinition& def, model::Vocabulary& words) {
  for (const auto& [form_id, version] : def.forms) {
    auto form = store.form(form_id, version);
    if (!form.ok()) return form.error();
    Json json = Json::parse(form->json, nullptr, /*allow_exceptions=*/false);
    if (!json.is_discarded()) words.add_form(json);
  }
  return {};
}

}  // namespace

Result<model::Vocabulary> definition_vocabulary(DefinitionStore& store, const std::string& key,
                                                std::int32_t version,
                                                const model::Vocabulary& domain) {
  auto def = store.definition(key, version);
  if (!def.ok()) return def.error();
  model::Vocabulary words;
  PMIFLOW_TRY(add_forms(store, *def, words));
  words.merge(domain);
  return words;
}

Result<model::Vocabulary> deployed_vocabulary(DefinitionStore& store,
                                              const model::Vocabulary& domain) {
  auto latest = store.latest_versions();
  if (!latest.ok()) return latest.error();
  model::Vocabulary words;
  for (const auto& [key, version] : *latest) {
    auto def = store.definition(key, version);
    if (!def.ok()) return def.error();
    PMIFLOW_TRY(add_forms(store, *def, words));
  }
  words.merge(domain);
  return words;
}

}  // namespace pmiflow::app
