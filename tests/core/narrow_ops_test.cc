// Narrow transformations: sources (parallelize, range) and the operations
// that need no shuffle, on empty RDDs, empty partitions, one partition and
// many partitions.
#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"

using brasa_test::make_context;
using brasa_test::sorted;

namespace {

constexpr std::string_view kOwnText = "x yy another-word-longer-than-sixteen-bytes z";

// ---- parallelize ------------------------------------------------------------

TEST(Parallelize, KeepsOrderForAnyNumberOfSlices) {
  auto ctx = make_context();
  auto data = brasa_test::iota_vec(1000);
  for (int slices : {1, 2, 7, 37, 999, 1000, 1500}) {
    auto rdd = ctx->parallelize(data, slices);
    EXPECT_EQ(rdd.num_partitions(), slices);
    EXPECT_EQ(rdd.collect(), data) << slices << " slices";
    EXPECT_EQ(rdd.count(), 1000) << slices << " slices";
  }
}

TEST(Parallelize, DefaultSlicesIsDefaultParallelism) {
  auto ctx = make_context();
  EXPECT_EQ(ctx->default_parallelism(), 2);
  EXPECT_EQ(ctx->parallelize(brasa_test::iota_vec(10)).num_partitions(), 2);
  auto ctx3 = make_context("local[3]", {{"brasa.default.parallelism", "5"}});
  EXPECT_EQ(ctx3->parallelize(brasa_test::iota_vec(10)).num_partitions(), 5);
}

TEST(Parallelize, SlicesAreContiguousAndBalanced) {
  auto ctx = make_context();
  auto parts = ctx->parallelize(brasa_test::iota_vec(10), 3).glom().collect();
  std::vector<std::vector<int>> expected{{0, 1, 2}, {3, 4, 5}, {6, 7, 8, 9}};
  EXPECT_EQ(parts, expected);

  auto many = ctx->parallelize(brasa_test::iota_vec(1000), 37).glom().collect();
  ASSERT_EQ(many.size(), 37u);
  size_t lo = 1000, hi = 0;
  for (auto& p : many) {
    lo = std::min(lo, p.size());
    hi = std::max(hi, p.size());
  }
  EXPECT_LE(hi - lo, 1u);
}

TEST(Parallelize, EmptyData) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(std::vector<int>{}, 4);
  EXPECT_EQ(rdd.num_partitions(), 4);
  EXPECT_TRUE(rdd.collect().empty());
  EXPECT_EQ(rdd.count(), 0);
  auto parts = rdd.glom().collect();
  ASSERT_EQ(parts.size(), 4u);
  for (auto& p : parts) EXPECT_TRUE(p.empty());
}

TEST(Parallelize, MoreSlicesThanElements) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(std::vector<int>{7, 8, 9}, 10);
  EXPECT_EQ(rdd.num_partitions(), 10);
  EXPECT_EQ(rdd.collect(), (std::vector<int>{7, 8, 9}));
  auto parts = rdd.glom().collect();
  ASSERT_EQ(parts.size(), 10u);
  int empty = 0;
  size_t total = 0;
  for (auto& p : parts) {
    empty += p.empty();
    total += p.size();
  }
  EXPECT_EQ(empty, 7);
  EXPECT_EQ(total, 3u);
}

TEST(Parallelize, StringsAndPairs) {
  auto ctx = make_context();
  std::vector<std::string> words{"alpha", "", "a somewhat longer string than the small buffer", "z"};
  EXPECT_EQ(ctx->parallelize(words, 3).collect(), words);
  std::vector<std::pair<std::string, int>> pairs{{"a", 1}, {"b", 2}, {"a", 3}};
  EXPECT_EQ(ctx->parallelize(pairs, 2).collect(), pairs);
}

TEST(Parallelize, ZeroSlicesMeansDefault) {
  auto ctx = make_context();
  EXPECT_EQ(ctx->parallelize(brasa_test::iota_vec(5), 0).num_partitions(), ctx->default_parallelism());
}

// ---- range ---------------------------------------------------------------------

std::vector<int64_t> expected_range(int64_t start, int64_t end, int64_t step) {
  std::vector<int64_t> v;
  if (step > 0)
    for (int64_t x = start; x < end; x += step) v.push_back(x);
  else
    for (int64_t x = start; x > end; x += step) v.push_back(x);
  return v;
}

TEST(Range, PositiveStep) {
  auto ctx = make_context();
  EXPECT_EQ(ctx->range(0, 10).collect(), expected_range(0, 10, 1));
  EXPECT_EQ(ctx->range(0, 10, 3).collect(), (std::vector<int64_t>{0, 3, 6, 9}));
  EXPECT_EQ(ctx->range(0, 9, 3).collect(), (std::vector<int64_t>{0, 3, 6}));
  EXPECT_EQ(ctx->range(-5, 5, 2).collect(), (std::vector<int64_t>{-5, -3, -1, 1, 3}));
  for (int slices : {1, 2, 3, 37, 200})
    EXPECT_EQ(ctx->range(3, 1000, 7, slices).collect(), expected_range(3, 1000, 7)) << slices;
}

