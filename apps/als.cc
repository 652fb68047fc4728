// brasa-als: collaborative filtering of ratings ("user item rating
// [timestamp]" separated by ",", tabs, blanks or "::") with Spark MLlib's
// ALS (explicit or implicit feedback).
//
//   brasa-als --input ratings.dat --rank 10 --max-iter 10 --recommend 5 --output als
//
// --mode memory runs mllib::ALS on the cached ratings. --mode disk starts from
// the same random factors and runs the same alternating least squares as a
// chain of MapReduce jobs: each half-iteration re-reads and re-parses the
// ratings, reads the other side's factors from the files the last one wrote,
// groups the ratings by id and solves each id's normal equations.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <cstdio>
#include <optional>

#include "brasa/mllib/mllib.h"
#include "brasa/scheduler/iteration_clock.h"
#include "brasa/util/files.h"
#include "common/app.h"
#include "common/text_state.h"

namespace apps = brasa::apps;
namespace mllib = brasa::mllib;

namespace {

struct Options {
  int rank = 10;
  int max_iter = 10;
  double reg = 0.1;
  bool implicit = false;
  double alpha = 1.0;
  bool nonnegative = false;
  double test_fraction = 0.2;
  uint64_t seed = 42;
  int recommend = 0;
};

using Factor = std::pair<int32_t, std::vector<float>>;

std::string format_factor(const Factor& f) {
  std::string text = std::to_string(f.first) + "\t";
  char buf[32];
  for (size_t c = 0; c < f.second.size(); ++c) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f.second[c]);
    text += (c ? "," : "") + std::string(buf, end);
  }
  return text;
}

Factor parse_factor(const std::string& line) {
  const size_t tab = line.find('\t');
  if (tab == std::string::npos) throw std::invalid_argument("malformed factor line: \"" + line + "\"");
  Factor f{static_cast<int32_t>(apps::Fields(std::string_view(line).substr(0, tab), 1).int64(0)), {}};
  const char* p = line.data() + tab + 1;
  const char* end = line.data() + line.size();
  while (p < end) {
    float x = 0;
    auto [next, ec] = std::from_chars(p, end, x);
    if (ec != std::errc()) throw std::invalid_argument("malformed factor line: \"" + line + "\"");
    f.second.push_back(x);
    p = next < end && *next == ',' ? next + 1 : next;
  }
  return f;
}

brasa::RDD<mllib::Rating> read_ratings(brasa::Context& ctx, const apps::CommonFlags& flags) {
  return ctx.text_file(flags.input, flags.partitions).map_partitions([](const std::vector<std::string>& lines) {
    std::vector<mllib::Rating> out;
    out.reserve(lines.size());
    mllib::Rating r;
    for (const auto& line : lines)
      if (mllib::parse_rating_line(line, r)) out.push_back(r);
    return out;
  });
}

// The training part of the ratings: the same split in both modes.
brasa::RDD<mllib::Rating> training(const brasa::RDD<mllib::Rating>& ratings, const Options& o) {
  if (o.test_fraction == 0) return ratings;
  return mllib::random_split(ratings, {1.0 - o.test_fraction, o.test_fraction}, o.seed)[0];
}

// One id's least-squares problem from its ratings and the other side's
// factors, as mllib's ALS poses it (Spark's: regularisation scaled by the
// number of ratings; implicit feedback with confidence 1 + alpha |r|).
struct SolveId {
  int rank;
  double reg, alpha;
  bool implicit, nonnegative;
  brasa::Broadcast<Eigen::MatrixXd> yty;  // implicit: sum of y y^T over every factor of the other side

  Factor operator()(const std::pair<int32_t, std::vector<std::pair<std::vector<float>, float>>>& id) const {
    Eigen::MatrixXd a = implicit ? yty.value() : Eigen::MatrixXd::Zero(rank, rank);
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(rank), y(rank);
    int64_t counted = 0;
    for (const auto& [factor, r] : id.second) {
      for (int c = 0; c < rank; ++c) y[c] = factor[c];
      if (implicit) {
        const double c1 = alpha * std::abs(r);
        if (r > 0) {
          rhs += (1.0 + c1) * y;
          ++counted;
        }
        a.selfadjointView<Eigen::Lower>().rankUpdate(y, c1);
      } else {
        rhs += r * y;
        ++counted;
        a.selfadjointView<Eigen::Lower>().rankUpdate(y);
      }
    }
    a.diagonal().array() += reg * static_cast<double>(counted);
    Eigen::VectorXd x;
    if (nonnegative) {
      a.triangularView<Eigen::StrictlyUpper>() = a.transpose();
      x = mllib::nonnegative_least_squares(a, rhs);
    } else {
      x = a.selfadjointView<Eigen::Lower>().llt().solve(rhs);
    }
    Factor out{id.first, std::vector<float>(rank)};
    for (int c = 0; c < rank; ++c) out.second[c] = static_cast<float>(x[c]);
    return out;
  }
};

