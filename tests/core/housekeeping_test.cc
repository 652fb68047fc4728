// What Brasa leaves on disk and where it looks: local directories of dead
// processes are removed, executors use the chosen local directory, and
// input paths are absolute before they reach executors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "brasa/brasa.h"
#include "brasa/rdd/text_input.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace {

struct ScratchDir {
  fs::path path = fs::temp_directory_path() /
                  ("brasa-housekeeping-" + std::to_string(getpid()) + "-" + std::to_string(std::random_device{}()));
  ScratchDir() { fs::create_directories(path); }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

int count_local_dirs(const fs::path& base) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(base)) n += e.path().filename().string().rfind("brasa-", 0) == 0;
  return n;
}

TEST(LocalDirs, ThoseOfDeadProcessesAreRemovedAtStart) {
  ScratchDir base;
  // No process has this id (above any pid_max); this process is alive.
  const fs::path dead = base.path / "brasa-999999999-1",
                 alive = base.path / ("brasa-" + std::to_string(getpid()) + "-7");
  fs::create_directories(dead / "blocks");
  fs::create_directories(alive / "blocks");
  fs::create_directories(base.path / "brasa-not-a-pid");
  {
    auto ctx = brasa_test::make_context("local[2]", {{"brasa.local.dir", base.path.string()}});
    EXPECT_EQ(ctx->range(0, 10).count(), 10);
  }
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(alive));
  EXPECT_TRUE(fs::exists(base.path / "brasa-not-a-pid"));
}

TEST(LocalDirs, ExecutorsUseTheChosenLocalDirectory) {
  SKIP_ON_CLUSTER("starts its own local-cluster");
  ScratchDir base;
  auto ctx = brasa_test::make_context("local-cluster[2,1]", {{"brasa.local.dir", base.path.string()}});
  EXPECT_EQ(ctx->range(0, 100, 1, 4).map([](int64_t x) { return x % 7; }).distinct().count(), 7);
  // The driver's directory and one per executor.
  EXPECT_EQ(count_local_dirs(base.path), 3);
}

TEST(InputPaths, RelativeOnesBecomeAbsolute) {
  ScratchDir dir;
  std::ofstream(dir.path / "in.txt") << "a\nb\n";
  const fs::path before = fs::current_path();
  fs::current_path(dir.path);
  auto files = brasa::list_input_files("in.txt");
  auto globbed = brasa::list_input_files("./i*.txt");
  fs::current_path(before);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], (dir.path / "in.txt").string());
  EXPECT_EQ(globbed, files);
}

}  // namespace
