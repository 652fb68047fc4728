// Actions: results on the driver, numeric summaries and output files.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "test_util.h"

namespace fs = std::filesystem;
using brasa_test::make_context;
using brasa_test::sorted;

namespace {

// Functions go to RDD operations as lambdas (a function pointer does not ship).
constexpr auto add64 = [](int64_t a, int64_t b) { return a + b; };

// ---- collect, count, first, take -----------------------------------------------------

TEST(Collect, CountMatchesCollect) {
  auto ctx = make_context();
  auto data = brasa_test::random_ints(12345, 1, -10, 10);
  for (int slices : {1, 3, 37}) {
    auto rdd = ctx->parallelize(data, slices);
    EXPECT_EQ(rdd.collect(), data);
    EXPECT_EQ(rdd.count(), 12345);
  }
  EXPECT_EQ(ctx->parallelize(std::vector<int>{}, 5).count(), 0);
}

TEST(First, ReturnsFirstRecordEvenAfterEmptyPartitions) {
  auto ctx = make_context();
  EXPECT_EQ(ctx->parallelize(brasa_test::iota_vec(100, 5), 7).first(), 5);
  EXPECT_EQ(ctx->parallelize(std::vector<int>{42}, 9).first(), 42);
  // Only the last partition has records.
  auto rdd = ctx->parallelize(brasa_test::iota_vec(370), 37).filter([](int x) { return x >= 365; });
  EXPECT_EQ(rdd.first(), 365);
}

TEST(First, EmptyRDDThrows) {
  auto ctx = make_context();
  EXPECT_THROW(ctx->parallelize(std::vector<int>{}, 3).first(), std::logic_error);
  EXPECT_THROW(ctx->parallelize(brasa_test::iota_vec(10), 3).filter([](int) { return false; }).first(),
               std::logic_error);
}

TEST(Take, FewerThanAvailable) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(brasa_test::iota_vec(1000), 37);
  EXPECT_TRUE(rdd.take(0).empty());
  EXPECT_EQ(rdd.take(1), (std::vector<int>{0}));
  EXPECT_EQ(rdd.take(5), brasa_test::iota_vec(5));
  EXPECT_EQ(rdd.take(500), brasa_test::iota_vec(500));  // across many partitions
  EXPECT_EQ(rdd.take(999), brasa_test::iota_vec(999));
}

TEST(Take, MoreThanAvailable) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(brasa_test::iota_vec(100), 7);
  EXPECT_EQ(rdd.take(100), brasa_test::iota_vec(100));
  EXPECT_EQ(rdd.take(1000), brasa_test::iota_vec(100));
  EXPECT_TRUE(ctx->parallelize(std::vector<int>{}, 4).take(3).empty());
}

TEST(Take, SkipsEmptyPartitionsAndKeepsOrder) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(brasa_test::iota_vec(1000), 50).filter([](int x) { return x % 200 == 199; });
  EXPECT_EQ(rdd.take(3), (std::vector<int>{199, 399, 599}));
  EXPECT_EQ(rdd.take(10), (std::vector<int>{199, 399, 599, 799, 999}));
  auto big = ctx->range(0, 100000, 1, 4).take(10000);
  ASSERT_EQ(big.size(), 10000u);
  for (int64_t i = 0; i < 10000; ++i) ASSERT_EQ(big[static_cast<size_t>(i)], i);
}

// An action that needs a record names itself, the RDD and where its
// records come from when there are none.
TEST(Reduce, EmptyInputErrorNamesTheActionAndTheInput) {
  auto ctx = make_context();
  brasa_test::TempDir dir;
  const std::string path = (dir.path() / "empty.txt").string();
  std::ofstream(path).close();
  auto lengths = ctx->text_file(path, 2).map([](const std::string& line) { return line.size(); });
  try {
    lengths.reduce([](size_t a, size_t b) { return a + b; });
    ADD_FAILURE() << "no error";
  } catch (const std::logic_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("reduce at actions_test.cc:"), std::string::npos) << what;
    EXPECT_NE(what.find("(map at actions_test.cc:"), std::string::npos) << what;
    EXPECT_NE(what.find("it reads text_file at actions_test.cc:"), std::string::npos) << what;
  }
  EXPECT_THROW(lengths.first(), std::logic_error);
}

