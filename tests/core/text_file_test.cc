// Reading text: every split count must give exactly the file's lines, in
// order, whatever the line endings and line lengths.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "test_util.h"

namespace fs = std::filesystem;
using brasa_test::make_context;
using brasa_test::sorted;

namespace {

class TextFile : public ::testing::Test {
 protected:
  // ctx.text_file(path, k).collect() == expected for k in 1..13.
  void expect_lines(const std::string& path, const std::vector<std::string>& expected) {
    for (int k = 1; k <= 13; ++k) {
      auto rdd = ctx_->text_file(path, k);
      auto got = rdd.collect();
      ASSERT_EQ(got.size(), expected.size()) << "min_partitions=" << k;
      EXPECT_EQ(got, expected) << "min_partitions=" << k;
      EXPECT_EQ(rdd.count(), static_cast<int64_t>(expected.size())) << "min_partitions=" << k;
    }
  }

  std::unique_ptr<brasa::Context> ctx_ = make_context();
  brasa_test::TempDir tmp_;
};

TEST_F(TextFile, WithTrailingNewline) {
  auto path = tmp_.path() / "a.txt";
  brasa_test::write_text(path, "first line\nsecond\nthird one is longer than the others\nx\n");
  expect_lines(path.string(), {"first line", "second", "third one is longer than the others", "x"});
}

TEST_F(TextFile, WithoutTrailingNewline) {
  auto path = tmp_.path() / "b.txt";
  brasa_test::write_text(path, "alpha\nbeta\ngamma");
  expect_lines(path.string(), {"alpha", "beta", "gamma"});
}

TEST_F(TextFile, CrlfLineEndings) {
  auto path = tmp_.path() / "crlf.txt";
  brasa_test::write_text(path, "one\r\ntwo\r\n\r\nfour\r\nfive");
  expect_lines(path.string(), {"one", "two", "", "four", "five"});
}

TEST_F(TextFile, EmptyLinesInTheMiddle) {
  auto path = tmp_.path() / "gaps.txt";
  brasa_test::write_text(path, "a\n\n\nb\n\nc\n");
  expect_lines(path.string(), {"a", "", "", "b", "", "c"});
  auto only = tmp_.path() / "newlines.txt";
  brasa_test::write_text(only, "\n\n\n");
  expect_lines(only.string(), {"", "", ""});
}

TEST_F(TextFile, SingleLineLongerThanASplit) {
  auto path = tmp_.path() / "long.txt";
  std::string line(100000, 'q');
  brasa_test::write_text(path, line + "\n");
  expect_lines(path.string(), {line});
  auto mixed = tmp_.path() / "mixed.txt";
  std::string big(50000, 'z');
  brasa_test::write_text(mixed, "s1\ns2\n" + big + "\ns3\n" + big + "y\ns4");
  expect_lines(mixed.string(), {"s1", "s2", big, "s3", big + "y", "s4"});
}

TEST_F(TextFile, EmptyFile) {
  auto path = tmp_.path() / "empty.txt";
  brasa_test::write_text(path, "");
  expect_lines(path.string(), {});
  EXPECT_TRUE(ctx_->text_file(path.string(), 4).is_empty());
}

TEST_F(TextFile, ManyRandomLines) {
  std::mt19937_64 rng(2024);
  std::vector<std::string> lines;
  std::string text;
  for (int i = 0; i < 5000; ++i) {
    std::string l = brasa_test::random_word(rng, 0, 30);
    lines.push_back(l);
    text += l;
    text += (i % 3 == 0) ? "\r\n" : "\n";
  }
  auto path = tmp_.path() / "random.txt";
  brasa_test::write_text(path, text);
  expect_lines(path.string(), lines);
}

TEST_F(TextFile, LinesOfEveryLengthAroundSplitBoundaries) {
  // Lines of length 0..40 make every split boundary fall at every offset in a line.
  std::vector<std::string> lines;
  std::string text;
  for (int len = 0; len <= 40; ++len) {
    std::string l(static_cast<size_t>(len), static_cast<char>('a' + len % 26));
    lines.push_back(l);
    text += l + "\n";
  }
  auto path = tmp_.path() / "lengths.txt";
  brasa_test::write_text(path, text);
  expect_lines(path.string(), lines);
}

TEST_F(TextFile, DirectoryIgnoresUnderscoreAndDotFiles) {
  auto dir = tmp_.path() / "dir";
  brasa_test::write_text(dir / "part-a.txt", "a1\na2\n");
  brasa_test::write_text(dir / "part-b.txt", "b1\n");
  brasa_test::write_text(dir / "part-c.txt", "c1\nc2\nc3");
  brasa_test::write_text(dir / "_SUCCESS", "");
  brasa_test::write_text(dir / "_metadata", "should not be read\n");
  brasa_test::write_text(dir / ".hidden", "should not be read either\n");
  brasa_test::write_text(dir / "empty.txt", "");
  expect_lines(dir.string(), {"a1", "a2", "b1", "c1", "c2", "c3"});
}

TEST_F(TextFile, GlobPattern) {
  auto dir = tmp_.path() / "glob";
  brasa_test::write_text(dir / "x1.txt", "one\n");
  brasa_test::write_text(dir / "x2.txt", "two\nthree\n");
  brasa_test::write_text(dir / "x3.csv", "not,matched\n");
  brasa_test::write_text(dir / "y1.txt", "not matched\n");
  expect_lines((dir / "x*.txt").string(), {"one", "two", "three"});
  expect_lines((dir / "*.csv").string(), {"not,matched"});
}

TEST_F(TextFile, MissingPathThrowsNamingThePath) {
  std::string missing = (tmp_.path() / "no-such-file.txt").string();
  try {
    ctx_->text_file(missing, 2).collect();
    FAIL() << "reading a missing path succeeded";
  } catch (const std::exception& e) {
    EXPECT_TRUE(brasa_test::contains(e.what(), missing)) << e.what();
  }
  std::string no_match = (tmp_.path() / "nothing-*.txt").string();
  EXPECT_ANY_THROW(ctx_->text_file(no_match, 2).collect());
}

TEST_F(TextFile, WorksWithTransformations) {
  auto path = tmp_.path() / "words.txt";
  brasa_test::write_text(path, "a b\nb c\nc a b\n");
  auto counts = ctx_->text_file(path.string(), 3)
                    .flat_map([](const std::string& l) {
                      std::vector<std::string> out;
                      for (size_t i = 0; i < l.size(); i += 2) out.push_back(l.substr(i, 1));
                      return out;
                    })
                    .map([](std::string w) { return std::pair<std::string, int64_t>(std::move(w), 1); })
                    .reduce_by_key([](int64_t a, int64_t b) { return a + b; })
                    .collect_as_map();
  EXPECT_EQ(counts, (std::map<std::string, int64_t>{{"a", 2}, {"b", 3}, {"c", 2}}));
}

// ---- whole_text_files ------------------------------------------------------------------------------

TEST_F(TextFile, WholeTextFilesOnePairPerFile) {
  auto dir = tmp_.path() / "whole";
  std::map<std::string, std::string> files{
      {"f1.txt", "hello\nworld\n"}, {"f2.txt", ""}, {"f3.txt", "no newline"}, {"f4.txt", "a\r\nb\r\n"}};
  for (auto& [name, contents] : files) brasa_test::write_text(dir / name, contents);
  brasa_test::write_text(dir / "_SUCCESS", "");
  brasa_test::write_text(dir / ".crc", "x");
  for (int k : {1, 2, 3, 4, 7}) {
    auto out = ctx_->whole_text_files(dir.string(), k).collect();
    ASSERT_EQ(out.size(), files.size()) << "min_partitions=" << k;
    std::map<std::string, std::string> got;
    for (auto& [path, contents] : out) got[fs::path(path).filename().string()] = contents;
    EXPECT_EQ(got, files) << "min_partitions=" << k;
    for (auto& [path, contents] : out) EXPECT_TRUE(brasa_test::contains(path, dir.string())) << path;
  }
}

TEST_F(TextFile, WholeTextFilesSingleFileAndMissing) {
  auto path = tmp_.path() / "single.txt";
  brasa_test::write_text(path, "just\nthis\n");
  auto out = ctx_->whole_text_files(path.string(), 3).collect();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].second, "just\nthis\n");
  EXPECT_ANY_THROW(ctx_->whole_text_files((tmp_.path() / "missing").string()).collect());
}

}  // namespace
