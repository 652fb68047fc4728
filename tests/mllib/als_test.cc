#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "brasa/mllib/io/ratings.h"
#include "brasa/mllib/recommendation/als.h"
#include "test_util.h"

using brasa::mllib::ALS;
using brasa::mllib::ALSModel;
using brasa::mllib::Rating;
using Factors = std::map<int32_t, Eigen::VectorXd>;

namespace {

// About `density` of a users x items matrix of rank-3 preferences plus noise,
// with negative and positive ids.
std::vector<Rating> random_ratings(int users, int items, double density, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd x = Eigen::MatrixXd::Random(users, 3), y = Eigen::MatrixXd::Random(items, 3);
  std::vector<Rating> out;
  for (int i = 0; i < users; ++i)
    for (int j = 0; j < items; ++j)
      if (u(rng) < density)
        out.push_back({i - 5, 3 * j + 1, static_cast<float>(2 * x.row(i).dot(y.row(j)) + 0.1 * normal(rng))});
  return out;
}

Factors as_map(const std::vector<std::pair<int32_t, std::vector<float>>>& factors) {
  Factors out;
  for (const auto& [id, f] : factors) {
    Eigen::VectorXd v(f.size());
    for (size_t k = 0; k < f.size(); ++k) v[k] = f[k];
    out[id] = v;
  }
  return out;
}

// Each user's factors solved directly from the items' (the last half-step).
Factors solve_users(const std::vector<Rating>& ratings, const Factors& items, int rank, double reg, bool implicit,
                    double alpha) {
  std::map<int32_t, std::vector<Rating>> by_user;
  for (const auto& r : ratings) by_user[r.user].push_back(r);
  Eigen::MatrixXd yty = Eigen::MatrixXd::Zero(rank, rank);
  for (const auto& [id, y] : items) yty += y * y.transpose();
  Factors out;
  for (const auto& [user, rs] : by_user) {
    Eigen::MatrixXd a = implicit ? yty : Eigen::MatrixXd::Zero(rank, rank);
    Eigen::VectorXd b = Eigen::VectorXd::Zero(rank);
    double n = 0;
    for (const auto& r : rs) {
      const Eigen::VectorXd& y = items.at(r.item);
      if (implicit) {
        const double c1 = alpha * std::abs(r.rating);
        a += c1 * y * y.transpose();
        if (r.rating > 0) {
          b += (1 + c1) * y;
          n += 1;
        }
      } else {
        a += y * y.transpose();
        b += r.rating * y;
        n += 1;
      }
    }
    a.diagonal().array() += reg * n;
    out[user] = a.llt().solve(b);
  }
  return out;
}

void expect_close(const Factors& got, const Factors& expected, double tolerance) {
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [id, v] : expected) {
    ASSERT_TRUE(got.count(id)) << id;
    EXPECT_LT((got.at(id) - v).norm(), tolerance * (1 + v.norm())) << "id " << id;
  }
}

}  // namespace

TEST(ALS, UserFactorsSolveTheirNormalEquations) {
  auto ctx = brasa_test::make_context();
  auto ratings = random_ratings(40, 30, 0.3, 1);
  for (bool implicit : {false, true}) {
    auto model = ALS().rank(4).max_iter(3).reg_param(0.1).implicit_prefs(implicit).alpha(2.0).num_blocks(3).fit(
        ctx->parallelize(ratings, 4));
    auto users = as_map(model.user_factors().collect());
    auto items = as_map(model.item_factors().collect());
    EXPECT_EQ(items.size(), 30u);
    // Factors are floats: the direct solve from the rounded item factors
    // agrees to float precision.
    expect_close(users, solve_users(ratings, items, 4, 0.1, implicit, 2.0), 1e-4);
  }
}