// ---- top, take_ordered -------------------------------------------------------------------

TEST(TopAndTakeOrdered, DefaultOrder) {
  auto ctx = make_context();
  auto data = brasa_test::random_ints(5000, 2, -100000, 100000);
  auto rdd = ctx->parallelize(data, 13);
  auto asc = sorted(data);
  EXPECT_EQ(rdd.take_ordered(7), std::vector<int>(asc.begin(), asc.begin() + 7));
  std::vector<int> desc(asc.rbegin(), asc.rbegin() + 7);
  EXPECT_EQ(rdd.top(7), desc);
  EXPECT_EQ(rdd.top(1), std::vector<int>{asc.back()});
  EXPECT_TRUE(rdd.top(0).empty());
  EXPECT_EQ(rdd.take_ordered(10000), asc);  // more than available
}

TEST(TopAndTakeOrdered, CustomComparator) {
  auto ctx = make_context();
  std::vector<int> data{-9, 3, -1, 7, 0, -4, 8};
  auto rdd = ctx->parallelize(data, 3);
  auto by_abs = [](int a, int b) { return std::abs(a) < std::abs(b); };
  EXPECT_EQ(rdd.take_ordered(3, by_abs), (std::vector<int>{0, -1, 3}));
  EXPECT_EQ(rdd.top(3, by_abs), (std::vector<int>{-9, 8, 7}));
  EXPECT_EQ(rdd.take_ordered(2, std::greater<int>{}), (std::vector<int>{8, 7}));
  std::vector<std::pair<std::string, int>> words{{"a", 5}, {"b", 9}, {"c", 1}, {"d", 7}};
  auto by_value = [](const std::pair<std::string, int>& x, const std::pair<std::string, int>& y) {
    return x.second < y.second;
  };
  auto top2 = ctx->parallelize(words, 2).top(2, by_value);
  ASSERT_EQ(top2.size(), 2u);
  EXPECT_EQ(top2[0].first, "b");
  EXPECT_EQ(top2[1].first, "d");
}

TEST(TopAndTakeOrdered, EmptyRDD) {
  auto ctx = make_context();
  EXPECT_TRUE(ctx->parallelize(std::vector<int>{}, 3).top(5).empty());
  EXPECT_TRUE(ctx->parallelize(std::vector<int>{}, 3).take_ordered(5).empty());
}

// ---- reduce, fold, aggregate, tree_* ----------------------------------------------------------

TEST(Reduce, SumAndMax) {
  auto ctx = make_context();
  auto data = brasa_test::random_ints(10000, 3, -1000, 1000);
  int64_t sum = 0;
  for (int x : data) sum += x;
  for (int slices : {1, 4, 37}) {
    auto rdd = ctx->parallelize(data, slices).map([](int x) { return int64_t{x}; });
    EXPECT_EQ(rdd.reduce(add64), sum);
    EXPECT_EQ(rdd.reduce([](int64_t a, int64_t b) { return std::max(a, b); }), *std::max_element(data.begin(), data.end()));
  }
  // Empty partitions are skipped, not combined with a default value.
  EXPECT_EQ(ctx->parallelize(std::vector<int>{-5, -7}, 9).reduce([](int a, int b) { return std::max(a, b); }), -5);
}

