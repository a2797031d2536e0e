# Precompiled headers: the system headers that nearly every file includes (nlohmann/json through
# engine/common/json.h, the standard containers; GoogleTest in the tests) are parsed once per
# target instead of once per file. A sanitized file spends about a third of its compile time
# parsing them (docs/building.md). -DPMIFLOW_PCH=OFF turns them off; the lint parses every file
# without them (tests/lint/compile_db_without_pch.cmake), so an include a file forgot is still
# caught.
option(PMIFLOW_PCH "Precompile the system headers most files include" ON)

function(pmiflow_precompile target)
  if(NOT PMIFLOW_PCH)
    return()
  endif()
  target_precompile_headers(${target} PRIVATE
    <algorithm> <chrono> <cstdint> <functional> <map> <memory> <optional> <set> <string>
    <string_view> <utility> <variant> <vector> <nlohmann/json.hpp> ${ARGN})
endfunction()