TEST(Range, NegativeStep) {
  auto ctx = make_context();
  EXPECT_EQ(ctx->range(10, 0, -3).collect(), (std::vector<int64_t>{10, 7, 4, 1}));
  EXPECT_EQ(ctx->range(10, 1, -3).collect(), (std::vector<int64_t>{10, 7, 4}));
  EXPECT_EQ(ctx->range(5, -5, -1, 4).collect(), expected_range(5, -5, -1));
  for (int slices : {1, 5, 37})
    EXPECT_EQ(ctx->range(1000, -1000, -13, slices).collect(), expected_range(1000, -1000, -13)) << slices;
}

TEST(Range, Empty) {
  auto ctx = make_context();
  EXPECT_TRUE(ctx->range(5, 5).collect().empty());
  EXPECT_TRUE(ctx->range(10, 0).collect().empty());      // positive step going down
  EXPECT_TRUE(ctx->range(0, 10, -1).collect().empty());  // negative step going up
  EXPECT_EQ(ctx->range(5, 5, 1, 6).count(), 0);
  EXPECT_EQ(ctx->range(5, 5, 1, 6).num_partitions(), 6);
}

// Near the ends of int64 the count is computed without overflow (found by
// the plan fuzzer: end - start + step - 1 wrapped around).
TEST(Range, AtTheEdgesOfInt64) {
  auto ctx = make_context();
  constexpr int64_t max = INT64_MAX, min = INT64_MIN;
  EXPECT_EQ(ctx->range(max - 10, max, 3, 2).collect(), (std::vector<int64_t>{max - 10, max - 7, max - 4, max - 1}));
  EXPECT_EQ(ctx->range(min + 5, min, -2, 3).collect(), (std::vector<int64_t>{min + 5, min + 3, min + 1}));
  EXPECT_EQ(ctx->range(min, max, max, 2).count(), 3);  // min, -1, max - 1
  try {
    ctx->range(min, max);
    ADD_FAILURE() << "2^64 - 1 elements";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("more than 2^63 - 1 elements"), std::string::npos) << e.what();
  }
}

TEST(Range, ZeroStepIsRejected) {
  auto ctx = make_context();
  EXPECT_THROW(ctx->range(0, 10, 0), std::invalid_argument);
}

TEST(Range, LargeCountAndSum) {
  auto ctx = make_context();
  auto r = ctx->range(0, 1000000, 7, 9);
  EXPECT_EQ(r.count(), 142858);  // ceil(10^6 / 7)
  int64_t expected = 0;
  for (int64_t x = 0; x < 1000000; x += 7) expected += x;
  EXPECT_EQ(r.reduce([](int64_t a, int64_t b) { return a + b; }), expected);
}

TEST(Range, MoreSlicesThanElements) {
  auto ctx = make_context();
  auto r = ctx->range(0, 3, 1, 8);
  EXPECT_EQ(r.num_partitions(), 8);
  EXPECT_EQ(r.collect(), (std::vector<int64_t>{0, 1, 2}));
}

// ---- map, filter, flat_map -----------------------------------------------------------

TEST(Map, AppliesFunctionAndKeepsOrder) {
  auto ctx = make_context();
  auto data = brasa_test::random_ints(10000, 1, -100000, 100000);
  for (int slices : {1, 4, 37}) {
    auto out = ctx->parallelize(data, slices).map([](int x) { return int64_t{x} * 3 - 1; }).collect();
    ASSERT_EQ(out.size(), data.size());
    for (size_t i = 0; i < data.size(); ++i) ASSERT_EQ(out[i], int64_t{data[i]} * 3 - 1) << i;
  }
}

TEST(Map, ChangesTypeAndCapturesValues) {
  auto ctx = make_context();
  int offset = 100;
  auto out = ctx->parallelize(brasa_test::iota_vec(5), 2)
                 .map([offset](int x) { return std::to_string(x + offset); })
                 .collect();
  EXPECT_EQ(out, (std::vector<std::string>{"100", "101", "102", "103", "104"}));
}

TEST(Map, ChainedOnEmptyRDD) {
  auto ctx = make_context();
  auto out = ctx->parallelize(std::vector<int>{}, 3)
                 .map([](int x) { return x + 1; })
                 .filter([](int x) { return x > 0; })
                 .flat_map([](int x) { return std::vector<int>{x, x}; })
                 .collect();
  EXPECT_TRUE(out.empty());
}

TEST(Filter, KeepsMatchingInOrder) {
  auto ctx = make_context();
  auto data = brasa_test::random_ints(20000, 2, 0, 1000);
  std::vector<int> expected;
  for (int x : data)
    if (x % 3 == 0) expected.push_back(x);
  for (int slices : {1, 3, 37})
    EXPECT_EQ(ctx->parallelize(data, slices).filter([](int x) { return x % 3 == 0; }).collect(), expected);
}