// The fold runs in record order within a partition, through batches, over
// computed records and over cached ones read in place: a function that is
// associative but not commutative (concatenation) shows the order.
TEST(Reduce, FoldsInRecordOrderAcrossBatchesComputedAndCached) {
  auto ctx = make_context();
  std::vector<std::string> letters;
  std::string expected;
  for (int i = 0; i < 5000; ++i) {
    letters.emplace_back(1, static_cast<char>('a' + i % 26));
    expected += letters.back();
  }
  auto concat = [](std::string a, const std::string& b) { return a + b; };
  auto computed = ctx->parallelize(letters, 1).map([](const std::string& s) { return s; });
  EXPECT_EQ(computed.reduce(concat), expected);
  auto cached = ctx->parallelize(letters, 1).cache();
  EXPECT_EQ(cached.reduce(concat), expected);
  EXPECT_EQ(cached.reduce(concat), expected);  // read from the block
}

TEST(Reduce, EmptyThrowsLogicError) {
  auto ctx = make_context();
  EXPECT_THROW(ctx->parallelize(std::vector<int>{}, 3).reduce([](int a, int b) { return a + b; }), std::logic_error);
}

TEST(Fold, ZeroPerPartitionAndOnce) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(brasa_test::iota_vec(11), 3);  // 0..10, sum 55
  EXPECT_EQ(rdd.fold(0, [](int a, int b) { return a + b; }), 55);
  // As in Spark, the zero value goes into each partition and into the final merge.
  EXPECT_EQ(rdd.fold(1, [](int a, int b) { return a + b; }), 55 + 4);
  EXPECT_EQ(ctx->parallelize(std::vector<int>{}, 2).fold(0, [](int a, int b) { return a + b; }), 0);
}

TEST(Aggregate, SumAndCount) {
  auto ctx = make_context();
  auto data = brasa_test::random_ints(5000, 4, 0, 1000);
  using SC = std::pair<int64_t, int64_t>;
  auto out = ctx->parallelize(data, 11).aggregate(
      SC{0, 0}, [](SC acc, int x) { return SC{acc.first + x, acc.second + 1}; },
      [](SC a, SC b) { return SC{a.first + b.first, a.second + b.second}; });
  EXPECT_EQ(out.first, std::accumulate(data.begin(), data.end(), int64_t{0}));
  EXPECT_EQ(out.second, 5000);
  auto strings = ctx->parallelize(std::vector<std::string>{"ab", "c", "def"}, 2)
                     .aggregate(size_t{0}, [](size_t n, const std::string& s) { return n + s.size(); },
                                [](size_t a, size_t b) { return a + b; });
  EXPECT_EQ(strings, 6u);
}

TEST(TreeAggregate, DepthsTwoAndThreeOnFiftyPartitions) {
  auto ctx = make_context();
  auto data = brasa_test::random_ints(100000, 5, -1000000, 1000000);
  int64_t sum = std::accumulate(data.begin(), data.end(), int64_t{0});
  auto rdd = ctx->parallelize(data, 50);
  for (int depth : {1, 2, 3, 4}) {
    auto got = rdd.tree_aggregate(
        int64_t{0}, [](int64_t acc, int x) { return acc + x; }, [](int64_t a, int64_t b) { return a + b; }, depth);
    EXPECT_EQ(got, sum) << "depth " << depth;
    auto longs = rdd.map([](int x) { return int64_t{x}; });
    EXPECT_EQ(longs.tree_reduce(add64, depth), sum) << "depth " << depth;
  }
  EXPECT_THROW(rdd.tree_aggregate(int64_t{0}, [](int64_t a, int x) { return a + x; }, add64, 0),
               std::invalid_argument);
}

TEST(TreeAggregate, EmptyPartitionsAndEmptyRDD) {
  auto ctx = make_context();
  auto sparse = ctx->parallelize(std::vector<int>{3, 4}, 50);
  EXPECT_EQ(sparse.tree_reduce([](int a, int b) { return a + b; }, 3), 7);
  EXPECT_EQ(sparse.tree_aggregate(0, [](int a, int b) { return a + b; }, [](int a, int b) { return a + b; }, 2), 7);
  auto empty = ctx->parallelize(std::vector<int>{}, 50);
  EXPECT_THROW(empty.tree_reduce([](int a, int b) { return a + b; }, 2), std::logic_error);
  EXPECT_EQ(empty.tree_aggregate(0, [](int a, int b) { return a + b; }, [](int a, int b) { return a + b; }, 2), 0);
}

