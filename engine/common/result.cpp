#include "engine/common/result.h"

namespace pmiflow {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kValidation:
      return "validation";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kInvalidState:
      return "invalid state";
    case ErrorCode::kNotADatabase:
      return "not a pmiflow database";
    case ErrorCode::kSchemaTooNew:
      return "schema too new";
    case ErrorCode::kIo:
      return "i/o";
    case ErrorCode::kStaleToken:
      return "stale token";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "unknown";
}

}  // namespace pmiflow
