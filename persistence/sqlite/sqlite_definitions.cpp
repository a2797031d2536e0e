// SqliteStore as the definition store: definitions and their forms, versioned.
#include <exception>
#include <map>

#include "persistence/sqlite/sqlite_store_impl.h"

namespace pmiflow::persistence {

using detail::Query;

namespace {

const char* kDefinitionColumns = "key, version, sha256, xml, resource_name, deployed_ms";

DeployedDefinition read_definition(const Query& q) {
  DeployedDefinition d;
  d.key = q.text(0);
  d.version = q.int32(1);
  d.sha256 = q.text(2);
  d.xml = q.text(3);
  d.resource_name = q.text(4);
  d.deployed_ms = q.int64(5);
  return d;
}

const char* kFormColumns = "id, version, sha256, json, resource_name, deployed_ms";

DeployedForm read_form(const Query& q) {
  DeployedForm f;
  f.id = q.text(0);
  f.version = q.int32(1);
  f.sha256 = q.text(2);
  f.json = q.text(3);
  f.resource_name = q.text(4);
  f.deployed_ms = q.int64(5);
  return f;
}

// Reads version `version` (0: the latest) of `id` from a versioned table (definitions, forms)
// into `found`; kNotFound naming `what` when there is none.
template <typename T, typename Read>
Status find_version(SqliteStore::Impl& s, const char* what, const char* columns, const char* table,
                    const char* id_column, const std::string& id, std::int32_t version, Read read,
                    std::optional<T>& found) REQUIRES(s.mu) {
  const std::string sql = std::string("SELECT ") + columns + " FROM " + table + " WHERE " +
                          id_column + " = ?1" +
                          (version == 0 ? " ORDER BY version DESC LIMIT 1" : " AND version = ?2");
  PMIFLOW_TRY(s.each(
      sql,
      [&](Query& q) {
        q.bind(1, id);
        if (version != 0) q.bind(2, static_cast<int>(version));
      },
      [&](const Query& q) { found = read(q); }));
  if (found) return {};
  return make_error(ErrorCode::kNotFound, version == 0
                                              ? std::string(what) + " '" + id + "' is not deployed"
                                              : std::string(what) + " '" + id +
                                                    "' has no version " + std::to_string(version));
}

}  // namespace

Result<DeployOutcome> SqliteStore::deploy(const std::string& key, const std::string& xml,
                                          const std::string& sha256,
                                          const std::string& resource_name,
                                          const std::vector<FormSource>& forms,
                                          std::int64_t now_ms) {
  Impl& s = *impl_;
  MutexLock lock(s.mu);
  try {
    int rc = s.db.exec("BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) return s.error(rc, "deploy '" + key + "': begin");
    detail::WriteContext ctx{s.db, s.path};
    auto rollback = [&ctx] {
      if (ctx.db.in_transaction()) ctx.db.exec("ROLLBACK");
    };
    auto failed = [&](const Error& e) -> Result<DeployOutcome> {
      rollback();
      return e;
    };

    DeployOutcome outcome;
    std::map<std::string, std::int32_t> bound;
    for (const FormSource& f : forms) {
      std::optional<DeployedForm> latest;
      Status read = s.each(
          std::string("SELECT ") + kFormColumns +
              " FROM forms WHERE id = ?1 ORDER BY version DESC LIMIT 1",
          [&](Query& q) { q.bind(1, f.id); }, [&](const Query& q) { latest = read_form(q); });
      if (!read.ok()) return failed(read.error());
      if (latest && latest->sha256 == f.sha256) {
        outcome.forms.push_back(FormOutcome{std::move(*latest), false});
      } else {
        DeployedForm d{f.id,  latest ? latest->version + 1 : 1, f.sha256, f.json, f.resource_name,
                       now_ms};
        Status write = ctx.run(
            "INSERT INTO forms(id, version, sha256, json, resource_name, deployed_ms) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
            d.id, static_cast<int>(d.version), d.sha256, d.json, d.resource_name, d.deployed_ms);
        if (!write.ok()) return failed(write.error());
        outcome.forms.push_back(FormOutcome{std::move(d), true});
      }
      bound[f.id] = outcome.forms.back().form.version;
    }

    std::optional<DeployedDefinition> latest;
    Status read = s.each(
        std::string("SELECT ") + kDefinitionColumns +
            " FROM definitions WHERE key = ?1 ORDER BY version DESC LIMIT 1",
        [&](Query& q) { q.bind(1, key); }, [&](const Query& q) { latest = read_definition(q); });
    if (read.ok() && latest) read = s.load_form_bindings(*latest);
    if (!read.ok()) return failed(read.error());
    if (latest && latest->sha256 == sha256 && latest->forms == bound) {
      // Nothing new: not even a form (a new form version would have changed `bound`).
      rollback();
      outcome.definition = std::move(*latest);
      return outcome;
    }
    DeployedDefinition d{key,
                         latest ? latest->version + 1 : 1,
                         sha256,
                         xml,
                         resource_name,
                         now_ms,
                         std::move(bound)};
    Status write = ctx.run(
        "INSERT INTO definitions(key, version, sha256, xml, resource_name, deployed_ms) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
        d.key, static_cast<int>(d.version), d.sha256, d.xml, d.resource_name, d.deployed_ms);
    for (auto it = d.forms.begin(); write.ok() && it != d.forms.end(); ++it) {
      write = ctx.run(
          "INSERT INTO definition_forms(key, version, form_id, form_version) "
          "VALUES(?1, ?2, ?3, ?4)",
          d.key, static_cast<int>(d.version), it->first, static_cast<int>(it->second));
    }
    if (!write.ok()) return failed(write.error());
    rc = s.db.exec("COMMIT");
    if (rc != SQLITE_OK) return failed(s.error(rc, "deploy '" + key + "': commit"));
    PMIFLOW_TRY(s.durable());
    outcome.definition = std::move(d);
    outcome.created = true;
    return outcome;
  } catch (const std::exception& e) {
    if (s.db.in_transaction()) s.db.exec("ROLLBACK");
    return make_error(ErrorCode::kInternal, "deploy '" + key + "': " + e.what());
  }
}

Status SqliteStore::Impl::load_form_bindings(DeployedDefinition& d) {
  return each(
      "SELECT form_id, form_version FROM definition_forms WHERE key = ?1 AND version = ?2",
      [&](Query& q) {
        q.bind(1, d.key);
        q.bind(2, static_cast<int>(d.version));
      },
      [&](const Query& q) { d.forms[q.text(0)] = q.int32(1); });
}

Result<DeployedDefinition> SqliteStore::definition(const std::string& key, std::int32_t version) {
  try {
    MutexLock lock(impl_->mu);
    Impl::ReadTransaction tx(*impl_);
    PMIFLOW_TRY(tx.status());
    std::optional<DeployedDefinition> found;
    PMIFLOW_TRY(find_version(*impl_, "definition", kDefinitionColumns, "definitions", "key", key,
                             version, read_definition, found));
    PMIFLOW_TRY(impl_->load_form_bindings(*found));
    return std::move(*found);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, "definition '" + key + "': " + e.what());
  }
}

Result<std::int32_t> SqliteStore::latest_version(const std::string& key) {
  try {
    MutexLock lock(impl_->mu);
    std::optional<std::int32_t> found;
    PMIFLOW_TRY(find_version(
        *impl_, "definition", "version", "definitions", "key", key, 0,
        [](const Query& q) { return static_cast<std::int32_t>(q.int64(0)); }, found));
    return *found;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, "definition '" + key + "': " + e.what());
  }
}