// ---- foreach, foreach_partition -----------------------------------------------------------------

TEST(Foreach, AccumulatorSeesEveryRecord) {
  auto ctx = make_context();
  auto acc = ctx->accumulator<int64_t>(0);
  auto cnt = ctx->accumulator<int64_t>(0);
  ctx->parallelize(brasa_test::iota_vec(1000), 37).foreach([acc, cnt](const int& x) {
    acc.add(x);
    cnt.add(1);
  });
  EXPECT_EQ(acc.value(), 999 * 1000 / 2);
  EXPECT_EQ(cnt.value(), 1000);
}

TEST(Foreach, AccumulatorWithInitialValueAndDoubles) {
  auto ctx = make_context();
  auto acc = ctx->accumulator<double>(0.5);
  ctx->parallelize(std::vector<double>{0.25, 0.25, 1.0}, 2).foreach([acc](const double& x) { acc.add(x); });
  EXPECT_DOUBLE_EQ(acc.value(), 2.0);
  acc.add(1.0);  // on the driver
  EXPECT_DOUBLE_EQ(acc.value(), 3.0);
}

TEST(ForeachPartition, OnceForEachPartition) {
  auto ctx = make_context();
  auto partitions = ctx->accumulator<int64_t>(0);
  auto records = ctx->accumulator<int64_t>(0);
  ctx->parallelize(brasa_test::iota_vec(10), 13).foreach_partition([partitions, records](std::vector<int>& part) {
    partitions.add(1);
    records.add(static_cast<int64_t>(part.size()));
  });
  EXPECT_EQ(partitions.value(), 13);
  EXPECT_EQ(records.value(), 10);
}

constexpr std::string_view kNotInTheLine = " p qq\ta-word-longer-than-sixteen ";

// ---- count_by_value, is_empty ----------------------------------------------------------------------

TEST(CountByValue, MatchesSequentialCounts) {
  auto ctx = make_context();
  auto data = brasa_test::random_ints(20000, 6, 0, 30);
  std::map<int, int64_t> expected;
  for (int x : data) expected[x]++;
  EXPECT_EQ(ctx->parallelize(data, 9).count_by_value(), expected);
  EXPECT_TRUE(ctx->parallelize(std::vector<int>{}, 2).count_by_value().empty());
}

// Words of flat_map(brasa::words) and fields of brasa::split reach
// count_by_value as views: into the line when they can be read 16 bytes on,
// into copies otherwise (the last words of lines whose strings have no
// room to spare, as parallelize's copies have none), also in lines of 15,
// 16 and 17 bytes, in a line of more words than a batch followed by more
// lines in the same partition, in words of every length around 16 bytes,
// and in words that are not in the line at all (f splits another string).
TEST(CountByValue, CountsWordsOfLinesFromEverySource) {
  auto ctx = make_context();
  std::mt19937_64 rng(5);
  std::vector<std::string> lines;
  for (int i = 0; i < 3000; ++i) {
    std::string line;
    for (size_t w = rng() % 12; w > 0; --w) {
      line.append(1 + rng() % 24, static_cast<char>('a' + rng() % 3));
      line.append(1 + rng() % 2, ",\t"[rng() % 2]);
    }
    if (i % 10 == 0) line = std::string(15 + i / 10 % 3, static_cast<char>('a' + i % 2));
    lines.push_back(line);
  }
  std::string many;  // one line of 10,000 words, in the middle of a partition
  for (int i = 0; i < 10000; ++i) many += "m" + std::to_string(i % 101) + " ";
  lines.insert(lines.begin() + 500, many);
  std::map<std::string, int64_t> words, fields;
  for (const auto& l : lines) {
    for (std::string_view w : brasa::words(l)) ++words[std::string(w)];
    for (std::string_view w : brasa::split<','>(l)) ++fields[std::string(w)];
  }

  auto split_words = [](const std::string& l) { return brasa::words(l); };
  auto split_fields = [](const std::string& l) { return brasa::split<','>(l); };
  auto lent = ctx->parallelize(lines, 3);
  EXPECT_EQ(lent.flat_map(split_words).count_by_value(), words);
  EXPECT_EQ(lent.flat_map(split_fields).count_by_value(), fields);
  lent.cache();
  lent.count();
  EXPECT_EQ(lent.flat_map(split_words).count_by_value(), words);

  brasa_test::TempDir dir;
  auto file = dir.path() / "lines.txt";
  {
    std::ofstream out(file);
    for (const auto& l : lines) out << l << '\n';
  }
  EXPECT_EQ(ctx->text_file(file.string(), 4).flat_map(split_words).count_by_value(), words);
  EXPECT_EQ(ctx->text_file(file.string(), 4).flat_map(split_fields).count_by_value(), fields);

  auto elsewhere = ctx->parallelize(lines, 2).flat_map([](const std::string&) { return brasa::words(kNotInTheLine); });
  EXPECT_EQ(elsewhere.count_by_value(),
            (std::map<std::string, int64_t>{{"p", 3001}, {"qq", 3001}, {"a-word-longer-than-sixteen", 3001}}));
}

