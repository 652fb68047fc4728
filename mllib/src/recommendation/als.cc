#include "brasa/mllib/recommendation/als.h"

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "brasa/util/hash.h"
#include "brasa/scheduler/iteration_clock.h"
#include "recommendation/als_blocks.h"
#include "util/checks.h"
#include "util/model_io.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace als_impl {

using detail::FactorBlock;
using Factors = std::vector<float>;
constexpr const char* kModelClass = "brasa.mllib.ALSModel";

struct Explode {
  std::vector<std::pair<int32_t, Factors>> operator()(const FactorBlock& f) const {
    std::vector<std::pair<int32_t, Factors>> out;
    out.reserve(f.ids.size());
    for (size_t i = 0; i < f.ids.size(); ++i) out.push_back({f.ids[i], Factors(f.of(i), f.of(i) + f.rank)});
    return out;
  }
};

using WithUser = std::pair<int32_t, std::pair<int32_t, std::optional<Factors>>>;  // (user, (item, x_u))
using ByItem = std::pair<int32_t, std::pair<int32_t, std::optional<Factors>>>;     // (item, (user, x_u))

struct KeyByItem {
  ByItem operator()(const WithUser& r) const { return {r.second.first, {r.first, r.second.second}}; }
};

using Scored = std::pair<std::pair<int32_t, int32_t>, float>;

struct Score {
  Scored operator()(const std::pair<int32_t, std::pair<std::pair<int32_t, std::optional<Factors>>,
                                                       std::optional<Factors>>>& r) const {
    const int32_t item = r.first, user = r.second.first.first;
    const auto& x = r.second.first.second;
    const auto& y = r.second.second;
    float score = std::numeric_limits<float>::quiet_NaN();
    if (x && y) {
      double s = 0;
      for (size_t k = 0; k < x->size(); ++k) s += double((*x)[k]) * (*y)[k];
      score = static_cast<float>(s);
    }
    return {{user, item}, score};
  }
};

struct IsScored {
  bool operator()(const Scored& s) const { return !std::isnan(s.second); }
};

// Better first: higher score, then lower id (so ties are deterministic).
bool better(const std::pair<int32_t, float>& a, const std::pair<int32_t, float>& b) {
  return a.second != b.second ? a.second > b.second : a.first < b.first;
}

// The top k of each row of `rows` against all of `cols`, per block pair.
struct TopOfBlockPair {
  int k = 10;
  std::vector<std::pair<int32_t, Recommendations>> operator()(const std::pair<FactorBlock, FactorBlock>& p) const {
    const FactorBlock& rows = p.first;
    const FactorBlock& cols = p.second;
    std::vector<std::pair<int32_t, Recommendations>> out;
    if (rows.ids.empty() || cols.ids.empty()) return out;
    using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Eigen::Map<const Matrix> r(rows.factors.data(), static_cast<Eigen::Index>(rows.ids.size()), rows.rank);
    Eigen::Map<const Matrix> c(cols.factors.data(), static_cast<Eigen::Index>(cols.ids.size()), cols.rank);
    constexpr Eigen::Index kChunk = 256;
    Matrix scores;
    Recommendations all;
    for (Eigen::Index begin = 0; begin < r.rows(); begin += kChunk) {
      const Eigen::Index n = std::min(kChunk, r.rows() - begin);
      scores.noalias() = r.middleRows(begin, n) * c.transpose();
      for (Eigen::Index i = 0; i < n; ++i) {
        all.clear();
        for (Eigen::Index j = 0; j < scores.cols(); ++j) all.push_back({cols.ids[j], scores(i, j)});
        const size_t keep = std::min<size_t>(k, all.size());
        std::partial_sort(all.begin(), all.begin() + keep, all.end(), better);
        out.push_back({rows.ids[begin + i], Recommendations(all.begin(), all.begin() + keep)});
      }
    }
    return out;
  }
};

struct MergeTop {
  int k = 10;
  Recommendations operator()(const Recommendations& a, const Recommendations& b) const {
    Recommendations merged;
    merged.reserve(std::min<size_t>(k, a.size() + b.size()));
    std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(merged), better);
    if (merged.size() > static_cast<size_t>(k)) merged.resize(k);
    return merged;
  }
};