// The factors of one side as ALSModel holds them: a block per partition.
brasa::RDD<mllib::detail::FactorBlock> blocks_of(const brasa::RDD<Factor>& factors, int rank) {
  return factors.map_partitions([rank](const std::vector<Factor>& fs) {
    std::vector<const Factor*> sorted;
    for (const auto& f : fs) sorted.push_back(&f);
    std::sort(sorted.begin(), sorted.end(), [](const Factor* a, const Factor* b) { return a->first < b->first; });
    mllib::detail::FactorBlock b{rank, {}, {}};
    for (const Factor* f : sorted) {
      b.ids.push_back(f->first);
      b.factors.insert(b.factors.end(), f->second.begin(), f->second.end());
    }
    return std::vector<mllib::detail::FactorBlock>{std::move(b)};
  });
}

mllib::ALSModel disk_als(brasa::Context& ctx, const apps::CommonFlags& flags, const Options& o,
                         const mllib::ALS& estimator, const apps::ScratchDir& scratch, apps::Report& report) {
  auto path = [&](const char* side, int i) { return scratch / (std::string(side) + "-" + std::to_string(i)); };
  {
    // The starting factors: mllib's ALS with no iterations draws them.
    auto start = mllib::ALS(estimator).max_iter(0).fit(
        training(mllib::load_ratings(ctx, flags.input, {.partitions = flags.partitions}), o));
    start.user_factors().map([](const Factor& f) { return format_factor(f); }).save_as_text_file(path("users", 0));
    start.item_factors().map([](const Factor& f) { return format_factor(f); }).save_as_text_file(path("items", 0));
  }
  report.loaded();

  // Solves one side from the ratings (keyed by the other side's id) and the
  // other side's factors.
  auto half_step = [&](const std::string& fixed_path, bool solve_items, const std::string& out_path) {
    auto fixed =
        ctx.text_file(fixed_path, flags.partitions).map([](const std::string& line) { return parse_factor(line); });
    Eigen::MatrixXd yty = Eigen::MatrixXd::Zero(o.rank, o.rank);
    if (o.implicit)
      yty = fixed.aggregate(
          yty,
          [](Eigen::MatrixXd acc, const Factor& f) {
            Eigen::VectorXd y = Eigen::Map<const Eigen::VectorXf>(f.second.data(), f.second.size()).cast<double>();
            acc.selfadjointView<Eigen::Lower>().rankUpdate(y);
            return acc;
          },
          [](Eigen::MatrixXd a, const Eigen::MatrixXd& b) { return Eigen::MatrixXd(a + b); });
    auto gram = ctx.scoped_broadcast(yty);
    training(read_ratings(ctx, flags), o)
        .map([solve_items](const mllib::Rating& r) {
          return std::pair{solve_items ? r.user : r.item, std::pair{solve_items ? r.item : r.user, r.rating}};
        })
        .join(fixed)
        .map([](const std::pair<int32_t, std::pair<std::pair<int32_t, float>, std::vector<float>>>& x) {
          return std::pair{x.second.first.first, std::pair{x.second.second, x.second.first.second}};
        })
        .group_by_key()
        .map(SolveId{o.rank, o.reg, o.alpha, o.implicit, o.nonnegative, gram.handle()})
        .map([](const Factor& f) { return format_factor(f); })
        .save_as_text_file(out_path);
  };
  brasa::IterationClock clock(ctx.runtime(), "als");
  for (int i = 1; i <= o.max_iter; ++i) {
    half_step(path("users", i - 1), true, path("items", i));
    half_step(path("items", i), false, path("users", i));
    clock.lap(i);
  }
  auto users = ctx.text_file(path("users", o.max_iter), flags.partitions).map([](const std::string& line) {
    return parse_factor(line);
  });
  auto items = ctx.text_file(path("items", o.max_iter), flags.partitions).map([](const std::string& line) {
    return parse_factor(line);
  });
  // Kept in memory: the scratch files go when this returns.
  auto user_blocks = blocks_of(users, o.rank), item_blocks = blocks_of(items, o.rank);
  user_blocks.cache();
  item_blocks.cache();
  user_blocks.count();
  item_blocks.count();
  return mllib::ALSModel(o.rank, user_blocks, item_blocks);
}

// RMSE of the model's predictions for rated pairs it has factors for.
double rmse(const mllib::ALSModel& model, const brasa::RDD<mllib::Rating>& ratings) {
  auto keyed = ratings.map([](const mllib::Rating& r) { return std::pair{std::pair{r.user, r.item}, r.rating}; });
  auto predicted = model.predict(keyed.keys()).filter([](const auto& p) { return !std::isnan(p.second); });
  auto errors = predicted.join(keyed).map([](const std::pair<std::pair<int32_t, int32_t>, std::pair<float, float>>& x) {
    const double e = static_cast<double>(x.second.first) - static_cast<double>(x.second.second);
    return std::pair{e * e, 1.0};
  });
  if (errors.is_empty()) return NAN;
  auto [sum, n] = errors.reduce([](std::pair<double, double> a, std::pair<double, double> b) {
    return std::pair{a.first + b.first, a.second + b.second};
  });
  return std::sqrt(sum / n);
}

