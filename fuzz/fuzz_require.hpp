// Shared by the libFuzzer targets: require(cond) aborts (so libFuzzer records the input) naming
// the broken invariant with its file and line.
#pragma once
#include <cstdio>
#include <cstdlib>

#define require(cond)                                                                   \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)
