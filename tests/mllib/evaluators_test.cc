#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "brasa/mllib/evaluation/clustering_evaluator.h"
#include "brasa/mllib/evaluation/multiclass_classification_evaluator.h"
#include "brasa/mllib/evaluation/ranking_evaluator.h"
#include "test_util.h"

using brasa::mllib::ClusteringEvaluator;
using brasa::mllib::DenseMatrix;
using brasa::mllib::DenseVector;
using brasa::mllib::MulticlassClassificationEvaluator;
using brasa::mllib::MulticlassMetrics;
using brasa::mllib::RankingEvaluator;
using brasa::mllib::Vector;

namespace {

using Query = RankingEvaluator::Query;
using GradedQuery = RankingEvaluator::GradedQuery;
using PointAndCluster = ClusteringEvaluator::PointAndCluster;

// Spark's RankingMetricsSuite queries: 5 relevant ids, 3, and none.
std::vector<Query> sparks_queries() {
  return {{{1, 6, 2, 7, 8, 3, 9, 10, 4, 5}, {1, 2, 3, 4, 5}},
          {{4, 1, 5, 6, 2, 7, 3, 8, 9, 10}, {1, 2, 3}},
          {{1, 2, 3, 4, 5}, {}}};
}

// The mean silhouette by its definition, over all pairs of points.
double all_pairs_silhouette(const std::vector<PointAndCluster>& points) {
  double total = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    const DenseVector x = points[i].first.to_dense();
    std::map<int, std::pair<double, int>> by_cluster;  // sum of distances, number of other points
    for (size_t j = 0; j < points.size(); ++j) {
      if (j == i) continue;
      auto& c = by_cluster[points[j].second];
      c.first += (x - points[j].first.to_dense()).squaredNorm();
      c.second += 1;
    }
    const auto own = by_cluster.find(points[i].second);
    if (own == by_cluster.end()) continue;  // alone in its cluster: 0
    const double a = own->second.first / own->second.second;
    double b = std::numeric_limits<double>::infinity();
    for (const auto& [id, c] : by_cluster)
      if (id != points[i].second) b = std::min(b, c.first / c.second);
    if (a != b) total += (b - a) / std::max(a, b);
  }
  return total / static_cast<double>(points.size());
}

}  // namespace

// Spark's MulticlassMetricsSuite example. Confusion matrix (rows: labels):
//   |2|1|1|   label 0, 4 rows
//   |1|3|0|   label 1, 4 rows
//   |0|0|1|   label 2, 1 row
TEST(MulticlassClassificationEvaluator, MetricsOfSparksExample) {
  auto ctx = brasa_test::make_context();
  // (prediction, label)
  std::vector<std::pair<double, double>> p{{0, 0}, {0, 1}, {0, 0}, {1, 0}, {1, 1}, {1, 1}, {1, 1}, {2, 2}, {2, 0}};
  MulticlassMetrics m = MulticlassClassificationEvaluator().evaluate(ctx->parallelize(p, 2));
  EXPECT_EQ(m.labels(), (std::vector<double>{0, 1, 2}));
  DenseMatrix confusion(3, 3);
  confusion << 2, 1, 1, 1, 3, 0, 0, 0, 1;
  EXPECT_EQ(m.confusion_matrix(), confusion);
  EXPECT_EQ(m.count(), 9);
  const double precision[] = {2.0 / 3, 3.0 / 4, 1.0 / 2}, recall[] = {2.0 / 4, 3.0 / 4, 1.0 / 1};
  const double fpr[] = {1.0 / 5, 1.0 / 5, 1.0 / 8}, share[] = {4.0 / 9, 4.0 / 9, 1.0 / 9};
  double weighted_p = 0, weighted_r = 0, weighted_f1 = 0, weighted_f2 = 0, weighted_fpr = 0;
  for (int l = 0; l < 3; ++l) {
    const double f1 = 2 * precision[l] * recall[l] / (precision[l] + recall[l]);
    const double f2 = 5 * precision[l] * recall[l] / (4 * precision[l] + recall[l]);
    EXPECT_DOUBLE_EQ(m.precision(l), precision[l]) << l;
    EXPECT_DOUBLE_EQ(m.recall(l), recall[l]) << l;
    EXPECT_DOUBLE_EQ(m.true_positive_rate(l), recall[l]) << l;
    EXPECT_DOUBLE_EQ(m.false_positive_rate(l), fpr[l]) << l;
    EXPECT_DOUBLE_EQ(m.f_measure(l), f1) << l;
    EXPECT_DOUBLE_EQ(m.f_measure(l, 2.0), f2) << l;
    weighted_p += precision[l] * share[l];
    weighted_r += recall[l] * share[l];
    weighted_f1 += f1 * share[l];
    weighted_f2 += f2 * share[l];
    weighted_fpr += fpr[l] * share[l];
  }
  EXPECT_DOUBLE_EQ(m.accuracy(), 6.0 / 9);
  EXPECT_DOUBLE_EQ(m.hamming_loss(), 3.0 / 9);
  EXPECT_DOUBLE_EQ(m.weighted_precision(), weighted_p);
  EXPECT_DOUBLE_EQ(m.weighted_recall(), weighted_r);
  EXPECT_DOUBLE_EQ(m.weighted_recall(), m.accuracy());  // always, for single-label data
  EXPECT_DOUBLE_EQ(m.weighted_true_positive_rate(), weighted_r);
  EXPECT_DOUBLE_EQ(m.weighted_f_measure(), weighted_f1);
  EXPECT_DOUBLE_EQ(m.weighted_f_measure(2.0), weighted_f2);
  EXPECT_DOUBLE_EQ(m.weighted_false_positive_rate(), weighted_fpr);
}

