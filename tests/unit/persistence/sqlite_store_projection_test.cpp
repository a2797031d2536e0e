// Projections written from the events (elements, tasks, variables, jobs, incidents, instance
// row, join arrivals, activation counts), the queries over them, and definitions.
#include <algorithm>

#include <gtest/gtest.h>

#include "sqlite_test_util.h"

namespace pmiflow::persistence::testing {
namespace {

const std::string kSchoolA = "111001000001";
const std::string kSchoolB = "222002000002";
const runtime::BusinessKey kKeyA = key_of("d02_03", kSchoolA, "2024");
const runtime::BusinessKey kKeyB = key_of("d02_03", kSchoolB, "2024");
const runtime::BusinessKey kKeyC = key_of("d02_03", kSchoolA, "2025");

class SqliteProjection : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("projection.db");
    store_ = open_ok(path_);
    ASSERT_NE(store_, nullptr);
  }

  // Appends `events` to instance `id` (0: creates it with `key`; the events then begin with
  // its InstanceCreated). Returns the instance id.
  std::int64_t append(std::int64_t id, std::vector<Event> events,
                      const runtime::BusinessKey& key = {}) {
    const bool create = id == 0;
    if (create) id = store_->reserve_instance_id().value();
    const std::int64_t seq = create ? 0 : store_->instance(id)->last_seq;
    Req req = request(*store_, id, seq, std::move(events));
    req->request.create = create;
    req->request.business_key = key;
    auto results = append_all(*store_, req);
    EXPECT_TRUE(results[0].status.ok()) << results[0].status.error().message;
    return results[0].instance_id;
  }

