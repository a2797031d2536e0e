// Forms at deploy and at completion: Engine::deploy deploys the form each user task links
// (zeebe:formDefinition) and binds the definition version to it; complete_task checks the
// submitted variables against it; task_form gives it back as deployed.

#include <barrier>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "engine_test_util.h"

namespace pmiflow::testing {
namespace {

// kProcessXml with a form on Task_Review.
std::string with_form(const std::string& xml) {
  std::string out = xml;
  const std::string anchor = R"(<zeebe:assignmentDefinition candidateGroups="lider_calidad" />)";
  out.replace(out.find(anchor), anchor.size(),
              anchor + "\n        <zeebe:formDefinition formId=\"form_revision\" />");
  return out;
}

const std::string kFormV1 = R"({
  "type": "default", "id": "form_revision", "schemaVersion": 16,
  "components": [
    {"type": "radio", "key": "aprobada", "label": "¿Aprobada?", "validate": {"required": true},
     "values": [{"label": "Sí", "value": true}, {"label": "No", "value": false}]},
    {"type": "textarea", "key": "observaciones", "label": "Observaciones"}
  ]
}
)";
// Version 2 also requires the reviewer's name.
const std::string kFormV2 = R"({
  "type": "default", "id": "form_revision", "schemaVersion": 16,
  "components": [
    {"type": "radio", "key": "aprobada", "label": "¿Aprobada?", "validate": {"required": true},
     "values": [{"label": "Sí", "value": true}, {"label": "No", "value": false}]},
    {"type": "textarea", "key": "observaciones", "label": "Observaciones"},
    {"type": "textfield", "key": "revisor", "label": "Revisor", "validate": {"required": true}}
  ]
}
)";

// Serves form files from a map, as the CLI serves <dir>/forms/<id>.form.
struct Forms {
  std::map<std::string, std::string> files;  // form id -> JSON
  FormResolver resolver() const {
    return [this](const std::string& id) -> Result<FormFile> {
      auto it = files.find(id);
      if (it == files.end()) {
        return make_error(ErrorCode::kNotFound, "form file 'forms/" + id + ".form' does not exist");
      }
      return FormFile{it->second, "forms/" + id + ".form"};
    };
  }
};

const runtime::Actor kLuis = runtime::Actor::user("luis", kRole);

TEST(EngineForms, DeployBindsTheDefinitionVersionToTheFormsOfItsTasks) {
  Harness h;
  Forms forms{{{"form_revision", kFormV1}}};
  auto first = h.engine.deploy(with_form(kProcessXml), "proceso_prueba.bpmn", forms.resolver());
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->created);
  ASSERT_EQ(first->forms.size(), 1u);
  EXPECT_TRUE(first->forms[0].created);
  EXPECT_EQ(first->forms[0].form.id, "form_revision");
  EXPECT_EQ(first->forms[0].form.version, 1);
  EXPECT_EQ(first->forms[0].form.json, kFormV1);
  EXPECT_EQ(first->forms[0].form.resource_name, "form_revision.form");
  EXPECT_EQ(first->definition.forms, (std::map<std::string, std::int32_t>{{"form_revision", 1}}));

  // The same XML and the same form: nothing new.
  auto again = h.engine.deploy(with_form(kProcessXml), "proceso_prueba.bpmn", forms.resolver());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(again->created);
  EXPECT_FALSE(again->forms[0].created);
  EXPECT_EQ(again->definition.version, 1);
  EXPECT_EQ(h.store.form("form_revision", 2).error().code, ErrorCode::kNotFound);

  // The task carries the form id; task_form gives the JSON as deployed.
  const std::int64_t id = h.start(dane(1));
  const std::string task = h.open_task(id);
  EXPECT_EQ(h.store.task(task)->form, "form_revision");
  auto form = h.engine.task_form(task);
  ASSERT_TRUE(form.ok()) << form.error().message;
  EXPECT_EQ(form->json, kFormV1);
  EXPECT_EQ(form->version, 1);
}

