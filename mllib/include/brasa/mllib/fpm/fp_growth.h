// Frequent itemsets and association rules by parallel FP-growth, as Spark
// ML's FPGrowth (Li et al.'s PFP):
//
//   auto model = FPGrowth().min_support(0.5).min_confidence(0.8).fit(baskets);
//   auto itemsets = model.freq_itemsets().collect();     // (items, count)
//   auto rules = model.association_rules().collect();    // {a, b} => {c}
//
// fit counts the transactions (n; empty ones included) and each item's
// transactions; an itemset is frequent when it is in at least
// ceil(min_support * n) of them. The frequent items, ranked by decreasing
// count (ties by item), are spread over num_partitions groups (rank mod
// num_partitions); each transaction sends, to the group of each of its
// frequent items, the prefix of its rank-sorted frequent items ending with
// the last one of that group, and each group mines an FP-tree of what it
// received for the itemsets whose least frequent item is in the group.
//
// Items in a transaction must be distinct (std::invalid_argument otherwise,
// as Spark's error). An itemset lists its items from the least to the most
// frequent (Spark's order). The itemsets are cached when fit returns and
// computed by the first job that reads them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

// antecedent => consequent (one item), as Spark 3's rules.
struct AssociationRule {
  std::vector<std::string> antecedent;
  std::vector<std::string> consequent;
  double confidence = 0;  // freq(antecedent + consequent) / freq(antecedent)
  double lift = 0;        // confidence / support of the consequent item
  double support = 0;     // freq(antecedent + consequent) / n

  bool operator==(const AssociationRule&) const = default;
  template <class Ar> void serialize(Ar& ar) { ar(antecedent, consequent, confidence, lift, support); }
};

class FPGrowthModel {
 public:
  // (itemset, number of transactions containing it), every frequent itemset once.
  RDD<std::pair<std::vector<std::string>, int64_t>> freq_itemsets() const;

  // Rules X => {y} for frequent X + {y}, X not empty, whose confidence is
  // at least min_confidence (lazy: computed by the job that reads them).
  RDD<AssociationRule> association_rules() const;

  // Spark's FPGrowthModel.setMinConfidence: in [0, 1].
  FPGrowthModel& min_confidence(double v);
  double min_confidence() const { return min_confidence_; }

  int64_t num_transactions() const { return num_transactions_; }
  // The frequent items by decreasing count, and their supports (count / n).
  const std::vector<std::string>& freq_items() const { return items_; }
  std::vector<double> item_support() const;

 private:
  friend class FPGrowth;
  std::vector<std::string> items_;   // by rank
  std::vector<int64_t> item_counts_;  // by rank
  int64_t num_transactions_ = 0;
  double min_confidence_ = 0.8;
  RDD<std::pair<std::vector<int32_t>, int64_t>> ranked_;  // itemsets as ranks
};

class FPGrowth {
 public:
  // Setters check their argument (std::invalid_argument naming it).
  FPGrowth& min_support(double v);     // in [0, 1], default 0.3
  FPGrowth& min_confidence(double v);  // in [0, 1], default 0.8
  FPGrowth& num_partitions(int v);     // >= 1; default (0): the input's

  double min_support() const { return min_support_; }
  double min_confidence() const { return min_confidence_; }
  int num_partitions() const { return num_partitions_; }

  FPGrowthModel fit(const RDD<std::vector<std::string>>& transactions) const;

 private:
  double min_support_ = 0.3;
  double min_confidence_ = 0.8;
  int num_partitions_ = 0;
};

}  // namespace brasa::mllib