TEST(ALS, ReconstructsALowRankMatrix) {
  auto ctx = brasa_test::make_context();
  Eigen::MatrixXd x = Eigen::MatrixXd::Random(20, 2), y = Eigen::MatrixXd::Random(15, 2);
  std::vector<Rating> ratings;
  for (int i = 0; i < 20; ++i)
    for (int j = 0; j < 15; ++j) ratings.push_back({i, j, static_cast<float>(x.row(i).dot(y.row(j)))});
  auto model = ALS().rank(2).max_iter(40).reg_param(1e-6).num_blocks(2).fit(ctx->parallelize(ratings, 3));
  std::vector<std::pair<int32_t, int32_t>> pairs;
  for (const auto& r : ratings) pairs.push_back({r.user, r.item});
  double error = 0;
  std::map<std::pair<int32_t, int32_t>, float> truth;
  for (const auto& r : ratings) truth[{r.user, r.item}] = r.rating;
  auto predicted = model.predict(ctx->parallelize(pairs, 2)).collect();
  ASSERT_EQ(predicted.size(), ratings.size());
  for (const auto& [pair, score] : predicted) error += std::pow(score - truth.at(pair), 2);
  EXPECT_LT(std::sqrt(error / ratings.size()), 1e-3);
}

TEST(ALS, NonnegativeFactorsSatisfyTheOptimalityConditions) {
  auto ctx = brasa_test::make_context();
  auto ratings = random_ratings(30, 20, 0.4, 2);
  auto model = ALS().rank(3).max_iter(4).nonnegative(true).num_blocks(2).fit(ctx->parallelize(ratings, 2));
  auto users = as_map(model.user_factors().collect());
  auto items = as_map(model.item_factors().collect());
  std::map<int32_t, std::vector<Rating>> by_user;
  for (const auto& r : ratings) by_user[r.user].push_back(r);
  for (const auto& [user, rs] : by_user) {
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(3, 3);
    Eigen::VectorXd b = Eigen::VectorXd::Zero(3);
    for (const auto& r : rs) {
      a += items[r.item] * items[r.item].transpose();
      b += r.rating * items[r.item];
    }
    a.diagonal().array() += 0.1 * rs.size();
    Eigen::VectorXd x = users[user], g = a * x - b;
    for (int k = 0; k < 3; ++k) {
      EXPECT_GE(x[k], 0.0);
      if (x[k] > 1e-6) {
        EXPECT_NEAR(g[k], 0.0, 1e-3 * (1 + b.norm())) << "user " << user;
      } else {
        EXPECT_GE(g[k], -1e-3 * (1 + b.norm())) << "user " << user;
      }
    }
  }
}

TEST(ALS, SameBitsForAnyPartitioningAndMode) {
  auto ratings = random_ratings(50, 40, 0.2, 3);
  std::vector<std::vector<std::pair<int32_t, std::vector<float>>>> results;
  {
    auto ctx = brasa_test::make_context();
    for (int partitions : {1, 3, 8})
      results.push_back(brasa_test::sorted(
          ALS().rank(3).max_iter(3).num_blocks(4).implicit_prefs(true).fit(ctx->parallelize(ratings, partitions))
              .user_factors()
              .collect()));
  }
  if (!brasa_test::on_cluster()) {
    auto ctx = brasa_test::make_context("local-cluster[2,1]");
    results.push_back(brasa_test::sorted(
        ALS().rank(3).max_iter(3).num_blocks(4).implicit_prefs(true).fit(ctx->parallelize(ratings, 2))
            .user_factors()
            .collect()));
  }
  for (size_t m = 1; m < results.size(); ++m) EXPECT_EQ(results[m], results[0]) << "run " << m;
}

TEST(ALSModel, RecommendsTheTopScores) {
  auto ctx = brasa_test::make_context();
  auto ratings = random_ratings(25, 18, 0.4, 4);
  auto model = ALS().rank(3).max_iter(2).num_user_blocks(3).num_item_blocks(2).fit(ctx->parallelize(ratings, 2));
  auto users = as_map(model.user_factors().collect());
  auto items = as_map(model.item_factors().collect());
  auto top = model.recommend_for_all_users(4).collect_as_map();
  ASSERT_EQ(top.size(), users.size());
  for (const auto& [user, x] : users) {
    std::vector<std::pair<double, int32_t>> scores;
    for (const auto& [item, y] : items) scores.push_back({-x.dot(y), item});
    std::sort(scores.begin(), scores.end());
    ASSERT_EQ(top[user].size(), 4u);
    for (int k = 0; k < 4; ++k) {
      EXPECT_EQ(top[user][k].first, scores[k].second) << "user " << user << " rank " << k;
      EXPECT_NEAR(top[user][k].second, -scores[k].first, 1e-4);
    }
  }
  auto by_item = model.recommend_for_all_items(2).collect();
  EXPECT_EQ(by_item.size(), items.size());
}

