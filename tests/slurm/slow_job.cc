// A job slow enough to kill an executor in its middle, for the Slurm tests:
//   slow_job MASTER OUTPUT
// sums 10^6 numbers by key (97 keys) over 40 partitions whose tasks sleep
// 150 ms each, then a shuffle into 8, and saves "(key,sum)" lines to OUTPUT.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "brasa/brasa.h"

int main(int argc, char** argv) {
  return brasa::run(argc, argv, [&]() -> int {
    if (argc != 3) throw std::invalid_argument("usage: slow_job MASTER OUTPUT");
    brasa::Context ctx(brasa::Conf().master(argv[1]).app_name("slow-job").set("brasa.ui.enabled", "false"));
    ctx.range(0, 1'000'000, 1, 40)
        .map_partitions([](std::vector<int64_t>&& part) {
          std::this_thread::sleep_for(std::chrono::milliseconds(150));
          std::vector<std::pair<int64_t, int64_t>> out;
          out.reserve(part.size());
          for (int64_t x : part) out.emplace_back(x % 97, x);
          return out;
        })
        .reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 8)
        .save_as_text_file(argv[2]);
    return 0;
  });
}
