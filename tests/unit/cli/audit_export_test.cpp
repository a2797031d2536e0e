// `pmiflow export` and the archive: verified and replayed from the file alone, on "another
// machine" (the database deleted, a working directory without any db), and tampering with a
// line of the archive detected.
#include <functional>

#include <gtest/gtest.h>

#include "audit_test_util.h"

namespace pmiflow::cli::testing {
namespace {

class AuditExport : public AuditTest {
 protected:
  // Exports period 2026 of this test's database to `file`.
  void export_to(const std::string& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"export", "--period", "2026", "--out", file};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = run(args);
    ASSERT_EQ(r.code, 0) << r;
    EXPECT_NE(r.out.find("heads digest: "), std::string::npos) << r;
  }

  // Runs pmiflow with no database at hand: in an empty directory, $PMIFLOW_DB unset.
  RunResult run_elsewhere(const std::vector<std::string>& args) const {
    SpawnOptions options;
    options.cwd = elsewhere_.path().string();
    options.env = {"PMIFLOW_DB="};
    return run_cli(args, options);
  }

  // Rewrites line `index` (0-based) of an archive with `edit`.
  static void edit_line(const std::string& file, std::size_t index,
                        const std::function<std::string(std::string)>& edit) {
    auto lines = split_lines(read_bytes(file));
    ASSERT_LT(index, lines.size());
    lines[index] = edit(lines[index]);
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    write_bytes(file, text);
  }

  // The 0-based line of the archive holding event `seq` of `instance`.
  static std::size_t line_of_event(const std::string& file, std::int64_t instance,
                                   std::int64_t seq) {
    auto lines = split_lines(read_bytes(file));
    for (std::size_t i = 0; i < lines.size(); ++i) {
      Json j = Json::parse(lines[i], nullptr, false);
      if (j.is_object() && j.value("record", "") == "event" && j["instance_id"] == instance &&
          j["seq"] == seq) {
        return i;
      }
    }
    ADD_FAILURE() << "no event " << seq << " of instance " << instance << " in " << file;
    return 0;
  }