TEST(Filter, NothingAndEverything) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(brasa_test::iota_vec(100), 7);
  EXPECT_TRUE(rdd.filter([](int) { return false; }).collect().empty());
  EXPECT_EQ(rdd.filter([](int) { return false; }).count(), 0);
  EXPECT_EQ(rdd.filter([](int) { return true; }).collect(), brasa_test::iota_vec(100));
}

TEST(FlatMap, ExpandsAndDrops) {
  auto ctx = make_context();
  // x -> x copies of x: 0 produces nothing.
  auto out = ctx->parallelize(std::vector<int>{0, 1, 2, 3, 0}, 3)
                 .flat_map([](int x) { return std::vector<int>(static_cast<size_t>(x), x); })
                 .collect();
  EXPECT_EQ(out, (std::vector<int>{1, 2, 2, 3, 3, 3}));
}

TEST(FlatMap, SplitsStrings) {
  auto ctx = make_context();
  std::vector<std::string> lines{"a b c", "", "dd ee", "f"};
  auto words = ctx->parallelize(lines, 2)
                   .flat_map([](const std::string& l) {
                     std::vector<std::string> out;
                     size_t i = 0;
                     while (i < l.size()) {
                       size_t j = l.find(' ', i);
                       if (j == std::string::npos) j = l.size();
                       if (j > i) out.push_back(l.substr(i, j - i));
                       i = j + 1;
                     }
                     return out;
                   })
                   .collect();
  EXPECT_EQ(words, (std::vector<std::string>{"a", "b", "c", "dd", "ee", "f"}));
}

// brasa::words gives views into the line; flat_map turns them into strings
// (an RDD<std::string>) before the line goes away, also from a cached RDD
// whose lines are lent in place.
TEST(FlatMap, WordsViewsBecomeStrings) {
  auto ctx = make_context();
  std::vector<std::string> lines{"  a b\tc ", "", "dd\n ee", "a-long-word-past-the-small-string-buffer f"};
  auto lines_rdd = ctx->parallelize(lines, 2);
  auto words = lines_rdd.flat_map([](const std::string& l) { return brasa::words(l); });
  static_assert(std::is_same_v<decltype(words), brasa::RDD<std::string>>);
  std::vector<std::string> expected{"a", "b", "c", "dd", "ee", "a-long-word-past-the-small-string-buffer", "f"};
  EXPECT_EQ(words.collect(), expected);
  lines_rdd.cache();
  lines_rdd.count();
  EXPECT_EQ(lines_rdd.flat_map([](const std::string& l) { return brasa::words(l); }).collect(), expected);
}

// Words reach a following map as views, and the map's function gets a
// string made from each: whether it takes the word by value, by const or
// non-const reference or generically, from lines computed or cached, with
// lines of more words than a batch. Other consumers get them as
// strings, or count them as views.
TEST(FlatMap, WordsReachAMapAsTheStringsItTakes) {
  auto ctx = make_context();
  std::vector<std::string> lines{"  a b\tc ", "", "dd\n ee", "a-long-word-past-the-small-string-buffer f"};
  std::string many;
  for (int i = 0; i < 10000; ++i) many += "w" + std::to_string(i % 37) + (i % 3 ? " " : "\t");
  lines.push_back(many);
  for (int i = 0; i < 5000; ++i) lines.push_back("x" + std::to_string(i) + " y");
  std::vector<std::pair<std::string, size_t>> expected;
  for (const auto& l : lines)
    for (std::string_view w : brasa::words(l)) expected.emplace_back(std::string(w), w.size());

  auto lines_rdd = ctx->parallelize(lines, 3);
  auto words = lines_rdd.flat_map([](const std::string& l) { return brasa::words(l); });
  for (int cached = 0; cached < 2; ++cached) {
    if (cached) {
      lines_rdd.cache();
      lines_rdd.count();
    }
    EXPECT_EQ(words.map([](std::string w) { return std::pair{w, w.size()}; }).collect(), expected);
    EXPECT_EQ(words.map([](const std::string& w) { return std::pair{w, w.size()}; }).collect(), expected);
    EXPECT_EQ(words.map([](std::string& w) { return std::pair{std::move(w), w.size()}; }).map([](auto p) {
      return std::pair{p.first, p.first.size()};
    }).collect(), expected);
    auto generic = [](const auto& w) { return std::pair{std::string(w), w.size()}; };
    EXPECT_EQ(words.map(generic).collect(), expected);
    // Not a pair or string: the length alone.
    auto lengths = words.map([](const std::string& w) { return w.size(); }).collect();
    ASSERT_EQ(lengths.size(), expected.size());
    for (size_t i = 0; i < lengths.size(); ++i) EXPECT_EQ(lengths[i], expected[i].second);
    // Other consumers: count counts the views, filter takes strings.
    EXPECT_EQ(words.count(), static_cast<int64_t>(expected.size()));
    auto kept = words.filter([](const std::string& w) { return w.size() > 2; }).collect();
    std::vector<std::string> long_words;
    for (const auto& [w, n] : expected)
      if (n > 2) long_words.push_back(w);
    EXPECT_EQ(kept, long_words);
    auto counts = words.map([](std::string w) { return std::pair{std::move(w), int64_t{1}}; })
                      .reduce_by_key([](int64_t a, int64_t b) { return a + b; })
                      .collect_as_map();
    std::map<std::string, int64_t> expected_counts;
    for (const auto& [w, n] : expected) ++expected_counts[w];
    std::map<std::string, int64_t> got(counts.begin(), counts.end());
    EXPECT_EQ(got, expected_counts);
  }
}

