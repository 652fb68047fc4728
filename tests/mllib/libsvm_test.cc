#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "brasa/mllib/io/libsvm.h"
#include "brasa/mllib/random_split.h"
#include "test_util.h"

using brasa::mllib::LabeledPoint;
using brasa::mllib::Vector;

namespace {
std::string write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path.string();
}
}  // namespace

TEST(LibSVM, ReadsOneBasedIndicesIntoSparseVectors) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir dir;
  auto path = write(dir.path() / "a.libsvm", "1 1:0.5 3:2\n# a comment\n\n0 2:-1e-3\n-1 5:4 \n");
  auto points = brasa::mllib::load_libsvm(*ctx, path).collect();
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0], (LabeledPoint{1, Vector::sparse(5, {0, 2}, {0.5, 2})}));
  EXPECT_EQ(points[1], (LabeledPoint{0, Vector::sparse(5, {1}, {-1e-3})}));
  EXPECT_EQ(points[2], (LabeledPoint{-1, Vector::sparse(5, {4}, {4})}));
  auto wide = brasa::mllib::load_libsvm(*ctx, path, {.num_features = 8}).first();
  EXPECT_EQ(wide.features.size(), 8);
}

TEST(LibSVM, BadLinesAreNamedByFileAndLine) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir dir;
  auto check = [&](const std::string& text, const std::string& expected) {
    auto path = write(dir.path() / "bad.libsvm", text);
    try {
      brasa::mllib::load_libsvm(*ctx, path);
      ADD_FAILURE() << "no error for " << text;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(path + ":" + expected), std::string::npos) << e.what();
    }
  };
  check("1 1:1\n0 3:1 2:1\n", "2: indices must ascend");
  check("1 1:1\n1 0:1\n", "2: indices are one-based");
  check("1 1:1\n\nx 1:1\n", "3: the label \"x\" is not a number");
  check("1 1:1\n1 2=1\n", "2: \"2=1\" is not index:value");
  auto path = write(dir.path() / "wide.libsvm", "1 1:1\n1 9:1\n");
  EXPECT_THROW(brasa::mllib::load_libsvm(*ctx, path, {.num_features = 4}), std::runtime_error);
  EXPECT_THROW(brasa::mllib::load_libsvm(*ctx, (dir.path() / "missing").string()), std::exception);
}

TEST(RandomSplit, SplitsIntoDisjointPartsThatCoverTheData) {
  auto ctx = brasa_test::make_context();
  auto data = ctx->parallelize(brasa_test::iota_vec(1000), 4);
  data.cache();
  auto [train, test] = brasa::mllib::random_split(data, {0.8, 0.2}, 7);
  auto a = train.collect(), b = test.collect();
  EXPECT_EQ(a.size() + b.size(), 1000u);
  EXPECT_GT(a.size(), 700u);
  EXPECT_LT(a.size(), 900u);
  std::vector<int> all = a;
  all.insert(all.end(), b.begin(), b.end());
  EXPECT_EQ(brasa_test::sorted(all), brasa_test::iota_vec(1000));
  auto [again, unused] = brasa::mllib::random_split(data, {0.8, 0.2}, 7);
  EXPECT_EQ(again.collect(), a);
}