RDD<std::pair<int32_t, Recommendations>> recommend(const RDD<FactorBlock>& rows, const RDD<FactorBlock>& cols, int k,
                                                   const char* who) {
  detail::check_param(k >= 1, who, "k", "at least 1", k);
  return rows.cartesian(cols)
      .flat_map(TopOfBlockPair{k})
      .reduce_by_key(MergeTop{k}, rows.num_partitions());
}

struct RatingCount {
  int64_t operator()(int64_t n, const detail::InBlock& b) const { return n + static_cast<int64_t>(b.ratings.size()); }
};
struct Plus {
  int64_t operator()(int64_t a, int64_t b) const { return a + b; }
};

void check(bool ok, const char* param, const char* rule, double value) {
  detail::check_param(ok, "ALS", param, rule, value);
}

void check_strategy(const char* who, const std::string& s) {
  if (s != "nan" && s != "drop")
    throw std::invalid_argument(std::string(who) + ": cold_start_strategy must be \"nan\" or \"drop\", got \"" + s +
                                "\"");
}

// Caches a new factor RDD (locally checkpointed when `checkpoint`), computes
// it, and releases the one it replaces.
void advance(RDD<FactorBlock>& current, RDD<FactorBlock> next, bool checkpoint) {
  next.cache();
  if (checkpoint) next.local_checkpoint();
  next.count();
  if (current.node() && !current.is_local_checkpointed()) current.unpersist();
  current = std::move(next);
}

}  // namespace als_impl
using namespace als_impl;

ALSModel::ALSModel(int rank, RDD<FactorBlock> users, RDD<FactorBlock> items)
    : rank_(rank), users_(std::move(users)), items_(std::move(items)) {}

RDD<std::pair<int32_t, std::vector<float>>> ALSModel::user_factors() const { return users_.flat_map(Explode{}); }
RDD<std::pair<int32_t, std::vector<float>>> ALSModel::item_factors() const { return items_.flat_map(Explode{}); }

ALSModel& ALSModel::set_cold_start_strategy(const std::string& strategy) {
  check_strategy("ALSModel", strategy);
  cold_start_strategy_ = strategy;
  return *this;
}

RDD<std::pair<std::pair<int32_t, int32_t>, float>> ALSModel::predict(
    const RDD<std::pair<int32_t, int32_t>>& pairs) const {
  auto scored = pairs.left_outer_join(user_factors())
                    .map(KeyByItem{})
                    .left_outer_join(item_factors())
                    .map(Score{});
  return cold_start_strategy_ == "drop" ? scored.filter(IsScored{}) : scored;
}

RDD<std::pair<int32_t, Recommendations>> ALSModel::recommend_for_all_users(int k) const {
  return recommend(users_, items_, k, "ALSModel.recommend_for_all_users");
}

RDD<std::pair<int32_t, Recommendations>> ALSModel::recommend_for_all_items(int k) const {
  return recommend(items_, users_, k, "ALSModel.recommend_for_all_items");
}

void ALSModel::save(const std::string& path, bool overwrite) const {
  auto users = users_.collect();
  auto items = items_.collect();
  detail::Metadata m;
  m.set("rank", static_cast<double>(rank_));
  m.set("cold_start_strategy", cold_start_strategy_);
  m.set("user_blocks", static_cast<double>(users.size()));
  m.set("item_blocks", static_cast<double>(items.size()));
  ByteWriter data;
  data(users, items);
  detail::save_model(path, kModelClass, m, data.bytes(), overwrite);
}

