// A program that forgets brasa::init: it must work on local masters and
// fail with a clear message on a cluster (whose executors are this binary).
#include <cstdio>

#include "brasa/brasa.h"

int main(int, char** argv) {
  try {
    brasa::Context ctx(brasa::Conf().master(argv[1]));
    std::printf("%lld\n", static_cast<long long>(ctx.range(0, 4).reduce([](int64_t a, int64_t b) { return a + b; })));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