// Label 2 is never predicted (precision 0, as Spark's, and F 0); 3 is
// predicted but is no label, so it has no row or column.
TEST(MulticlassClassificationEvaluator, UnpredictedLabelsAndUnknownPredictions) {
  auto ctx = brasa_test::make_context();
  std::vector<std::pair<double, double>> p{{0, 0}, {0, 0}, {1, 1}, {0, 2}, {3, 2}, {3, 1}};
  MulticlassMetrics m = MulticlassClassificationEvaluator().evaluate(ctx->parallelize(p, 3));
  EXPECT_EQ(m.labels(), (std::vector<double>{0, 1, 2}));
  DenseMatrix confusion(3, 3);
  confusion << 2, 0, 0, 0, 1, 0, 1, 0, 0;
  EXPECT_EQ(m.confusion_matrix(), confusion);
  EXPECT_EQ(m.precision(2), 0.0);
  EXPECT_EQ(m.recall(2), 0.0);
  EXPECT_EQ(m.f_measure(2), 0.0);
  EXPECT_DOUBLE_EQ(m.precision(0), 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.recall(1), 0.5);
  EXPECT_DOUBLE_EQ(m.false_positive_rate(0), 1.0 / 4);
  EXPECT_DOUBLE_EQ(m.accuracy(), 3.0 / 6);
  // (2/3 * 2 + 1 * 2 + 0 * 2) / 6
  EXPECT_DOUBLE_EQ(m.weighted_precision(), (4.0 / 3 + 2.0) / 6);
  EXPECT_THROW(m.precision(3), std::invalid_argument);
  EXPECT_THROW(m.recall(7), std::invalid_argument);
  MulticlassClassificationEvaluator e;
  EXPECT_THROW(e.evaluate(ctx->parallelize(std::vector<std::pair<double, double>>{}, 2)), std::invalid_argument);
  EXPECT_THROW(MulticlassClassificationEvaluator().evaluate(ctx->parallelize(
                   std::vector<std::pair<double, double>>{{std::numeric_limits<double>::quiet_NaN(), 1}}, 1)),
               std::invalid_argument);
}