// A flat_map function that cannot read a lent line in place gets a copy of
// it, so its words point into the copy: they must become strings before
// the copy goes (parallelize lends its data). A map whose result points
// into its argument gets strings that live as long as the batch.
TEST(FlatMap, WordsOfCopiedLinesAndViewsOfMadeStringsStayValid) {
  auto ctx = make_context();
  std::vector<std::string> lines;
  std::vector<std::string> expected, firsts;
  for (int i = 0; i < 3000; ++i) {
    lines.push_back("line" + std::to_string(i) + " with a-word-longer-than-sixteen-bytes-" + std::to_string(i));
    for (std::string_view w : brasa::words(lines.back())) {
      expected.emplace_back(w);
      firsts.emplace_back(w.substr(0, 3));
    }
  }
  auto rdd = ctx->parallelize(lines, 2);
  auto identity = [](std::string w) { return w; };
  EXPECT_EQ(rdd.flat_map([](const auto& l) { return brasa::words(l); }).map(identity).collect(), expected);
  EXPECT_EQ(rdd.flat_map([](std::string& l) { return brasa::words(l); }).map(identity).collect(), expected);
  auto prefixes = rdd.flat_map([](const std::string& l) { return brasa::words(l); })
                      .map([](std::string_view w) { return w.substr(0, 3); })
                      .map([](std::string_view w) { return std::string(w); })
                      .collect();
  EXPECT_EQ(prefixes, firsts);
}

TEST(Split, WordsAndFields) {
  auto list = [](auto range) { return std::vector<std::string>(range.begin(), range.end()); };
  EXPECT_EQ(list(brasa::words("")), std::vector<std::string>{});
  EXPECT_EQ(list(brasa::words(" \t\r\n")), std::vector<std::string>{});
  EXPECT_EQ(list(brasa::words("x")), std::vector<std::string>{"x"});
  EXPECT_EQ(list(brasa::words(" to be\vor  not ")), (std::vector<std::string>{"to", "be", "or", "not"}));
  EXPECT_EQ(list(brasa::split<','>("")), std::vector<std::string>{""});
  EXPECT_EQ(list(brasa::split<','>("a,,b,")), (std::vector<std::string>{"a", "", "b", ""}));
  EXPECT_EQ(list(brasa::split<','>(",x")), (std::vector<std::string>{"", "x"}));
  EXPECT_EQ(list(brasa::split<'\t'>("1\t2")), (std::vector<std::string>{"1", "2"}));
}

// for_each, which flat_map uses, finds 16 bytes at a time what the
// iterator finds a byte at a time: on texts of every length up to 80 of
// words, separators of every kind and runs of them, and words longer than
// 16 bytes.
TEST(Split, ForEachFindsTheTokensTheIteratorFinds) {
  const std::string alphabet = std::string("ab,  \t\n\v\f\r,xyz\x80\xff") + '\0';
  std::mt19937_64 rng(11);
  auto check = [](auto range, const std::string& text) {
    std::vector<std::string> iterated(range.begin(), range.end()), found;
    range.for_each([&](std::string_view t) { found.emplace_back(t); });
    EXPECT_EQ(found, iterated) << '"' << text << '"';
  };
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    size_t n = rng() % 81;
    while (text.size() < n) {
      if (rng() % 8 == 0)
        text.append(17 + rng() % 20, 'w');  // a long word
      else
        text.push_back(alphabet[rng() % alphabet.size()]);
    }
    check(brasa::words(text), text);
    check(brasa::split<','>(text), text);
    check(brasa::split<'\t'>(text), text);
    check(brasa::split<'\0'>(text), text);
  }
}

// Words reach a consumer of views in order, whatever f splits: the line it
// reads, or a string of its own (words of up to 16 bytes are copied,
// longer ones made strings).
TEST(FlatMap, WordsReachAConsumerOfViewsInOrderWhateverFSplits) {
  auto ctx = make_context();
  std::vector<std::string> lines;
  for (int i = 0; i < 3000; ++i)
    lines.push_back(i % 3 ? "w" + std::to_string(i) + " a-word-longer-than-sixteen-bytes-" + std::to_string(i) : "");
  auto identity = [](std::string w) { return w; };
  std::vector<std::string> expected;
  for (const auto& l : lines)
    for (std::string_view w : brasa::words(l.empty() ? kOwnText : std::string_view(l))) expected.emplace_back(w);
  auto rdd = ctx->parallelize(lines, 2);
  auto own_or_line = [](const std::string& l) { return brasa::words(l.empty() ? kOwnText : std::string_view(l)); };
  EXPECT_EQ(rdd.flat_map(own_or_line).map(identity).collect(), expected);
  EXPECT_EQ(rdd.flat_map(own_or_line).collect(), expected);
}

