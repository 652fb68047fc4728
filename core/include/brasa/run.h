// A driver program's main() that ends in an exit status, not in
// std::terminate, when something goes wrong:
//
//   int main(int argc, char** argv) {
//     return brasa::run(argc, argv, [&] {
//       brasa::Context ctx(brasa::Conf().master("local[2]"));
//       ...
//     });
//   }
//
// run() calls brasa::init first (an executor started from this binary never
// returns from it), then the function. An exception that escapes it -- a bad
// argument, a missing file, a failed job (whose message names the stage and
// why) -- is printed as "PROGRAM: error: WHAT" on stderr and run() returns
// 1. A function that returns an int gives run()'s result; otherwise 0.
#pragma once

#include <cstdio>
#include <cstring>
#include <exception>
#include <type_traits>

#include "brasa/context.h"

namespace brasa {

template <class Main>
int run(int argc, char** argv, Main&& main_body) {
  init(argc, argv);
  const char* program = argc > 0 && argv[0] ? argv[0] : "brasa";
  if (const char* slash = std::strrchr(program, '/')) program = slash + 1;
  try {
    if constexpr (std::is_convertible_v<std::invoke_result_t<Main&>, int>) {
      return static_cast<int>(main_body());
    } else {
      main_body();
      return 0;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
  } catch (...) {
    std::fprintf(stderr, "%s: error: an exception that is not a std::exception\n", program);
  }
  return 1;
}

}  // namespace brasa
