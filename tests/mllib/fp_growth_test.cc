#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "brasa/mllib/fpm/fp_growth.h"
#include "test_util.h"

using brasa::mllib::AssociationRule;
using brasa::mllib::FPGrowth;
using brasa::mllib::FPGrowthModel;

namespace fp_growth_test {

using Transaction = std::vector<std::string>;
using Itemsets = std::map<std::vector<std::string>, int64_t>;  // sorted items -> count

std::vector<Transaction> split_all(const std::vector<std::string>& lines) {
  std::vector<Transaction> out;
  for (const auto& line : lines) {
    std::istringstream in(line);
    Transaction t;
    for (std::string item; in >> item;) t.push_back(item);
    out.push_back(t);
  }
  return out;
}

// Spark's FPGrowthSuite transactions.
std::vector<Transaction> spark_transactions() {
  return split_all({"r z h k p", "z y x w v u t s", "s x o n r", "x z y m t s q e", "z", "x z y r q t p"});
}

Itemsets sorted_itemsets(const FPGrowthModel& model) {
  Itemsets out;
  for (auto [items, count] : model.freq_itemsets().collect()) {
    std::sort(items.begin(), items.end());
    EXPECT_TRUE(out.emplace(items, count).second) << "itemset listed twice";
  }
  return out;
}

// Every itemset over the distinct items with its count, those with at
// least min_count.
Itemsets brute_force(const std::vector<Transaction>& transactions, int64_t min_count) {
  std::set<std::string> all;
  for (const auto& t : transactions) all.insert(t.begin(), t.end());
  std::vector<std::string> items(all.begin(), all.end());
  Itemsets out;
  for (uint64_t mask = 1; mask < (uint64_t{1} << items.size()); ++mask) {
    std::vector<std::string> set;
    for (size_t i = 0; i < items.size(); ++i)
      if (mask >> i & 1) set.push_back(items[i]);
    int64_t count = 0;
    for (const auto& t : transactions) {
      auto in_t = [&](const std::string& x) { return std::find(t.begin(), t.end(), x) != t.end(); };
      if (std::all_of(set.begin(), set.end(), in_t)) ++count;
    }
    if (count >= min_count && count > 0) out.emplace(set, count);
  }
  return out;
}

struct Rule {
  std::vector<std::string> antecedent;  // sorted
  std::string consequent;
  double confidence, lift, support;
};

std::vector<Rule> sorted_rules(const FPGrowthModel& model) {
  std::vector<Rule> out;
  for (auto r : model.association_rules().collect()) {
    EXPECT_EQ(r.consequent.size(), 1u);
    std::sort(r.antecedent.begin(), r.antecedent.end());
    out.push_back(Rule{r.antecedent, r.consequent.at(0), r.confidence, r.lift, r.support});
  }
  std::sort(out.begin(), out.end(), [](const Rule& a, const Rule& b) {
    return std::tie(a.antecedent, a.consequent) < std::tie(b.antecedent, b.consequent);
  });
  return out;
}

void expect_rules(const std::vector<Rule>& actual, std::vector<Rule> expected) {
  for (auto& r : expected) std::sort(r.antecedent.begin(), r.antecedent.end());
  std::sort(expected.begin(), expected.end(), [](const Rule& a, const Rule& b) {
    return std::tie(a.antecedent, a.consequent) < std::tie(b.antecedent, b.consequent);
  });
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(actual[i].antecedent, expected[i].antecedent) << i;
    EXPECT_EQ(actual[i].consequent, expected[i].consequent) << i;
    EXPECT_NEAR(actual[i].confidence, expected[i].confidence, 1e-12) << i;
    EXPECT_NEAR(actual[i].lift, expected[i].lift, 1e-12) << i;
    EXPECT_NEAR(actual[i].support, expected[i].support, 1e-12) << i;
  }
}

}  // namespace fp_growth_test
using namespace fp_growth_test;

