// The lifecycle of one attempt to run a job's handler, in memory only (a durable job's
// lifecycle is lifecycle.h's table): Created -> Running -> Succeeded | Failed.
// Implemented with Boost.Statechart; its states stay in job_attempt.cpp.
#pragma once

#include <memory>
#include <string>

#include "engine/common/json.h"

namespace pmiflow {

class JobAttempt {
 public:
  JobAttempt();
  ~JobAttempt();
  JobAttempt(const JobAttempt&) = delete;
  JobAttempt& operator=(const JobAttempt&) = delete;

  void start();
  void succeed(Variables variables);
  void fail(std::string message);

  // "created", "running", "succeeded", "failed".
  const char* state() const;
  const Variables& variables() const;  // REQUIRES: state() == "succeeded"
  const std::string& failure() const;  // REQUIRES: state() == "failed"

  struct Machine;  // opaque: the Statechart machine, defined in job_attempt.cpp

 private:
  std::unique_ptr<Machine> machine_;
};

}  // namespace pmiflow
