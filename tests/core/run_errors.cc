// brasa::run's exit statuses: run_errors MODE, where MODE is
//   fail    a job reads a file that does not exist: exit 1, the error on stderr
//   throw   the program throws a std::runtime_error: exit 1
//   return  the program returns 3: exit 3
//   ok      the program returns nothing: exit 0
#include <cstdio>
#include <stdexcept>
#include <string>

#include "brasa/brasa.h"

int main(int argc, char** argv) {
  return brasa::run(argc, argv, [&]() -> int {
    const std::string mode = argc > 1 ? argv[1] : "ok";
    brasa::Context ctx(brasa::Conf().master("local[2]").set("brasa.ui.enabled", "false"));
    if (mode == "fail") ctx.text_file("/nonexistent/brasa-input.txt").count();
    if (mode == "throw") throw std::runtime_error("the program gave up");
    if (mode == "return") return 3;
    std::printf("%lld\n", static_cast<long long>(ctx.range(0, 4).count()));
    return 0;
  });
}
