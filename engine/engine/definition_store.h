// Deployed definitions and their forms: versioned, immutable once deployed. Implementations:
// SqliteStore (persistence/sqlite) and MemoryStore (persistence/memory, tests).
//
// Thread-safety: implementations are safe to call from several threads.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/common/result.h"

namespace pmiflow {

// A user-task form (form-js JSON) as deployed. Forms are versioned by their id like
// definitions by their key.
struct DeployedForm {
  std::string id;  // the form's "id", what zeebe:formDefinition formId names
  std::int32_t version = 0;
  std::string sha256;         // hex of the JSON bytes
  std::string json;           // the file's bytes, exactly as deployed
  std::string resource_name;  // file name it was deployed from
  std::int64_t deployed_ms = 0;
};

// A form to deploy with a definition (the store assigns the version).
struct FormSource {
  std::string id;
  std::string json;
  std::string sha256;
  std::string resource_name;
};

struct DeployedDefinition {
  std::string key;
  std::int32_t version = 0;
  std::string sha256;  // hex of the XML bytes
  std::string xml;
  std::string resource_name;  // file name it was deployed from
  std::int64_t deployed_ms = 0;
  // The form versions this version was deployed with, by form id (Camunda's
  // bindingType="deployment"): its tasks use these, whatever is deployed later.
  std::map<std::string, std::int32_t> forms;
};

struct FormOutcome {
  DeployedForm form;
  bool created = false;  // false: identical JSON was already the latest version
};

struct DeployOutcome {
  DeployedDefinition definition;
  // false: identical XML bound to identical forms was already the latest version
  bool created = false;
  std::vector<FormOutcome> forms;  // in the order given to deploy
};

class DefinitionStore {
 public:
  virtual ~DefinitionStore() = default;

  // A definition and its forms, in one transaction. Each form whose SHA-256 equals its
  // latest version's keeps that version; any other form gets a new version. The definition
  // gets a new version unless the latest one has the same SHA-256 and is bound to the same
  // form versions; a new version is bound to the versions of `forms`.
  virtual Result<DeployOutcome> deploy(const std::string& key, const std::string& xml,
                                       const std::string& sha256, const std::string& resource_name,
                                       const std::vector<FormSource>& forms,
                                       std::int64_t now_ms) = 0;
  // version 0: the latest. kNotFound when absent.
  virtual Result<DeployedDefinition> definition(const std::string& key, std::int32_t version) = 0;
  // The number of the latest version of `key`, without reading the definition (a start needs
  // only that); kNotFound as definition(key, 0). The default asks definition().
  virtual Result<std::int32_t> latest_version(const std::string& key);
  // The latest version of every deployed key (what a message start looks through). The default
  // asks definitions().
  virtual Result<std::map<std::string, std::int32_t>> latest_versions();
  virtual Result<std::vector<DeployedDefinition>> definitions() = 0;  // all versions
  // A form by id and version (0: the latest); kNotFound when absent.
  virtual Result<DeployedForm> form(const std::string& id, std::int32_t version) = 0;
};

}  // namespace pmiflow
