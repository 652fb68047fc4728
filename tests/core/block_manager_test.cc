// BlockManager: eviction to disk happens outside its lock, so that other
// tasks read and cache blocks while a large block is being written.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <string>

#include "brasa/storage/block_manager.h"
#include "brasa/util/files.h"

namespace {

namespace fs = std::filesystem;
using brasa::BlockId;
using brasa::BlockManager;
using brasa::StorageLevel;

// A gate a block's file writer waits at until the test opens it.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, open = false;
  void pass() {
    std::unique_lock lock(mu);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return open; });
  }
  bool wait_entered() {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(20), [&] { return entered; });
  }
  void release() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
};

std::shared_ptr<const void> text(const std::string& s) { return std::make_shared<const std::string>(s); }

TEST(BlockManager, ReadsAndPutsGoOnWhileABlockIsWrittenToDisk) {
  auto dir = fs::temp_directory_path() / ("brasa-block-manager-test-" + std::to_string(::getpid()));
  Gate gate;
  {
    BlockManager bm(100, dir);
    BlockId a{1, 0}, b{1, 1}, c{2, 0};
    auto slow_writer = [&gate](const void* v, const fs::path& file) {
      gate.pass();
      brasa::write_file_atomic(file, *static_cast<const std::string*>(v));
    };
    auto writer = [](const void* v, const fs::path& file) {
      brasa::write_file_atomic(file, *static_cast<const std::string*>(v));
    };
    bm.put_objects(a, StorageLevel::memory_and_disk(), text("block a"), 60, slow_writer);
    bm.put_objects(c, StorageLevel::memory_only(), text("block c"), 30, writer);
    // Caching b (60 bytes) evicts a, the least recently used, to disk.
    bm.get(c);
    auto put_b = std::async(std::launch::async, [&] {
      bm.put_objects(b, StorageLevel::memory_and_disk(), text("block b"), 60, writer);
    });
    ASSERT_TRUE(gate.wait_entered()) << "a was not evicted";
    // While a's file is being written, everything else still answers.
    auto others = std::async(std::launch::async, [&] {
      auto found = bm.get(a);
      bool a_in_memory = found && found->objects;
      return a_in_memory && bm.contains(c) && bm.get(c).has_value();
    });
    bool answered = others.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
    gate.release();
    put_b.get();
    ASSERT_TRUE(answered) << "the block manager waited for a's file";
    EXPECT_TRUE(others.get()) << "a is readable from memory while it is written, and c is there";
    auto found = bm.get(a);
    ASSERT_TRUE(found);
    EXPECT_FALSE(found->objects) << "a is on disk once written";
    EXPECT_EQ(brasa::read_file(found->file), "block a");
    EXPECT_LE(bm.memory_used(), size_t{100});
  }
  fs::remove_all(dir);
}

TEST(BlockManager, ABlockRemovedWhileBeingWrittenLeavesNoFile) {
  auto dir = fs::temp_directory_path() / ("brasa-block-manager-test2-" + std::to_string(::getpid()));
  Gate gate;
  {
    BlockManager bm(100, dir);
    BlockId a{1, 0}, b{1, 1};
    auto slow_writer = [&gate](const void* v, const fs::path& file) {
      gate.pass();
      brasa::write_file_atomic(file, *static_cast<const std::string*>(v));
    };
    bm.put_objects(a, StorageLevel::memory_and_disk(), text("block a"), 60, slow_writer);
    auto put_b = std::async(std::launch::async, [&] {
      bm.put_objects(b, StorageLevel::memory_only(), text("block b"), 60, {});
    });
    ASSERT_TRUE(gate.wait_entered());
    bm.remove(a);
    gate.release();
    put_b.get();
    EXPECT_FALSE(bm.contains(a));
    EXPECT_TRUE(bm.contains(b));
    EXPECT_EQ(bm.memory_used(), 60u);
    size_t files = 0;
    for (const auto& f : fs::recursive_directory_iterator(dir)) files += f.is_regular_file();
    EXPECT_EQ(files, 0u) << "the removed block's file was left behind";
  }
  fs::remove_all(dir);
}

}  // namespace