TEST(FlatMap, OutputLargerThanABatch) {
  auto ctx = make_context();
  // Each record produces 10000 outputs (more than one 4096-record batch).
  auto rdd = ctx->parallelize(std::vector<int>{1, 2, 3}, 2).flat_map([](int x) {
    std::vector<int> v(10000);
    for (int i = 0; i < 10000; ++i) v[static_cast<size_t>(i)] = x * 100000 + i;
    return v;
  });
  auto out = rdd.collect();
  ASSERT_EQ(out.size(), 30000u);
  EXPECT_TRUE(std::is_sorted(out.begin(), out.end()));
  EXPECT_EQ(out.front(), 100000);
  EXPECT_EQ(out.back(), 309999);
  EXPECT_EQ(rdd.count(), 30000);
}

// ---- map_partitions, map_partitions_with_index, glom ----------------------------------

TEST(MapPartitions, OneOutputPerPartition) {
  auto ctx = make_context();
  auto data = brasa_test::iota_vec(1000);
  auto rdd = ctx->parallelize(data, 37);
  auto sums = rdd.map_partitions([](std::vector<int>&& part) {
                   int64_t s = 0;
                   for (int x : part) s += x;
                   return std::vector<int64_t>{s};
                 }).collect();
  ASSERT_EQ(sums.size(), 37u);
  auto parts = rdd.glom().collect();
  for (size_t i = 0; i < parts.size(); ++i)
    EXPECT_EQ(sums[i], std::accumulate(parts[i].begin(), parts[i].end(), int64_t{0})) << i;
  EXPECT_EQ(std::accumulate(sums.begin(), sums.end(), int64_t{0}), 999 * 1000 / 2);
}

TEST(MapPartitions, EmptyPartitionsAreStillCalled) {
  auto ctx = make_context();
  auto sizes = ctx->parallelize(std::vector<int>{1, 2}, 5)
                   .map_partitions([](std::vector<int>&& part) { return std::vector<size_t>{part.size()}; })
                   .collect();
  EXPECT_EQ(sizes.size(), 5u);
  EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), size_t{0}), 2u);
}

TEST(MapPartitionsWithIndex, IndicesMatchPartitions) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(brasa_test::iota_vec(500), 37);
  auto out = rdd.map_partitions_with_index([](int index, std::vector<int>&& part) {
                  std::vector<std::pair<int, int>> v;
                  for (int x : part) v.emplace_back(index, x);
                  return v;
                }).collect();
  ASSERT_EQ(out.size(), 500u);
  auto parts = rdd.glom().collect();
  size_t k = 0;
  for (int p = 0; p < 37; ++p)
    for (int x : parts[static_cast<size_t>(p)]) {
      EXPECT_EQ(out[k].first, p);
      EXPECT_EQ(out[k].second, x);
      ++k;
    }
}

