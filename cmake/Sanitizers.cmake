# ASan + UBSan for the whole build (dev preset); TSan is a separate preset.
option(PMIFLOW_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(PMIFLOW_TSAN "Build with ThreadSanitizer" OFF)

if(PMIFLOW_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  # Executables at a fixed address: an instrumented PIE carries over a million relative
  # relocations, which the loader applies at every start (~0.25 s per test process).
  add_link_options(-fsanitize=address,undefined -no-pie)
endif()
if(PMIFLOW_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
