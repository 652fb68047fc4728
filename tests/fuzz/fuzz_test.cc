// Runs the libFuzzer targets of targets/ for a bounded time each: Brasa
// installed into a prefix in the build tree, targets/ built against it with
// clang++ (AddressSanitizer, UndefinedBehaviorSanitizer), each target
// started on its corpus kept in corpus/<name>. A crash, a leak, an
// out-of-memory or a hang fails the test and leaves the input that caused
// it in fuzz-test/artifacts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "installed_project.h"

namespace fs = std::filesystem;

namespace {

using brasa_test::sh;
using Result = brasa_test::ShellResult;

// Seconds each target runs: about a minute for the three (BRASA_FUZZ_SECONDS
// to change it, e.g. for a longer run by hand).
int seconds() {
  const char* s = std::getenv("BRASA_FUZZ_SECONDS");
  return s ? std::max(1, std::atoi(s)) : 20;
}

class Fuzz : public testing::Test {
 protected:
  static inline fs::path dir;
  static inline std::string skip, build_error;

  static void SetUpTestSuite() {
    dir = fs::path(BRASA_BUILD_DIR) / "fuzz-test";
    if (sh("command -v clang++").code != 0) {
      skip = "clang++ is not installed (scripts/setup.sh installs clang and libclang-rt-14-dev)";
      return;
    }
    build_error = brasa_test::build_against_install(dir, "tests/fuzz/targets", "-DCMAKE_CXX_COMPILER=clang++");
  }
  void SetUp() override {
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_TRUE(build_error.empty()) << build_error;
  }

  // Runs `name` on its kept corpus (new inputs go to a scratch directory, so
  // the repository's corpus changes only by hand).
  static void fuzz(const std::string& name) {
    const fs::path scratch = dir / "new" / name, artifacts = dir / "artifacts";
    fs::remove_all(scratch);
    fs::create_directories(scratch);
    fs::create_directories(artifacts);
    const fs::path corpus = fs::path(BRASA_SOURCE_DIR) / "tests/fuzz/corpus" / name;
    ASSERT_TRUE(fs::is_directory(corpus)) << corpus;
    const Result r = sh((dir / "build" / (name + "_fuzzer")).string() +
                        " -max_total_time=" + std::to_string(seconds()) +
                        " -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix=" +
                        artifacts.string() + "/" + name + "- " + scratch.string() + " " + corpus.string());
    EXPECT_EQ(r.code, 0) << name << " found a failing input (kept in " << artifacts << "):\n"
                         << r.out.substr(r.out.size() > 20000 ? r.out.size() - 20000 : 0);
    EXPECT_NE(r.out.find("stat::number_of_executed_units"), std::string::npos) << r.out;
  }
};

TEST_F(Fuzz, KeptPlanCorpusDecodesInThisBuild) {
  // The plans name operators by type keys of plan_fuzzer.cc's own
  // functions: when they change, the kept seeds must be written again
  // (BRASA_FUZZ_WRITE_SEEDS=tests/fuzz/corpus/plan build/fuzz-test/build/plan_fuzzer).
  const fs::path kept = fs::path(BRASA_SOURCE_DIR) / "tests/fuzz/corpus/plan";
  const Result r = sh("BRASA_FUZZ_CHECK_SEEDS=" + kept.string() + " " + (dir / "build" / "plan_fuzzer").string());
  EXPECT_EQ(r.code, 0) << r.out;
  int seeds = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(kept)) ++seeds;
  EXPECT_GE(seeds, 8);
}

// A short plan claiming millions of parallelize slices once took over 10 s
// (StagePlan.AShortPlanClaimingManySlicesIsRefusedAtOnce keeps that case).
TEST_F(Fuzz, PlanDecoder) { fuzz("plan"); }

}  // namespace
