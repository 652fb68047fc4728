#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <tuple>

#include "brasa/mllib/regression/isotonic_regression.h"
#include "test_util.h"

using brasa::mllib::IsotonicRegression;
using brasa::mllib::IsotonicRegressionModel;
using brasa::mllib::LabeledPoint;
using brasa::mllib::Vector;

namespace isotonic_test {

using Triple = std::tuple<double, double, double>;  // (label, feature, weight), as Spark's input

IsotonicRegressionModel run(brasa::Context& ctx, const std::vector<Triple>& input, bool isotonic = true,
                            int slices = 0) {
  std::vector<std::pair<LabeledPoint, double>> points;
  for (const auto& [label, feature, weight] : input)
    points.push_back({LabeledPoint{label, Vector::dense({feature})}, weight});
  return IsotonicRegression().isotonic(isotonic).fit(ctx.parallelize(points, slices));
}

// Spark's generateIsotonicInput: feature i for the i-th label.
IsotonicRegressionModel run_labels(brasa::Context& ctx, const std::vector<double>& labels, bool isotonic = true,
                                   std::vector<double> weights = {}) {
  std::vector<Triple> input;
  for (size_t i = 0; i < labels.size(); ++i)
    input.emplace_back(labels[i], static_cast<double>(i), weights.empty() ? 1.0 : weights[i]);
  return run(ctx, input, isotonic);
}

// A plain sequential PAV, for comparison: points combined by feature, then
// blocks merged while the previous mean is >= the next one; each block
// gives its first and last feature.
std::pair<std::vector<double>, std::vector<double>> reference(const std::vector<Triple>& input, bool isotonic) {
  std::map<double, std::pair<double, double>> by_feature;  // feature -> (sum w y, sum w)
  const double sign = isotonic ? 1 : -1;
  for (const auto& [y, x, w] : input) {
    if (w == 0) continue;
    by_feature[x].first += w * y * sign;
    by_feature[x].second += w;
  }
  struct Block {
    double wy, w, first, last;
  };
  std::vector<Block> blocks;
  for (const auto& [x, s] : by_feature) {
    blocks.push_back({s.first, s.second, x, x});
    while (blocks.size() > 1) {
      Block& b = blocks[blocks.size() - 1];
      Block& a = blocks[blocks.size() - 2];
      if (a.wy / a.w < b.wy / b.w) break;
      a = Block{a.wy + b.wy, a.w + b.w, a.first, b.last};
      blocks.pop_back();
    }
  }
  std::vector<double> boundaries, predictions;
  for (const auto& b : blocks) {
    boundaries.push_back(b.first);
    predictions.push_back(sign * b.wy / b.w);
    if (b.last > b.first) {
      boundaries.push_back(b.last);
      predictions.push_back(sign * b.wy / b.w);
    }
  }
  return {boundaries, predictions};
}

}  // namespace isotonic_test
using namespace isotonic_test;

using V = std::vector<double>;

