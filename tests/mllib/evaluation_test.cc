#include <gtest/gtest.h>

#include <cmath>

#include "brasa/mllib/evaluation/binary_classification_evaluator.h"
#include "brasa/mllib/evaluation/regression_evaluator.h"
#include "test_util.h"

using brasa::mllib::BinaryClassificationEvaluator;
using brasa::mllib::RegressionEvaluator;
using Curve = std::vector<std::pair<double, double>>;

// Scores 0.9 (+), 0.8 (-), 0.7 (+, -: a tie), 0.1 (-): worked by hand.
TEST(BinaryClassificationEvaluator, CurvesAndAreasOfAWorkedExample) {
  auto ctx = brasa_test::make_context();
  auto scores = ctx->parallelize(std::vector<std::pair<double, double>>{
                                     {0.9, 1}, {0.8, 0}, {0.7, 1}, {0.7, 0}, {0.1, 0}},
                                 2);
  BinaryClassificationEvaluator e;
  EXPECT_EQ(e.roc(scores), (Curve{{0, 0}, {0, 0.5}, {1.0 / 3, 0.5}, {2.0 / 3, 1}, {1, 1}, {1, 1}}));
  // area: (1/3)(0.5 + 0.5)/2 + (1/3)(0.5 + 1)/2 + (1/3)(1 + 1)/2
  EXPECT_DOUBLE_EQ(e.area_under_roc(scores), 1.0 / 6 + 0.25 + 1.0 / 3);
  EXPECT_EQ(e.pr(scores), (Curve{{0, 1}, {0.5, 1}, {0.5, 0.5}, {1, 0.5}, {1, 0.4}}));
  EXPECT_DOUBLE_EQ(e.area_under_pr(scores), 0.5 + 0.25 + 0.0);
}

TEST(BinaryClassificationEvaluator, PerfectAndReversedScores) {
  auto ctx = brasa_test::make_context();
  std::vector<std::pair<double, double>> perfect, reversed;
  for (int i = 0; i < 100; ++i) {
    perfect.emplace_back(i / 100.0, i >= 50 ? 1.0 : 0.0);
    reversed.emplace_back(i / 100.0, i < 50 ? 1.0 : 0.0);
  }
  BinaryClassificationEvaluator e;
  EXPECT_DOUBLE_EQ(e.area_under_roc(ctx->parallelize(perfect, 3)), 1.0);
  EXPECT_DOUBLE_EQ(e.area_under_pr(ctx->parallelize(perfect, 3)), 1.0);
  EXPECT_DOUBLE_EQ(e.area_under_roc(ctx->parallelize(reversed, 3)), 0.0);
}

TEST(RegressionEvaluator, MetricsOfAWorkedExample) {
  auto ctx = brasa_test::make_context();
  // (prediction, label)
  std::vector<std::pair<double, double>> p{{2.5, 3}, {0.0, -0.5}, {2, 2}, {8, 7}};
  auto m = RegressionEvaluator().evaluate(ctx->parallelize(p, 2));
  EXPECT_EQ(m.count, 4);
  EXPECT_DOUBLE_EQ(m.mse, (0.25 + 0.25 + 0 + 1) / 4);
  EXPECT_DOUBLE_EQ(m.rmse, std::sqrt(0.375));
  EXPECT_DOUBLE_EQ(m.mae, (0.5 + 0.5 + 0 + 1) / 4);
  const double mean = (3 - 0.5 + 2 + 7) / 4;
  double ss_tot = 0, ss_reg = 0;
  for (auto [pred, label] : p) {
    ss_tot += (label - mean) * (label - mean);
    ss_reg += (pred - mean) * (pred - mean);
  }
  EXPECT_NEAR(m.r2, 1 - 1.5 / ss_tot, 1e-12);
  EXPECT_NEAR(m.explained_variance, ss_reg / 4, 1e-12);
  EXPECT_THROW(RegressionEvaluator().evaluate(ctx->parallelize(std::vector<std::pair<double, double>>{}, 1)),
               std::invalid_argument);
}
