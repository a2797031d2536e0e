#include "engine/model/vocabulary.h"

#include <cmath>
#include <cstdio>

#include "engine/time/zone.h"

namespace pmiflow::model {
namespace {

std::string two(int n) {
  return (n < 10 ? "0" : "") + std::to_string(n);
}

std::string day_month_year(const time::Date& d) {
  return two(d.day()) + "/" + two(d.month()) + "/" + std::to_string(d.year());
}

std::string hh_mm_ss(std::int64_t ms_of_day) {
  const auto s = ms_of_day / time::kMsPerSecond;
  return two(static_cast<int>(s / 3600)) + ":" + two(static_cast<int>(s / 60 % 60)) + ":" +
         two(static_cast<int>(s % 60));
}

bool digits(const std::string& s, std::size_t from, std::size_t n) {
  if (s.size() < from + n) return false;
  for (std::size_t i = from; i < from + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// "2027-03-07" and "2027-03-07T10:30[:00...]" as an SE writes them; anything else unchanged.
std::string date_string_text(const std::string& s) {
  const bool date = s.size() >= 10 && digits(s, 0, 4) && s[4] == '-' && digits(s, 5, 2) &&
                    s[7] == '-' && digits(s, 8, 2);
  if (!date || (s.size() > 10 && s[10] != 'T')) return s;
  if (s.size() == 10) {
    auto d = time::parse_date(s);
    return d.ok() ? day_month_year(*d) : s;
  }
  auto dt = time::parse_date_time(s);
  if (!dt.ok()) return s;
  if (dt->zone.kind != time::ZoneRef::Kind::kLocal) {
    auto instant = time::instant_of(*dt, time::default_zone());
    if (instant.ok()) return date_time_text(*instant);
  }
  return day_month_year(dt->date()) + " " + hh_mm_ss(dt->time_ms());
}

}  // namespace

void Vocabulary::add_form(const Json& form_js) {
  if (form_js.is_object()) add_components(form_js.value("components", Json::array()), "");
}

void Vocabulary::add_components(const Json& components, const std::string& prefix) {
  if (!components.is_array()) return;
  for (const auto& c : components) {
    if (!c.is_object()) continue;
    std::string path = prefix;
    const auto key = c.find("key");
    const auto opens = c.find("path");
    const std::string label = c.value("label", "");
    if (key != c.end() && key->is_string()) {
      path = prefix + key->get<std::string>();
      if (!label.empty()) add_field(path, label);
      const auto values = c.find("values");
      if (values != c.end() && values->is_array()) {
        for (const auto& option : *values) {
          if (option.is_object() && option.contains("value") && option.contains("label") &&
              option["label"].is_string()) {
            add_option(path, option["value"], option["label"].get<std::string>());
          }
        }
      }
    } else if (opens != c.end() && opens->is_string() && !opens->get<std::string>().empty()) {
      path = prefix + opens->get<std::string>();
      if (!label.empty()) add_field(path, label);
    }
    add_components(c.value("components", Json::array()), path == prefix ? prefix : path + ".");
  }
}

void Vocabulary::add_field(const std::string& path, const std::string& label) {
  fields_.emplace(path, label);
}

void Vocabulary::add_option(const std::string& path, const Json& value, const std::string& label) {
  options_[path].emplace(json_text(value), label);
}

void Vocabulary::add_role(const std::string& id, const std::string& label) {
  roles_.emplace(id, label);
}

void Vocabulary::add_record(const std::string& id, const std::string& label) {
  records_.emplace(id, label);
}

void Vocabulary::merge(const Vocabulary& other) {
  for (const auto& [path, label] : other.fields_) fields_.emplace(path, label);
  for (const auto& [path, options] : other.options_) {
    for (const auto& [value, label] : options) options_[path].emplace(value, label);
  }
  for (const auto& [id, label] : other.roles_) roles_.emplace(id, label);
  for (const auto& [id, label] : other.records_) records_.emplace(id, label);
}

std::string Vocabulary::field(const std::string& path) const {
  if (auto it = fields_.find(path); it != fields_.end()) return it->second;
  // No label: the last part of the path in words ("objetivos_total" -> "Objetivos total").
  std::string words = path.substr(path.rfind('.') + 1);
  for (auto& ch : words) {
    if (ch == '_') ch = ' ';
  }
  if (!words.empty() && words[0] >= 'a' && words[0] <= 'z') {
    words[0] = static_cast<char>(words[0] - 'a' + 'A');
  }
  return words;
}

std::string Vocabulary::role(const std::string& id) const {
  auto it = roles_.find(id);
  return it == roles_.end() ? id : it->second;
}

std::string Vocabulary::record(const std::string& id) const {
  auto it = records_.find(id);
  return it == records_.end() ? id : it->second;
}

std::string Vocabulary::value(const std::string& path, const Json& v) const {
  if (auto options = options_.find(path); options != options_.end() && !v.is_structured()) {
    auto it = options->second.find(json_text(v));
    if (it != options->second.end()) return it->second;
  }
  if (v.is_null()) return "";
  if (v.is_boolean()) return v.get<bool>() ? "Sí" : "No";
  if (v.is_number()) return number_text(v);
  if (v.is_string()) return date_string_text(v.get<std::string>());
  std::string out;
  if (v.is_array()) {
    for (const auto& item : v) out += (out.empty() ? "" : "; ") + value(path, item);
    return out;
  }
  for (const auto& [name, member] : v.items()) {
    const std::string at = path.empty() ? name : path + "." + name;
    out += (out.empty() ? "" : ", ") + field(at) + ": " + value(at, member);
  }
  return out;
}

std::string date_text(std::int64_t instant_ms) {
  return day_month_year(time::date_time_at(instant_ms, time::default_zone()).date());
}

std::string date_time_text(std::int64_t instant_ms) {
  const time::DateTime dt = time::date_time_at(instant_ms, time::default_zone());
  return day_month_year(dt.date()) + " " + hh_mm_ss(dt.time_ms());
}

std::string number_text(const Json& number) {
  if (number.is_number_integer()) return json_text(number);
  if (!number.is_number()) return json_text(number);
  const double d = number.get<double>();
  if (!std::isfinite(d)) return json_text(number);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", d);
  std::string s = buf;
  for (auto& ch : s) {
    if (ch == '.') ch = ',';
  }
  return s;
}

}  // namespace pmiflow::model