TEST(MapPartitionsWithIndex, SingleAndEmptyPartitions) {
  auto ctx = make_context();
  auto idx = ctx->parallelize(std::vector<int>{}, 6)
                 .map_partitions_with_index([](int i, std::vector<int>&&) { return std::vector<int>{i}; })
                 .collect();
  EXPECT_EQ(idx, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  auto one = ctx->parallelize(brasa_test::iota_vec(10), 1)
                 .map_partitions_with_index([](int i, std::vector<int>&& part) {
                   return std::vector<int>{i, static_cast<int>(part.size())};
                 })
                 .collect();
  EXPECT_EQ(one, (std::vector<int>{0, 10}));
}

TEST(Glom, OneVectorPerPartition) {
  auto ctx = make_context();
  auto data = brasa_test::iota_vec(100);
  for (int slices : {1, 4, 37, 150}) {
    auto parts = ctx->parallelize(data, slices).glom().collect();
    ASSERT_EQ(parts.size(), static_cast<size_t>(slices));
    std::vector<int> flat;
    for (auto& p : parts) flat.insert(flat.end(), p.begin(), p.end());
    EXPECT_EQ(flat, data);
  }
}

// ---- key_by, map_values, flat_map_values, keys, values -----------------------------------

TEST(KeyBy, PairsKeyWithRecord) {
  auto ctx = make_context();
  auto out = ctx->parallelize(std::vector<std::string>{"apple", "kiwi", "banana"}, 2)
                 .key_by([](const std::string& s) { return s.size(); })
                 .collect();
  std::vector<std::pair<size_t, std::string>> expected{{5, "apple"}, {4, "kiwi"}, {6, "banana"}};
  EXPECT_EQ(out, expected);
}

TEST(PairNarrow, MapValuesKeysValues) {
  auto ctx = make_context();
  std::vector<std::pair<int, int>> data{{1, 10}, {2, 20}, {1, 30}, {3, 40}};
  auto rdd = ctx->parallelize(data, 3);
  auto mv = rdd.map_values([](int v) { return std::to_string(v * 2); }).collect();
  std::vector<std::pair<int, std::string>> expected{{1, "20"}, {2, "40"}, {1, "60"}, {3, "80"}};
  EXPECT_EQ(mv, expected);
  EXPECT_EQ(rdd.keys().collect(), (std::vector<int>{1, 2, 1, 3}));
  EXPECT_EQ(rdd.values().collect(), (std::vector<int>{10, 20, 30, 40}));
}

TEST(PairNarrow, FlatMapValues) {
  auto ctx = make_context();
  std::vector<std::pair<std::string, int>> data{{"a", 2}, {"b", 0}, {"c", 3}};
  auto out = ctx->parallelize(data, 2)
                 .flat_map_values([](int n) {
                   std::vector<int> v;
                   for (int i = 0; i < n; ++i) v.push_back(i);
                   return v;
                 })
                 .collect();
  std::vector<std::pair<std::string, int>> expected{{"a", 0}, {"a", 1}, {"c", 0}, {"c", 1}, {"c", 2}};
  EXPECT_EQ(out, expected);
}

TEST(PairNarrow, MapValuesKeepsPartitionerButMapDoesNot) {
  auto ctx = make_context();
  std::vector<std::pair<int, int>> data;
  for (int i = 0; i < 100; ++i) data.emplace_back(i % 10, i);
  auto p = brasa::Partitioner::hash(4);
  auto parted = ctx->parallelize(data, 3).partition_by(p);
  ASSERT_TRUE(parted.partitioner().has_value());
  EXPECT_TRUE(*parted.partitioner() == p);
  auto mv = parted.map_values([](int v) { return v + 1; });
  ASSERT_TRUE(mv.partitioner().has_value());
  EXPECT_TRUE(*mv.partitioner() == p);
  auto fmv = parted.flat_map_values([](int v) { return std::vector<int>{v, v}; });
  ASSERT_TRUE(fmv.partitioner().has_value());
  EXPECT_TRUE(*fmv.partitioner() == p);
  auto filtered = parted.filter([](const std::pair<int, int>& kv) { return kv.second % 2 == 0; });
  ASSERT_TRUE(filtered.partitioner().has_value());
  // map may change keys, so it forgets the partitioner (as in Spark).
  auto mapped = parted.map([](std::pair<int, int> kv) { return std::pair<int, int>{kv.second, kv.first}; });
  EXPECT_FALSE(mapped.partitioner().has_value());
  EXPECT_FALSE(parted.keys().partitioner().has_value());
}

// ---- union_with --------------------------------------------------------------------------

TEST(Union, ConcatenatesPartitions) {
  auto ctx = make_context();
  auto a = ctx->parallelize(brasa_test::iota_vec(10), 3);
  auto b = ctx->parallelize(brasa_test::iota_vec(5, 100), 2);
  auto u = a.union_with(b);
  EXPECT_EQ(u.num_partitions(), 5);
  std::vector<int> expected = brasa_test::iota_vec(10);
  for (int x : brasa_test::iota_vec(5, 100)) expected.push_back(x);
  EXPECT_EQ(u.collect(), expected);
  EXPECT_EQ(u.count(), 15);
}

TEST(Union, WithEmptyAndWithItself) {
  auto ctx = make_context();
  auto a = ctx->parallelize(brasa_test::iota_vec(4), 2);
  auto e = ctx->parallelize(std::vector<int>{}, 3);
  EXPECT_EQ(a.union_with(e).collect(), brasa_test::iota_vec(4));
  EXPECT_EQ(e.union_with(a).collect(), brasa_test::iota_vec(4));
  EXPECT_EQ(e.union_with(a).num_partitions(), 5);
  EXPECT_EQ(a.union_with(a).collect(), (std::vector<int>{0, 1, 2, 3, 0, 1, 2, 3}));
  auto chain = a.union_with(a).union_with(a);
  EXPECT_EQ(chain.count(), 12);
  EXPECT_EQ(chain.num_partitions(), 6);
}

// ---- coalesce ------------------------------------------------------------------------------

TEST(Coalesce, FewerPartitionsKeepsEveryRecordInOrder) {
  auto ctx = make_context();
  auto data = brasa_test::random_ints(5000, 3, 0, 1 << 30);
  auto rdd = ctx->parallelize(data, 37);
  for (int n : {1, 2, 5, 36}) {
    auto c = rdd.coalesce(n);
    EXPECT_EQ(c.num_partitions(), n);
    EXPECT_EQ(c.collect(), data) << n;
    EXPECT_EQ(c.count(), 5000) << n;
  }
}

TEST(Coalesce, NotMoreThanBeforeWithoutShuffle) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(brasa_test::iota_vec(20), 4);
  EXPECT_EQ(rdd.coalesce(4).num_partitions(), 4);
  EXPECT_EQ(rdd.coalesce(10).num_partitions(), 4);
  EXPECT_EQ(rdd.coalesce(10).collect(), brasa_test::iota_vec(20));
  EXPECT_THROW(rdd.coalesce(0), std::invalid_argument);
}