// Spark's RankingMetricsSuite values; the third query has no relevant ids
// and counts 0. By hand, precision@2: (1/2 + 1/2 + 0) / 3; MAP: the first
// query's hits at 1, 3, 6, 9, 10 give (1 + 2/3 + 3/6 + 4/9 + 5/10) / 5, the
// second's at 2, 5, 7 give (1/2 + 2/5 + 3/7) / 3.
TEST(RankingEvaluator, MetricsOfSparksExample) {
  auto ctx = brasa_test::make_context();
  for (int parts : {1, 2}) {
    auto q = ctx->parallelize(sparks_queries(), parts);
    RankingEvaluator e;
    const double eps = 1e-12;
    EXPECT_NEAR(e.precision_at(q, 1), 1.0 / 3, eps);
    EXPECT_NEAR(e.precision_at(q, 2), (0.5 + 0.5) / 3, eps);
    EXPECT_NEAR(e.precision_at(q, 3), 1.0 / 3, eps);
    EXPECT_NEAR(e.precision_at(q, 4), 0.75 / 3, eps);
    EXPECT_NEAR(e.precision_at(q, 5), 0.8 / 3, eps);
    EXPECT_NEAR(e.precision_at(q, 10), 0.8 / 3, eps);
    EXPECT_NEAR(e.precision_at(q, 15), 8.0 / 45, eps);
    const double map = ((1 + 2.0 / 3 + 3.0 / 6 + 4.0 / 9 + 5.0 / 10) / 5 + (0.5 + 2.0 / 5 + 3.0 / 7) / 3) / 3;
    EXPECT_NEAR(e.mean_average_precision(q), map, eps);
    EXPECT_NEAR(e.mean_average_precision(q), 0.355026, 1e-6);
    EXPECT_NEAR(e.mean_average_precision_at(q, 1), 1.0 / 3, eps);
    EXPECT_NEAR(e.mean_average_precision_at(q, 2), 0.25, eps);  // (1/2 + (1/2)/2) / 3
    EXPECT_NEAR(e.mean_average_precision_at(q, 3), ((1 + 2.0 / 3) / 3 + 0.5 / 3) / 3, eps);
    EXPECT_NEAR(e.ndcg_at(q, 3), 1.0 / 3, eps);
    EXPECT_NEAR(e.ndcg_at(q, 5), 0.328788, 1e-6);
    EXPECT_NEAR(e.ndcg_at(q, 10), 0.487913, 1e-6);
    EXPECT_NEAR(e.ndcg_at(q, 15), e.ndcg_at(q, 10), eps);
    EXPECT_NEAR(e.recall_at(q, 1), 1.0 / 15, eps);
    EXPECT_NEAR(e.recall_at(q, 2), 8.0 / 45, eps);
    EXPECT_NEAR(e.recall_at(q, 3), 11.0 / 45, eps);
    EXPECT_NEAR(e.recall_at(q, 5), 16.0 / 45, eps);
    EXPECT_NEAR(e.recall_at(q, 10), 2.0 / 3, eps);
    EXPECT_THROW(e.precision_at(q, 0), std::invalid_argument);
    EXPECT_THROW(e.ndcg_at(q, -1), std::invalid_argument);
  }
  EXPECT_THROW(RankingEvaluator().precision_at(ctx->parallelize(std::vector<Query>{}, 1), 1), std::invalid_argument);
}

// NDCG@3 of the first query by hand: hits at positions 0 and 2 of 3, all
// three ideal positions relevant.
TEST(RankingEvaluator, BinaryNdcgByHand) {
  auto ctx = brasa_test::make_context();
  auto q = ctx->parallelize(std::vector<Query>{sparks_queries()[0]}, 1);
  const double dcg = 1 / std::log(2.0) + 1 / std::log(4.0);
  const double ideal = 1 / std::log(2.0) + 1 / std::log(3.0) + 1 / std::log(4.0);
  EXPECT_NEAR(RankingEvaluator().ndcg_at(q, 3), dcg / ideal, 1e-14);
  // Fewer predictions than relevant ids: n = |R| positions, of which only the predicted can score.
  auto short_list = ctx->parallelize(std::vector<Query>{{{9, 1}, {1, 2, 3}}}, 1);
  EXPECT_NEAR(RankingEvaluator().ndcg_at(short_list, 10),
              (1 / std::log(3.0)) / (1 / std::log(2.0) + 1 / std::log(3.0) + 1 / std::log(4.0)), 1e-14);
  EXPECT_NEAR(RankingEvaluator().precision_at(short_list, 10), 0.1, 1e-14);  // divided by k, not by 2
  EXPECT_NEAR(RankingEvaluator().mean_average_precision_at(short_list, 1), 0.0, 1e-14);
  EXPECT_NEAR(RankingEvaluator().mean_average_precision_at(short_list, 2), (1.0 / 2) / 2, 1e-14);  // min(|R|, k) = 2
}

