# Fails when a first-party C++ file is not clang-format clean.
file(GLOB_RECURSE files ${ROOT}/engine/*.h ${ROOT}/engine/*.cpp ${ROOT}/app/*.h ${ROOT}/app/*.cpp
     ${ROOT}/handlers/*.h
     ${ROOT}/handlers/*.cpp ${ROOT}/persistence/*.h ${ROOT}/persistence/*.cpp
     ${ROOT}/tools/*.h ${ROOT}/tools/*.cpp ${ROOT}/tests/*.h ${ROOT}/tests/*.cpp)
list(FILTER files EXCLUDE REGEX "/node_modules/|/tests/data/")
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${files}
                RESULT_VARIABLE rc ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clang-format: files need formatting (run clang-format -i):\n${out}")
endif()
