// ChunkedSink (how a partition being cached is collected) and the atomic
// write of a file in pieces (how a cached block is evicted to disk).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "brasa/util/sink.h"
#include "brasa/util/files.h"

namespace {

TEST(ChunkedSink, KeepsEveryRecordInOrderAcrossChunks) {
  brasa::ChunkedSink<std::string> sink;
  std::vector<std::string> expected;
  int next = 0;
  // Batches of uneven sizes, enough records for several chunks.
  for (size_t size : {1ul, 4095ul, 4097ul, 10000ul, 3ul, 30000ul}) {
    std::vector<std::string> batch;
    for (size_t i = 0; i < size; ++i, ++next) batch.push_back("record " + std::to_string(next));
    expected.insert(expected.end(), batch.begin(), batch.end());
    sink.push(batch);
  }
  std::vector<std::string> got = sink.take();
  EXPECT_EQ(got, expected);
  EXPECT_EQ(got.capacity(), got.size()) << "a cached block holds no spare capacity";
  EXPECT_TRUE(sink.take().empty()) << "take() leaves the sink empty";
}

TEST(WriteFileAtomic, PiecesAreWrittenOneAfterTheOther) {
  auto dir = std::filesystem::temp_directory_path() / ("brasa_sink_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string big(100000, 'x');
  std::string_view pieces[] = {"head:", "", big, ":tail"};
  brasa::write_file_atomic(dir / "f", pieces);
  EXPECT_EQ(brasa::read_file(dir / "f"), "head:" + big + ":tail");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1) << "no temporary file is left";
  EXPECT_THROW(brasa::write_file_atomic(dir / "missing" / "f", pieces), std::runtime_error);
  std::filesystem::remove_all(dir);
}

}  // namespace
