#include <iostream>

#include "tools/cli/cli.h"

int main(int argc, char** argv) {
  return pmiflow::cli::run(argc, argv, std::cout, std::cerr);
}
