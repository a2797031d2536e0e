# Every dependency comes from a Debian 12 package (see tools/install-deps.sh); nothing is
# vendored or downloaded at build time.
find_package(Boost 1.74 REQUIRED)
find_package(pugixml REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(Threads REQUIRED)
find_package(date CONFIG REQUIRED)  # libhowardhinnant-date-dev: date::date-tz
find_package(GTest REQUIRED)

# jemalloc (libjemalloc-dev) as the allocator of the pmiflow executable: the engine makes many
# small JSON allocations from many threads, on which glibc's malloc costs ~15 % more CPU
# (docs/benchmarks.md). Not with a sanitizer, which brings its own allocator; without the
# package the executable keeps glibc's malloc.
option(PMIFLOW_JEMALLOC "Link the pmiflow executable with jemalloc when it is installed" ON)
if(PMIFLOW_JEMALLOC AND NOT PMIFLOW_SANITIZE AND NOT PMIFLOW_TSAN)
  find_package(PkgConfig)
  if(PkgConfig_FOUND)
    pkg_check_modules(JEMALLOC IMPORTED_TARGET jemalloc)
  endif()
endif()