TEST(EngineForms, AChangedFormIsANewDefinitionVersionAndRunningInstancesKeepTheirForm) {
  Harness h;
  Forms forms{{{"form_revision", kFormV1}}};
  ASSERT_TRUE(h.engine.deploy(with_form(kProcessXml), "p.bpmn", forms.resolver()).ok());
  const std::int64_t before = h.start(dane(1));

  forms.files["form_revision"] = kFormV2;
  auto v2 = h.engine.deploy(with_form(kProcessXml), "p.bpmn", forms.resolver());
  ASSERT_TRUE(v2.ok()) << v2.error().message;
  EXPECT_TRUE(v2->created) << "same XML, changed form";
  EXPECT_EQ(v2->definition.version, 2);
  EXPECT_TRUE(v2->forms[0].created);
  EXPECT_EQ(v2->forms[0].form.version, 2);
  EXPECT_EQ(v2->definition.forms, (std::map<std::string, std::int32_t>{{"form_revision", 2}}));
  const std::int64_t after = h.start(dane(2));

  const std::string old_task = h.open_task(before);
  const std::string new_task = h.open_task(after);
  EXPECT_EQ(h.engine.task_form(old_task)->json, kFormV1);
  EXPECT_EQ(h.engine.task_form(new_task)->json, kFormV2);

  // What version 1 of the form accepts, version 2 refuses (the reviewer is missing).
  const Variables answer = {{"aprobada", true}};
  auto refused = h.engine.complete_task(new_task, kLuis, answer);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kValidation);
  EXPECT_NE(refused.error().message.find("revisor: "), std::string::npos)
      << refused.error().message;
  auto accepted = h.engine.complete_task(old_task, kLuis, answer);
  ASSERT_TRUE(accepted.ok()) << accepted.error().message;
  EXPECT_EQ(h.engine.state(before)->status, runtime::InstanceStatus::kCompleted);
  ASSERT_TRUE(
      h.engine.complete_task(new_task, kLuis, {{"aprobada", true}, {"revisor", "Luis"}}).ok());
}

TEST(EngineForms, CompleteWithBadFieldsIsRefusedNamingEachAndWritesNothing) {
  Harness h;
  Forms forms{{{"form_revision", kFormV1}}};
  ASSERT_TRUE(h.engine.deploy(with_form(kProcessXml), "p.bpmn", forms.resolver()).ok());
  const std::int64_t id = h.start(dane(1));
  const std::string task = h.open_task(id);
  const auto before = h.events(id);

  auto done = h.engine.complete_task(task, kLuis,
                                     {{"aprobada", "si"}, {"observaciones", 3}, {"revisor", "x"}});
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, ErrorCode::kValidation);
  const std::string& message = done.error().message;
  EXPECT_NE(message.find("task " + task + " (Task_Review)"), std::string::npos) << message;
  EXPECT_NE(message.find("form_revision"), std::string::npos) << message;
  EXPECT_NE(message.find(R"(aprobada: expected a boolean (true or false), found string "si")"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("observaciones: expected a string"), std::string::npos) << message;
  EXPECT_NE(message.find("revisor: unknown variable"), std::string::npos) << message;

  // Nothing was written: the same events, the same last seq, the task still open.
  const auto after = h.events(id);
  ASSERT_EQ(after.size(), before.size());
  EXPECT_EQ(after.back().seq, before.back().seq);
  EXPECT_EQ(after.back().hash, before.back().hash);
  EXPECT_EQ(h.store.instance(id)->last_seq, before.back().seq);
  EXPECT_EQ(h.engine.state(id)->last_seq, before.back().seq);
  EXPECT_EQ(h.open_task(id), task);
  EXPECT_EQ(h.store.variables(id)->count("aprobada"), 0u);

  // The wrong role is still told so first (the form is checked after the role).
  auto forbidden = h.engine.complete_task(
      task, runtime::Actor::user("ana", "profesional_mejoramiento"), {{"aprobada", "si"}});
  ASSERT_FALSE(forbidden.ok());
  EXPECT_EQ(forbidden.error().code, ErrorCode::kForbidden);

  ASSERT_TRUE(h.engine.complete_task(task, kLuis, {{"aprobada", false}}).ok());
}