  // The projections equal the fold of the stored log (the rule "replay rebuilds exactly what
  // the projections hold").
  void expect_matches_replay(std::int64_t id) {
    const auto log = store_->events(id);
    ASSERT_TRUE(log.ok());
    const runtime::InstanceState s = runtime::fold(*log);

    const InstanceRow row = store_->instance(id).value();
    EXPECT_EQ(row.status, runtime::to_string(s.status));
    EXPECT_EQ(row.last_seq, s.last_seq);
    EXPECT_EQ(row.created_ms, s.created_ms);
    EXPECT_EQ(row.ended_ms, s.ended_ms);
    EXPECT_EQ(row.version, s.definition_version);
    EXPECT_EQ(row.open_incidents, static_cast<int>(s.incidents.size()));
    std::vector<std::string> elements;
    for (const auto& [key, el] : s.elements) elements.push_back(el.element_id);
    EXPECT_EQ(row.active_elements, elements);

    EXPECT_EQ(store_->variables(id).value(), s.variables);

    auto tasks = store_->tasks(Q().with_instance(id)).value();
    ASSERT_EQ(tasks.size(), s.tasks.size());
    for (const TaskRow& t : tasks) {
      auto it = s.tasks.find(t.id);
      ASSERT_NE(it, s.tasks.end()) << t.id;
      EXPECT_EQ(t.element_id, it->second.element_id);
      EXPECT_EQ(t.name, it->second.name);
      EXPECT_EQ(t.candidate_groups, it->second.candidate_groups);
      EXPECT_EQ(t.form, it->second.form);
      EXPECT_EQ(t.created_ms, it->second.created_ms);
    }
    auto jobs = store_->jobs(id).value();
    ASSERT_EQ(jobs.size(), s.jobs.size());
    for (const JobRow& j : jobs) {
      auto it = s.jobs.find(j.id);
      ASSERT_NE(it, s.jobs.end()) << j.id;
      EXPECT_EQ(j.element_id, it->second.element_id);
      EXPECT_EQ(j.type, it->second.type);
      EXPECT_EQ(j.retries_left, it->second.retries_left);
      EXPECT_EQ(j.state, runtime::to_string(it->second.state));
    }
    auto incidents = store_->incidents(IncidentQuery::of_instance(id)).value();
    ASSERT_EQ(incidents.size(), s.incidents.size());
    for (const IncidentRow& i : incidents) {
      auto it = s.incidents.find(i.id);
      ASSERT_NE(it, s.incidents.end()) << i.id;
      EXPECT_EQ(i.element_id, it->second.element_id);
      EXPECT_EQ(i.kind, it->second.kind);
      EXPECT_EQ(i.message, it->second.message);
    }

    RawDb raw(path_);
    std::map<runtime::JoinKey, std::map<std::string, int>> joins;
    for (const auto& r : raw.rows("SELECT scope_key, element_id, flow_id, count FROM "
                                  "join_arrivals WHERE instance_id = " +
                                  std::to_string(id))) {
      joins[runtime::JoinKey{std::stoll(r[0]), r[1]}][r[2]] = std::stoi(r[3]);
    }
    EXPECT_EQ(joins, s.join_arrivals);
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteProjection, AWholeInstanceLifeMatchesReplayAtEveryStep) {
  // Keys: start 1, fork 2, zeta_task 3 (user task), alpha_service 4 (job), incident 5, end 6.
  // Element ids sort against key order, so active_elements must follow keys, not names.
  const std::int64_t id =
      append(0,
             {instance_created(kKeyA, {{"a", 1}, {"b", "x"}}), activated("start", 1, "startEvent"),
              completed("start", 1), flow_taken("f1", "start", "fork"),
              activated("fork", 2, "parallelGateway", "f1"), completed("fork", 2),
              flow_taken("f2", "fork", "zeta_task"), flow_taken("f3", "fork", "alpha_service"),
              activated("zeta_task", 3, "userTask", "f2"),
              task_created(3, "zeta_task", "Revisar plan", {"rector", "coordinador"}, "plan_form"),
              activated("alpha_service", 4, "serviceTask", "f3"),
              job_created(4, "alpha_service", "send-mail", 3)},
             kKeyA);
  ASSERT_GT(id, 0);
  expect_matches_replay(id);
  {
    const InstanceRow row = store_->instance(id).value();
    EXPECT_EQ(row.active_elements, (std::vector<std::string>{"zeta_task", "alpha_service"}));
    EXPECT_EQ(row.status, "active");
    const auto tasks = store_->tasks({}).value();
    ASSERT_EQ(tasks.size(), 1u);
    EXPECT_EQ(tasks[0].id, runtime::task_id_for(id, 3));
    EXPECT_EQ(tasks[0].tags, (runtime::Tags{{"period", "2024"}, {"school", kSchoolA}}));
    EXPECT_EQ(tasks[0].business_key, kKeyA);
    EXPECT_EQ(tasks[0].candidate_groups, (std::vector<std::string>{"rector", "coordinador"}));
    const auto jobs = store_->jobs(std::nullopt).value();
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].id, runtime::task_id_for(id, 4));
    EXPECT_EQ(jobs[0].state, "activatable");
    EXPECT_EQ(jobs[0].retries_left, 3);
  }

  append(id, {event(runtime::VariablesSet{{{"a", 2, Json(1)},
                                           {"c", Json{{"k", {1, 2}}}, std::nullopt},
                                           {"n", nullptr, std::nullopt}},
                                          ""}),
              job_failed(4, "alpha_service", "timeout", 2)});
  expect_matches_replay(id);
  {
    const Variables vars = store_->variables(id).value();
    EXPECT_EQ(vars.at("a"), 2);
    EXPECT_EQ(vars.at("b"), "x");
    EXPECT_EQ(vars.at("c"), (Json{{"k", {1, 2}}}));
    EXPECT_TRUE(vars.at("n").is_null());
    EXPECT_EQ(store_->jobs(id)->at(0).retries_left, 2);
    EXPECT_EQ(store_->jobs(id)->at(0).state, "activatable");
  }

  append(id, {job_failed(4, "alpha_service", "smtp down", 0),
              incident_raised(5, 4, "alpha_service", "job", "smtp down")});
  expect_matches_replay(id);
  {
    EXPECT_EQ(store_->jobs(id)->at(0).state, "failed");
    const auto incidents = store_->incidents(IncidentQuery::of_instance(std::nullopt)).value();
    ASSERT_EQ(incidents.size(), 1u);
    EXPECT_EQ(incidents[0].id, runtime::task_id_for(id, 5));
    EXPECT_EQ(incidents[0].kind, "job");
    EXPECT_EQ(incidents[0].message, "smtp down");
    EXPECT_EQ(store_->instance(id)->open_incidents, 1);
  }

  append(id, {incident_resolved(5), job_failed(4, "alpha_service", "retry granted", 3)});
  expect_matches_replay(id);
  EXPECT_EQ(store_->instance(id)->open_incidents, 0);
  EXPECT_EQ(store_->jobs(id)->at(0).state, "activatable");

  append(id, {job_completed(4, "alpha_service"), completed("alpha_service", 4)});
  expect_matches_replay(id);
  EXPECT_TRUE(store_->jobs(id)->empty());
  EXPECT_EQ(store_->instance(id)->active_elements, std::vector<std::string>{"zeta_task"});

  append(id, {task_completed(3, "zeta_task"), completed("zeta_task", 3),
              activated("end", 6, "endEvent"), completed("end", 6), instance_completed(9000)});
  expect_matches_replay(id);
  const InstanceRow row = store_->instance(id).value();
  EXPECT_EQ(row.status, "completed");
  EXPECT_EQ(row.ended_ms, 9000);
  EXPECT_TRUE(row.active_elements.empty());
  EXPECT_TRUE(store_->tasks({}).value().empty());
  auto gone = store_->task(runtime::task_id_for(id, 3));
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);

  RawDb raw(path_);
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM task_groups"), 0);
  EXPECT_EQ(raw.rows("SELECT active_elements FROM instances")[0][0], "[]");
}

