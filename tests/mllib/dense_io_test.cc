#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "brasa/mllib/io/dense.h"
#include "test_util.h"

using brasa::mllib::LabeledPoint;
using brasa::mllib::Vector;
using brasa::mllib::load_dense;
using brasa::mllib::load_dense_vectors;
using brasa::mllib::parse_dense_line;

namespace dense_io_test {

std::string write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace dense_io_test
using namespace dense_io_test;

TEST(DenseIO, ParsesCommaAndBlankSeparatedLines) {
  std::vector<double> row;
  ASSERT_TRUE(parse_dense_line("1, 2.5 ,-3e2", 0, row));
  EXPECT_EQ(row, (std::vector<double>{1, 2.5, -300}));
  ASSERT_TRUE(parse_dense_line("  4\t5   +6 ", 0, row));
  EXPECT_EQ(row, (std::vector<double>{4, 5, 6}));
  ASSERT_TRUE(parse_dense_line("7;8;9", ';', row));
  EXPECT_EQ(row, (std::vector<double>{7, 8, 9}));
  ASSERT_TRUE(parse_dense_line("1\t2\t3", '\t', row));
  EXPECT_EQ(row, (std::vector<double>{1, 2, 3}));
  ASSERT_TRUE(parse_dense_line("nan,inf", 0, row));
  EXPECT_TRUE(std::isnan(row[0]));
  EXPECT_TRUE(std::isinf(row[1]));
  EXPECT_FALSE(parse_dense_line("   ", 0, row));
  EXPECT_FALSE(parse_dense_line("# a comment", 0, row));
  EXPECT_THROW(parse_dense_line("1,,2", 0, row), std::invalid_argument);
  EXPECT_THROW(parse_dense_line("1,2,", 0, row), std::invalid_argument);
  EXPECT_THROW(parse_dense_line("1 x 2", 0, row), std::invalid_argument);
  EXPECT_THROW(parse_dense_line("1 2 3", ',', row), std::invalid_argument);  // "1 2 3" is one field
}

TEST(DenseIO, LoadsLabelledPointsWithAHeader) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir dir;
  auto path = write(dir.path() / "iris.csv",
                    "sepal_length,sepal_width,species\n5.1,3.5,0\n\n# comment\n4.9,3.0,1\r\n6.2,2.9,2\n");
  auto points = load_dense(*ctx, path, {.label_column = 2, .header = true}).collect();
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0], (LabeledPoint{0, Vector::dense({5.1, 3.5})}));
  EXPECT_EQ(points[1], (LabeledPoint{1, Vector::dense({4.9, 3.0})}));
  EXPECT_EQ(points[2], (LabeledPoint{2, Vector::dense({6.2, 2.9})}));
  auto first = load_dense(*ctx, path, {.label_column = 0, .header = true}).first();
  EXPECT_EQ(first, (LabeledPoint{5.1, Vector::dense({3.5, 0})}));
  // Without the header flag, the header is a bad line 1.
  EXPECT_THROW(load_dense(*ctx, path, {.label_column = 2}), std::invalid_argument);
}

TEST(DenseIO, LoadsVectorsFromBlankSeparatedFiles) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir dir;
  auto path = write(dir.path() / "m.txt", "1 2 3\n4\t5  6\n");
  auto rows = load_dense_vectors(*ctx, path).collect();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], Vector::dense({1, 2, 3}));
  EXPECT_EQ(rows[1], Vector::dense({4, 5, 6}));
  auto without_label = load_dense_vectors(*ctx, path, {.label_column = 1}).collect();
  EXPECT_EQ(without_label[1], Vector::dense({4, 6}));
}

TEST(DenseIO, ReadsManySplitsAndFilesInOrder) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir dir;
  std::string a = "x,y\n", b = "x,y\n";
  for (int i = 0; i < 500; ++i) a += std::to_string(i) + "," + std::to_string(2 * i) + "\n";
  for (int i = 500; i < 800; ++i) b += std::to_string(i) + "," + std::to_string(2 * i) + "\n";
  write(dir.path() / "data" / "part-0.csv", a);
  write(dir.path() / "data" / "part-1.csv", b);
  auto points = load_dense(*ctx, (dir.path() / "data").string(), {.label_column = 1, .header = true, .partitions = 5});
  EXPECT_GE(points.num_partitions(), 5);
  auto all = points.collect();
  ASSERT_EQ(all.size(), 800u);
  for (int i = 0; i < 800; ++i) {
    EXPECT_EQ(all[static_cast<size_t>(i)].label, 2.0 * i);
    EXPECT_EQ(all[static_cast<size_t>(i)].features, Vector::dense({static_cast<double>(i)}));
  }
}

TEST(DenseIO, BadLinesAreNamedByFileAndLine) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir dir;
  auto check = [&](const std::string& name, const std::string& text, const std::string& expected,
                   brasa::mllib::DenseOptions options = {}) {
    auto path = write(dir.path() / name, text);
    try {
      load_dense_vectors(*ctx, path, options);
      ADD_FAILURE() << "no error for " << text;
    } catch (const std::invalid_argument& e) {
      EXPECT_TRUE(brasa_test::contains(e.what(), path + ":" + expected)) << e.what();
    }
  };
  check("a.csv", "1,2,3\n4,5,6\n7,abc,9\n", "3: field 2 \"abc\" is not a number");
  check("b.csv", "1,2,3\n\n4,5\n", "3: 2 columns, but the first row (" + (dir.path() / "b.csv").string() +
                                        ":1) has 3");
  check("c.csv", "h1,h2\n1,2\n3,,4\n", "3: field 2 is empty", {.header = true});
  check("d.txt", "1 2\n3 4\n5 6 7\n", "3: 3 columns");
  // The second file of a directory, header lines skipped in each.
  write(dir.path() / "two" / "0.csv", "a,b\n1,2\n");
  write(dir.path() / "two" / "1.csv", "a,b\n3,2\n4,z\n");
  try {
    load_dense(*ctx, (dir.path() / "two").string(), {.label_column = 0, .header = true});
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(brasa_test::contains(e.what(), (dir.path() / "two" / "1.csv").string() + ":3: field 2 \"z\""))
        << e.what();
  }
}

TEST(DenseIO, ChecksItsOptions) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir dir;
  auto path = write(dir.path() / "a.csv", "1,2\n3,4\n");
  EXPECT_THROW(load_dense(*ctx, path), std::invalid_argument);  // no label column
  try {
    load_dense(*ctx, path, {.label_column = 2});
    ADD_FAILURE() << "no error for label_column 2";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(brasa_test::contains(e.what(), "label_column 2 is beyond the 2 columns")) << e.what();
  }
  EXPECT_THROW(load_dense_vectors(*ctx, path, {.label_column = -2}), std::invalid_argument);
  EXPECT_THROW(load_dense_vectors(*ctx, path, {.partitions = -1}), std::invalid_argument);
  EXPECT_THROW(load_dense_vectors(*ctx, (dir.path() / "missing").string()), std::exception);
  auto empty = write(dir.path() / "empty.csv", "x,y\n");
  EXPECT_EQ(load_dense_vectors(*ctx, empty, {.header = true}).count(), 0);
}