Result<std::map<std::string, std::int32_t>> SqliteStore::latest_versions() {
  try {
    std::map<std::string, std::int32_t> out;
    PMIFLOW_TRY(impl_->with_reader([&](detail::Connection& c) {
      return impl_->each_on(
          c, "SELECT key, max(version) FROM definitions GROUP BY key", [](Query&) {},
          [&](const Query& q) { out[q.text(0)] = static_cast<std::int32_t>(q.int64(1)); });
    }));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("definitions: ") + e.what());
  }
}

Result<std::vector<DeployedDefinition>> SqliteStore::definitions() {
  try {
    MutexLock lock(impl_->mu);
    Impl::ReadTransaction tx(*impl_);
    PMIFLOW_TRY(tx.status());
    std::vector<DeployedDefinition> out;
    PMIFLOW_TRY(impl_->each(
        std::string("SELECT ") + kDefinitionColumns + " FROM definitions ORDER BY key, version",
        [](Query&) {}, [&](const Query& q) { out.push_back(read_definition(q)); }));
    for (auto& d : out) PMIFLOW_TRY(impl_->load_form_bindings(d));
    return out;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("definitions: ") + e.what());
  }
}

Result<DeployedForm> SqliteStore::form(const std::string& id, std::int32_t version) {
  try {
    MutexLock lock(impl_->mu);
    std::optional<DeployedForm> found;
    PMIFLOW_TRY(
        find_version(*impl_, "form", kFormColumns, "forms", "id", id, version, read_form, found));
    return std::move(*found);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, "form '" + id + "': " + e.what());
  }
}

}  // namespace pmiflow::persistence