TEST_F(SqliteProjection, JoinArrivalsFollowTheEvents) {
  const runtime::BusinessKey key = key_of("join", "s1", "2024");
  const std::int64_t id =
      append(0,
             {instance_created(key), activated("a", 1, "task"), activated("b", 2, "task"),
              completed("a", 1), flow_taken("fa", "a", "join", true), completed("b", 2),
              flow_taken("fb", "b", "join", true)},
             key);
  expect_matches_replay(id);
  append(id, {activated("b", 3, "task"), completed("b", 3), flow_taken("fb", "b", "join", true)});
  expect_matches_replay(id);  // fa:1, fb:2
  append(id, {event(runtime::ElementActivated{"join", "", {"fa", "fb"}, 4, "parallelGateway", 0})});
  expect_matches_replay(id);  // fb:1
  RawDb raw(path_);
  EXPECT_EQ(raw.rows("SELECT flow_id, count FROM join_arrivals WHERE instance_id = " +
                     std::to_string(id)),
            (std::vector<std::vector<std::string>>{{"fb", "1"}}));
  append(id, {completed("join", 4), instance_completed()});
  expect_matches_replay(id);  // the instance end clears waiting tokens
}

TEST_F(SqliteProjection, TasksFilterByRoleSchoolPeriodAndInstance) {
  const std::int64_t a =
      append(0,
             {instance_created(kKeyA), activated("t1", 1, "userTask"),
              task_created(1, "t1", "Uno", {"rector"}, "f1", 100), activated("t2", 2, "userTask"),
              task_created(2, "t2", "Dos", {"coordinador"}, "f2", 200)},
             kKeyA);
  const std::int64_t b = append(0,
                                {instance_created(kKeyB), activated("t1", 1, "userTask"),
                                 task_created(1, "t1", "Uno", {"rector", "docente"}, "f1", 150)},
                                kKeyB);
  const std::int64_t c = append(0,
                                {instance_created(kKeyC), activated("t1", 1, "userTask"),
                                 task_created(1, "t1", "Uno", {}, "f1", 50)},
                                kKeyC);

  auto ids = [](const std::vector<TaskRow>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.id);
    return out;
  };
  using runtime::task_id_for;
  EXPECT_EQ(ids(store_->tasks({}).value()),
            (std::vector<std::string>{task_id_for(c, 1), task_id_for(a, 1), task_id_for(b, 1),
                                      task_id_for(a, 2)}));
  EXPECT_EQ(ids(store_->tasks(Q().with_role("rector")).value()),
            (std::vector<std::string>{task_id_for(a, 1), task_id_for(b, 1)}));
  EXPECT_EQ(ids(store_->tasks(Q().with_role("docente")).value()),
            (std::vector<std::string>{task_id_for(b, 1)}));
  EXPECT_TRUE(store_->tasks(Q().with_role("nadie")).value().empty());
  EXPECT_EQ(ids(store_->tasks(Q().with_role("rector").with_school(kSchoolA)).value()),
            (std::vector<std::string>{task_id_for(a, 1)}));
  EXPECT_EQ(ids(store_->tasks(Q().with_school(kSchoolA).with_period("2025")).value()),
            (std::vector<std::string>{task_id_for(c, 1)}));
  EXPECT_EQ(ids(store_->tasks(Q().with_period("2024")).value()).size(), 3u);
  EXPECT_EQ(ids(store_->tasks(Q().with_instance(a)).value()),
            (std::vector<std::string>{task_id_for(a, 1), task_id_for(a, 2)}));

  auto one = store_->task(task_id_for(b, 1));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->instance_id, b);
  EXPECT_EQ(one->name, "Uno");
  EXPECT_EQ(one->form, "f1");
  EXPECT_EQ(one->tags.at("school"), kSchoolB);
  EXPECT_EQ(one->created_ms, 150);
  EXPECT_EQ(one->candidate_groups, (std::vector<std::string>{"rector", "docente"}));
  auto missing = store_->task("999-1");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("999-1"), std::string::npos);
}

