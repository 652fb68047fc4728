// brasa-logreg: logistic regression on LIBSVM data with Spark MLlib's
// LogisticRegression (L-BFGS, or OWL-QN with an L1 part; standardized
// features; its defaults).
//
//   brasa-logreg --input data.libsvm --reg 0.01 --test-fraction 0.2 --output
//   model
//
// --mode memory runs mllib::LogisticRegression on the cached points. --mode
// disk minimises the same objective (binary labels) with the same optimiser,
// but every evaluation of loss and gradient is a job that re-reads and
// re-parses the LIBSVM files and reads the coefficients from the file the
// driver wrote for it, as a chain of MapReduce jobs would.
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
  int max_iter = 100;
  double reg = 0;
  double elastic_net = 0;
  double tol = 1e-6;
  double test_fraction = 0;
  uint64_t seed = 42;
};

// The parsed lines of the LIBSVM files, read again on every call.
brasa::RDD<mllib::LabeledPoint> read_points(brasa::Context& ctx, const std::string& input, int partitions,
                                            int32_t num_features) {
  return ctx.text_file(input, partitions).map_partitions([num_features](const std::vector<std::string>& lines) {
    std::vector<mllib::LabeledPoint> out;
    out.reserve(lines.size());
    mllib::LabeledPoint p;
    for (const auto& line : lines)
      if (mllib::parse_libsvm_line(line, num_features, p)) out.push_back(std::move(p));
    return out;
  });
}

// Count, per-class count, and sums of x and x^2 per feature.
struct Moments {
  double n = 0, positives = 0;
  std::vector<double> sum, sum_sq;
  template <class Ar>
  void serialize(Ar& ar) {
    ar(n, positives, sum, sum_sq);
  }
};

// Loss and gradient sums (gradient in raw feature space, last entry: the
// intercept's).
struct LossSum {
  double loss = 0;
  std::vector<double> gradient;
  template <class Ar>
  void serialize(Ar& ar) {
    ar(loss, gradient);
  }
};

struct AddLoss {
  std::string coefficients_file;  // d raw-space coefficients, then the intercept
  template <class Ar>
  void serialize(Ar& ar) {
    ar(coefficients_file);
  }

  std::vector<LossSum> operator()(const std::vector<mllib::LabeledPoint>& points) const {
    const std::string text = brasa::read_file(coefficients_file);
    std::vector<double> w;
    for (std::string_view line : brasa::words(text)) w.push_back(apps::Fields(line, 1).real(0));
    const size_t d = w.size() - 1;
    LossSum s{0, std::vector<double>(d + 1, 0.0)};
    for (const auto& p : points) {
      double m = w[d];
      p.features.for_each_active([&](int32_t i, double x) { m += w[i] * x; });
      const double y = p.label;
      s.loss += (m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m))) - y * m;
      const double r = 1.0 / (1.0 + std::exp(-m)) - y;
      p.features.for_each_active([&](int32_t i, double x) { s.gradient[i] += r * x; });
      s.gradient[d] += r;
    }
    return {std::move(s)};
  }
};

