// Helpers of the auditors' command tests (history, replay, verify, export): a database holding
// one whole D02.03 instance written by `pmiflow demo` (built once per test process, copied
// for each test), tampering with direct SQL as an attacker with the file would, and lookups in
// `history --json`.
#pragma once

#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli_test_util.h"

namespace pmiflow::cli::testing {

inline const std::string kDemoSchool = "105001000123";
// BPMN names of D02.03 (process-definitions/README.md).
inline const std::string kNameA03Definir =
    "Definir estrategia de asistencia técnica a los EE en la ejecución y seguimiento de los PMI";
inline const std::string kNameA04Revisar =
    "Revisar la alineación de la estrategia con el Plan de Apoyo al Mejoramiento PAM";
inline const std::string kNameA04Gateway = "¿La estrategia está alineada con el PAM?";
inline const std::string kNameA05 =
    "Apoyar a los EE en la ejecución, seguimiento y evaluación de planes de mejoramiento "
    "institucional";

inline void copy_db(const std::string& from, const std::string& to) {
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    std::filesystem::remove(to + suffix, ec);
    if (exists(from + suffix)) {
      std::filesystem::copy_file(from + suffix, to + suffix, ec);
      EXPECT_FALSE(ec) << "copy " << from << suffix << ": " << ec.message();
    }
  }
  std::error_code ec;
  std::filesystem::remove(to + "-shm", ec);
}

inline void remove_db(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
}

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

class AuditTest : public CliTest {
 protected:
  // The demo database (instance 1: D02.03 for kDemoSchool, 2026, completed), built once.
  static const std::string& demo_db() {
    static std::unique_ptr<TempDir> dir;
    static std::string path;
    if (!dir) {
      dir = std::make_unique<TempDir>();
      path = dir->file("demo.db");
      RunResult r = run_cli({"demo", "--db", path});
      EXPECT_EQ(r.code, 0) << r;
    }
    return path;
  }

  // Makes this test's database a copy of the demo database.
  void use_demo_db() { copy_db(demo_db(), db()); }

  // Runs SQL on the events as someone with write access to the file can: the append-only
  // triggers dropped, the `events` view replaced by a table of one row per event (with each
  // event's prev_hash) for `sql` to change, and that table stored back as event_batches rows
  // of one event each, their text built as the store builds it (so text that is not JSON stays
  // so).
  void tamper(const std::string& sql) {
    RawDb raw(db());
    ASSERT_EQ(raw.exec(R"sql(
      DROP TRIGGER event_batches_append_only_update;
      DROP TRIGGER event_batches_append_only_delete;
      DROP TRIGGER event_batches_append_only_replace;
      CREATE TABLE loose AS
        SELECT e.instance_id, seq, type, type_version, time_ms, actor, definition_version,
               payload,
               CASE WHEN batch_index = 0 THEN b.prev_hash
                    ELSE json_extract(b.events, '$[' || (batch_index - 1) || '].hash') END
                 AS prev_hash,
               hash
        FROM events e JOIN event_batches b ON b.id = e.batch_id ORDER BY e.instance_id, seq;
      DROP VIEW events;
      ALTER TABLE loose RENAME TO events;
    )sql"),
              SQLITE_OK);
    ASSERT_EQ(raw.exec(sql), SQLITE_OK) << sql;
    ASSERT_EQ(raw.exec(R"sql(
      DELETE FROM event_batches;
      INSERT INTO event_batches(instance_id, first_seq, last_seq, prev_hash, events)
        SELECT instance_id, seq, seq, prev_hash,
               '[{"seq":' || seq || ',"type":' || type || ',"type_version":' || type_version ||
               ',"time_ms":' || time_ms || ',"actor":' || actor || ',"definition_version":' ||
               definition_version || ',"payload":' || payload || ',"hash":"' || hash || '"}]'
        FROM events ORDER BY instance_id, seq;
    )sql"),
              SQLITE_OK);
  }

  Json history_json(std::int64_t instance) const {
    RunResult r = run({"history", std::to_string(instance), "--json"});
    EXPECT_EQ(r.code, 0) << r;
    return parse_json(r.out);
  }

  // The seq of the n-th event of `type` at `element` (1-based n), 0 when there is none.
  static std::int64_t find_seq(const Json& history, const std::string& type,
                               const std::string& element, int n = 1) {
    if (!history.is_array()) return 0;
    for (const auto& e : history) {
      if (e["type"] == type && e["element_id"] == element && --n == 0) {
        return e["seq"].get<std::int64_t>();
      }
    }
    return 0;
  }
};

}  // namespace pmiflow::cli::testing