  TempDir elsewhere_;
};

TEST_F(AuditExport, ArchiveIsSelfContainedJsonLines) {
  use_demo_db();
  const std::string archive = dir_.file("2026.jsonl");
  export_to(archive);
  auto lines = split_lines(read_bytes(archive));
  const std::int64_t n = events_of(1);
  ASSERT_EQ(static_cast<std::int64_t>(lines.size()), 1 + 1 + 1 + n);
  Json header = parse_json(lines[0]);
  EXPECT_EQ(lines[0].rfind("{\"record\":\"header\",\"format\":\"pmiflow-archive\",", 0), 0u);
  EXPECT_EQ(header["format_version"], 2);
  EXPECT_EQ(header["tags"], (Json{{"period", "2026"}}));
  EXPECT_EQ(header["instances"], 1);
  EXPECT_EQ(header["events"], n);
  EXPECT_EQ(header["exported"].get<std::string>().back(), 'Z');
  Json def = parse_json(lines[1]);
  EXPECT_EQ(def["record"], "definition");
  EXPECT_EQ(def["key"], "D02_03_ApoyarGestionPMI");
  EXPECT_EQ(def["version"], 1);
  EXPECT_EQ(def["xml"], read_bytes(d02_03_file()));
  EXPECT_EQ(def["sha256"].get<std::string>().size(), 64u);
  Json inst = parse_json(lines[2]);
  EXPECT_EQ(inst["record"], "instance");
  EXPECT_EQ(inst["id"], 1);
  EXPECT_EQ(inst["business_id"], kDemoSchool + "/2026");
  EXPECT_EQ(inst["tags"], (Json{{"period", "2026"}, {"school", kDemoSchool}}));
  EXPECT_EQ(inst["status"], "completed");
  EXPECT_EQ(inst["last_seq"], n);
  Json last = parse_json(lines.back());
  EXPECT_EQ(inst["head_hash"], last["hash"]);
  Json first = parse_json(lines[3]);
  EXPECT_EQ(first["record"], "event");
  EXPECT_EQ(first["type"], "InstanceCreated");
  EXPECT_EQ(first["seq"], 1);
  EXPECT_EQ(first["prev_hash"], std::string(64, '0'));
  for (const char* key : {"instance_id", "type_version", "time_ms", "actor", "definition_version",
                          "payload", "hash"}) {
    EXPECT_TRUE(first.contains(key)) << key;
  }
  // Accents are UTF-8 in the file.
  EXPECT_NE(read_bytes(archive).find("Medellín"), std::string::npos);
}

TEST_F(AuditExport, VerifyArchiveWorksWithoutTheDatabase) {
  use_demo_db();
  const std::string archive = dir_.file("2026.jsonl");
  export_to(archive);
  const std::string copy = elsewhere_.file("copy.jsonl");
  write_bytes(copy, read_bytes(archive));
  remove_db(db());
  ASSERT_FALSE(exists(db()));

  RunResult r = run_elsewhere({"verify", "--archive", copy});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("1 definition, " + std::to_string(split_lines(read_bytes(copy)).size() - 3) +
                       " events of 1 instance: intact"),
            std::string::npos)
      << r;
  // Nothing was created next to it: no database was opened.
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(elsewhere_.path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(AuditExport, TamperedArchiveLinesAreNamed) {
  use_demo_db();
  const std::string archive = dir_.file("2026.jsonl");
  export_to(archive);
  const std::string original = read_bytes(archive);
  const std::int64_t seq = find_seq(history_json(1), "VariablesSet", "A04_RevisarAlineacionPAM", 2);
  ASSERT_GT(seq, 0);

  // A value changed.
  edit_line(archive, line_of_event(archive, 1, seq), [](std::string line) {
    auto at = line.find("\"new\":true");
    EXPECT_NE(at, std::string::npos) << line;
    return line.replace(at, 10, "\"new\":false");
  });
  RunResult r = run_elsewhere({"verify", "--archive", archive});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_NE(r.out.find("TAMPERED instance 1: event " + std::to_string(seq) +
                       " (VariablesSet) was "
                       "changed"),
            std::string::npos)
      << r;

  // An event line deleted: missing, and the header's count no longer matches.
  write_bytes(archive, original);
  auto lines = split_lines(original);
  lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(line_of_event(archive, 1, seq)));
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  write_bytes(archive, text);
  r = run_elsewhere({"verify", "--archive", archive});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_NE(r.out.find("event " + std::to_string(seq) + " is missing (deleted)"), std::string::npos)
      << r;
  EXPECT_NE(r.out.find("the archive header says"), std::string::npos) << r;

  // The definition changed.
  write_bytes(archive, original);
  edit_line(archive, 1, [](std::string line) {
    auto at = line.find("alineada = true");
    EXPECT_NE(at, std::string::npos);
    return line.replace(at, 15, "alineada = 1");
  });
  r = run_elsewhere({"verify", "--archive", archive});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_NE(r.out.find("definition D02_03_ApoyarGestionPMI v1 (line 2) was changed"),
            std::string::npos)
      << r;

  // The head of the instance record changed.
  write_bytes(archive, original);
  edit_line(archive, 2, [](std::string line) {
    auto at = line.find("\"head_hash\":\"");
    return line.replace(at + 13, 4, "ffff");
  });
  r = run_elsewhere({"verify", "--archive", archive});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_NE(r.out.find("the chain head does not match the last event"), std::string::npos) << r;
}

TEST_F(AuditExport, MalformedAndUnreadableArchives) {
  use_demo_db();
  const std::string archive = dir_.file("2026.jsonl");
  export_to(archive);
  edit_line(archive, 4, [](const std::string&) { return std::string("{\"record\":\"event\""); });
  RunResult r = run_elsewhere({"verify", "--archive", archive});
  EXPECT_EQ(r.code, 10) << r;
  EXPECT_NE(r.err.find(archive + ":5: malformed archive line"), std::string::npos) << r;

  export_to(archive);
  edit_line(archive, 6, [](std::string line) {
    auto at = line.find("\"seq\":");
    return line.replace(at, 6, "\"seq\":\"x\",\"old_seq\":");
  });
  r = run_elsewhere({"verify", "--archive", archive});
  EXPECT_EQ(r.code, 10) << r;
  EXPECT_NE(r.err.find(":7: malformed archive line: field \"seq\""), std::string::npos) << r;

  write_bytes(archive, "hello\n");
  r = run_elsewhere({"verify", "--archive", archive});
  EXPECT_EQ(r.code, 10) << r;
  EXPECT_NE(r.err.find(":1: malformed archive line"), std::string::npos) << r;

  EXPECT_EQ(run_elsewhere({"verify", "--archive", dir_.file("missing.jsonl")}).code, 9);
  EXPECT_EQ(run_elsewhere({"verify", "--archive", dir_.path().string()}).code, 9);
  EXPECT_EQ(run_elsewhere({"replay", "1", "--archive", dir_.file("missing.jsonl")}).code, 9);
}

// A decision whose "default" is not a boolean (an archive changed by hand) made history throw
// (exit 70) before events were decoded into typed payloads; now the line is malformed (exit 10),
// the message naming the line, the event and the field, for every command that reads it.
TEST_F(AuditExport, AChangedDecisionIsAMalformedLineNamingTheField) {
  use_demo_db();
  const std::string archive = dir_.file("2026.jsonl");
  export_to(archive);
  const std::string text = read_bytes(archive);
  const std::string flag = "\"default\":false";
  const auto at = text.find(flag);
  ASSERT_NE(at, std::string::npos);
  const auto line =
      1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  write_bytes(archive, std::string(text).replace(at, flag.size(), "\"default\":1"));
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"history", "1", "--archive", archive},
        std::vector<std::string>{"replay", "1", "--archive", archive},
        std::vector<std::string>{"verify", "--archive", archive}}) {
    RunResult r = run_elsewhere(args);
    EXPECT_EQ(r.code, 10) << r;
    EXPECT_NE(r.err.find(":" + std::to_string(line) + ": malformed archive line: event "),
              std::string::npos)
        << r;
    EXPECT_NE(r.err.find("payload key 'default' has a number"), std::string::npos) << r;
  }
}

