// Verification (docs/audit.md): every hash chain recomputed from the events alone, each break
// named (chain_diagnosis.h), and the definitions checked against their SHA-256; over a store,
// one instance or all of them (in parallel), or over an archive.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/chain_diagnosis.h"
#include "engine/common/result.h"
#include "engine/engine/store.h"

namespace pmiflow::app {

struct VerifyReport {
  std::int64_t instances = 0;
  std::int64_t events = 0;
  std::int64_t definitions = 0;
  std::vector<Finding> findings;            // by instance; empty: intact
  std::optional<std::string> heads_digest;  // archives: HeadsDigest of its instance records
  bool intact() const { return findings.empty(); }
};

// One instance of `store`. Events are read before the instance row: an append that lands in
// between makes the row newer than the events, so a mismatch at the end is read again (twice)
// before it is reported.
Result<VerifyReport> verify_instance(Store& store, std::int64_t id);

// Opens another connection to the same store, for one more verify worker.
using OpenReader = std::function<Result<std::unique_ptr<Store>>()>;

// Every definition and every instance of `store`, by `workers` workers (at least one; each
// extra one reads through its own connection from `open_reader`, so only one instance's events
// are in memory per worker).
Result<VerifyReport> verify_all(Store& store, unsigned workers, const OpenReader& open_reader);

// The archive file `path`: its records' shapes, each chain, each definition, the header's
// counts; and its heads digest.
Result<VerifyReport> verify_archive(const std::string& path);

}  // namespace pmiflow::app
