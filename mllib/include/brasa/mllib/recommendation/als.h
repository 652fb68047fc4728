// Alternating least squares for collaborative filtering, as Spark ML's ALS:
//
//   auto model = ALS().rank(10).reg_param(0.1).fit(ratings);              // RDD<Rating>
//   auto top = model.recommend_for_all_users(10);                        // (user, [(item, score)])
//   auto scores = model.predict(ctx.parallelize(pairs));                 // ((user, item), score)
//
// Explicit feedback minimises sum (r_ui - x_u.y_i)^2 + reg_param * (sum
// n_u |x_u|^2 + sum n_i |y_i|^2), n = the number of ratings of the user or
// item (ALS-WR). Implicit feedback (Hu, Koren and Volinsky) fits
// preferences p = [r > 0] with confidence 1 + alpha |r|, regularised by the
// number of positive ratings. Items are solved first from the users'
// factors, then users from the items', in each iteration.
//
// Spark's blocked layout: users and items are hashed into blocks; a user
// block holds its ratings grouped by user, and each item block ships the
// factors of its items once to every user block that rated them (and back).
// Factors are single precision, as in Spark; normal equations are solved in
// double. Initial factors are seeded unit-norm Gaussian vectors; results
// do not depend on the input's partitioning or the master.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "brasa/context.h"
#include "brasa/mllib/recommendation/factor_block.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

struct Rating {
  int32_t user = 0;
  int32_t item = 0;
  float rating = 0;
  bool operator==(const Rating&) const = default;
};

using Recommendations = std::vector<std::pair<int32_t, float>>;  // (id, score), best first

class ALSModel {
 public:
  ALSModel() = default;
  ALSModel(int rank, RDD<detail::FactorBlock> users, RDD<detail::FactorBlock> items);

  int rank() const { return rank_; }
  // (id, factors) of every user and item.
  RDD<std::pair<int32_t, std::vector<float>>> user_factors() const;
  RDD<std::pair<int32_t, std::vector<float>>> item_factors() const;

  // Spark's cold_start_strategy: "nan" (default) gives NaN for a user or
  // item without factors, "drop" leaves the pair out.
  ALSModel& set_cold_start_strategy(const std::string& strategy);
  const std::string& cold_start_strategy() const { return cold_start_strategy_; }

  // ((user, item), x_u . y_i) for each pair.
  RDD<std::pair<std::pair<int32_t, int32_t>, float>> predict(const RDD<std::pair<int32_t, int32_t>>& pairs) const;
  // The k items of highest score for every user, and the k users for every item.
  RDD<std::pair<int32_t, Recommendations>> recommend_for_all_users(int k) const;
  RDD<std::pair<int32_t, Recommendations>> recommend_for_all_items(int k) const;

  void save(const std::string& path, bool overwrite = false) const;
  static ALSModel load(Context& ctx, const std::string& path);

 private:
  int rank_ = 0;
  std::string cold_start_strategy_ = "nan";
  RDD<detail::FactorBlock> users_;
  RDD<detail::FactorBlock> items_;
};

class ALS {
 public:
  // Setters check their argument (std::invalid_argument naming it).
  ALS& rank(int v);                  // >= 1, default 10
  ALS& max_iter(int v);              // >= 0, default 10
  ALS& reg_param(double v);          // >= 0, default 0.1
  ALS& implicit_prefs(bool v);       // default false
  ALS& alpha(double v);              // >= 0, default 1 (implicit only)
  ALS& nonnegative(bool v);          // default false: non-negative least squares when true
  ALS& num_user_blocks(int v);       // >= 1, default 10
  ALS& num_item_blocks(int v);       // >= 1, default 10
  ALS& num_blocks(int v);            // both
  ALS& checkpoint_interval(int v);   // >= 1, default 10: factors are checkpointed locally this often
  ALS& cold_start_strategy(const std::string& v);  // "nan" (default) or "drop", given to the model
  ALS& seed(uint64_t v);             // default 42

  int rank() const { return rank_; }
  int max_iter() const { return max_iter_; }
  double reg_param() const { return reg_param_; }
  bool implicit_prefs() const { return implicit_prefs_; }
  double alpha() const { return alpha_; }
  bool nonnegative() const { return nonnegative_; }

  // Throws std::invalid_argument for an empty input or NaN ratings.
  ALSModel fit(const RDD<Rating>& ratings) const;

 private:
  int rank_ = 10;
  int max_iter_ = 10;
  double reg_param_ = 0.1;
  bool implicit_prefs_ = false;
  double alpha_ = 1.0;
  bool nonnegative_ = false;
  int num_user_blocks_ = 10;
  int num_item_blocks_ = 10;
  int checkpoint_interval_ = 10;
  std::string cold_start_strategy_ = "nan";
  uint64_t seed_ = 42;
};

}  // namespace brasa::mllib