TEST_F(AuditExport, ReplayAndHistoryFromTheArchiveEqualThoseFromTheDatabase) {
  use_demo_db();
  const std::string archive = dir_.file("2026.jsonl");
  export_to(archive);
  const std::int64_t seq = find_seq(history_json(1), "DecisionTaken", "A06_GW_PeriodoCumplido");
  ASSERT_GT(seq, 0);
  RunResult from_db = run({"replay", "1", "--until", std::to_string(seq), "--json"});
  RunResult whole_db = run({"replay", "1", "--json"});
  RunResult text_db = run({"replay", "1", "--until", std::to_string(seq)});
  RunResult history_db = run({"history", "1", "--json"});
  ASSERT_EQ(from_db.code, 0) << from_db;
  remove_db(db());

  RunResult from_archive = run_elsewhere(
      {"replay", "--archive", archive, "1", "--until", std::to_string(seq), "--json"});
  ASSERT_EQ(from_archive.code, 0) << from_archive;
  EXPECT_EQ(parse_json(from_archive.out), parse_json(from_db.out));
  Json a = parse_json(from_archive.out);
  EXPECT_EQ(a["activation_counts"]["A05_ApoyarEjecucionPMI"], 1);
  EXPECT_EQ(a["active"][0]["element_name"].is_string(), true);

  RunResult text_archive =
      run_elsewhere({"replay", "--archive", archive, "1", "--until", std::to_string(seq)});
  EXPECT_EQ(text_archive.out, text_db.out);
  EXPECT_NE(text_archive.out.find(kNameA05), std::string::npos) << text_archive;

  // The whole replay compares with the archive's instance record instead of projections.
  RunResult whole_archive = run_elsewhere({"replay", "--archive", archive, "1", "--json"});
  ASSERT_EQ(whole_archive.code, 0) << whole_archive;
  Json w_archive = parse_json(whole_archive.out);
  Json w_db = parse_json(whole_db.out);
  EXPECT_EQ(w_archive["projections"]["agree"], true);
  w_archive.erase("projections");
  w_db.erase("projections");
  EXPECT_EQ(w_archive, w_db);

  RunResult history_archive = run_elsewhere({"history", "--archive", archive, "1", "--json"});
  ASSERT_EQ(history_archive.code, 0) << history_archive;
  // The same events, hashes and payloads. The descriptions differ only where a variable is
  // named: an archive holds no forms, so there variables have D02.03's labels, else their
  // names in words (docs/audit.md).
  Json h_archive = parse_json(history_archive.out);
  Json h_db = parse_json(history_db.out);
  ASSERT_EQ(h_archive.size(), h_db.size());
  for (std::size_t i = 0; i < h_db.size(); ++i) {
    if (h_db[i]["type"] != "VariablesSet" && h_db[i]["type"] != "DecisionTaken") {
      EXPECT_EQ(h_archive[i]["description"], h_db[i]["description"]) << i;
    }
    h_archive[i].erase("description");
    h_db[i].erase("description");
  }
  EXPECT_EQ(h_archive, h_db);

  EXPECT_EQ(run_elsewhere({"replay", "--archive", archive, "2"}).code, 3);
}

TEST_F(AuditExport, SchoolFilterPeriodsAndErrors) {
  deploy();
  ASSERT_GT(start("105001000401"), 0);
  ASSERT_GT(start("105001000402"), 0);
  const std::string archive = dir_.file("one.jsonl");
  export_to(archive, {"--school", "105001000402"});
  Json header = parse_json(split_lines(read_bytes(archive))[0]);
  EXPECT_EQ(header["instances"], 1);
  EXPECT_EQ(header["tags"]["school"], "105001000402");
  RunResult r = run_elsewhere({"verify", "--archive", archive});
  EXPECT_EQ(r.code, 0) << r;

  export_to(archive);
  EXPECT_EQ(parse_json(split_lines(read_bytes(archive))[0])["instances"], 2);
  EXPECT_EQ(run_elsewhere({"verify", "--archive", archive}).code, 0);

  EXPECT_EQ(run({"export", "--period", "2025", "--out", dir_.file("none.jsonl")}).code, 3);
  EXPECT_FALSE(exists(dir_.file("none.jsonl")));
  EXPECT_EQ(run({"export", "--period", "26", "--out", dir_.file("bad.jsonl")}).code, 10);
  EXPECT_EQ(run({"export", "--period", "2026", "--out", dir_.file("no/such/dir/a.jsonl")}).code, 9);
  EXPECT_EQ(run({"export", "--period", "2026"}).code, 2);
}

}  // namespace
}  // namespace pmiflow::cli::testing