ALSModel ALSModel::load(Context& ctx, const std::string& path) {
  auto saved = detail::load_model(path, kModelClass);
  std::vector<FactorBlock> users, items;
  try {
    ByteReader r(saved.data);
    r(users, items);
  } catch (const std::exception& e) {
    throw std::runtime_error("ALSModel.load(" + path + "): data.bin does not decode: " + e.what());
  }
  const int rank = static_cast<int>(saved.metadata.number("rank"));
  for (const auto* blocks : {&users, &items})
    for (const auto& b : *blocks)
      if (b.rank != rank || b.factors.size() != b.ids.size() * size_t(rank))
        throw std::runtime_error("ALSModel.load(" + path + "): data.bin's factors do not match rank " +
                                 std::to_string(rank));
  const int user_blocks = static_cast<int>(users.size()), item_blocks = static_cast<int>(items.size());
  ALSModel model(rank, ctx.parallelize(std::move(users), std::max(1, user_blocks)),
                 ctx.parallelize(std::move(items), std::max(1, item_blocks)));
  model.users_.cache();
  model.items_.cache();
  model.set_cold_start_strategy(saved.metadata.text("cold_start_strategy"));
  return model;
}

ALS& ALS::rank(int v) {
  check(v >= 1, "rank", "at least 1", v);
  rank_ = v;
  return *this;
}
ALS& ALS::max_iter(int v) {
  check(v >= 0, "max_iter", "at least 0", v);
  max_iter_ = v;
  return *this;
}
ALS& ALS::reg_param(double v) {
  check(v >= 0, "reg_param", "at least 0", v);
  reg_param_ = v;
  return *this;
}
ALS& ALS::implicit_prefs(bool v) {
  implicit_prefs_ = v;
  return *this;
}
ALS& ALS::alpha(double v) {
  check(v >= 0, "alpha", "at least 0", v);
  alpha_ = v;
  return *this;
}
ALS& ALS::nonnegative(bool v) {
  nonnegative_ = v;
  return *this;
}
ALS& ALS::num_user_blocks(int v) {
  check(v >= 1, "num_user_blocks", "at least 1", v);
  num_user_blocks_ = v;
  return *this;
}
ALS& ALS::num_item_blocks(int v) {
  check(v >= 1, "num_item_blocks", "at least 1", v);
  num_item_blocks_ = v;
  return *this;
}
ALS& ALS::num_blocks(int v) {
  check(v >= 1, "num_blocks", "at least 1", v);
  num_user_blocks_ = num_item_blocks_ = v;
  return *this;
}
ALS& ALS::checkpoint_interval(int v) {
  check(v >= 1, "checkpoint_interval", "at least 1", v);
  checkpoint_interval_ = v;
  return *this;
}
ALS& ALS::cold_start_strategy(const std::string& v) {
  check_strategy("ALS", v);
  cold_start_strategy_ = v;
  return *this;
}
ALS& ALS::seed(uint64_t v) {
  seed_ = v;
  return *this;
}

ALSModel ALS::fit(const RDD<Rating>& ratings) const {
  auto [users, items] = detail::make_sides(ratings, num_user_blocks_, num_item_blocks_);
  struct Release {
    const detail::Side& a;
    const detail::Side& b;
    ~Release() {
      a.unpersist();
      b.unpersist();
    }
  } release{users, items};
  const int64_t count = users.in.aggregate(int64_t{0}, RatingCount{}, Plus{});
  if (count == 0) throw std::invalid_argument("ALS: there are no ratings");

  const detail::SolveOptions options{rank_, reg_param_, implicit_prefs_, alpha_, nonnegative_};
  RDD<FactorBlock> user_factors, item_factors;
  advance(user_factors, detail::initial_factors(users, rank_, mix64(seed_ ^ 1)), false);
  advance(item_factors, detail::initial_factors(items, rank_, mix64(seed_ ^ 2)), false);
  IterationClock clock(users.in.node()->runtime(), "als");
  for (int iteration = 1; iteration <= max_iter_; ++iteration) {
    const auto start = std::chrono::steady_clock::now();
    const bool checkpoint = iteration % checkpoint_interval_ == 0;
    advance(item_factors, detail::solve_side(user_factors, users, items, options), checkpoint);
    advance(user_factors, detail::solve_side(item_factors, items, users, options), checkpoint);
    spdlog::info("ALS: iteration {}/{} in {:.3f} s", iteration, max_iter_,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    clock.lap(iteration);
  }
  ALSModel model(rank_, user_factors, item_factors);
  model.set_cold_start_strategy(cold_start_strategy_);
  return model;
}

}  // namespace brasa::mllib
