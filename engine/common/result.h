// Errors are values at layer boundaries (leveldb's Status, Zeebe's Either).
// A Result<T> holds either a T or an Error; Status is Result<void>.
// Exceptions mean bugs: they are caught only at the top of a command loop.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace pmiflow {

// Stable error kinds. The CLI maps each to a documented exit code (docs/cli.md).
enum class ErrorCode {
  kInvalidArgument,  // malformed input from a user: a flag, a --var, a JSON file
  kValidation,       // a definition or a form that fails validation
  kNotFound,         // unknown definition, instance, task, job
  kConflict,         // optimistic concurrency lost, task already completed
  kForbidden,        // the role is not allowed to do this
  kInvalidState,     // the command does not apply to the current state
  kNotADatabase,     // the file is not a pmiflow database
  kSchemaTooNew,     // the database was written by a newer pmiflow
  kIo,               // read-only directory, full disk, unreadable file
  kStaleToken,       // a job's answer whose fencing token is not the current lease's
  kInternal,         // a bug
};

const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_{ErrorCode::kInternal, {}};
  bool ok_ = true;
};

using Status = Result<void>;

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace pmiflow

// Propagates an error from an expression yielding a Result/Status.
#define PMIFLOW_TRY(expr)                                              \
  do {                                                                 \
    auto&& pmiflow_try_result_ = (expr);                               \
    if (!pmiflow_try_result_.ok()) return pmiflow_try_result_.error(); \
  } while (0)