TEST_F(SqliteProjection, InstancesFilterAndCarryElementsAndIncidents) {
  const std::int64_t a =
      append(0,
             {instance_created(kKeyA), activated("z", 1, "task"), activated("m", 2, "task"),
              activated("a", 3, "task"), incident_raised(4, 3, "a", "condition", "no flow")},
             kKeyA);
  const std::int64_t b = append(0, {instance_created(kKeyB)}, kKeyB);
  const std::int64_t c = append(0, {instance_created(kKeyC), instance_completed()}, kKeyC);
  const std::int64_t d =
      append(0, {instance_created(key_of("other", kSchoolA, "2024")), activated("q", 1, "task")},
             key_of("other", kSchoolA, "2024"));

  auto ids = [](const std::vector<InstanceRow>& rows) {
    std::vector<std::int64_t> out;
    for (const auto& r : rows) out.push_back(r.id);
    return out;
  };
  const auto all = store_->instances({}).value();
  EXPECT_EQ(ids(all), (std::vector<std::int64_t>{a, b, c, d}));
  EXPECT_EQ(all[0].active_elements, (std::vector<std::string>{"z", "m", "a"}));
  EXPECT_EQ(all[0].open_incidents, 1);
  EXPECT_TRUE(all[1].active_elements.empty());
  EXPECT_EQ(all[3].active_elements, std::vector<std::string>{"q"});
  EXPECT_EQ(ids(store_->instances(Q().with_school(kSchoolA)).value()),
            (std::vector<std::int64_t>{a, c, d}));
  EXPECT_EQ(ids(store_->instances(Q().with_school(kSchoolA).with_period("2024")).value()),
            (std::vector<std::int64_t>{a, d}));
  EXPECT_EQ(ids(store_->instances(Q().with_status("completed")).value()),
            (std::vector<std::int64_t>{c}));
  EXPECT_EQ(ids(store_->instances(Q().with_process("other")).value()),
            (std::vector<std::int64_t>{d}));
  const auto active_d02 =
      store_->instances(Q().with_process("d02_03").with_status("active")).value();
  EXPECT_EQ(ids(active_d02), (std::vector<std::int64_t>{a, b}));
  EXPECT_EQ(active_d02[0].active_elements, (std::vector<std::string>{"z", "m", "a"}));
  EXPECT_TRUE(store_->instances(Q().with_period("1999")).value().empty());

  auto missing = store_->instance(777);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(store_->find_instance({"nope", "x/y"}).value().has_value());
  EXPECT_EQ(store_->find_instance(kKeyB).value(), b);
}

