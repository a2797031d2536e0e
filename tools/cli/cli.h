// The `pmiflow` command line, as a function so that tests can run it in-process.
#pragma once

#include <ostream>

#include "engine/common/result.h"

namespace pmiflow::cli {

// Documented in docs/cli.md; never renumber.
enum ExitCode : int {
  kExitOk = 0,
  kExitValidation = 1,     // a definition or its forms (or validate's input) have errors, or
                           // a task's submitted variables do not pass its form
  kExitUsage = 2,          // unknown command or flag, missing argument
  kExitNotFound = 3,       // unknown definition, instance, task, incident
  kExitConflict = 4,       // another command changed the instance first
  kExitForbidden = 5,      // the role may not do this
  kExitInvalidState = 6,   // the instance is not in a state where this applies
  kExitNotADatabase = 7,   // --db names a file that is not a pmiflow database
  kExitSchemaTooNew = 8,   // the database was written by a newer pmiflow
  kExitIo = 9,             // cannot read/write a file: read-only directory, full disk, missing
  kExitInvalidInput = 10,  // malformed --var/--vars, bad código DANE or period
  kExitStaleToken = 11,    // a job's answer whose token is not the current lease's
  kExitInternal = 70,      // a bug: please report it
};

int exit_code_for(ErrorCode code);

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace pmiflow::cli
