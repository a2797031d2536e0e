# Warnings for every first-party target; PMIFLOW_WERROR turns them into errors (dev preset).
option(PMIFLOW_WERROR "Treat warnings as errors" OFF)

function(pmiflow_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast
                                           -Woverloaded-virtual)
  if(PMIFLOW_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  # Clang checks the lock rules (engine/common/thread_annotations.h) in every build it makes.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    target_compile_options(${target} PRIVATE -Wthread-safety -Werror=thread-safety)
  endif()
endfunction()
