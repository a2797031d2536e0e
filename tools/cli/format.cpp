#include "tools/cli/format.h"

#include <algorithm>
#include <string_view>

#include "engine/common/time_text.h"
#include "engine/runtime/event_codec.h"
#include "engine/runtime/event_describer.h"
#include "handlers/d02_03/business_key.h"

namespace pmiflow::cli {
namespace {

std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;  // count UTF-8 lead bytes only
  }
  return n;
}

}  // namespace

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], display_width(row[i]));
    }
  };
  measure(header);
  for (const auto& r : rows) measure(r);
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - display_width(row[i]) + 2, ' ');
    }
    out << line << '\n';
  };
  print(header);
  for (const auto& r : rows) print(r);
}

void print_events(std::ostream& out, const std::vector<runtime::Event>& events,
                  const model::ProcessDefinition* def) {
  for (const auto& e : events) {
    out << "  #" << e.seq << "  " << runtime::describe_event(e, def, runtime::Detail::kBrief)
        << '\n';
  }
}

Json event_to_json(const runtime::Event& e) {
  return Json{{"instance_id", e.instance_id},
              {"seq", e.seq},
              {"type", runtime::event_type_name(e.type())},
              {"type_version", e.type_version},
              {"time", format_time(e.time_ms)},
              {"time_ms", e.time_ms},
              {"actor", e.actor.to_json()},
              {"definition_version", e.definition_version},
              {"payload", runtime::payload_json(e)}};
}

Json tags_to_json(const runtime::Tags& tags) {
  Json j = Json::object();
  for (const auto& [name, value] : tags) j[name] = value;
  return j;
}

std::string tag(const runtime::Tags& tags, const std::string& name) {
  auto it = tags.find(name);
  return it == tags.end() ? std::string() : it->second;
}

void add_d02_03_keys(Json& j, const runtime::Tags& tags) {
  using handlers::d02_03::kPeriodTag;
  using handlers::d02_03::kSchoolTag;
  if (tags.count(kSchoolTag) != 0) j["school"] = tag(tags, kSchoolTag);
  if (tags.count(kPeriodTag) != 0) j["period"] = tag(tags, kPeriodTag);
}

namespace {

bool number_like(const std::string& s) {
  return !s.empty() && s.find_first_not_of("-+0123456789,") == std::string::npos &&
         s.find_first_of("0123456789") != std::string::npos;
}

std::string csv_field(const std::string& value) {
  std::string text = value;
  if (!text.empty() && std::string_view("=+-@\t\r").find(text[0]) != std::string_view::npos &&
      !number_like(text)) {
    text = "'" + text;
  }
  if (text.find_first_of(";\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

void write_csv_line(std::ostream& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) out << (i == 0 ? "" : ";") << csv_field(cells[i]);
  out << "\r\n";
}

}  // namespace

std::string status_word(const std::string& status) {
  if (status == "active") return "activa";
  if (status == "completed") return "completada";
  if (status == "terminated") return "terminada";
  return status;
}

void write_csv(std::ostream& out, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows) {
  out << "\xEF\xBB\xBF";
  write_csv_line(out, header);
  for (const auto& row : rows) write_csv_line(out, row);
}

}  // namespace pmiflow::cli