// A MemoryStore that runs `on_form` once, inside the first form lookup: while a command's
// form check is under way and the command holds its instance's state.
struct FormHookStore : MemoryStore {
  std::function<void()> on_form;
  Result<DeployedForm> form(const std::string& id, std::int32_t version) override {
    if (auto hook = std::exchange(on_form, nullptr)) hook();
    return MemoryStore::form(id, version);
  }
};

// A command refused by its form puts the state it took back in the engine's cache, unless
// another command committed a newer one meanwhile: the newer one stays.
TEST(EngineForms, ARefusedCommandDoesNotPutBackAStateOlderThanOneCommittedMeanwhile) {
  FormHookStore store;
  ManualClock clock{kT0};
  HandlerRegistry registry;
  registry.add(kNotifyType, succeeding());
  Engine engine(store, store, store, registry, clock);
  Forms forms{{{"form_revision", kFormV1}}};
  ASSERT_TRUE(engine.deploy(with_form(kProcessXml), "p.bpmn", forms.resolver()).ok());
  auto started = engine.start(start_of(key_of(dane(1), "2026", kProcess), {}, kLuis));
  ASSERT_TRUE(started.ok()) << started.error().message;
  const std::int64_t id = started->instance_id;
  ASSERT_TRUE(engine.state(id).ok());  // cached, for the command below to take
  auto tasks = store.tasks(TaskQuery{{}, id, {}});
  ASSERT_TRUE(tasks.ok() && tasks->size() == 1);

  bool ran = false;
  store.on_form = [&] {
    auto set = engine.set_variables(id, kLuis, {{"y", 1}});
    ASSERT_TRUE(set.ok()) << set.error().message;
    ran = true;
  };
  auto refused = engine.complete_task(tasks->front().id, kLuis, {{"aprobada", "si"}});
  ASSERT_TRUE(ran);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kValidation);

  auto log = store.events(id, 1, INT64_MAX);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->back().type(), runtime::EventType::kVariablesSet);
  auto state = engine.state(id);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->last_seq, log->back().seq);
  auto y = state->variables.find("y");
  ASSERT_NE(y, state->variables.end());
  EXPECT_EQ(y->second, 1);
  EXPECT_TRUE(*state == runtime::fold(*log));
}

TEST(EngineForms, FormsAreParsedOnceAndCached) {
  Harness h;
  Forms forms{{{"form_revision", kFormV1}}};
  ASSERT_TRUE(h.engine.deploy(with_form(kProcessXml), "p.bpmn", forms.resolver()).ok());
  DefinitionCache cache(h.store, {});
  auto a = cache.form("form_revision", 1);
  auto b = cache.form("form_revision", 1);
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->get(), b->get());
  EXPECT_EQ((*a)->id(), "form_revision");
  EXPECT_EQ(cache.form("form_revision", 2).error().code, ErrorCode::kNotFound);
}

// A store whose form and definition reads wait until every thread has made one, so that all
// of them miss the cache and load the same version at once.
class RacingDefinitions : public DefinitionStore {
 public:
  RacingDefinitions(DefinitionStore& inner, std::ptrdiff_t threads)
      : inner_(inner), forms_(threads), definitions_(threads) {}
  Result<DeployOutcome> deploy(const std::string& key, const std::string& xml,
                               const std::string& sha256, const std::string& resource_name,
                               const std::vector<FormSource>& forms, std::int64_t now_ms) override {
    return inner_.deploy(key, xml, sha256, resource_name, forms, now_ms);
  }
  Result<DeployedDefinition> definition(const std::string& key, std::int32_t version) override {
    definitions_.arrive_and_wait();
    return inner_.definition(key, version);
  }
  Result<std::vector<DeployedDefinition>> definitions() override { return inner_.definitions(); }
  Result<DeployedForm> form(const std::string& id, std::int32_t version) override {
    forms_.arrive_and_wait();
    return inner_.form(id, version);
  }

