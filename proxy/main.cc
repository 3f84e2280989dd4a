#include <cstdio>
#include <cstring>

#include "rwproxy/version.h"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0) {
      std::printf("rwproxy %s\n", rwproxy::kVersion);
      return 0;
    }
  }
  std::fprintf(stderr, "rwproxy: not implemented yet\n");
  return 1;
}
