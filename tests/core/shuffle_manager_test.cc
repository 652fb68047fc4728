// An executor's host-local shuffle files: a reducer on the same host reads
// exactly its bucket from the file, whether the file was written fresh or
// into the pages of a removed shuffle's file; a file that is gone, or that
// now holds another output, is fetched from the executor instead.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "brasa/brasa.h"
#include "brasa/shuffle/shuffle_manager.h"
#include "brasa/util/serializer.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;
using Record = std::pair<int64_t, double>;

struct CountingFetcher final : brasa::ShuffleFetcher {
  int calls = 0;
  std::vector<std::string> fetch(const brasa::RemoteMapOutput&, int, const std::vector<int>& maps, int) override {
    ++calls;
    return std::vector<std::string>(maps.size());  // empty buckets
  }
};

std::vector<Record> decode(const std::string& bytes) {
  brasa::ByteReader reader(bytes);
  std::vector<Record> out;
  while (!reader.at_end()) {
    auto records = brasa::read_records<Record>(reader);
    out.insert(out.end(), records.begin(), records.end());
  }
  return out;
}

std::shared_ptr<brasa::MapOutput<Record>> map_output(size_t reducers, int64_t records, double tag) {
  auto output = std::make_shared<brasa::MapOutput<Record>>(reducers);
  for (int64_t i = 0; i < records; ++i)
    output->buckets[static_cast<size_t>(i) % reducers].push_back({i, tag + static_cast<double>(i)});
  output->count_memory();
  return output;
}

size_t pooled_files(const fs::path& dir) {
  size_t n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) n += entry.path().filename().string().rfind("pooled_", 0) == 0;
  return n;
}

TEST(HostLocalFiles, ReducersReadExactlyTheirBucketFromFreshAndReusedFiles) {
  auto ctx = brasa_test::make_context("local[1]");
  brasa::Runtime& runtime = ctx->runtime();
  brasa_test::TempDir dir;
  brasa::ShuffleManager executor(size_t{64} << 20), reducer(size_t{64} << 20);
  executor.set_host_local_dir(dir.path().string());
  CountingFetcher fetcher;
  reducer.set_fetcher(&fetcher);
  auto read = [&](int shuffle, const std::string& file, int bucket) {
    reducer.add_remote(shuffle, 1, 0, /*executor=*/0, "unreachable", file);
    return decode(reducer.fetch(*reducer.remote_locations(shuffle).at(0), shuffle, {0}, bucket).at(0));
  };

  executor.register_shuffle(1, 1);
  auto large = map_output(3, 30000, 0.5);
  executor.put(runtime, 1, 0, large);
  const std::string file1 = brasa::ShuffleManager::host_local_file(dir.path().string(), 1, 0);
  ASSERT_TRUE(fs::exists(file1));
  for (int r = 0; r < 3; ++r) EXPECT_EQ(read(1, file1, r), large->buckets[static_cast<size_t>(r)]) << r;
  EXPECT_EQ(fetcher.calls, 0);

  // Removed, its file waits for reuse; the next output is written into it.
  executor.remove(1);
  EXPECT_FALSE(fs::exists(file1));
  EXPECT_EQ(pooled_files(dir.path()), 1u);
  executor.register_shuffle(2, 1);
  auto small = map_output(2, 10, 7.0);
  executor.put(runtime, 2, 0, small);
  EXPECT_EQ(pooled_files(dir.path()), 0u) << "the pooled file was reused";
  const std::string file2 = brasa::ShuffleManager::host_local_file(dir.path().string(), 2, 0);
  EXPECT_LT(fs::file_size(file2), 1024u) << "cut to the small output's size";
  for (int r = 0; r < 2; ++r) EXPECT_EQ(read(2, file2, r), small->buckets[static_cast<size_t>(r)]) << r;
  EXPECT_EQ(fetcher.calls, 0);

  // A file that now holds another output (a reader that opened it before
  // its reuse) gives nothing: the bucket is fetched.
  EXPECT_TRUE(read(3, file2, 0).empty());
  EXPECT_EQ(fetcher.calls, 1);

  // So is one whose file is gone.
  fs::remove(file2);
  EXPECT_TRUE(read(2, file2, 0).empty());
  EXPECT_EQ(fetcher.calls, 2);
}

}  // namespace