TEST(CountByValue, CountsNumbersAndPairs) {
  auto ctx = make_context();
  std::map<int64_t, int64_t> residues;
  std::map<std::pair<int64_t, int64_t>, int64_t> pairs;
  for (int64_t x = 0; x < 100000; ++x) {
    ++residues[x % 7];
    ++pairs[{x % 3, x % 5}];
  }
  auto numbers = ctx->range(0, 100000, 1, 4);
  EXPECT_EQ(numbers.map([](int64_t x) { return x % 7; }).count_by_value(), residues);
  EXPECT_EQ(numbers.map([](int64_t x) { return std::pair{x % 3, x % 5}; }).count_by_value(), pairs);
}

// A partition's table that outgrows its half of the shuffle memory is
// passed on and begun again: one value may then come out of a partition
// more than once, and its counts still add up.
TEST(CountByValue, ATableLargerThanTheShuffleMemoryIsPassedOnInParts) {
  auto ctx = std::make_unique<brasa::Context>(brasa_test::test_conf().set("brasa.memory.shuffle", "1m"));
  std::vector<std::string> values;
  std::map<std::string, int64_t> expected;
  for (int i = 0; i < 200000; ++i) {
    values.push_back("value-" + std::to_string(i * 7919 % 60000));
    ++expected[values.back()];
  }
  auto rdd = ctx->parallelize(values, 2);
  EXPECT_EQ(rdd.count_by_value(), expected);
  auto parts = brasa::RDD<std::pair<std::string, int64_t>>(
                   std::make_shared<brasa::CountNode<std::string>>(rdd.node(), brasa::CallSite{}))
                   .collect();
  EXPECT_GT(parts.size(), 2 * expected.size());  // each partition has every value
  std::map<std::string, int64_t> added;
  for (const auto& [v, n] : parts) added[v] += n;
  EXPECT_EQ(added, expected);
}

TEST(IsEmpty, EmptyAndNonEmpty) {
  auto ctx = make_context();
  EXPECT_TRUE(ctx->parallelize(std::vector<int>{}, 3).is_empty());
  EXPECT_TRUE(ctx->parallelize(brasa_test::iota_vec(100), 10).filter([](int x) { return x > 1000; }).is_empty());
  EXPECT_FALSE(ctx->parallelize(brasa_test::iota_vec(100), 10).is_empty());
  EXPECT_FALSE(ctx->parallelize(brasa_test::iota_vec(100), 10).filter([](int x) { return x == 99; }).is_empty());
}

// ---- stats, histogram ---------------------------------------------------------------------------------

