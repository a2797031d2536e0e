# libFuzzer builds (the `fuzz` preset, docs/fuzzing.md): PMIFLOW_FUZZ=ON builds only the fuzz
# targets of tests/fuzz and the libraries they need, with clang's -fsanitize=fuzzer-no-link
# on every object (coverage for libFuzzer) beside ASan+UBSan (PMIFLOW_SANITIZE). Without it,
# the same targets are built with a plain main() over their seed corpus (tests `fuzz.corpus.*`).
option(PMIFLOW_FUZZ "Build only the libFuzzer targets (tests/fuzz); needs clang" OFF)

if(PMIFLOW_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "PMIFLOW_FUZZ needs clang (libFuzzer): configure with the fuzz preset "
                        "(CMAKE_CXX_COMPILER=clang++-14)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
