// Fuzzes the stage-plan decoder: the bytes an executor turns back into a
// task (PlanReader::task). Any input must end in a task or in an exception;
// never a crash, a hang or an allocation the input's size cannot justify.
//
// BRASA_FUZZ_WRITE_SEEDS=DIR writes the plans of a few real jobs (the
// corpus kept in corpus/plan) and exits; their operator type keys come from
// this file's functions, so the corpus is written again when they change
// (fuzz_test checks with BRASA_FUZZ_CHECK_SEEDS that it still decodes).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "brasa/brasa.h"
#include "brasa/rdd/detail/result_task.h"
#include "brasa/rdd/plan.h"

namespace {

brasa::Context* g_context = nullptr;
std::shared_ptr<brasa::Runtime> g_runtime;  // what executors rebuild plans in

// The per-partition part of the seed jobs' action; never run here.
struct PartitionSize {
  template <class Node> int64_t operator()(Node& node, int p) const { return node.num_partitions() + p; }
};

template <class T> std::string plan_of(const brasa::RDD<T>& rdd) {
  brasa::ResultTask<T, PartitionSize> task(rdd.node(), PartitionSize{});
  brasa::PlanWriter w;
  task.write_plan(w);
  return w.bytes();
}

// The plans of a few real jobs; the same bytes on every run (the kept
// corpus is checked against them).
std::vector<std::string> seed_plans(brasa::Context& ctx) {
  std::vector<std::string> plans;
  std::vector<int64_t> numbers = {1, 2, 3, 5, 8, 13, 21, 34};
  auto n = ctx.parallelize(numbers, 3);
  plans.push_back(plan_of(n.map([](int64_t x) { return x * 2; }).filter([](int64_t x) { return x % 3 != 0; })));
  const std::string text = "/tmp/brasa-plan-fuzzer-lines.txt";
  std::ofstream(text) << "a b\nb c\nc a\n";
  auto lines = ctx.text_file(text, 2);
  auto pairs = lines.flat_map([](const std::string& l) { return brasa::words(l); })
                   .map([](std::string w) { return std::pair{std::move(w), int64_t{1}}; });
  plans.push_back(plan_of(pairs));
  plans.push_back(plan_of(pairs.reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 2)));
  auto keyed = n.map([](int64_t x) { return std::pair{x % 4, static_cast<double>(x)}; });
  plans.push_back(plan_of(keyed.join(keyed.map_values([](double v) { return v + 1; }), brasa::Partitioner::hash(2))));
  plans.push_back(plan_of(keyed.group_by_key(brasa::Partitioner::hash(2))));
  plans.push_back(plan_of(keyed.sort_by_key(true, 2)));
  plans.push_back(plan_of(n.union_with(n).coalesce(2).distinct(2)));
  plans.push_back(plan_of(n.zip(n.map([](int64_t x) { return std::to_string(x); }))));
  plans.push_back(plan_of(n.map_partitions([](std::vector<int64_t>&& p) { return p; }).glom()));
  plans.push_back(plan_of(ctx.range(0, 1000, 7, 4).sample(false, 0.5, 11)));
  std::filesystem::remove(text);
  return plans;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  brasa::init(*argc, *argv);
  g_context = new brasa::Context(brasa::Conf()
                                     .master("local[1]")
                                     .app_name("plan_fuzzer")
                                     .set("brasa.ui.enabled", "false")
                                     .set("brasa.log.level", "off"));
  g_runtime = g_context->range(0, 1, 1, 1).node()->runtime_ptr();
  if (const char* dir = std::getenv("BRASA_FUZZ_WRITE_SEEDS")) {
    std::filesystem::create_directories(dir);
    const auto plans = seed_plans(*g_context);
    for (size_t i = 0; i < plans.size(); ++i)
      std::ofstream(std::string(dir) + "/seed-" + std::to_string(i), std::ios::binary) << plans[i];
    std::printf("wrote %zu plans to %s\n", plans.size(), dir);
    std::exit(0);
  }
  // BRASA_FUZZ_CHECK_SEEDS=DIR: every file there must decode into a task in
  // this build (the kept corpus is not stale); exits 1 naming one that does not.
  if (const char* dir = std::getenv("BRASA_FUZZ_CHECK_SEEDS")) {
    int checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      try {
        brasa::PlanReader(g_runtime, bytes).task();
        ++checked;
      } catch (const std::exception& e) {
        std::printf("%s: not a plan of this build: %s\n", entry.path().c_str(), e.what());
        std::exit(1);
      }
    }
    std::printf("%d plans decode\n", checked);
    std::exit(checked > 0 ? 0 : 1);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    brasa::PlanReader plan(g_runtime, bytes);
    auto task = plan.task();
    if (task->num_partitions() < 0) std::abort();
  } catch (const std::exception&) {
    // A clear error is the right answer to a bad plan.
  }
  return 0;
}