TEST(Stats, MatchesDirectComputation) {
  auto ctx = make_context();
  auto data = brasa_test::random_doubles(50000, 7, -250.0, 1000.0);
  double mean = std::accumulate(data.begin(), data.end(), 0.0) / static_cast<double>(data.size());
  double ss = 0;
  for (double x : data) ss += (x - mean) * (x - mean);
  double var = ss / static_cast<double>(data.size());
  double sample_var = ss / static_cast<double>(data.size() - 1);
  for (int slices : {1, 7, 50}) {
    auto s = ctx->parallelize(data, slices).stats();
    EXPECT_EQ(s.count(), 50000);
    EXPECT_NEAR(s.mean(), mean, 1e-9 * std::abs(mean) + 1e-9);
    EXPECT_NEAR(s.variance(), var, 1e-9 * var);
    EXPECT_NEAR(s.stdev(), std::sqrt(var), 1e-9 * std::sqrt(var));
    EXPECT_NEAR(s.sample_stdev(), std::sqrt(sample_var), 1e-9 * std::sqrt(sample_var));
    EXPECT_NEAR(s.sum(), mean * 50000, 1e-6 * std::abs(mean * 50000));
    EXPECT_EQ(s.min(), *std::min_element(data.begin(), data.end()));
    EXPECT_EQ(s.max(), *std::max_element(data.begin(), data.end()));
  }
}

TEST(Stats, IntegersAndEmptyPartitions) {
  auto ctx = make_context();
  auto s = ctx->parallelize(std::vector<int>{2, 4, 4, 4, 5, 5, 7, 9}, 12).stats();
  EXPECT_EQ(s.count(), 8);
  EXPECT_DOUBLE_EQ(s.mean(), 5.0);
  EXPECT_DOUBLE_EQ(s.stdev(), 2.0);
  EXPECT_DOUBLE_EQ(s.min(), 2.0);
  EXPECT_DOUBLE_EQ(s.max(), 9.0);
  auto neg = ctx->parallelize(std::vector<int>{-3, -8, -1}, 5).stats();
  EXPECT_DOUBLE_EQ(neg.min(), -8.0);
  EXPECT_DOUBLE_EQ(neg.max(), -1.0);
  EXPECT_EQ(ctx->parallelize(std::vector<int>{}, 3).stats().count(), 0);
}

TEST(Histogram, GivenBuckets) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(brasa_test::iota_vec(101), 6);  // 0..100
  EXPECT_EQ(rdd.histogram(std::vector<double>{0, 50, 100}), (std::vector<int64_t>{50, 51}));
  EXPECT_EQ(rdd.histogram(std::vector<double>{0, 10, 20, 50}), (std::vector<int64_t>{10, 10, 31}));
  // Values outside the range are not counted; the last bucket includes its upper bound.
  EXPECT_EQ(rdd.histogram(std::vector<double>{10, 20}), (std::vector<int64_t>{11}));
  EXPECT_EQ(rdd.histogram(std::vector<double>{-5.5, 0.5, 99.5, 100}), (std::vector<int64_t>{1, 99, 1}));
  EXPECT_THROW(rdd.histogram(std::vector<double>{1}), std::invalid_argument);
  EXPECT_THROW(rdd.histogram(std::vector<double>{5, 1}), std::invalid_argument);
  EXPECT_THROW(rdd.histogram(std::vector<double>{1, 1, 2}), std::invalid_argument);
}