TEST(FPGrowth, SparksExampleItemsets) {
  auto ctx = brasa_test::make_context();
  auto data = ctx->parallelize(spark_transactions(), 2);
  data.cache();
  EXPECT_TRUE(sorted_itemsets(FPGrowth().min_support(0.9).fit(data)).empty());
  // min count ceil(0.5 * 6) = 3, checked by hand.
  Itemsets expected{{{"s"}, 3},
                    {{"z"}, 5},
                    {{"x"}, 4},
                    {{"t"}, 3},
                    {{"y"}, 3},
                    {{"r"}, 3},
                    {{"x", "z"}, 3},
                    {{"t", "y"}, 3},
                    {{"t", "x"}, 3},
                    {{"s", "x"}, 3},
                    {{"x", "y"}, 3},
                    {{"y", "z"}, 3},
                    {{"t", "z"}, 3},
                    {{"x", "y", "z"}, 3},
                    {{"t", "x", "z"}, 3},
                    {{"t", "y", "z"}, 3},
                    {{"t", "x", "y"}, 3},
                    {{"t", "x", "y", "z"}, 3}};
  for (int parts : {1, 2, 3, 7}) {
    SCOPED_TRACE(parts);
    auto model = FPGrowth().min_support(0.5).num_partitions(parts).fit(data);
    EXPECT_EQ(sorted_itemsets(model), expected);
    EXPECT_EQ(model.num_transactions(), 6);
    EXPECT_EQ(model.freq_items(), (std::vector<std::string>{"z", "x", "r", "s", "t", "y"}));
  }
  // Spark's counts for lower supports (min counts 2 and 1).
  EXPECT_EQ(sorted_itemsets(FPGrowth().min_support(0.3).fit(data)).size(), 54u);
  EXPECT_EQ(sorted_itemsets(FPGrowth().min_support(0.1).num_partitions(4).fit(data)).size(), 625u);
}

TEST(FPGrowth, ListsItemsFromTheLeastToTheMostFrequent) {
  auto ctx = brasa_test::make_context();
  auto model = FPGrowth().min_support(0.5).fit(ctx->parallelize(spark_transactions(), 2));
  std::set<std::vector<std::string>> itemsets;
  for (const auto& [items, count] : model.freq_itemsets().collect()) itemsets.insert(items);
  // Ranks: z, x, then the items of count 3 by name: r, s, t, y.
  EXPECT_TRUE(itemsets.count({"x", "z"}));
  EXPECT_TRUE(itemsets.count({"y", "t", "x", "z"}));
  EXPECT_TRUE(itemsets.count({"s", "x"}));
}

TEST(FPGrowth, MatchesBruteForceOnRandomTransactions) {
  auto ctx = brasa_test::make_context();
  std::mt19937_64 rng(3);
  std::vector<Transaction> transactions;
  for (int i = 0; i < 300; ++i) {
    Transaction t;
    for (int item = 0; item < 11; ++item)  // skewed: item k in about 1 / (k / 3 + 1.3) of them
      if (std::uniform_real_distribution<double>(0, 1)(rng) < 1.0 / (item / 3.0 + 1.3))
        t.push_back("i" + std::to_string(item));
    std::shuffle(t.begin(), t.end(), rng);
    transactions.push_back(t);
  }
  auto data = ctx->parallelize(transactions, 3);
  data.cache();
  for (double support : {0.05, 0.2}) {
    const auto expected = brute_force(transactions, static_cast<int64_t>(std::ceil(support * 300)));
    ASSERT_GT(expected.size(), 20u);
    for (int parts : {1, 4}) {
      SCOPED_TRACE(testing::Message() << "support " << support << ", " << parts << " partitions");
      auto model = FPGrowth().min_support(support).min_confidence(0.3).num_partitions(parts).fit(data);
      EXPECT_EQ(sorted_itemsets(model), expected);
      // Rules: every frequent itemset of 2+ items, each item as consequent.
      std::vector<Rule> rules;
      for (const auto& [items, count] : expected) {
        if (items.size() < 2) continue;
        for (const auto& y : items) {
          std::vector<std::string> x;
          for (const auto& i : items)
            if (i != y) x.push_back(i);
          const double confidence = static_cast<double>(count) / static_cast<double>(expected.at(x));
          if (confidence < 0.3) continue;
          const double support_y = static_cast<double>(expected.at({y})) / 300;
          rules.push_back(Rule{x, y, confidence, confidence / support_y, static_cast<double>(count) / 300});
        }
      }
      ASSERT_FALSE(rules.empty());
      expect_rules(sorted_rules(model), rules);
    }
  }
}

