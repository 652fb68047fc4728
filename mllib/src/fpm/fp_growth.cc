#include "brasa/mllib/fpm/fp_growth.h"
#include "brasa/util/single.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <stdexcept>
#include <unordered_map>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "util/checks.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace fp_growth_impl {

using RankedItemset = std::pair<std::vector<int32_t>, int64_t>;

// ---- Counting and checking the transactions ---------------------------------

struct TransactionCount {
  int64_t n = 0;
  std::string error;  // the first transaction with a repeated item
  template <class Ar> void serialize(Ar& ar) { ar(n, error); }
};

std::string shown(const std::vector<std::string>& t) {
  std::string out = "[";
  for (size_t i = 0; i < t.size() && i < 20; ++i) out += (i ? ", " : "") + t[i];
  return out + (t.size() > 20 ? ", ...]" : "]");
}

struct CountTransaction {
  TransactionCount operator()(TransactionCount acc, const std::vector<std::string>& t) const {
    ++acc.n;
    if (acc.error.empty() && t.size() > 1) {
      std::vector<const std::string*> sorted;
      sorted.reserve(t.size());
      for (const auto& item : t) sorted.push_back(&item);
      std::sort(sorted.begin(), sorted.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
      for (size_t i = 1; i < sorted.size(); ++i)
        if (*sorted[i - 1] == *sorted[i]) {
          acc.error = "FPGrowth: items in a transaction must be unique but got " + shown(t);
          break;
        }
    }
    return acc;
  }
};

struct AddTransactionCounts {
  TransactionCount operator()(TransactionCount a, const TransactionCount& b) const {
    a.n += b.n;
    if (a.error.empty()) a.error = b.error;
    return a;
  }
};

struct ItemOnes {
  std::vector<std::pair<std::string, int64_t>> operator()(const std::vector<std::string>& t) const {
    std::vector<std::pair<std::string, int64_t>> out;
    out.reserve(t.size());
    for (const auto& item : t) out.emplace_back(item, 1);
    return out;
  }
};

struct AddCounts {
  int64_t operator()(int64_t a, int64_t b) const { return a + b; }
};

struct AtLeast {
  int64_t min_count;
  bool operator()(const std::pair<std::string, int64_t>& c) const { return c.second >= min_count; }
};

// ---- Conditional transactions -----------------------------------------------

// Spark's genCondTransactions: the transaction's frequent items as ranks,
// ascending; for each group (rank mod num_groups), the prefix ending at the
// group's highest rank in it.
struct ToConditionalTransactions {
  std::unordered_map<std::string, int32_t> rank;
  int32_t num_groups = 1;
  template <class Ar> void serialize(Ar& ar) { ar(rank, num_groups); }

  std::vector<std::pair<int32_t, std::vector<int32_t>>> operator()(const std::vector<std::string>& t) const {
    std::vector<int32_t> ranks;
    ranks.reserve(t.size());
    for (const auto& item : t) {
      auto it = rank.find(item);
      if (it != rank.end()) ranks.push_back(it->second);
    }
    std::sort(ranks.begin(), ranks.end());
    std::vector<std::pair<int32_t, std::vector<int32_t>>> out;
    std::vector<int32_t> sent;
    for (size_t i = ranks.size(); i-- > 0;) {
      const int32_t group = ranks[i] % num_groups;
      if (std::find(sent.begin(), sent.end(), group) != sent.end()) continue;
      sent.push_back(group);
      out.emplace_back(group, std::vector<int32_t>(ranks.begin(), ranks.begin() + static_cast<std::ptrdiff_t>(i) + 1));
    }
    return out;
  }
};

// ---- FP-tree ----------------------------------------------------------------

// A prefix tree of rank-sorted transactions with counts, as parallel arrays
// (node 0 is the root; a parent precedes its children). The child index is
// rebuilt after decoding.
struct FPTree {
  std::vector<int32_t> item{-1};
  std::vector<int32_t> parent{-1};
  std::vector<int64_t> count{0};
  mutable std::unordered_map<uint64_t, int32_t> children;  // (parent, item) -> node

  template <class Ar> void serialize(Ar& ar) { ar(item, parent, count); }
  size_t heap_bytes() const {
    return item.capacity() * sizeof(int32_t) * 2 + count.capacity() * sizeof(int64_t) + children.size() * 40;
  }