TEST(Coalesce, WithShuffleReachesExactCount) {
  auto ctx = make_context();
  auto data = brasa_test::iota_vec(300);
  auto c = ctx->parallelize(data, 3).coalesce(11, true);
  EXPECT_EQ(c.num_partitions(), 11);
  EXPECT_EQ(sorted(c.collect()), data);
}

TEST(Coalesce, EmptyPartitions) {
  auto ctx = make_context();
  auto c = ctx->parallelize(std::vector<int>{1, 2, 3}, 20).coalesce(3);
  EXPECT_EQ(c.num_partitions(), 3);
  EXPECT_EQ(c.collect(), (std::vector<int>{1, 2, 3}));
  auto parts = c.glom().collect();
  ASSERT_EQ(parts.size(), 3u);
}

// ---- zip, zip_with_index ----------------------------------------------------------------------

TEST(Zip, PairsUpRecords) {
  auto ctx = make_context();
  auto a = ctx->parallelize(brasa_test::iota_vec(100), 7);
  auto b = a.map([](int x) { return std::to_string(x * x); });
  auto z = a.zip(b).collect();
  ASSERT_EQ(z.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(z[static_cast<size_t>(i)].first, i);
    EXPECT_EQ(z[static_cast<size_t>(i)].second, std::to_string(i * i));
  }
}

