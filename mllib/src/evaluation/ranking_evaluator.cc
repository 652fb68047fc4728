#include "brasa/mllib/evaluation/ranking_evaluator.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace ranking_evaluator_impl {

using Ids = RankingEvaluator::Ids;
using Query = RankingEvaluator::Query;
using GradedQuery = RankingEvaluator::GradedQuery;

// The sum and number of per-query values, and how many queries had no
// relevant ids or an ideal DCG of 0 (for the warnings).
struct MeanOfQueries {
  double sum = 0;
  int64_t count = 0;
  int64_t no_relevant = 0;
  int64_t zero_ideal = 0;
};

// Spark's lab.toSet, as a sorted vector.
Ids id_set(const Ids& ids) {
  Ids s = ids;
  std::sort(s.begin(), s.end());
  s.erase(std::unique(s.begin(), s.end()), s.end());
  return s;
}

// 0, the value of a query without relevant ids (or ideal DCG), after counting it.
double counted(int64_t& queries) {
  ++queries;
  return 0.0;
}

bool contains(const Ids& set, int32_t id) { return std::binary_search(set.begin(), set.end(), id); }

// Relevant predictions among the first k.
int64_t hits_at(const Ids& predicted, const Ids& relevant, int k) {
  const size_t n = std::min(predicted.size(), static_cast<size_t>(k));
  int64_t hits = 0;
  for (size_t i = 0; i < n; ++i)
    if (contains(relevant, predicted[i])) ++hits;
  return hits;
}

struct PrecisionAt {
  int k;
  double operator()(const Query& q, MeanOfQueries& m) const {
    const Ids relevant = id_set(q.second);
    if (relevant.empty()) return counted(m.no_relevant);
    return static_cast<double>(hits_at(q.first, relevant, k)) / k;
  }
};

struct RecallAt {
  int k;
  double operator()(const Query& q, MeanOfQueries& m) const {
    const Ids relevant = id_set(q.second);
    if (relevant.empty()) return counted(m.no_relevant);
    return static_cast<double>(hits_at(q.first, relevant, k)) / static_cast<double>(relevant.size());
  }
};

// Average precision at k; k = 0 for max(#predicted, #relevant) (plain MAP).
struct AveragePrecisionAt {
  int k;
  double operator()(const Query& q, MeanOfQueries& m) const {
    const Ids relevant = id_set(q.second);
    if (relevant.empty()) return counted(m.no_relevant);
    const size_t at = k > 0 ? static_cast<size_t>(k) : std::max(q.first.size(), relevant.size());
    const size_t n = std::min(at, q.first.size());
    int64_t hits = 0;
    double sum = 0;
    for (size_t i = 0; i < n; ++i)
      if (contains(relevant, q.first[i])) sum += static_cast<double>(++hits) / static_cast<double>(i + 1);
    return sum / static_cast<double>(std::min(relevant.size(), at));
  }
};

struct BinaryNdcgAt {
  int k;
  double operator()(const Query& q, MeanOfQueries& m) const {
    const Ids relevant = id_set(q.second);
    if (relevant.empty()) return counted(m.no_relevant);
    const Ids& predicted = q.first;
    const size_t n = std::min(std::max(predicted.size(), relevant.size()), static_cast<size_t>(k));
    double dcg = 0, ideal = 0;
    for (size_t i = 0; i < n; ++i) {
      const double gain = 1.0 / std::log(static_cast<double>(i) + 2.0);
      if (i < predicted.size() && contains(relevant, predicted[i])) dcg += gain;
      if (i < relevant.size()) ideal += gain;
    }
    return dcg / ideal;
  }
};

struct GradedNdcgAt {
  int k;
  double operator()(const GradedQuery& q, MeanOfQueries& m) const {
    std::unordered_map<int32_t, double> relevance;
    for (const auto& [id, r] : q.second) relevance[id] = r;  // the last one of a repeated id
    if (relevance.empty()) return counted(m.no_relevant);
    auto gain_of = [&](int32_t id) {
      auto it = relevance.find(id);
      return std::pow(2.0, it == relevance.end() ? 0.0 : it->second) - 1.0;
    };
    const Ids& predicted = q.first;
    const size_t distinct = relevance.size();
    const size_t n = std::min(std::max(predicted.size(), distinct), static_cast<size_t>(k));
    double dcg = 0, ideal = 0;
    for (size_t i = 0; i < n; ++i) {
      const double discount = std::log(static_cast<double>(i) + 2.0);
      if (i < predicted.size()) dcg += gain_of(predicted[i]) / discount;
      if (i < distinct) ideal += gain_of(q.second[i].first) / discount;  // in the order given, as Spark
    }
    if (ideal == 0.0) return counted(m.zero_ideal);
    return dcg / ideal;
  }
};

template <class Metric, class Q> struct AddQuery {
  Metric metric;
  MeanOfQueries operator()(MeanOfQueries acc, const Q& q) const {
    acc.sum += metric(q, acc);
    ++acc.count;
    return acc;
  }
};

struct MergeMeans {
  MeanOfQueries operator()(MeanOfQueries a, const MeanOfQueries& b) const {
    a.sum += b.sum;
    a.count += b.count;
    a.no_relevant += b.no_relevant;
    a.zero_ideal += b.zero_ideal;
    return a;
  }
};

void check_k(int k) {
  if (k <= 0)
    throw std::invalid_argument(fmt::format("RankingEvaluator: ranking position k should be positive, got {}", k));
}

template <class Metric, class Q> double mean_over(const RDD<Q>& queries, Metric metric) {
  MeanOfQueries m = queries.tree_aggregate(MeanOfQueries{}, AddQuery<Metric, Q>{metric}, MergeMeans{});
  if (m.count == 0) throw std::invalid_argument("RankingEvaluator: there are no queries");
  if (m.no_relevant > 0)
    spdlog::warn("RankingEvaluator: {} of {} queries have an empty ground truth set (no relevant ids); they count 0",
                 m.no_relevant, m.count);
  if (m.zero_ideal > 0)
    spdlog::warn("RankingEvaluator: {} of {} queries have a ground truth set whose relevance is all 0; they count 0",
                 m.zero_ideal, m.count);
  return m.sum / static_cast<double>(m.count);
}

}  // namespace ranking_evaluator_impl
using namespace ranking_evaluator_impl;

double RankingEvaluator::precision_at(const RDD<Query>& queries, int k) const {
  check_k(k);
  return mean_over(queries, PrecisionAt{k});
}

double RankingEvaluator::recall_at(const RDD<Query>& queries, int k) const {
  check_k(k);
  return mean_over(queries, RecallAt{k});
}

double RankingEvaluator::mean_average_precision(const RDD<Query>& queries) const {
  return mean_over(queries, AveragePrecisionAt{0});
}

double RankingEvaluator::mean_average_precision_at(const RDD<Query>& queries, int k) const {
  check_k(k);
  return mean_over(queries, AveragePrecisionAt{k});
}

double RankingEvaluator::ndcg_at(const RDD<Query>& queries, int k) const {
  check_k(k);
  return mean_over(queries, BinaryNdcgAt{k});
}

double RankingEvaluator::ndcg_at(const RDD<GradedQuery>& queries, int k) const {
  check_k(k);
  return mean_over(queries, GradedNdcgAt{k});
}

}  // namespace brasa::mllib