TEST(Histogram, EvenBuckets) {
  auto ctx = make_context();
  auto rdd = ctx->parallelize(brasa_test::iota_vec(101), 6);  // 0..100
  auto [bounds, counts] = rdd.histogram(4);
  EXPECT_EQ(bounds, (std::vector<double>{0, 25, 50, 75, 100}));
  EXPECT_EQ(counts, (std::vector<int64_t>{25, 25, 25, 26}));  // max lands in the last bucket

  auto data = brasa_test::random_doubles(10000, 8, -3.0, 17.0);
  auto [b2, c2] = ctx->parallelize(data, 9).histogram(7);
  ASSERT_EQ(b2.size(), 8u);
  ASSERT_EQ(c2.size(), 7u);
  EXPECT_EQ(b2.front(), *std::min_element(data.begin(), data.end()));
  EXPECT_EQ(b2.back(), *std::max_element(data.begin(), data.end()));
  EXPECT_EQ(std::accumulate(c2.begin(), c2.end(), int64_t{0}), 10000);
  for (int i = 0; i < 7; ++i) {
    int64_t n = 0;
    for (double x : data)
      if (x >= b2[static_cast<size_t>(i)] && (x < b2[static_cast<size_t>(i) + 1] || (i == 6 && x <= b2[7]))) ++n;
    EXPECT_EQ(c2[static_cast<size_t>(i)], n) << "bucket " << i;
  }
}

TEST(Histogram, AllEqualValuesAndEmpty) {
  auto ctx = make_context();
  auto [b, c] = ctx->parallelize(std::vector<double>{2.5, 2.5, 2.5}, 2).histogram(5);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0], 3);
  EXPECT_ANY_THROW(ctx->parallelize(std::vector<double>{}, 2).histogram(3));
  EXPECT_THROW(ctx->parallelize(std::vector<double>{1.0}, 1).histogram(0), std::invalid_argument);
}

// ---- save_as_text_file ------------------------------------------------------------------------------------

std::vector<std::string> read_parts(const fs::path& dir, int n) {
  std::vector<std::string> lines;
  for (int p = 0; p < n; ++p) {
    char name[32];
    std::snprintf(name, sizeof name, "part-%05d", p);
    auto file = dir / name;
    EXPECT_TRUE(fs::exists(file)) << file;
    for (auto& l : brasa_test::split_lines(brasa_test::read_text(file))) lines.push_back(l);
  }
  return lines;
}

TEST(SaveAsTextFile, PartFilesSuccessMarkerAndPairFormat) {
  auto ctx = make_context();
  brasa_test::TempDir tmp;
  std::vector<std::pair<std::string, int>> data{{"apple", 3}, {"kiwi", -1}, {"fig", 0}, {"date", 12}, {"x", 7}};
  std::string out = tmp.sub("out");
  ctx->parallelize(data, 3).save_as_text_file(out);
  EXPECT_TRUE(fs::exists(fs::path(out) / "_SUCCESS"));
  EXPECT_FALSE(fs::exists(fs::path(out) / "part-00003"));
  EXPECT_FALSE(fs::exists(fs::path(out) / "_temporary"));
  auto lines = read_parts(out, 3);
  EXPECT_EQ(lines, (std::vector<std::string>{"(apple,3)", "(kiwi,-1)", "(fig,0)", "(date,12)", "(x,7)"}));
  // Each part holds its partition's records.
  EXPECT_EQ(brasa_test::read_text(fs::path(out) / "part-00000"), "(apple,3)\n");
  // Reading it back ignores _SUCCESS.
  EXPECT_EQ(ctx->text_file(out, 2).collect(), lines);
}

TEST(SaveAsTextFile, NumbersStringsAndEmptyPartitions) {
  auto ctx = make_context();
  brasa_test::TempDir tmp;
  std::string out = tmp.sub("nums");
  ctx->parallelize(std::vector<int64_t>{1, -2, 300}, 5).save_as_text_file(out);
  for (int p = 0; p < 5; ++p) {
    char name[32];
    std::snprintf(name, sizeof name, "part-%05d", p);
    EXPECT_TRUE(fs::exists(fs::path(out) / name)) << name;  // one file per partition, even empty
  }
  EXPECT_EQ(read_parts(out, 5), (std::vector<std::string>{"1", "-2", "300"}));
  std::string words = tmp.sub("words");
  ctx->parallelize(std::vector<std::string>{"hello world", "", "x"}, 1).save_as_text_file(words);
  EXPECT_EQ(brasa_test::read_text(fs::path(words) / "part-00000"), "hello world\n\nx\n");
}