TEST(Zip, IndependentRDDsWithSameLayout) {
  auto ctx = make_context();
  auto a = ctx->range(0, 50, 1, 5);
  auto b = ctx->parallelize(brasa_test::iota_vec(50, 1000), 5);
  auto z = a.zip(b).collect();
  ASSERT_EQ(z.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(z[static_cast<size_t>(i)], (std::pair<int64_t, int>{i, 1000 + i}));
  auto e = ctx->parallelize(std::vector<int>{}, 3);
  EXPECT_TRUE(e.zip(e).collect().empty());
}

TEST(Zip, DifferentRecordCountsPerPartitionFailTheJob) {
  auto ctx = make_context();
  auto a = ctx->parallelize(brasa_test::iota_vec(10), 2);
  auto b = ctx->parallelize(brasa_test::iota_vec(11), 2);
  try {
    a.zip(b).collect();
    FAIL() << "zip of RDDs with different partition sizes succeeded";
  } catch (const brasa::JobError& e) {
    EXPECT_TRUE(brasa_test::contains(e.what(), "zip")) << e.what();
    EXPECT_TRUE(brasa_test::contains(e.what(), "records")) << e.what();
  }
  // The context is still usable.
  EXPECT_EQ(a.zip(a).count(), 10);
}

TEST(Zip, DifferentPartitionCountsAreRejected) {
  auto ctx = make_context();
  auto a = ctx->parallelize(brasa_test::iota_vec(10), 2);
  auto b = ctx->parallelize(brasa_test::iota_vec(10), 3);
  try {
    a.zip(b).collect();
    FAIL() << "zip of RDDs with different partition counts succeeded";
  } catch (const std::exception& e) {
    EXPECT_TRUE(brasa_test::contains(e.what(), "zip")) << e.what();
  }
}

TEST(ZipWithIndex, IndicesInOrderAcrossUnevenPartitions) {
  auto ctx = make_context();
  // Filtering leaves uneven and empty partitions.
  auto rdd = ctx->parallelize(brasa_test::iota_vec(1000), 37).filter([](int x) { return x % 7 == 0 || x > 900; });
  auto expected = rdd.collect();
  auto z = rdd.zip_with_index().collect();
  ASSERT_EQ(z.size(), expected.size());
  for (size_t i = 0; i < z.size(); ++i) {
    EXPECT_EQ(z[i].first, expected[i]);
    EXPECT_EQ(z[i].second, static_cast<int64_t>(i));
  }
}

TEST(ZipWithIndex, EmptyPartitionsOnePartitionAndEmptyRDD) {
  auto ctx = make_context();
  auto sparse = ctx->parallelize(std::vector<std::string>{"a", "b", "c"}, 11).zip_with_index().collect();
  std::vector<std::pair<std::string, int64_t>> expected{{"a", 0}, {"b", 1}, {"c", 2}};
  EXPECT_EQ(sparse, expected);
  auto one = ctx->parallelize(std::vector<std::string>{"a", "b", "c"}, 1).zip_with_index().collect();
  EXPECT_EQ(one, expected);
  EXPECT_TRUE(ctx->parallelize(std::vector<int>{}, 4).zip_with_index().collect().empty());
}

// ---- sample -------------------------------------------------------------------------------------

TEST(Sample, DeterministicForSeed) {
  auto ctx = make_context();
  auto rdd = ctx->range(0, 100000, 1, 8);
  for (bool repl : {false, true}) {
    auto a = rdd.sample(repl, 0.1, 17).collect();
    auto b = rdd.sample(repl, 0.1, 17).collect();
    auto c = rdd.sample(repl, 0.1, 18).collect();
    EXPECT_EQ(a, b) << "with_replacement=" << repl;
    EXPECT_NE(a, c) << "with_replacement=" << repl;
  }
}

TEST(Sample, WithoutReplacementIsAnOrderedSubsetOfRoughlyTheFraction) {
  auto ctx = make_context();
  const int64_t n = 100000;
  auto rdd = ctx->range(0, n, 1, 8);
  for (double fraction : {0.01, 0.1, 0.5, 0.9}) {
    auto s = rdd.sample(false, fraction, 1234).collect();
    double expected = fraction * n;
    double sd = std::sqrt(n * fraction * (1 - fraction));
    EXPECT_NEAR(static_cast<double>(s.size()), expected, 8 * sd + 10) << fraction;
    EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
    EXPECT_EQ(std::adjacent_find(s.begin(), s.end()), s.end()) << "duplicates without replacement";
    if (!s.empty()) {
      EXPECT_GE(s.front(), 0);
      EXPECT_LT(s.back(), n);
    }
  }
  EXPECT_TRUE(rdd.sample(false, 0.0, 5).collect().empty());
  EXPECT_EQ(rdd.sample(false, 1.0, 5).count(), n);
}

TEST(Sample, WithReplacementRoughlyTheFractionAndRepeats) {
  auto ctx = make_context();
  const int64_t n = 100000;
  auto rdd = ctx->range(0, n, 1, 8);
  for (double fraction : {0.1, 0.5, 2.0}) {
    auto s = rdd.sample(true, fraction, 99).collect();
    double expected = fraction * n;
    double sd = std::sqrt(n * fraction);
    EXPECT_NEAR(static_cast<double>(s.size()), expected, 8 * sd + 10) << fraction;
    for (auto x : s) {
      ASSERT_GE(x, 0);
      ASSERT_LT(x, n);
    }
  }
  auto twice = rdd.sample(true, 2.0, 99).collect();
  std::set<int64_t> distinct(twice.begin(), twice.end());
  EXPECT_LT(distinct.size(), twice.size()) << "with replacement and fraction 2 there must be repeats";
}

TEST(Sample, RejectsInvalidFractions) {
  auto ctx = make_context();
  auto rdd = ctx->range(0, 10);
  EXPECT_THROW(rdd.sample(false, -0.1), std::invalid_argument);
  EXPECT_THROW(rdd.sample(false, 1.5), std::invalid_argument);
  EXPECT_THROW(rdd.sample(true, -1.0), std::invalid_argument);
  EXPECT_NO_THROW(rdd.sample(true, 3.0));
}

TEST(Sample, EmptyRDD) {
  auto ctx = make_context();
  EXPECT_TRUE(ctx->parallelize(std::vector<int>{}, 3).sample(false, 0.5, 1).collect().empty());
  EXPECT_TRUE(ctx->parallelize(std::vector<int>{}, 3).sample(true, 0.5, 1).collect().empty());
}

// ---- cartesian ------------------------------------------------------------------------------------

TEST(Cartesian, AllPairs) {
  auto ctx = make_context();
  auto a = ctx->parallelize(std::vector<int>{1, 2, 3}, 2);
  auto b = ctx->parallelize(std::vector<std::string>{"x", "y", "z", "w"}, 3);
  auto c = a.cartesian(b);
  EXPECT_EQ(c.num_partitions(), 6);
  std::vector<std::pair<int, std::string>> expected;
  for (int x : {1, 2, 3})
    for (const char* y : {"x", "y", "z", "w"}) expected.emplace_back(x, y);
  EXPECT_EQ(sorted(c.collect()), sorted(expected));
  EXPECT_EQ(c.count(), 12);
}

TEST(Cartesian, WithEmptyAndWithItself) {
  auto ctx = make_context();
  auto a = ctx->parallelize(brasa_test::iota_vec(20), 5);
  auto e = ctx->parallelize(std::vector<int>{}, 2);
  EXPECT_TRUE(a.cartesian(e).collect().empty());
  EXPECT_TRUE(e.cartesian(a).collect().empty());
  auto sq = a.cartesian(a);
  EXPECT_EQ(sq.num_partitions(), 25);
  auto out = sq.collect();
  EXPECT_EQ(out.size(), 400u);
  std::set<std::pair<int, int>> distinct(out.begin(), out.end());
  EXPECT_EQ(distinct.size(), 400u);
}

}  // namespace