TEST(ALSModel, ColdStartGivesNanOrDrops) {
  auto ctx = brasa_test::make_context();
  auto ratings = random_ratings(10, 10, 0.5, 5);
  auto model = ALS().rank(2).max_iter(2).fit(ctx->parallelize(ratings, 2));
  std::vector<std::pair<int32_t, int32_t>> pairs{{ratings[0].user, ratings[0].item}, {999, ratings[0].item},
                                                 {ratings[0].user, 999}};
  auto scored = model.predict(ctx->parallelize(pairs, 2)).collect_as_map();
  EXPECT_FALSE(std::isnan(scored.at(pairs[0])));
  EXPECT_TRUE(std::isnan(scored.at(pairs[1])));
  EXPECT_TRUE(std::isnan(scored.at(pairs[2])));
  model.set_cold_start_strategy("drop");
  EXPECT_EQ(model.predict(ctx->parallelize(pairs, 2)).count(), 1);
  EXPECT_THROW(model.set_cold_start_strategy("zero"), std::invalid_argument);
}

TEST(ALSModel, SavesAndLoads) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir dir;
  auto model = ALS().rank(3).max_iter(2).num_blocks(2).fit(ctx->parallelize(random_ratings(12, 9, 0.5, 6), 2));
  auto path = (dir.path() / "als").string();
  model.save(path);
  auto back = ALSModel::load(*ctx, path);
  EXPECT_EQ(back.rank(), 3);
  EXPECT_EQ(brasa_test::sorted(back.user_factors().collect()), brasa_test::sorted(model.user_factors().collect()));
  EXPECT_EQ(brasa_test::sorted(back.item_factors().collect()), brasa_test::sorted(model.item_factors().collect()));
  EXPECT_THROW(ALSModel::load(*ctx, (dir.path() / "none").string()), std::runtime_error);
}

TEST(ALS, BadInputGetsAClearError) {
  auto ctx = brasa_test::make_context();
  auto message = [&](std::vector<Rating> ratings) -> std::string {
    try {
      ALS().rank(2).fit(ctx->parallelize(ratings, 2));
    } catch (const std::exception& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(message({}).find("no ratings"), std::string::npos);
  EXPECT_NE(message({{1, 2, 3.0f}, {4, 5, NAN}}).find("the rating of user 4 for item 5 is NaN"), std::string::npos)
      << message({{1, 2, 3.0f}, {4, 5, NAN}});
  EXPECT_THROW(ALS().rank(0), std::invalid_argument);
  EXPECT_THROW(ALS().reg_param(-1), std::invalid_argument);
  EXPECT_THROW(ALS().num_blocks(0), std::invalid_argument);
}

TEST(LoadRatings, ReadsEverySeparatorAndNamesBadLines) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    auto path = (dir.path() / name).string();
    std::ofstream(path) << text;
    return path;
  };
  auto ratings = brasa::mllib::load_ratings(
      *ctx, write("a.txt", "1::10::5::978300760\n2,20,3.5\n# comment\n3\t30\t-1\n4 40  2.5 123\n\n"));
  EXPECT_EQ(ratings.collect(), (std::vector<Rating>{{1, 10, 5}, {2, 20, 3.5}, {3, 30, -1}, {4, 40, 2.5}}));
  auto csv = brasa::mllib::load_ratings(*ctx, write("b.csv", "userId,movieId,rating,timestamp\n7,8,4.0,1\n"),
                                        {.header = true});
  EXPECT_EQ(csv.collect(), (std::vector<Rating>{{7, 8, 4}}));
  auto expect_error = [&](const std::string& text, const std::string& expected) {
    auto path = write("bad.txt", text);
    try {
      brasa::mllib::load_ratings(*ctx, path);
      ADD_FAILURE() << "no error for " << text;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(path + ":" + expected), std::string::npos) << e.what();
    }
  };
  expect_error("1 2 3\n1 2\n", "2: expected \"user item rating [timestamp]\"");
  expect_error("1 2 3\nx 2 3\n", "2: user and item must be integers");
  expect_error("1 2 3\n\n1 2 good\n", "3: the rating \"good\" is not a number");
  expect_error("1 2 3\n1 99999999999 3\n", "2: user and item ids must fit in 32 bits");
}
