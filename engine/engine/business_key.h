// The business key of an instance: (process key, código DANE of the school, period).
#pragma once

#include <string>

#include "engine/common/result.h"
#include "engine/runtime/instance_state.h"

namespace pmiflow {

// A código DANE: exactly 12 digits.
Status validate_codigo_dane(const std::string& code);
// A period: YYYY, YYYY-1 or YYYY-2 (year 1900..2999).
Status validate_periodo(const std::string& period);
// Both, plus a non-empty process key. kInvalidArgument naming the bad field.
Status validate_business_key(const runtime::BusinessKey& key);

}  // namespace pmiflow
