# The test lint.clang_tidy: clang-tidy (.clang-tidy's checks) over the production code, every
# finding an error. It reads a copy of the build's compilation database without the precompiled
# header (cmake/PrecompiledHeaders.cmake): clang cannot read GCC's, and each file must compile
# with its own includes alone.
#   cmake -DBINARY_DIR=... -DRUN_CLANG_TIDY=... -DCLANG_TIDY=... -DFILES=regex -P lint_clang_tidy.cmake
file(READ "${BINARY_DIR}/compile_commands.json" db)
string(REGEX REPLACE " -Winvalid-pch -include [^ ]*cmake_pch\\.hxx" "" db "${db}")
file(WRITE "${BINARY_DIR}/lint/compile_commands.json" "${db}")
execute_process(COMMAND "${RUN_CLANG_TIDY}" -clang-tidy-binary "${CLANG_TIDY}"
                        -p "${BINARY_DIR}/lint" -quiet -j 2 "${FILES}"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clang-tidy found problems (exit ${rc})")
endif()
