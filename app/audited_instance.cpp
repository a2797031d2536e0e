#include "app/audited_instance.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <utility>

#include "app/archive.h"
#include "engine/model/bpmn_parser.h"

namespace pmiflow::app {

Result<std::int64_t> parse_instance_id(const std::string& text) {
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v <= 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "'" + text + "' is not an instance id (a positive number)");
  }
  return static_cast<std::int64_t>(v);
}

Result<AuditedInstance> load_audited(Store& store, Engine& engine, std::int64_t id,
                                     std::int64_t to_seq) {
  AuditedInstance a;
  auto row = store.instance(id);
  if (!row.ok()) return row.error();
  a.row = std::move(*row);
  auto events = store.events(id, 1, to_seq);
  if (!events.ok()) return events.error();
  a.events = std::move(*events);
  auto def = engine.definition(a.row.business_key.process, a.row.version);
  if (def.ok()) a.def = *def;
  return a;
}

Result<AuditedInstance> load_audited_from_archive(const std::string& path, std::int64_t id,
                                                  std::int64_t to_seq) {
  ArchiveReader reader(path);
  PMIFLOW_TRY(reader.open());
  std::map<std::pair<std::string, std::int32_t>, ArchiveDefinition> definitions;
  std::optional<AuditedInstance> found;
  for (;;) {
    auto more = reader.next();
    if (!more.ok()) return more.error();
    if (!*more) break;
    switch (reader.kind()) {
      case ArchiveReader::Kind::kHeader:
        break;
      case ArchiveReader::Kind::kDefinition:
        definitions[{reader.definition().key, reader.definition().version}] = reader.definition();
        break;
      case ArchiveReader::Kind::kInstance:
        if (reader.instance().id == id && !found) {
          found = AuditedInstance{};
          found->row = reader.instance();
        }
        break;
      case ArchiveReader::Kind::kEvent:
        if (found && reader.event().instance_id == id && reader.event().seq <= to_seq) {
          found->events.push_back(reader.event());
        }
        break;
    }
  }
  if (!found) {
    return make_error(ErrorCode::kNotFound,
                      "instance " + std::to_string(id) + " is not in the archive " + path);
  }
  std::stable_sort(found->events.begin(), found->events.end(),
                   [](const runtime::Event& a, const runtime::Event& b) { return a.seq < b.seq; });
  auto d = definitions.find({found->row.business_key.process, found->row.version});
  if (d != definitions.end()) {
    auto parsed = model::parse_bpmn(d->second.xml, d->second.resource);
    if (parsed.definition) {
      found->def = std::make_shared<const model::ProcessDefinition>(std::move(*parsed.definition));
    }
  }
  return std::move(*found);
}

}  // namespace pmiflow::app
