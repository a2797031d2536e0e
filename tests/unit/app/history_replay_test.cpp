// The auditors' reads of the application layer: history, replay at a point, and the comparison
// of the fold with the projections.
#include <string>

#include <gtest/gtest.h>

#include "app/history.h"
#include "app/replay.h"
#include "app_test_util.h"

namespace pmiflow::app::testing {
namespace {

TEST(AppHistory, OneEntryPerEventWithWhoAndWhatInTheDefinitionsNames) {
  World w;
  const std::int64_t id = w.start("exp-1", {{"zona", "rural"}});
  w.review(id, false);
  w.review(id, true);
  auto audited = load_audited(w.store, w.engine, id);
  ASSERT_TRUE(audited.ok()) << audited.error().message;
  const auto entries = history(*audited);
  ASSERT_EQ(entries.size(), audited->events.size());
  EXPECT_EQ(entries.front().type, "InstanceCreated");
  EXPECT_EQ(
      entries.front().description,
      "se inició la instancia: revision v1, id de negocio exp-1 (zona rural); variables: n = 0");
  // Without a vocabulary, names and JSON as they are.
  EXPECT_EQ(entries.front().actor, runtime::Actor::user("ana", "profesional"));
  bool saw_decision = false;
  for (const auto& e : entries) {
    EXPECT_EQ(e.hash.size(), 64U);
    if (e.type == "DecisionTaken" && e.payload.at("flow") == "f3") {
      saw_decision = true;
      EXPECT_EQ(e.element_id, "Gw");
      EXPECT_EQ(e.element_name, "¿Aprobado?");
      EXPECT_EQ(e.description,
                "decisión en ¿Aprobado? [Gw]: tomó el flujo f3 hacia Fin porque `=aprobado = true` "
                "es verdadero; valores vistos: aprobado = true");
    }
  }
  EXPECT_TRUE(saw_decision);
  EXPECT_EQ(entries.back().description, "la instancia terminó");

  // With a vocabulary, variables and values as people read them.
  model::Vocabulary words;
  words.add_field("aprobado", "¿Se aprueba?");
  words.add_field("zona", "Zona");
  const auto named = history(*audited, &words);
  bool saw_label = false;
  for (const auto& e : named) {
    if (e.type == "DecisionTaken" && e.payload.at("flow") == "f3") {
      saw_label = true;
      EXPECT_NE(e.description.find("valores vistos: ¿Se aprueba? = Sí"), std::string::npos)
          << e.description;
    }
  }
  EXPECT_TRUE(saw_label);
}

TEST(AppReplay, RebuildsTheStateAtAnEventOrATimeAndAgreesWithTheProjections) {
  World w;
  const std::int64_t id = w.start("exp-2");
  w.review(id, false);  // an hour after the start
  w.review(id, true);   // two hours after
  auto all = replay(w.store, w.engine, id, ReplayPoint{});
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_FALSE(all->difference) << *all->difference;
  EXPECT_EQ(all->state.status, runtime::InstanceStatus::kCompleted);
  EXPECT_EQ(all->state.last_seq, all->events_total);

  auto first = replay(w.store, w.engine, id, ReplayPoint{6, std::nullopt});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->state.last_seq, 6);
  EXPECT_EQ(first->state.tasks.size(), 1U);

  auto at = replay(w.store, w.engine, id, ReplayPoint{std::nullopt, kT0 + 3600 * 1000 + 1});
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->state.status, runtime::InstanceStatus::kActive);
  EXPECT_EQ(at->state.variables.at("aprobado"), false);
  EXPECT_EQ(at->state.activation_counts.at("Task_Review"), 2);
}

TEST(AppReplay, FirstDifferenceNamesWhatTheProjectionsDoNotHold) {
  World w;
  const std::int64_t id = w.start("exp-3", {{"zona", "rural"}});
  auto row = w.store.instance(id);
  ASSERT_TRUE(row.ok());
  auto state = w.engine.state(id);
  ASSERT_TRUE(state.ok());
  EXPECT_FALSE(first_difference(w.store, *row, *state)->has_value());

  runtime::InstanceState extra = *state;
  extra.variables["fantasma"] = 1;
  EXPECT_EQ(first_difference(w.store, *row, extra).value(),
            "variable fantasma: events say 1, projection has no such variable");
  runtime::InstanceState retagged = *state;
  retagged.tags["zona"] = "urbana";
  EXPECT_EQ(first_difference(w.store, *row, retagged).value(),
            "tags: events say [zona=urbana], projection says [zona=rural]");
  runtime::InstanceState no_task = *state;
  no_task.tasks.clear();
  EXPECT_NE(first_difference(w.store, *row, no_task)
                ->value()
                .find("open in the projection, not in the events"),
            std::string::npos);
}

TEST(AppReplay, AnEventThatDoesNotApplyIsNamed) {
  World w;
  const std::int64_t id = w.start("exp-4");
  auto events = w.store.events(id).value();
  events.erase(events.begin() + 2);  // a gap
  auto folded = fold_events(id, events);
  ASSERT_FALSE(folded.ok());
  EXPECT_EQ(folded.error().code, ErrorCode::kValidation);
  EXPECT_NE(folded.error().message.find("event 4 (FlowTaken) does not replay"), std::string::npos)
      << folded.error().message;
}

}  // namespace
}  // namespace pmiflow::app::testing