TEST_F(SqliteProjection, EventsRoundTripExactly) {
  runtime::DecisionTaken decision;
  decision.element = "gw";
  decision.key = 2;
  decision.flow = "f9";
  decision.condition = "nota >= 3.5";
  decision.inputs = {{"nota", 4.25}, {"nombre", "Jos\xC3\xA9 \"Q\""}};
  decision.evaluated = {{"nota >= 3.5", "f9", true}};
  Event odd = event(decision, 123456789012345);
  odd.actor = runtime::Actor::user("maría", "rector");
  odd.definition_version = 7;
  const std::int64_t id = append(0, {instance_created(kKeyA), odd}, kKeyA);
  auto events = store_->events(id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  const Event& back = (*events)[1];
  EXPECT_EQ(back.instance_id, id);
  EXPECT_EQ(back.seq, 2);
  EXPECT_EQ(back.type(), EventType::kDecisionTaken);
  EXPECT_EQ(back.type_version, 1);
  EXPECT_EQ(back.time_ms, 123456789012345);
  EXPECT_EQ(back.actor, odd.actor);
  EXPECT_EQ(back.definition_version, 7);
  EXPECT_EQ(runtime::payload_json(back), runtime::payload_json(odd));
  EXPECT_EQ(back.as<runtime::DecisionTaken>().inputs, decision.inputs);
  EXPECT_EQ((*events)[0].actor, runtime::Actor::engine());

  EXPECT_EQ(store_->events(id, 2)->size(), 1u);
  EXPECT_EQ(store_->events(id, 1, 1)->size(), 1u);
  EXPECT_TRUE(store_->events(id, 3)->empty());
  auto unknown = store_->events(999);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->variables(999).error().code, ErrorCode::kNotFound);

  RawDb raw(path_);
  EXPECT_EQ(raw.rows("SELECT type, actor FROM events WHERE seq = 2")[0],
            (std::vector<std::string>{"14", R"({"id":"maría","kind":"user","role":"rector"})"}));
}

TEST_F(SqliteProjection, IncidentRaisedInTheCreationRequestGetsTheRealInstanceId) {
  const std::int64_t id = append(0,
                                 {instance_created(kKeyA), activated("gw", 1, "exclusiveGateway"),
                                  incident_raised(2, 1, "gw", "no-flow", "no condition holds")},
                                 kKeyA);
  const auto incidents = store_->incidents(IncidentQuery::of_instance(id)).value();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].id, runtime::task_id_for(id, 2));
  EXPECT_EQ(incidents[0].instance_id, id);
  expect_matches_replay(id);
}

TEST(SqliteDefinitions, DeployVersionsByContent) {
  TempDir dir;
  auto store = open_ok(dir.file("defs.db"));
  ASSERT_NE(store, nullptr);

  auto first = store->deploy("d02_03", "<v1/>", "sha-1", "d02_03.bpmn", {}, 100);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->definition.version, 1);

  auto same = store->deploy("d02_03", "<v1/>", "sha-1", "renamed.bpmn", {}, 200);
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->created);
  EXPECT_EQ(same->definition.version, 1);
  EXPECT_EQ(same->definition.resource_name, "d02_03.bpmn");
  EXPECT_EQ(same->definition.deployed_ms, 100);

  auto changed = store->deploy("d02_03", "<v2/>", "sha-2", "d02_03.bpmn", {}, 300);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(changed->created);
  EXPECT_EQ(changed->definition.version, 2);

  auto back = store->deploy("d02_03", "<v1/>", "sha-1", "d02_03.bpmn", {}, 400);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->created) << "only the latest version is compared";
  EXPECT_EQ(back->definition.version, 3);

  auto other = store->deploy("d01", "<o/>", "sha-o", "d01.bpmn", {}, 500);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->definition.version, 1);

  auto all = store->definitions();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].key, "d01");
  EXPECT_EQ((*all)[1].version, 1);
  EXPECT_EQ((*all)[3].version, 3);

  auto latest = store->definition("d02_03", 0);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->version, 3);
  EXPECT_EQ(*store->latest_version("d02_03"), 3);
  EXPECT_EQ(*store->latest_version("d01"), 1);
  auto none = store->latest_version("d09");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(none.error().message, store->definition("d09", 0).error().message);
  auto v2 = store->definition("d02_03", 2);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->xml, "<v2/>");
  EXPECT_EQ(v2->sha256, "sha-2");
  EXPECT_EQ(v2->deployed_ms, 300);
  EXPECT_EQ(store->definition("d02_03", 9).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store->definition("nope", 0).error().code, ErrorCode::kNotFound);
}

