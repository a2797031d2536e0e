// `--db` pointing at something that is not a usable pmiflow database: the right exit code
// (7 not a pmiflow database, 8 schema too new, 9 I/O) and the file left byte-for-byte
// unchanged (docs/cli.md, docs/storage-format.md "Recognition").
#include <gtest/gtest.h>

#include "cli_test_util.h"

namespace pmiflow::cli::testing {
namespace {

// Every command that opens the database, as a writer or as a reader.
std::vector<std::vector<std::string>> db_commands(const std::string& db) {
  return {
      {"deploy", d02_03_file(), "--db", db},
      {"start", "--process", kProcess, "--school", "105001000123", "--period", "2026", "--db", db},
      {"instances", "--db", db},
      {"definitions", "--db", db},
      {"tasks", "--json", "--db", db},
      {"summary", "--period", "2026", "--db", db},
      {"show", "1", "--db", db},
      {"complete", "1-2", "--as", kRoleProfesional, "--db", db},
      {"form", "1-2", "--db", db},
      {"incidents", "--db", db},
      {"incidents", "resolve", "1-1", "--as", kRoleLider, "--db", db},
      {"set-variables", "1", "--var", "x=1", "--as", kRoleLider, "--db", db},
  };
}

std::string joined(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += a + " ";
  return s;
}

TEST(CliDatabase, TextFileIsNotADatabase) {
  TempDir dir;
  const std::string db = dir.file("notes.txt");
  write_bytes(db, "These are my notes, not a database.\nSecond line.\n");
  const DbSnapshot before = snapshot(db);
  for (const auto& args : db_commands(db)) {
    RunResult r = run_cli(args);
    EXPECT_EQ(r.code, 7) << joined(args) << "\n" << r;
    EXPECT_NE(r.err.find("error: "), std::string::npos) << r;
    EXPECT_TRUE(snapshot(db) == before) << joined(args);
  }
  EXPECT_FALSE(exists(db + "-wal"));
  EXPECT_FALSE(exists(db + "-shm"));
}

TEST(CliDatabase, AnotherApplicationsSqliteFileIsNotADatabase) {
  TempDir dir;
  const std::string db = dir.file("other.db");
  {
    RawDb raw(db);
    raw.exec("CREATE TABLE foo(a INTEGER, b TEXT); INSERT INTO foo VALUES (1, 'x');");
  }
  const DbSnapshot before = snapshot(db);
  ASSERT_TRUE(before.db.has_value());
  for (const auto& args : db_commands(db)) {
    RunResult r = run_cli(args);
    EXPECT_EQ(r.code, 7) << joined(args) << "\n" << r;
    EXPECT_TRUE(snapshot(db) == before) << joined(args);
  }
  RawDb raw(db);
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM foo"), 1);
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM sqlite_master"), 1);
}

TEST(CliDatabase, SchemaTooNewIsRefusedUntouched) {
  TempDir dir;
  const std::string db = dir.file("future.db");
  RunResult deployed = run_cli({"deploy", d02_03_file(), "--db", db});
  ASSERT_EQ(deployed.code, 0) << deployed;
  {
    RawDb raw(db);
    raw.exec("PRAGMA user_version = 999");
    EXPECT_EQ(raw.scalar("PRAGMA user_version"), 999);
  }
  const DbSnapshot before = snapshot(db);
  for (const auto& args : db_commands(db)) {
    RunResult r = run_cli(args);
    EXPECT_EQ(r.code, 8) << joined(args) << "\n" << r;
    EXPECT_TRUE(snapshot(db) == before) << joined(args);
  }
  RawDb raw(db);
  EXPECT_EQ(raw.scalar("PRAGMA user_version"), 999);
}

TEST(CliDatabase, UnwritableLocationIsIo) {
  TempDir dir;
  // As root a read-only directory is still writable, so use places no one can create files in.
  for (const std::string& db :
       {dir.file("missing/sub/pmiflow.db"), std::string("/proc/1/pmiflow-test.db")}) {
    for (const auto& args :
         {std::vector<std::string>{"deploy", d02_03_file(), "--db", db},
          std::vector<std::string>{"start", "--process", kProcess, "--school", "105001000123",
                                   "--period", "2026", "--db", db}}) {
      RunResult r = run_cli(args);
      EXPECT_EQ(r.code, 9) << joined(args) << "\n" << r;
      EXPECT_NE(r.err.find(db), std::string::npos) << "the message names the path\n" << r;
    }
    EXPECT_FALSE(exists(db));
  }
  EXPECT_FALSE(exists(dir.file("missing")));
}

TEST(CliDatabase, QueryOnMissingDatabaseIsIoAndCreatesNothing) {
  TempDir dir;
  const std::string db = dir.file("absent.db");
  for (const auto& args : db_commands(db)) {
    if (args[0] == "deploy" || args[0] == "start") continue;  // these create it
    RunResult r = run_cli(args);
    EXPECT_EQ(r.code, 9) << joined(args) << "\n" << r;
    EXPECT_NE(r.err.find(db), std::string::npos) << r;
    EXPECT_FALSE(exists(db)) << joined(args);
    EXPECT_FALSE(exists(db + "-wal"));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(CliDatabase, EmptyFileBecomesADatabase) {
  TempDir dir;
  const std::string db = dir.file("empty.db");
  write_bytes(db, "");
  RunResult r = run_cli({"deploy", d02_03_file(), "--db", db});
  EXPECT_EQ(r.code, 0) << r;
  RunResult defs = run_cli({"definitions", "--json", "--db", db});
  EXPECT_EQ(defs.code, 0) << defs;
  EXPECT_EQ(parse_json(defs.out).size(), 1u);
}

TEST(CliDatabase, DirectoryAsDatabaseIsIo) {
  TempDir dir;
  for (const auto& args : db_commands(dir.path().string())) {
    RunResult r = run_cli(args);
    EXPECT_EQ(r.code, 9) << joined(args) << "\n" << r;
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace pmiflow::cli::testing