  static uint64_t key(int32_t node, int32_t it) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(node)) << 32) | static_cast<uint32_t>(it);
  }
  int32_t child(int32_t node, int32_t it) {
    if (children.size() + 1 != item.size()) {
      children.clear();
      for (size_t i = 1; i < item.size(); ++i) children.emplace(key(parent[i], item[i]), static_cast<int32_t>(i));
    }
    auto [pos, added] = children.try_emplace(key(node, it), static_cast<int32_t>(item.size()));
    if (added) {
      item.push_back(it);
      parent.push_back(node);
      count.push_back(0);
    }
    return pos->second;
  }
  void add(const std::vector<int32_t>& t, int64_t c) {
    count[0] += c;
    int32_t node = 0;
    for (int32_t it : t) {
      node = child(node, it);
      count[static_cast<size_t>(node)] += c;
    }
  }
  void merge(const FPTree& other) {
    std::vector<int32_t> mapped(other.item.size(), 0);
    count[0] += other.count[0];
    for (size_t i = 1; i < other.item.size(); ++i) {
      mapped[i] = child(mapped[static_cast<size_t>(other.parent[i])], other.item[i]);
      count[static_cast<size_t>(mapped[i])] += other.count[i];
    }
  }
};

struct NewTree {
  FPTree operator()(std::vector<int32_t>&& t) const {
    FPTree tree;
    tree.add(t, 1);
    return tree;
  }
};
struct AddToTree {
  void operator()(FPTree& tree, std::vector<int32_t>&& t) const { tree.add(t, 1); }
};
struct MergeTrees {
  void operator()(FPTree& a, FPTree&& b) const {
    if (a.item.size() < b.item.size()) std::swap(a, b);
    a.merge(b);
  }
};

// Spark's FPTree.extract: for each item (ascending rank here) whose total
// count reaches min_count and that passes the group test (group < 0: no
// test), the itemset suffix + item, then the same in the tree of the
// item's prefix paths.
void mine(const FPTree& tree, int64_t min_count, int32_t group, int32_t num_groups, std::vector<int32_t>& suffix,
          std::vector<RankedItemset>& out) {
  std::map<int32_t, std::pair<int64_t, std::vector<int32_t>>> summaries;
  for (size_t i = 1; i < tree.item.size(); ++i) {
    auto& s = summaries[tree.item[i]];
    s.first += tree.count[i];
    s.second.push_back(static_cast<int32_t>(i));
  }
  std::vector<int32_t> path;
  for (const auto& [it, s] : summaries) {
    if (group >= 0 && it % num_groups != group) continue;
    if (s.first < min_count) continue;
    suffix.push_back(it);
    out.emplace_back(suffix, s.first);
    FPTree projected;
    for (int32_t node : s.second) {
      path.clear();
      for (int32_t p = tree.parent[static_cast<size_t>(node)]; p > 0; p = tree.parent[static_cast<size_t>(p)])
        path.push_back(tree.item[static_cast<size_t>(p)]);
      if (path.empty()) continue;
      std::reverse(path.begin(), path.end());
      projected.add(path, tree.count[static_cast<size_t>(node)]);
    }
    if (projected.item.size() > 1) mine(projected, min_count, -1, num_groups, suffix, out);
    suffix.pop_back();
  }
}

struct MineGroup {
  int64_t min_count;
  int32_t num_groups;
  std::vector<RankedItemset> operator()(const std::pair<int32_t, FPTree>& g) const {
    std::vector<RankedItemset> out;
    std::vector<int32_t> suffix;
    mine(g.second, min_count, g.first, num_groups, suffix, out);
    return out;
  }
};

// ---- Itemsets and rules -----------------------------------------------------

struct ToItems {
  std::vector<std::string> items;  // by rank
  template <class Ar> void serialize(Ar& ar) { ar(items); }
  std::pair<std::vector<std::string>, int64_t> operator()(const RankedItemset& s) const {
    std::vector<std::string> out;
    out.reserve(s.first.size());
    for (int32_t r : s.first) out.push_back(items[static_cast<size_t>(r)]);
    return {std::move(out), s.second};
  }
};

// The itemset whatever its order, as a join key.
std::string canonical(std::vector<int32_t> ranks) {
  std::sort(ranks.begin(), ranks.end());
  std::string key(ranks.size() * sizeof(int32_t), '\0');
  if (!ranks.empty()) std::memcpy(key.data(), ranks.data(), key.size());
  return key;
}

// (antecedent, consequent rank, freq of the union).
using Candidate = std::pair<std::vector<int32_t>, std::pair<int32_t, int64_t>>;

struct RuleCandidates {
  std::vector<std::pair<std::string, Candidate>> operator()(const RankedItemset& s) const {
    std::vector<std::pair<std::string, Candidate>> out;
    if (s.first.size() < 2) return out;
    for (size_t j = 0; j < s.first.size(); ++j) {
      std::vector<int32_t> antecedent;
      antecedent.reserve(s.first.size() - 1);
      for (size_t i = 0; i < s.first.size(); ++i)
        if (i != j) antecedent.push_back(s.first[i]);
      std::string key = canonical(antecedent);
      out.emplace_back(std::move(key), Candidate{std::move(antecedent), {s.first[j], s.second}});
    }
    return out;
  }
};