mllib::LogisticRegressionModel disk_logistic_regression(brasa::Context& ctx, const apps::CommonFlags& flags,
                                                        const Options& o, int32_t num_features,
                                                        const apps::ScratchDir& scratch, apps::Report& report,
                                                        std::vector<double>& history) {
  const int32_t d = num_features;
  Moments zero{0, 0, std::vector<double>(d, 0.0), std::vector<double>(d, 0.0)};
  Moments m = read_points(ctx, flags.input, flags.partitions, d)
                  .aggregate(
                      zero,
                      [](Moments acc, const mllib::LabeledPoint& p) {
                        if (p.label != 0 && p.label != 1)
                          throw std::invalid_argument("--mode disk takes binary labels 0 and 1, found " +
                                                      std::to_string(p.label));
                        acc.n += 1;
                        acc.positives += p.label;
                        p.features.for_each_active([&](int32_t i, double x) {
                          acc.sum[i] += x;
                          acc.sum_sq[i] += x * x;
                        });
                        return acc;
                      },
                      [](Moments a, const Moments& b) {
                        a.n += b.n;
                        a.positives += b.positives;
                        for (size_t i = 0; i < a.sum.size(); ++i) a.sum[i] += b.sum[i], a.sum_sq[i] += b.sum_sq[i];
                        return a;
                      });
  report.loaded();
  if (m.positives == 0 || m.positives == m.n)
    throw std::invalid_argument("--mode disk needs both labels 0 and 1 in the data");
  // Unbiased spread of each feature, as Spark's summarizer; the optimiser
  // works on coefficients of standardized features.
  Eigen::VectorXd std_dev(d), inv_std(d);
  for (int32_t i = 0; i < d; ++i) {
    const double mean = m.sum[i] / m.n;
    const double var = m.n > 1 ? std::max(0.0, (m.sum_sq[i] - m.n * mean * mean) / (m.n - 1)) : 0.0;
    std_dev[i] = std::sqrt(var);
    inv_std[i] = std_dev[i] != 0 ? 1.0 / std_dev[i] : 0.0;
  }
  const double l1 = o.elastic_net * o.reg, l2 = (1.0 - o.elastic_net) * o.reg;
  int evaluation = 0;
  mllib::DiffFunction objective = [&](const Eigen::VectorXd& x, Eigen::VectorXd& grad) {
    std::string text;
    for (int32_t i = 0; i < d; ++i) text += apps::format_double(x[i] * inv_std[i]) + "\n";
    text += apps::format_double(x[d]) + "\n";
    const std::string file = scratch / ("coefficients-" + std::to_string(evaluation++));
    brasa::write_file_atomic(file, text);
    LossSum s = read_points(ctx, flags.input, flags.partitions, d)
                    .map_partitions(AddLoss{file})
                    .reduce([](LossSum a, const LossSum& b) {
                      a.loss += b.loss;
                      for (size_t i = 0; i < a.gradient.size(); ++i) a.gradient[i] += b.gradient[i];
                      return a;
                    });
    double penalty = 0;
    for (int32_t i = 0; i < d; ++i) {
      grad[i] = s.gradient[i] * inv_std[i] / m.n + l2 * x[i];
      penalty += x[i] * x[i];
    }
    grad[d] = s.gradient[d] / m.n;
    return s.loss / m.n + 0.5 * l2 * penalty;
  };
  Eigen::VectorXd x0 = Eigen::VectorXd::Zero(d + 1);
  x0[d] = std::log(m.positives / (m.n - m.positives));
  brasa::IterationClock clock(ctx.runtime(), "logistic-regression");
  const mllib::LBFGSOptions options{
      .max_iterations = o.max_iter, .memory = 10, .tol = o.tol, .on_iteration = [&clock](int i, double loss) {
        clock.lap(i, loss);
      }};
  mllib::OptimizationResult result;
  if (l1 > 0) {
    Eigen::VectorXd l1_weights = Eigen::VectorXd::Constant(d + 1, l1);
    l1_weights[d] = 0;
    result = mllib::minimize_owlqn(objective, x0, l1_weights, options);
  } else {
    result = mllib::minimize_lbfgs(objective, x0, options);
  }
  history = result.loss_history;
  return mllib::LogisticRegressionModel(result.x.head(d).cwiseProduct(inv_std), result.x[d]);
}

}  // namespace

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  apps::App app("brasa-logreg",
                "Logistic regression on LIBSVM data with Spark "
                "MLlib's LogisticRegression");
  Options o;
  app.cli()
      .add_option("--max-iter", o.max_iter, "most L-BFGS iterations")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.cli()
      .add_option("--reg", o.reg, "regularisation parameter (Spark's regParam)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.cli()
      .add_option("--elastic-net", o.elastic_net, "L1 share of the regularisation, in [0, 1]")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.cli().add_option("--tol", o.tol, "convergence tolerance")->check(CLI::NonNegativeNumber)->capture_default_str();
  app.cli()
      .add_option("--test-fraction", o.test_fraction, "hold this fraction out for test_auc")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  app.cli().add_option("--seed", o.seed, "seed of the train/test split")->capture_default_str();
  if (int code = app.parse(argc, argv); code >= 0) return code;

  return app.run([&](brasa::Context& ctx, apps::Report& report) {
    const auto& flags = app.flags();
    std::optional<apps::OutputDir> out;
    if (!flags.output.empty()) out.emplace(flags.output, flags.overwrite);
    auto data = mllib::load_libsvm(ctx, flags.input, {.partitions = flags.partitions});
    brasa::RDD<mllib::LabeledPoint> train = data, test;
    if (o.test_fraction > 0) {
      auto parts = mllib::random_split(data, {1.0 - o.test_fraction, o.test_fraction}, o.seed);
      train = parts[0];
      test = parts[1];
    }
    mllib::LogisticRegressionModel model;
    std::vector<double> history;  // the objective at the start and after each iteration
    if (flags.disk_mode()) {
      if (o.test_fraction > 0)
        throw std::invalid_argument("--mode disk trains on the whole input: drop --test-fraction");
      apps::ScratchDir scratch;
      model = disk_logistic_regression(ctx, flags, o, data.first().features.size(), scratch, report, history);
    } else {
      train.cache();
      train.count();
      report.loaded();
      model = mllib::LogisticRegression()
                  .max_iter(o.max_iter)
                  .reg_param(o.reg)
                  .elastic_net_param(o.elastic_net)
                  .tol(o.tol)
                  .fit(train);
      history = model.objective_history();
    }
    report.set("loss_history", history);
    std::printf("loss history:");
    for (double loss : history) std::printf(" %s", apps::format_double(loss).c_str());
    std::printf("\n");
    mllib::BinaryClassificationEvaluator evaluator;
    const bool binary = !model.is_multinomial();
    auto predictions = model.prediction_and_labels(train);
    const int64_t n = predictions.count();
    const int64_t right =
        predictions.filter([](const std::pair<double, double>& p) { return p.first == p.second; }).count();
    const double accuracy = n > 0 ? static_cast<double>(right) / static_cast<double>(n) : 0.0;
    report.set("accuracy", accuracy);
    std::printf("accuracy %s", apps::format_double(accuracy).c_str());
    if (binary) {
      const double auc = evaluator.area_under_roc(model.predict_with_labels(train));
      report.set("auc", auc);
      std::printf(", auc %s", apps::format_double(auc).c_str());
      if (o.test_fraction > 0) {
        const double test_auc = evaluator.area_under_roc(model.predict_with_labels(test));
        report.set("test_auc", test_auc);
        std::printf(", test auc %s", apps::format_double(test_auc).c_str());
      }
    }
    std::printf("\n");
    if (out) {
      model.save(*out / "model");
      out->commit();
    }
    report.summary(std::to_string(n) + " training points");
  });
}