TEST(FPGrowth, SparksAssociationRules) {
  auto ctx = brasa_test::make_context();
  auto data = ctx->parallelize(split_all({"1 2", "3", "4 5", "1 2 3", "2"}), 2);
  auto model = FPGrowth().min_support(0.1).min_confidence(0.1).fit(data);
  // Spark's FPGrowthSuite "FPGrowth associationRules".
  expect_rules(sorted_rules(model), {{{"2"}, "1", 0.6666666666666666, 1.6666666666666665, 0.4},
                                     {{"2"}, "3", 0.3333333333333333, 0.8333333333333333, 0.2},
                                     {{"3"}, "1", 0.5, 1.25, 0.2},
                                     {{"3"}, "2", 0.5, 0.8333333333333334, 0.2},
                                     {{"1", "3"}, "2", 1.0, 1.6666666666666667, 0.2},
                                     {{"1", "2"}, "3", 0.5, 1.25, 0.2},
                                     {{"4"}, "5", 1.0, 5.0, 0.2},
                                     {{"5"}, "4", 1.0, 5.0, 0.2},
                                     {{"1"}, "3", 0.5, 1.25, 0.2},
                                     {{"1"}, "2", 1.0, 1.6666666666666667, 0.4},
                                     {{"3", "2"}, "1", 1.0, 2.5, 0.2}});
  // The model's min_confidence filters the same itemsets again.
  const auto all = model.association_rules().count();
  EXPECT_LT(model.min_confidence(0.8765).association_rules().count(), all);
  EXPECT_EQ(model.min_confidence(0.1).association_rules().count(), all);
  EXPECT_THROW(model.min_confidence(1.5), std::invalid_argument);
}

TEST(FPGrowth, SparksFitExample) {
  auto ctx = brasa_test::make_context();
  auto data = ctx->parallelize(split_all({"1 2", "1 2", "1 2", "1 3"}), 2);
  auto model = FPGrowth().min_support(0.5).min_confidence(0.5).fit(data);
  expect_rules(sorted_rules(model), {{{"2"}, "1", 1.0, 1.0, 0.75}, {{"1"}, "2", 0.75, 1.0, 0.75}});
  EXPECT_EQ(model.item_support(), (std::vector<double>{1.0, 0.75}));
  Itemsets expected{{{"1"}, 4}, {{"2"}, 3}, {{"1", "2"}, 3}};
  EXPECT_EQ(sorted_itemsets(FPGrowth().min_support(0.7).fit(data)), expected);
}

TEST(FPGrowth, EmptyTransactionsCountTowardsTheSupport) {
  auto ctx = brasa_test::make_context();
  auto data = ctx->parallelize(std::vector<Transaction>{{"a"}, {"a"}, {}, {}}, 2);
  EXPECT_EQ(sorted_itemsets(FPGrowth().min_support(0.5).fit(data)), (Itemsets{{{"a"}, 2}}));
  EXPECT_TRUE(sorted_itemsets(FPGrowth().min_support(0.6).fit(data)).empty());
  auto none = FPGrowth().fit(ctx->parallelize(std::vector<Transaction>{}, 2));
  EXPECT_EQ(none.num_transactions(), 0);
  EXPECT_TRUE(none.freq_itemsets().collect().empty());
  EXPECT_TRUE(none.association_rules().collect().empty());
}

TEST(FPGrowth, RejectsRepeatedItemsAndBadParameters) {
  auto ctx = brasa_test::make_context();
  try {
    FPGrowth().fit(ctx->parallelize(split_all({"a b", "a b a"}), 2));
    ADD_FAILURE() << "no error for a repeated item";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(brasa_test::contains(e.what(), "items in a transaction must be unique but got [a, b, a]")) << e.what();
  }
  EXPECT_THROW(FPGrowth().min_support(-0.1), std::invalid_argument);
  EXPECT_THROW(FPGrowth().min_support(1.1), std::invalid_argument);
  EXPECT_THROW(FPGrowth().min_confidence(2), std::invalid_argument);
  EXPECT_THROW(FPGrowth().num_partitions(0), std::invalid_argument);
  FPGrowth defaults;
  EXPECT_EQ(defaults.min_support(), 0.3);
  EXPECT_EQ(defaults.min_confidence(), 0.8);
  EXPECT_EQ(defaults.num_partitions(), 0);
}