struct KeyedItemset {
  std::pair<std::string, int64_t> operator()(const RankedItemset& s) const { return {canonical(s.first), s.second}; }
};

struct MakeRule {
  std::vector<std::string> items;  // by rank
  std::vector<int64_t> item_counts;
  int64_t n = 0;
  double min_confidence = 0;
  template <class Ar> void serialize(Ar& ar) { ar(items, item_counts, n, min_confidence); }

  std::vector<AssociationRule> operator()(const std::pair<std::string, std::pair<Candidate, int64_t>>& joined) const {
    const auto& [candidate, freq_antecedent] = joined.second;
    const auto& [antecedent, consequent] = candidate;
    const double freq_union = static_cast<double>(consequent.second);
    AssociationRule rule;
    rule.confidence = freq_union / static_cast<double>(freq_antecedent);
    if (!(rule.confidence >= min_confidence)) return {};
    const double item_support =
        static_cast<double>(item_counts[static_cast<size_t>(consequent.first)]) / static_cast<double>(n);
    rule.lift = rule.confidence / item_support;
    rule.support = freq_union / static_cast<double>(n);
    for (int32_t r : antecedent) rule.antecedent.push_back(items[static_cast<size_t>(r)]);
    rule.consequent.push_back(items[static_cast<size_t>(consequent.first)]);
    return single(std::move(rule));
  }
};

void check(bool ok, const char* who, const char* param, const char* rule, double value) {
  detail::check_param(ok, who, param, rule, value);
}

}  // namespace fp_growth_impl
using namespace fp_growth_impl;

RDD<std::pair<std::vector<std::string>, int64_t>> FPGrowthModel::freq_itemsets() const {
  return ranked_.map(ToItems{items_});
}

RDD<AssociationRule> FPGrowthModel::association_rules() const {
  auto candidates = ranked_.flat_map(RuleCandidates{});
  auto antecedents = ranked_.map(KeyedItemset{});
  return candidates.join(antecedents).flat_map(MakeRule{items_, item_counts_, num_transactions_, min_confidence_});
}

FPGrowthModel& FPGrowthModel::min_confidence(double v) {
  check(v >= 0 && v <= 1, "FPGrowthModel", "min_confidence", "in [0, 1]", v);
  min_confidence_ = v;
  return *this;
}

std::vector<double> FPGrowthModel::item_support() const {
  std::vector<double> out;
  out.reserve(item_counts_.size());
  for (int64_t c : item_counts_) out.push_back(static_cast<double>(c) / static_cast<double>(num_transactions_));
  return out;
}

FPGrowth& FPGrowth::min_support(double v) {
  check(v >= 0 && v <= 1, "FPGrowth", "min_support", "in [0, 1]", v);
  min_support_ = v;
  return *this;
}

FPGrowth& FPGrowth::min_confidence(double v) {
  check(v >= 0 && v <= 1, "FPGrowth", "min_confidence", "in [0, 1]", v);
  min_confidence_ = v;
  return *this;
}

FPGrowth& FPGrowth::num_partitions(int v) {
  check(v >= 1, "FPGrowth", "num_partitions", "at least 1", v);
  num_partitions_ = v;
  return *this;
}

FPGrowthModel FPGrowth::fit(const RDD<std::vector<std::string>>& transactions) const {
  auto counted = transactions.aggregate(TransactionCount{}, CountTransaction{}, AddTransactionCounts{});
  if (!counted.error.empty()) throw std::invalid_argument(counted.error);
  const int64_t n = counted.n;
  const int64_t min_count = static_cast<int64_t>(std::ceil(min_support_ * static_cast<double>(n)));
  const int32_t groups = num_partitions_ > 0 ? num_partitions_ : std::max(1, transactions.num_partitions());

  auto counts = transactions.flat_map(ItemOnes{})
                    .reduce_by_key(AddCounts{}, groups)
                    .filter(AtLeast{min_count})
                    .collect();
  std::sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });

  FPGrowthModel model;
  model.num_transactions_ = n;
  model.min_confidence_ = min_confidence_;
  ToConditionalTransactions conditional;
  conditional.num_groups = groups;
  for (auto& [item, count] : counts) {
    conditional.rank.emplace(item, static_cast<int32_t>(model.items_.size()));
    model.items_.push_back(std::move(item));
    model.item_counts_.push_back(count);
  }
  spdlog::info("FPGrowth: {} transactions, {} frequent items (min count {}), {} groups", n, model.items_.size(),
               min_count, groups);
  model.ranked_ = transactions.flat_map(std::move(conditional))
                      .combine_in_place(NewTree{}, AddToTree{}, MergeTrees{}, Partitioner::direct(groups), "FPGrowth",
                                        CallSite::current())
                      .flat_map(MineGroup{min_count, groups});
  model.ranked_.persist();
  return model;
}

}  // namespace brasa::mllib