// Forms are versioned by id and content; a definition version is bound to the form versions
// it was deployed with, so a changed form alone makes a new definition version.
TEST(SqliteDefinitions, FormsAreVersionedAndBoundToTheirDefinitionVersion) {
  TempDir dir;
  const std::string path = dir.file("forms.db");
  auto store = open_ok(path);
  ASSERT_NE(store, nullptr);
  const FormSource a1{"form_a", "{\"id\": \"form_a\"}\n", "sha-a1", "form_a.form"};
  const FormSource b1{"form_b", "{\"id\": \"form_b\"}", "sha-b1", "form_b.form"};
  const FormSource a2{"form_a", "{\"id\":  \"form_a\"}", "sha-a2", "form_a.form"};

  auto first = store->deploy("p", "<v1/>", "sha-1", "p.bpmn", {a1, b1}, 100);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->created);
  ASSERT_EQ(first->forms.size(), 2u);
  EXPECT_TRUE(first->forms[0].created);
  EXPECT_EQ(first->forms[0].form.id, "form_a");
  EXPECT_EQ(first->forms[0].form.version, 1);
  using Bindings = std::map<std::string, std::int32_t>;
  EXPECT_EQ(first->definition.forms, (Bindings{{"form_a", 1}, {"form_b", 1}}));

  auto same = store->deploy("p", "<v1/>", "sha-1", "p.bpmn", {a1, b1}, 200);
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->created);
  EXPECT_FALSE(same->forms[0].created);
  EXPECT_FALSE(same->forms[1].created);
  EXPECT_EQ(same->definition.version, 1);

  auto changed = store->deploy("p", "<v1/>", "sha-1", "p.bpmn", {a2, b1}, 300);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(changed->created) << "same XML, new form version: a new definition version";
  EXPECT_EQ(changed->definition.version, 2);
  EXPECT_TRUE(changed->forms[0].created);
  EXPECT_EQ(changed->forms[0].form.version, 2);
  EXPECT_FALSE(changed->forms[1].created);
  EXPECT_EQ(changed->definition.forms, (Bindings{{"form_a", 2}, {"form_b", 1}}));

  store.reset();  // what was committed, read back from the file
  store = open_ok(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->definition("p", 1)->forms, (Bindings{{"form_a", 1}, {"form_b", 1}}));
  EXPECT_EQ(store->definition("p", 0)->forms, (Bindings{{"form_a", 2}, {"form_b", 1}}));
  EXPECT_EQ((*store->definitions())[1].forms, (Bindings{{"form_a", 2}, {"form_b", 1}}));
  auto old_a = store->form("form_a", 1);
  ASSERT_TRUE(old_a.ok()) << old_a.error().message;
  EXPECT_EQ(old_a->json, a1.json) << "the bytes as deployed";
  EXPECT_EQ(old_a->sha256, "sha-a1");
  EXPECT_EQ(old_a->resource_name, "form_a.form");
  EXPECT_EQ(old_a->deployed_ms, 100);
  EXPECT_EQ(store->form("form_a", 0)->json, a2.json);
  EXPECT_EQ(store->form("form_a", 3).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store->form("nope", 0).error().code, ErrorCode::kNotFound);
  RawDb raw(path);
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM forms"), 3);
}

}  // namespace
}  // namespace pmiflow::persistence::testing