 private:
  DefinitionStore& inner_;
  std::barrier<> forms_;
  std::barrier<> definitions_;
};

TEST(EngineForms, ConcurrentLoadsOfOneVersionShareTheFirstCopy) {
  Harness h;
  Forms forms{{{"form_revision", kFormV1}}};
  ASSERT_TRUE(h.engine.deploy(with_form(kProcessXml), "p.bpmn", forms.resolver()).ok());
  constexpr int kThreads = 4;
  RacingDefinitions racing(h.store, kThreads);
  DefinitionCache cache(racing, {});
  std::vector<const Form*> form_seen(kThreads);
  std::vector<const LoadedDefinition*> definition_seen(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto form = cache.form("form_revision", 1);
      auto definition = cache.definition("proceso_prueba", 1);
      form_seen[i] = form.ok() ? form->get() : nullptr;
      definition_seen[i] = definition.ok() ? definition->get() : nullptr;
    });
  }
  for (auto& t : threads) t.join();
  // The engine hands out raw pointers to cached forms: a copy replaced after it was handed out
  // would be freed under its reader.
  auto kept_form = cache.form("form_revision", 1);
  ASSERT_TRUE(kept_form.ok());
  for (const Form* seen : form_seen) EXPECT_EQ(seen, kept_form->get());
  for (const LoadedDefinition* seen : definition_seen) {
    ASSERT_NE(seen, nullptr);
    EXPECT_EQ(seen, definition_seen[0]);
  }
}

TEST(EngineForms, AMissingOrBadFormIsAValidationErrorAndNothingIsDeployed) {
  struct Case {
    const char* what;
    std::map<std::string, std::string> files;
    const char* expected;
  };
  const Case cases[] = {
      {"missing", {}, "form file 'forms/form_revision.form' does not exist"},
      {"not JSON", {{"form_revision", "{"}}, "form file 'forms/form_revision.form' is not JSON"},
      {"another id",
       {{"form_revision", R"({"type": "default", "id": "otro", "components": []})"}},
       "form file 'forms/form_revision.form' has id 'otro', not 'form_revision'"},
      {"invalid form",
       {{"form_revision", R"({"type": "default", "id": "form_revision", "components": [
          {"type": "slider", "key": "x"}]})"}},
       "unknown component type 'slider'"},
  };
  for (const Case& c : cases) {
    Harness h;
    Forms forms{c.files};
    auto deployed =
        h.engine.deploy(with_form(kProcessXml), "proceso_prueba.bpmn", forms.resolver());
    ASSERT_FALSE(deployed.ok()) << c.what;
    EXPECT_EQ(deployed.error().code, ErrorCode::kValidation) << c.what;
    const std::string& message = deployed.error().message;
    // FILE:LINE:COL: error: ELEMENT: form 'ID' ...: why
    EXPECT_EQ(message.rfind("proceso_prueba.bpmn:8:5: error: Task_Review: form 'form_revision'", 0),
              0u)
        << c.what << ": " << message;
    EXPECT_NE(message.find(c.expected), std::string::npos) << c.what << ": " << message;
    EXPECT_TRUE(h.store.definitions()->empty()) << c.what;
    EXPECT_EQ(h.store.form("form_revision", 0).error().code, ErrorCode::kNotFound) << c.what;
  }
  // Without any form resolver, a formId cannot be deployed either.
  Harness h;
  auto deployed = h.engine.deploy(with_form(kProcessXml), "proceso_prueba.bpmn");
  ASSERT_FALSE(deployed.ok());
  EXPECT_NE(deployed.error().message.find("no forms were given"), std::string::npos)
      << deployed.error().message;
}

}  // namespace
}  // namespace pmiflow::testing