// Graded relevance, gain 2^rel - 1 (Spark 3.4's example, whose second query
// has relevance 2, 0, 0 and third none); NDCG@3 of the first query by hand.
TEST(RankingEvaluator, GradedNdcg) {
  auto ctx = brasa_test::make_context();
  std::vector<GradedQuery> graded{
      {{1, 6, 2, 7, 8, 3, 9, 10, 4, 5}, {{1, 3.0}, {2, 2.0}, {3, 1.0}, {4, 1.0}, {5, 1.0}}},
      {{4, 1, 5, 6, 2, 7, 3, 8, 9, 10}, {{1, 2.0}, {2, 0.0}, {3, 0.0}}},
      {{1, 2, 3, 4, 5}, {}}};
  auto q = ctx->parallelize(graded, 2);
  RankingEvaluator e;
  EXPECT_NEAR(e.ndcg_at(q, 3), 0.511959, 1e-6);
  EXPECT_NEAR(e.ndcg_at(q, 5), 0.487806, 1e-6);
  EXPECT_NEAR(e.ndcg_at(q, 10), 0.518700, 1e-6);
  const double first =
      (7 / std::log(2.0) + 3 / std::log(4.0)) / (7 / std::log(2.0) + 3 / std::log(3.0) + 1 / std::log(4.0));
  const double second = (3 / std::log(3.0)) / (3 / std::log(2.0));
  EXPECT_NEAR(e.ndcg_at(q, 3), (first + second) / 3, 1e-14);
  // As Spark: the ideal DCG takes the relevant ids in the order given, so an
  // order other than by decreasing relevance can give more than 1.
  auto unordered = ctx->parallelize(std::vector<GradedQuery>{{{2, 1}, {{1, 1.0}, {2, 3.0}}}}, 1);
  const double inverted = (7 / std::log(2.0) + 1 / std::log(3.0)) / (1 / std::log(2.0) + 7 / std::log(3.0));
  EXPECT_GT(inverted, 1.0);
  EXPECT_NEAR(e.ndcg_at(unordered, 2), inverted, 1e-14);
  // All relevance 0: the query counts 0.
  auto zero = ctx->parallelize(std::vector<GradedQuery>{{{1, 2}, {{1, 0.0}}}, {{1}, {{1, 1.0}}}}, 1);
  EXPECT_NEAR(e.ndcg_at(zero, 2), 0.5, 1e-14);
}

// Points 0 and 1 in cluster 0, 4 alone in cluster 1: silhouettes 1 - 1/16,
// 1 - 1/9 and 0 (a singleton).
TEST(ClusteringEvaluator, SilhouetteByHand) {
  auto ctx = brasa_test::make_context();
  std::vector<PointAndCluster> points{{Vector::dense({0}), 0}, {Vector::dense({1}), 0}, {Vector::dense({4}), 1}};
  EXPECT_NEAR(ClusteringEvaluator().silhouette(ctx->parallelize(points, 2)), (15.0 / 16 + 8.0 / 9 + 0) / 3, 1e-12);
  EXPECT_THROW(ClusteringEvaluator().silhouette(ctx->parallelize(
                   std::vector<PointAndCluster>{{Vector::dense({0}), 3}, {Vector::dense({1}), 3}}, 2)),
               std::invalid_argument);
  EXPECT_THROW(ClusteringEvaluator().silhouette(ctx->parallelize(std::vector<PointAndCluster>{}, 2)),
               std::invalid_argument);
  EXPECT_THROW(ClusteringEvaluator().silhouette(ctx->parallelize(
                   std::vector<PointAndCluster>{{Vector::dense({0}), 0}, {Vector::dense({1, 2}), 1}}, 2)),
               std::invalid_argument);
}

// Spark's per-cluster formula against all pairs, on blobs (dense and
// sparse, some points assigned to the wrong cluster, a singleton cluster,
// cluster ids not 0..k-1).
TEST(ClusteringEvaluator, SilhouetteMatchesAllPairs) {
  auto ctx = brasa_test::make_context();
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0, 1.0);
  const double centres[3][3] = {{0, 0, 0}, {6, 1, 0}, {-3, 5, 2}};
  const int ids[3] = {7, -2, 40};
  std::vector<PointAndCluster> points;
  for (int i = 0; i < 60; ++i) {
    const int c = i % 3;
    std::vector<double> x{centres[c][0] + noise(rng), centres[c][1] + noise(rng), i % 4 == 0 ? 0.0 : centres[c][2]};
    Vector v = Vector::dense(x);
    points.emplace_back(i % 2 ? v.to_sparse() : v, i % 10 == 0 ? ids[(c + 1) % 3] : ids[c]);
  }
  points.emplace_back(Vector::dense({20, 20, 20}), 99);
  const double expected = all_pairs_silhouette(points);
  EXPECT_GT(expected, 0.3);
  for (int parts : {1, 3, 5})
    EXPECT_NEAR(ClusteringEvaluator().silhouette(ctx->parallelize(points, parts)), expected, 1e-9) << parts;
  // Duplicate points (a = 0 = b for some): still the definition.
  std::vector<PointAndCluster> duplicates{{Vector::dense({1, 1}), 0}, {Vector::dense({1, 1}), 0},
                                          {Vector::dense({1, 1}), 1}, {Vector::dense({5, 1}), 1}};
  EXPECT_NEAR(ClusteringEvaluator().evaluate(ctx->parallelize(duplicates, 2)), all_pairs_silhouette(duplicates), 1e-9);
}
