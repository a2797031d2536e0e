#include "tools/cli/outbox_commands.h"

#include <vector>

#include "engine/common/time_text.h"
#include "tools/cli/cli.h"
#include "tools/cli/format.h"
#include "tools/cli/session.h"

namespace pmiflow::cli {

int cmd_outbox(const Common& c, const std::optional<std::string>& subprocess, bool all, bool csv,
               std::ostream& out, std::ostream& err) {
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  auto rows = (*session)->store->outbox(subprocess, all);
  if (!rows.ok()) return fail(err, rows.error());
  if (c.json) {
    Json list = Json::array();
    for (const auto& m : *rows) {
      list.push_back({{"id", m.id},
                      {"subprocess", m.subprocess},
                      {"instance_id", m.instance_id},
                      {"seq", m.seq},
                      {"element_id", m.element_id},
                      {"business_id", m.business_key.id},
                      {"tags", tags_to_json(m.tags)},
                      {"created", format_time(m.created_ms)},
                      {"acked", m.acked_ms == 0 ? Json() : Json(format_time(m.acked_ms))},
                      {"data", m.data}});
      add_d02_03_keys(list.back(), m.tags);
    }
    out << list.dump(2) << '\n';
    return kExitOk;
  }
  const model::Vocabulary words = shipped_vocabulary(**session);
  std::vector<std::vector<std::string>> table;
  for (const auto& m : *rows) {
    std::vector<std::string> row = {m.id,
                                    m.subprocess,
                                    m.business_key.id,
                                    m.element_id,
                                    model::date_time_text(m.created_ms),
                                    m.acked_ms == 0 ? "" : model::date_time_text(m.acked_ms)};
    if (csv) row.push_back(words.value("", m.data));
    table.push_back(std::move(row));
  }
  if (csv) {
    write_csv(
        out, {"Id", "Subproceso", "Id de negocio", "Elemento", "Creado", "Confirmado", "Contenido"},
        table);
  } else {
    print_table(out, {"ID", "SUBPROCESO", "ID DE NEGOCIO", "ELEMENTO", "CREADO", "CONFIRMADO"},
                table);
  }
  return kExitOk;
}

int cmd_outbox_ack(const Common& c, const std::string& id, std::ostream& out, std::ostream& err) {
  auto session = open_session(c.db, OpenMode::kExisting);
  if (!session.ok()) return fail(err, session.error());
  Status s = (*session)->store->ack_outbox(id, (*session)->clock->now_ms());
  if (!s.ok()) return fail(err, s.error());
  out << "confirmado " << id << '\n';
  return kExitOk;
}

}  // namespace pmiflow::cli