TEST(IsotonicRegression, SparksIncreasingExample) {
  auto ctx = brasa_test::make_context();
  auto model = run_labels(*ctx, {1, 2, 3, 1, 6, 17, 16, 17, 18});
  EXPECT_EQ(model.boundaries(), (V{0, 1, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(model.predictions(), (V{1, 2, 2, 6, 16.5, 16.5, 17, 18}));
  EXPECT_TRUE(model.isotonic());
  V predicted;
  for (int x = 0; x < 9; ++x) predicted.push_back(model.predict(x));
  EXPECT_EQ(predicted, (V{1, 2, 2, 2, 6, 16.5, 16.5, 17, 18}));
}

TEST(IsotonicRegression, SparksSmallCases) {
  auto ctx = brasa_test::make_context();
  EXPECT_TRUE(run_labels(*ctx, {}).predictions().empty());
  EXPECT_EQ(run_labels(*ctx, {1}).predictions(), (V{1}));
  EXPECT_EQ(run_labels(*ctx, {1, 2, 3, 4, 5}).predictions(), (V{1, 2, 3, 4, 5}));
  auto decreasing = run_labels(*ctx, {5, 4, 3, 2, 1});
  EXPECT_EQ(decreasing.boundaries(), (V{0, 4}));
  EXPECT_EQ(decreasing.predictions(), (V{3, 3}));
  auto last = run_labels(*ctx, {1, 2, 3, 4, 2});
  EXPECT_EQ(last.boundaries(), (V{0, 1, 2, 4}));
  EXPECT_EQ(last.predictions(), (V{1, 2, 3, 3}));
  auto first = run_labels(*ctx, {4, 2, 3, 4, 5});
  EXPECT_EQ(first.boundaries(), (V{0, 2, 3, 4}));
  EXPECT_EQ(first.predictions(), (V{3, 3, 4, 5}));
  auto negative = run_labels(*ctx, {-1, -2, 0, 1, -1});
  EXPECT_EQ(negative.boundaries(), (V{0, 1, 2, 4}));
  EXPECT_EQ(negative.predictions(), (V{-1.5, -1.5, 0, 0}));
  std::vector<Triple> reversed;
  for (int i = 4; i >= 0; --i) reversed.emplace_back(i + 1, i, 1);
  EXPECT_EQ(run(*ctx, reversed, true, 2).predictions(), (V{1, 2, 3, 4, 5}));
}

TEST(IsotonicRegression, SparksWeightedCases) {
  auto ctx = brasa_test::make_context();
  auto weighted = run_labels(*ctx, {1, 2, 3, 4, 2}, true, {1, 1, 1, 1, 2});
  EXPECT_EQ(weighted.boundaries(), (V{0, 1, 2, 4}));
  EXPECT_EQ(weighted.predictions(), (V{1, 2, 2.75, 2.75}));
  auto small = run_labels(*ctx, {1, 2, 3, 2, 1}, true, {1, 1, 1, 0.1, 0.1});
  EXPECT_EQ(small.boundaries(), (V{0, 1, 2, 4}));
  ASSERT_EQ(small.predictions().size(), 4u);
  EXPECT_NEAR(small.predictions()[2], 3.3 / 1.2, 1e-12);
  EXPECT_NEAR(small.predictions()[3], 3.3 / 1.2, 1e-12);
  auto zeros = run_labels(*ctx, {1, 2, 3, 2, 1, 0}, true, {0, 0, 0, 1, 1, 0});
  EXPECT_EQ(zeros.boundaries(), (V{3, 4}));
  EXPECT_EQ(zeros.predictions(), (V{1.5, 1.5}));
  try {
    run_labels(*ctx, {1, 2, 3, 2, 1}, true, {-1, 1, -3, 1, -5});
    ADD_FAILURE() << "no error for negative weights";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(brasa_test::contains(e.what(), "weights must be finite and >= 0")) << e.what();
  }
}

TEST(IsotonicRegression, SparksDuplicateFeatureCases) {
  auto ctx = brasa_test::make_context();
  // SPARK-16426 / SPARK-41008: equal features are averaged first.
  auto pooled = run(*ctx, {{2, 1, 1}, {1, 1, 1}, {0, 2, 1}, {1, 2, 1}, {0.5, 3, 1}, {0, 3, 1}}, true, 2);
  EXPECT_EQ(pooled.boundaries(), (V{1, 3}));
  EXPECT_EQ(pooled.predictions(), (V{0.75, 0.75}));
  auto up = run(*ctx, {{2, 1, 1}, {1, 1, 1}, {4, 2, 1}, {2, 2, 1}, {6, 3, 1}, {5, 3, 1}}, true, 2);
  EXPECT_EQ(up.boundaries(), (V{1, 2, 3}));
  EXPECT_EQ(up.predictions(), (V{1.5, 3, 5.5}));
  EXPECT_EQ(up.predict(0), 1.5);
  EXPECT_EQ(up.predict(1.5), 2.25);
  EXPECT_EQ(up.predict(2.5), 4.25);
  EXPECT_EQ(up.predict(4), 5.5);
  auto down = run(*ctx, {{5, 1, 1}, {6, 1, 1}, {2, 2, 1}, {4, 2, 1}, {1, 3, 1}, {2, 3, 1}}, false, 2);
  EXPECT_EQ(down.boundaries(), (V{1, 2, 3}));
  EXPECT_EQ(down.predictions(), (V{5.5, 3, 1.5}));
  EXPECT_EQ(down.predict(0), 5.5);
  EXPECT_EQ(down.predict(1.5), 4.25);
  EXPECT_EQ(down.predict(2.5), 2.25);
  EXPECT_EQ(down.predict(4), 1.5);
}

TEST(IsotonicRegression, SparksPredictionCases) {
  auto ctx = brasa_test::make_context();
  auto model = run_labels(*ctx, {1, 2, 7, 1, 2});
  EXPECT_EQ(model.predict(-2), 1);
  EXPECT_EQ(model.predict(-1), 1);
  EXPECT_EQ(model.predict(0.5), 1.5);
  EXPECT_EQ(model.predict(0.75), 1.75);
  EXPECT_EQ(model.predict(1), 2);
  EXPECT_EQ(model.predict(2), 10.0 / 3);
  EXPECT_EQ(model.predict(9), 10.0 / 3);
  EXPECT_EQ(model.predict(std::numeric_limits<double>::quiet_NaN()), 10.0 / 3);
  auto features = ctx->parallelize(V{-2, -1, 0.5, 0.75, 1, 2, 9}, 2);
  EXPECT_EQ(model.predict(features).collect(), (V{1, 1, 1.5, 1.75, 2, 10.0 / 3, 10.0 / 3}));
  auto vectors = ctx->parallelize(std::vector<Vector>{Vector::dense({0.5}), Vector::sparse(1, {}, {})}, 2);
  EXPECT_EQ(model.predict(vectors).collect(), (V{1.5, 1}));

  auto antitonic = run_labels(*ctx, {7, 5, 3, 5, 1}, false);
  EXPECT_FALSE(antitonic.isotonic());
  EXPECT_EQ(antitonic.predict(-2), 7);
  EXPECT_EQ(antitonic.predict(-1), 7);
  EXPECT_EQ(antitonic.predict(0.5), 6);
  EXPECT_EQ(antitonic.predict(0.75), 5.5);
  EXPECT_EQ(antitonic.predict(1), 5);
  EXPECT_EQ(antitonic.predict(2), 4);
  EXPECT_EQ(antitonic.predict(9), 1);
}

TEST(IsotonicRegression, ModelConstructionChecksItsArrays) {
  IsotonicRegressionModel model({0, 1}, {1, 2}, true);
  EXPECT_EQ(model.predict(-0.5), 1.0);
  EXPECT_EQ(model.predict(0.0), 1.0);
  EXPECT_NEAR(model.predict(0.5), 1.5, 1e-14);
  EXPECT_EQ(model.predict(1.0), 2.0);
  EXPECT_EQ(model.predict(1.5), 2.0);
  EXPECT_THROW(IsotonicRegressionModel({0, 1}, {1}, true), std::invalid_argument);
  EXPECT_THROW(IsotonicRegressionModel({1, 0}, {1, 2}, true), std::invalid_argument);
  EXPECT_THROW(IsotonicRegressionModel({0, 1}, {2, 1}, true), std::invalid_argument);
  EXPECT_THROW(IsotonicRegressionModel({0, 1}, {1, 2}, false), std::invalid_argument);
  EXPECT_THROW(IsotonicRegressionModel({}, {}, true).predict(1.0), std::invalid_argument);
}

TEST(IsotonicRegression, MatchesSequentialPavOnRandomData) {
  auto ctx = brasa_test::make_context();
  std::mt19937_64 rng(17);
  std::uniform_int_distribution<int> feature(0, 300);  // many repeated features
  std::normal_distribution<double> noise(0, 3);
  std::uniform_real_distribution<double> weight(0.1, 2);
  for (bool isotonic : {true, false}) {
    std::vector<Triple> input;
    for (int i = 0; i < 2000; ++i) {
      const double x = feature(rng) * 0.1;
      const double trend = isotonic ? std::sqrt(x) : -x;
      input.emplace_back(trend + noise(rng), x, i % 4 == 0 ? 0.0 : weight(rng));
    }
    auto [boundaries, predictions] = reference(input, isotonic);
    ASSERT_GT(boundaries.size(), 10u);
    for (int slices : {1, 5}) {
      SCOPED_TRACE(testing::Message() << "isotonic " << isotonic << ", " << slices << " slices");
      auto model = run(*ctx, input, isotonic, slices);
      EXPECT_EQ(model.boundaries(), boundaries);
      ASSERT_EQ(model.predictions().size(), predictions.size());
      for (size_t i = 0; i < predictions.size(); ++i)
        EXPECT_NEAR(model.predictions()[i], predictions[i], 1e-9) << i;
    }
  }
}

TEST(IsotonicRegression, UsesFeatureIndexAndUnitWeights) {
  auto ctx = brasa_test::make_context();
  std::vector<LabeledPoint> points;
  const V labels{1, 2, 3, 1, 6, 17, 16, 17, 18};
  for (size_t i = 0; i < labels.size(); ++i)
    points.push_back(LabeledPoint{labels[i], Vector::dense({100.0 - static_cast<double>(i), static_cast<double>(i)})});
  auto data = ctx->parallelize(points, 3);
  auto model = IsotonicRegression().feature_index(1).fit(data);
  EXPECT_EQ(model.feature_index(), 1);
  EXPECT_EQ(model.boundaries(), (V{0, 1, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(model.predictions(), (V{1, 2, 2, 6, 16.5, 16.5, 17, 18}));
  EXPECT_EQ(model.predict(Vector::dense({-1, 2.5})), 2);
  EXPECT_THROW(model.predict(Vector::dense({1})), std::invalid_argument);
  EXPECT_THROW(IsotonicRegression().feature_index(-1), std::invalid_argument);
  try {
    IsotonicRegression().feature_index(2).fit(data);
    ADD_FAILURE() << "no error for feature_index 2";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(brasa_test::contains(e.what(), "feature_index 2 is outside a point of 2 features")) << e.what();
  }
}

TEST(IsotonicRegression, RejectsBadValues) {
  auto ctx = brasa_test::make_context();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto fails_with = [&](const std::vector<Triple>& input, const std::string& expected) {
    try {
      run(*ctx, input, true, 2);
      ADD_FAILURE() << "no error, expected " << expected;
    } catch (const std::invalid_argument& e) {
      EXPECT_TRUE(brasa_test::contains(e.what(), expected)) << e.what();
    }
  };
  fails_with({{1, 0, 1}, {1, nan, 1}}, "is NaN");
  fails_with({{1, 0, 1}, {nan, 1, 1}}, "labels must be finite");
  fails_with({{1, 0, 1}, {1, 1, std::numeric_limits<double>::infinity()}}, "weights must be finite");
}

TEST(IsotonicRegression, SavesAndLoads) {
  IsotonicRegressionModel model({0, 1, 3, 4, 5, 6, 7, 8}, {1, 2, 2, 6, 16.5, 16.5, 17, 18}, true, 2);
  brasa_test::TempDir dir;
  model.save(dir.sub("iso"));
  auto loaded = IsotonicRegressionModel::load(dir.sub("iso"));
  EXPECT_EQ(loaded.boundaries(), model.boundaries());
  EXPECT_EQ(loaded.predictions(), model.predictions());
  EXPECT_TRUE(loaded.isotonic());
  EXPECT_EQ(loaded.feature_index(), 2);
  IsotonicRegressionModel down({0, 1}, {2, 1}, false);
  down.save(dir.sub("down"));
  EXPECT_FALSE(IsotonicRegressionModel::load(dir.sub("down")).isotonic());
  EXPECT_THROW(IsotonicRegressionModel::load(dir.sub("missing")), std::runtime_error);
}