// precision_at_k, map and ndcg_at_k of each user's top k items against the
// items it rated above 0 in `held_out` (users without any are left out).
std::vector<std::pair<std::string, double>> ranking_metrics(const mllib::ALSModel& model,
                                                            const brasa::RDD<mllib::Rating>& held_out, int k) {
  using Ids = mllib::RankingEvaluator::Ids;
  auto predicted = model.recommend_for_all_users(k).map([](const std::pair<int32_t, mllib::Recommendations>& u) {
    Ids ids;
    for (const auto& [item, score] : u.second) ids.push_back(item);
    return std::pair{u.first, ids};
  });
  auto relevant = held_out.filter([](const mllib::Rating& r) { return r.rating > 0; })
                      .map([](const mllib::Rating& r) {
                        return std::pair{r.user, r.item};
                      })
                      .group_by_key();
  auto queries = predicted.join(relevant).map([](const std::pair<int32_t, std::pair<Ids, std::vector<int32_t>>>& q) {
    return mllib::RankingEvaluator::Query{q.second.first, q.second.second};
  });
  queries.cache();
  mllib::RankingEvaluator evaluator;
  const std::string at = "_at_" + std::to_string(k);
  return {{"precision" + at, evaluator.precision_at(queries, k)},
          {"map", evaluator.mean_average_precision(queries)},
          {"ndcg" + at, evaluator.ndcg_at(queries, k)}};
}

}  // namespace

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  apps::App app("brasa-als", "Collaborative filtering with Spark MLlib's ALS");
  Options o;
  auto& cli = app.cli();
  cli.add_option("--rank", o.rank, "number of latent factors")->check(CLI::PositiveNumber)->capture_default_str();
  cli.add_option("--max-iter", o.max_iter, "iterations (each solves users and items once)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--reg", o.reg, "regularisation parameter (Spark's regParam)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cli.add_flag("--implicit", o.implicit, "implicit feedback (ratings are confidences)");
  cli.add_option("--alpha", o.alpha, "confidence scale of implicit feedback")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cli.add_flag("--nonnegative", o.nonnegative, "non-negative factors");
  cli.add_option("--test-fraction", o.test_fraction, "ratings held out for test_rmse")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  cli.add_option("--seed", o.seed, "seed of the split and the starting factors")->capture_default_str();
  cli.add_option("--recommend", o.recommend, "write (and print for the first users) the top K items per user")
      ->check(CLI::NonNegativeNumber);
  if (int code = app.parse(argc, argv); code >= 0) return code;

  return app.run([&](brasa::Context& ctx, apps::Report& report) {
    const auto& flags = app.flags();
    std::optional<apps::OutputDir> out;
    if (!flags.output.empty()) out.emplace(flags.output, flags.overwrite);
    auto estimator = mllib::ALS()
                         .rank(o.rank)
                         .max_iter(o.max_iter)
                         .reg_param(o.reg)
                         .implicit_prefs(o.implicit)
                         .alpha(o.alpha)
                         .nonnegative(o.nonnegative)
                         .seed(o.seed);
    auto ratings = mllib::load_ratings(ctx, flags.input, {.partitions = flags.partitions});
    std::array<brasa::RDD<mllib::Rating>, 2> parts{ratings, ratings};
    if (o.test_fraction > 0) parts = mllib::random_split(ratings, {1.0 - o.test_fraction, o.test_fraction}, o.seed);
    mllib::ALSModel model;
    std::optional<apps::ScratchDir> scratch;
    if (flags.disk_mode()) {
      model = disk_als(ctx, flags, o, estimator, scratch.emplace(), report);
    } else {
      report.load(parts[0]);
      model = estimator.fit(parts[0]);
    }
    model.set_cold_start_strategy("drop");
    std::string figures;
    if (o.implicit) {
      // Implicit feedback predicts preference, not the rating: rank instead.
      // The top k items of each user against the items it rated positively
      // in the held-out part (the training part without a test fraction).
      const int k = o.recommend > 0 ? o.recommend : 10;
      auto ranking = ranking_metrics(model, o.test_fraction > 0 ? parts[1] : parts[0], k);
      for (const auto& [name, value] : ranking) {
        report.set(name, value);
        figures += (figures.empty() ? "" : ", ") + name + " " + apps::format_double(value);
      }
    } else {
      const double train_rmse = rmse(model, parts[0]);
      report.set("train_rmse", train_rmse);
      figures = "train_rmse " + apps::format_double(train_rmse);
      if (o.test_fraction > 0) {
        const double test_rmse = rmse(model, parts[1]);
        report.set("test_rmse", test_rmse);
        figures += ", test_rmse " + apps::format_double(test_rmse);
      }
    }
    std::printf("%s\n", figures.c_str());
    if (out) {
      model.save(*out / "model");
      if (o.recommend > 0)
        model.recommend_for_all_users(o.recommend)
            .map([](const std::pair<int32_t, mllib::Recommendations>& u) {
              std::string line = std::to_string(u.first);
              for (const auto& [item, score] : u.second)
                line += "\t" + std::to_string(item) + ":" + apps::format_double(score);
              return line;
            })
            .save_as_text_file(*out / "recommendations");
      out->commit();
    }
    report.summary("rank " + std::to_string(o.rank) + ", " + figures);
  });
}
