// Verification and archives in the application layer: chains are recomputed and every break
// named; an archive written by export_archive reads back, verifies and carries the digest of
// its heads; a bad line is named by file and line; archives of format 1 still read.
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "app/archive.h"
#include "app/chain_diagnosis.h"
#include "app/verify.h"
#include "app_test_util.h"

namespace pmiflow::app::testing {
namespace {

std::string temp_file(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("pmiflow-app-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

TEST(AppVerify, AnIntactStoreVerifiesAndEveryKindOfBreakIsNamed) {
  World w;
  const std::int64_t id = w.start("exp-1");
  w.review(id, true);
  auto all = verify_all(w.store, 4, {});
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->intact());
  EXPECT_EQ(all->instances, 1);
  EXPECT_EQ(all->definitions, 1);

  const auto events = w.store.events(id).value();
  const std::string head = w.store.instance(id)->head_hash;
  const std::int64_t last = events.back().seq;
  EXPECT_FALSE(diagnose(id, events, head, last));

  auto changed = events;
  changed[3].body = runtime::FlowTaken{"f9", "Start", false, 0, "Task_Review"};
  changed[3].stored_payload.clear();
  auto finding = diagnose(id, changed, head, last);
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->kind, "changed");
  EXPECT_EQ(finding->seq, 4);

  auto deleted = events;
  deleted.erase(deleted.begin() + 2);
  finding = diagnose(id, deleted, head, last);
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->kind, "deleted");
  EXPECT_EQ(finding->seq, 3);

  auto reordered = events;  // two events swapped, their seqs kept dense
  std::swap(reordered[2], reordered[3]);
  std::swap(reordered[2].seq, reordered[3].seq);
  finding = diagnose(id, reordered, head, last);
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->kind, "reordered");
}

TEST(AppArchive, ExportReadsBackVerifiesAndNamesItsHeads) {
  World w;
  const std::int64_t a = w.start("exp-1", {{"zona", "rural"}});
  const std::int64_t b = w.start("exp-2", {{"zona", "urbana"}});
  w.review(a, true);
  const std::string path = temp_file("archive.jsonl");
  auto exported = export_archive(w.store, {{"zona", "rural"}}, std::nullopt, path, kT0);
  ASSERT_TRUE(exported.ok()) << exported.error().message;
  EXPECT_EQ(exported->instances, 1);
  EXPECT_EQ(exported->definitions, 1);

  auto verified = verify_archive(path);
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_TRUE(verified->intact());
  EXPECT_EQ(verified->heads_digest, exported->heads_digest);

  ArchiveReader reader(path);
  ASSERT_TRUE(reader.open().ok());
  std::vector<runtime::Event> events;
  InstanceRow row;
  for (;;) {
    auto more = reader.next();
    ASSERT_TRUE(more.ok()) << more.error().message;
    if (!*more) break;
    if (reader.kind() == ArchiveReader::Kind::kHeader) {
      EXPECT_EQ(reader.header().format_version, kArchiveFormatVersion);
      EXPECT_EQ(reader.header().tags, (runtime::Tags{{"zona", "rural"}}));
    }
    if (reader.kind() == ArchiveReader::Kind::kInstance) row = reader.instance();
    if (reader.kind() == ArchiveReader::Kind::kEvent) events.push_back(reader.event());
  }
  EXPECT_EQ(row.id, a);
  EXPECT_EQ(row.business_key, (runtime::BusinessKey{"revision", "exp-1"}));
  EXPECT_EQ(row.tags, (runtime::Tags{{"zona", "rural"}}));
  EXPECT_EQ(events.size(), w.store.events(a)->size());
  EXPECT_FALSE(diagnose(a, events, row.head_hash, row.last_seq));
  (void)b;

  auto none = export_archive(w.store, {{"zona", "costa"}}, std::nullopt, path + ".none", kT0);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(path + ".none"));
  std::filesystem::remove(path);
}

TEST(AppArchive, ABadLineIsNamedByFileAndLine) {
  ArchiveReader reader("x.jsonl");
  auto first = reader.read_line(R"({"record":"event"})");
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().message,
            "x.jsonl:1: malformed archive line: not a pmiflow archive (its first line must be the "
            "header record)");
  ArchiveReader ok("y.jsonl");
  ASSERT_TRUE(ok.read_line(R"({"record":"header","format":"pmiflow-archive","format_version":2,)"
                           R"("instances":0,"events":0})")
                  .value());
  EXPECT_FALSE(ok.read_line("   ").value()) << "a blank line is no record";
  auto bad = ok.read_line(R"({"record":"event","instance_id":1,"seq":1,"type":"FlowTaken",)"
                          R"("type_version":1,"time_ms":0,"actor":{},"definition_version":1,)"
                          R"("payload":{"flow":"f"},"prev_hash":"","hash":""})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "y.jsonl:3: malformed archive line: event 1: FlowTaken v1 payload lacks key 'from'");
}

TEST(AppArchive, AnArchiveOfFormatOneReadsAndVerifies) {
  const std::string path =
      std::string(PMIFLOW_TEST_DATA) + "/fixtures/schema4/archive-2026-1.jsonl";
  auto verified = verify_archive(path);
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_TRUE(verified->intact()) << verified->findings.front().line();
  EXPECT_EQ(verified->instances, 5);
  EXPECT_EQ(verified->events, 149);
  // The digest `pmiflow export` printed when it wrote the archive (format 1, 0828a45).
  EXPECT_EQ(verified->heads_digest,
            "a523bfccd3a8734e650a6f90ddfc03eb9b0bc9eec0860290140ebd8270169e62");
}

}  // namespace
}  // namespace pmiflow::app::testing