TEST(SaveAsTextFile, RefusesExistingDirectoryUnlessOverwrite) {
  auto ctx = make_context();
  brasa_test::TempDir tmp;
  std::string out = tmp.sub("existing");
  brasa_test::write_text(fs::path(out) / "keep.txt", "precious\n");
  auto rdd = ctx->parallelize(brasa_test::iota_vec(6), 2);
  EXPECT_ANY_THROW(rdd.save_as_text_file(out));
  EXPECT_EQ(brasa_test::read_text(fs::path(out) / "keep.txt"), "precious\n");  // untouched
  EXPECT_FALSE(fs::exists(fs::path(out) / "_SUCCESS"));

  rdd.save_as_text_file(out, /*overwrite=*/true);
  EXPECT_FALSE(fs::exists(fs::path(out) / "keep.txt"));
  EXPECT_TRUE(fs::exists(fs::path(out) / "_SUCCESS"));
  EXPECT_EQ(read_parts(out, 2), (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));

  // Saving again over a saved output needs overwrite too.
  EXPECT_ANY_THROW(rdd.save_as_text_file(out));
  ctx->parallelize(std::vector<int>{9}, 1).save_as_text_file(out, true);
  EXPECT_FALSE(fs::exists(fs::path(out) / "part-00001"));
  EXPECT_EQ(read_parts(out, 1), (std::vector<std::string>{"9"}));
}

TEST(SaveAsTextFile, FailedJobLeavesNoDirectory) {
  auto ctx = make_context();
  brasa_test::TempDir tmp;
  std::string out = tmp.sub("failed");
  auto bad = ctx->parallelize(brasa_test::iota_vec(100), 4).map([](int x) {
    if (x == 77) throw std::runtime_error("bad record 77");
    return x;
  });
  EXPECT_THROW(bad.save_as_text_file(out), brasa::JobError);
  EXPECT_FALSE(fs::exists(out));
  // And the same path can then be written.
  ctx->parallelize(brasa_test::iota_vec(3), 1).save_as_text_file(out);
  EXPECT_TRUE(fs::exists(fs::path(out) / "_SUCCESS"));
}

// ---- save_as_object_file, object_file ---------------------------------------------------------------------

TEST(ObjectFile, RoundTripOfStringAndVectorPairs) {
  auto ctx = make_context();
  brasa_test::TempDir tmp;
  std::mt19937_64 rng(31);
  using Rec = std::pair<std::string, std::vector<int>>;
  std::vector<Rec> data;
  for (int i = 0; i < 2000; ++i) {
    std::vector<int> v(static_cast<size_t>(i % 7));
    for (auto& x : v) x = static_cast<int>(rng() % 1000) - 500;
    data.emplace_back(brasa_test::random_word(rng, 0, 40), std::move(v));
  }
  std::string out = tmp.sub("objects");
  ctx->parallelize(data, 12).save_as_object_file(out);
  EXPECT_TRUE(fs::exists(fs::path(out) / "_SUCCESS"));
  auto back = ctx->object_file<Rec>(out);
  EXPECT_EQ(back.num_partitions(), 12);
  EXPECT_EQ(back.collect(), data);  // partition order is kept (part-00010 after part-00009)
  EXPECT_EQ(back.count(), 2000);
}

TEST(ObjectFile, EmptyRDDAndMissingPath) {
  auto ctx = make_context();
  brasa_test::TempDir tmp;
  std::string out = tmp.sub("empty");
  ctx->parallelize(std::vector<int>{}, 3).save_as_object_file(out);
  EXPECT_TRUE(ctx->object_file<int>(out).collect().empty());
  EXPECT_ANY_THROW(ctx->object_file<int>(tmp.sub("nope")).collect());
  EXPECT_ANY_THROW(ctx->parallelize(std::vector<int>{1}, 1).save_as_object_file(out));  // exists
}

}  // namespace
