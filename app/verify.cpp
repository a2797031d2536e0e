#include "app/verify.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <utility>

#include "app/archive.h"
#include "engine/common/mutex.h"
#include "engine/engine/audit.h"

namespace pmiflow::app {
namespace {

std::string plural(std::int64_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

struct InstanceVerdict {
  std::int64_t events = 0;
  std::optional<Finding> finding;
};

Result<InstanceVerdict> check_instance(Store& store, std::int64_t id) {
  for (int attempt = 0;; ++attempt) {
    InstanceVerdict verdict;
    auto events = store.events(id);
    if (!events.ok()) {
      if (auto f = unreadable_finding(id, events.error())) {
        verdict.finding = std::move(f);
        return verdict;
      }
      return events.error();
    }
    auto row = store.instance(id);
    if (!row.ok()) return row.error();
    const std::int64_t end = events->empty() ? 0 : events->back().seq;
    verdict.events = static_cast<std::int64_t>(events->size());
    verdict.finding = diagnose(id, *events, row->head_hash, row->last_seq);
    if (verdict.finding && row->last_seq > end && attempt < 2) continue;
    return verdict;
  }
}

}  // namespace

Result<VerifyReport> verify_instance(Store& store, std::int64_t id) {
  auto verdict = check_instance(store, id);
  if (!verdict.ok()) return verdict.error();
  VerifyReport report;
  report.instances = 1;
  report.events = verdict->events;
  if (verdict->finding) report.findings.push_back(std::move(*verdict->finding));
  return report;
}

Result<VerifyReport> verify_all(Store& store, unsigned workers, const OpenReader& open_reader) {
  VerifyReport report;
  auto definitions = store.definitions();
  if (!definitions.ok()) return definitions.error();
  for (const auto& d : *definitions) {
    ++report.definitions;
    if (audit::sha256_hex(d.xml) != d.sha256) {
      report.findings.push_back(Finding{0, 0, "definition",
                                        "definition " + d.key + " v" + std::to_string(d.version) +
                                            " was changed: its XML does not match its sha256"});
    }
  }
  std::vector<std::int64_t> ids;
  {
    auto rows = store.instances(InstanceQuery{});
    if (!rows.ok()) return rows.error();
    ids.reserve(rows->size());
    for (const auto& r : *rows) ids.push_back(r.id);
  }
  workers = static_cast<unsigned>(std::min<std::size_t>(std::max(1u, open_reader ? workers : 1u),
                                                        std::max<std::size_t>(1, ids.size())));
  std::vector<std::unique_ptr<Store>> extra;
  for (unsigned t = 1; t < workers; ++t) {
    auto s = open_reader();
    if (!s.ok()) return s.error();
    extra.push_back(std::move(*s));
  }
  std::atomic<std::size_t> next{0};
  std::atomic<std::int64_t> events{0};
  std::atomic<bool> failed{false};
  Mutex mu;
  std::optional<Error> first_error;  // guarded by mu
  auto worker = [&](Store& s) {
    std::vector<Finding> mine;
    std::int64_t counted = 0;
    for (std::size_t i = next++; i < ids.size() && !failed; i = next++) {
      auto verdict = check_instance(s, ids[i]);
      if (!verdict.ok()) {
        MutexLock lock(mu);
        if (!first_error) first_error = verdict.error();
        failed = true;
        break;
      }
      counted += verdict->events;
      if (verdict->finding) mine.push_back(std::move(*verdict->finding));
    }
    events += counted;
    MutexLock lock(mu);
    for (auto& f : mine) report.findings.push_back(std::move(f));
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < workers; ++t) pool.emplace_back(worker, std::ref(*extra[t - 1]));
  worker(store);
  for (auto& th : pool) th.join();
  if (first_error) return *first_error;
  report.instances = static_cast<std::int64_t>(ids.size());
  report.events = events.load();
  std::stable_sort(
      report.findings.begin(), report.findings.end(),
      [](const Finding& x, const Finding& y) { return x.instance_id < y.instance_id; });
  return report;
}

Result<VerifyReport> verify_archive(const std::string& path) {
  VerifyReport report;
  ArchiveReader reader(path);
  PMIFLOW_TRY(reader.open());
  std::set<std::pair<std::string, std::int32_t>> definitions;
  std::set<std::int64_t> instance_ids;
  std::optional<InstanceRow> current;
  std::vector<runtime::Event> events;
  std::vector<InstanceRow> instances_without_definition;
  HeadsDigest digest;
  std::int64_t event_lines = 0;
  auto flush = [&] {
    if (!current) return;
    report.events += static_cast<std::int64_t>(events.size());
    if (auto f = diagnose(current->id, events, current->head_hash, current->last_seq)) {
      report.findings.push_back(std::move(*f));
    }
    instances_without_definition.push_back(*current);
    current.reset();
    events.clear();
  };
  for (;;) {
    auto more = reader.next();
    if (!more.ok()) return more.error();
    if (!*more) break;
    switch (reader.kind()) {
      case ArchiveReader::Kind::kHeader:
        break;
      case ArchiveReader::Kind::kDefinition: {
        const ArchiveDefinition& d = reader.definition();
        ++report.definitions;
        const std::string name = "definition " + d.key + " v" + std::to_string(d.version);
        if (!definitions.insert({d.key, d.version}).second) {
          report.findings.push_back(Finding{
              0, 0, "definition",
              name + " appears twice (line " + std::to_string(reader.line()) + ", inserted)"});
        } else if (audit::sha256_hex(d.xml) != d.sha256) {
          report.findings.push_back(
              Finding{0, 0, "definition",
                      name + " (line " + std::to_string(reader.line()) +
                          ") was changed: its XML does not match its sha256"});
        }
        break;
      }
      case ArchiveReader::Kind::kInstance:
        flush();
        ++report.instances;
        current = reader.instance();
        digest.add(current->id, current->head_hash);
        if (!instance_ids.insert(current->id).second) {
          report.findings.push_back(
              Finding{current->id, 0, "inserted",
                      "appears twice (line " + std::to_string(reader.line()) + ", inserted)"});
        }
        break;
      case ArchiveReader::Kind::kEvent:
        ++event_lines;
        if (!current || reader.event().instance_id != current->id) {
          report.findings.push_back(
              Finding{reader.event().instance_id, reader.event().seq, "inserted",
                      "event " + std::to_string(reader.event().seq) + " (line " +
                          std::to_string(reader.line()) +
                          ") is outside its instance's block (moved or inserted)"});
        } else {
          events.push_back(reader.event());
        }
        break;
    }
  }
  flush();
  for (const auto& row : instances_without_definition) {
    if (definitions.count({row.business_key.process, row.version}) == 0) {
      report.findings.push_back(Finding{row.id, 0, "definition",
                                        "its definition " + row.business_key.process + " v" +
                                            std::to_string(row.version) +
                                            " is not in the archive (deleted)"});
    }
  }
  const ArchiveHeader& h = reader.header();
  if (h.instances != report.instances || h.events != event_lines) {
    report.findings.push_back(Finding{
        0, 0, "archive",
        "the archive header says " + plural(h.instances, "instance") + " and " +
            plural(h.events, "event") + ", the file holds " + plural(report.instances, "instance") +
            " and " + plural(event_lines, "event") + " (records deleted or inserted)"});
  }
  report.heads_digest = digest.hex();
  return report;
}

}  // namespace pmiflow::app
