// What Brasa leaves on disk and where it looks: local directories of dead
// processes are removed, executors use the chosen local directory, and
// input paths are absolute before they reach executors.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

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

// Executors stop cleanly with their driver, and a killed one's directory
// (its blocks and spill files) goes when the driver sees it die, not at the
// next start.
TEST(LocalDirs, NoneLeftByStoppedOrKilledExecutors) {
  SKIP_ON_CLUSTER("starts its own local-cluster");
  ScratchDir base;
  {
    auto ctx = brasa_test::make_context("local-cluster[2,1]", {{"brasa.local.dir", base.path.string()}});
    auto cached = ctx->range(0, 1000, 1, 4).map([](int64_t x) { return x * x; }).cache();
    EXPECT_EQ(cached.count(), 1000);
    ASSERT_EQ(count_local_dirs(base.path), 3);
    pid_t executor = 0;  // from a directory's name, brasa-PID-N
    for (const auto& e : fs::directory_iterator(base.path)) {
      const int pid = std::atoi(e.path().filename().string().c_str() + 6);
      if (pid > 0 && pid != getpid()) executor = pid;
    }
    ASSERT_GT(executor, 0);
    ::kill(executor, SIGKILL);
    for (int i = 0; i < 500 && count_local_dirs(base.path) > 2; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(count_local_dirs(base.path), 2) << "the killed executor's directory is gone";
  }
  EXPECT_EQ(count_local_dirs(base.path), 0) << "driver and executors removed theirs";
}

// A 2 MB tmpfs mounted for one test (root only); unmounted after.
struct SmallTmpfs {
  ScratchDir dir;
  bool mounted = std::system(("mount -t tmpfs -o size=2m tmpfs " + dir.path.string() + " 2>/dev/null").c_str()) == 0;
  ~SmallTmpfs() {
    if (mounted) std::system(("umount " + dir.path.string()).c_str());
  }
};

// Executors spill where brasa.local.dir says: on a full disk there, the job
// fails with the error of that disk, not of $TMPDIR.
TEST(LocalDirs, ExecutorsSpillToTheChosenDirectoryAndSayWhenItIsFull) {
  SKIP_ON_CLUSTER("starts its own local-cluster");
  SmallTmpfs tmpfs;
  if (!tmpfs.mounted) GTEST_SKIP() << "mounting a tmpfs needs root";
  auto ctx = brasa_test::make_context("local-cluster[2,1]", {{"brasa.local.dir", tmpfs.dir.path.string()},
                                                             {"brasa.memory.shuffle", "1m"},
                                                             {"brasa.task.max_failures", "1"}});
  try {
    // 24 MB of pairs through a shuffle with 1 MB of memory per executor.
    ctx->range(0, 1'500'000, 1, 4).map([](int64_t x) { return std::pair{x, x}; }).group_by_key(brasa::Partitioner::hash(4)).count();
    ADD_FAILURE() << "the shuffle spilled 24 MB into a 2 MB directory";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(tmpfs.dir.path.string()), std::string::npos) << what;
    EXPECT_NE(what.find("No space left on device"), std::string::npos) << what;
  }
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
