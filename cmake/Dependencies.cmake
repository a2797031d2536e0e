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
find_package(GTest REQUIRED)
