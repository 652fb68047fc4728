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

TEST(ChunkedSink, CopiesLentBatchesAndLeavesThemIntact) {
  brasa::ChunkedSink<std::vector<double>> sink;
  std::vector<std::vector<double>> lent;
  for (int i = 0; i < 5000; ++i) lent.push_back({1.0 * i, 2.0 * i});
  sink.push_borrowed(lent);
  sink.push_borrowed(lent);
  std::vector<std::vector<double>> got = sink.take();
  ASSERT_EQ(got.size(), 10000u);
  EXPECT_EQ(got[4999], (std::vector<double>{4999.0, 9998.0}));
  EXPECT_EQ(got[5000], lent[0]);
  EXPECT_EQ(lent[4999], (std::vector<double>{4999.0, 9998.0})) << "a lent batch is read, not moved from";
}

TEST(VectorSink, MovesOwnedBatchesAndCopiesLentOnes) {
  std::vector<std::string> out;
  brasa::VectorSink<std::string> sink(out);
  std::vector<std::string> owned{"a long string that is not stored inline", "b"};
  const std::vector<std::string> lent{"c", "another long string, not stored inline"};
  sink.push(owned);
  sink.push_borrowed(lent);
  EXPECT_EQ(out, (std::vector<std::string>{"a long string that is not stored inline", "b", "c",
                                           "another long string, not stored inline"}));
  EXPECT_TRUE(owned[0].empty()) << "an owned batch's records are moved";
  EXPECT_EQ(lent[1], "another long string, not stored inline");
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
