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
#include "common/disk_linear.h"
#include "common/text_state.h"

namespace apps = brasa::apps;
namespace mllib = brasa::mllib;

namespace {

struct Options : apps::LinearOptions {
  double test_fraction = 0;
  uint64_t seed = 42;
};

mllib::LogisticRegressionModel disk_logistic_regression(brasa::Context& ctx, const apps::CommonFlags& flags,
                                                        const Options& o, int32_t d, const apps::ScratchDir& scratch,
                                                        apps::Report& report, std::vector<double>& history) {
  const apps::Moments m = apps::moments(ctx, flags, d, /*binary_labels=*/true);
  report.loaded();
  if (m.label_sum == 0 || m.label_sum == m.n)
    throw std::invalid_argument("--mode disk needs both labels 0 and 1 in the data");
  // The optimiser works on coefficients of standardized features.
  Eigen::VectorXd inv_std(d);
  for (int32_t i = 0; i < d; ++i) inv_std[i] = m.std_dev(i) != 0 ? 1.0 / m.std_dev(i) : 0.0;
  const double l1 = o.elastic_net * o.reg, l2 = (1.0 - o.elastic_net) * o.reg;
  int evaluation = 0;
  mllib::DiffFunction objective = [&](const Eigen::VectorXd& x, Eigen::VectorXd& grad) {
    std::vector<double> w(d);
    for (int32_t i = 0; i < d; ++i) w[i] = x[i] * inv_std[i];
    const apps::LossSum s = apps::evaluate_loss(ctx, flags, apps::Loss::kLogistic, w, x[d], 1.0,
                                                scratch / ("coefficients-" + std::to_string(evaluation++)));
    double penalty = 0;
    for (int32_t i = 0; i < d; ++i) {
      grad[i] = s.gradient[i] * inv_std[i] / m.n + l2 * x[i];
      penalty += x[i] * x[i];
    }
    grad[d] = s.residual_sum / m.n;
    return s.loss / m.n + 0.5 * l2 * penalty;
  };
  Eigen::VectorXd x0 = Eigen::VectorXd::Zero(d + 1);
  x0[d] = std::log(m.label_sum / (m.n - m.label_sum));  // the log-odds of the labels, as Spark starts
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
  apps::add_linear_options(app.cli(), o);
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
      report.load(train);
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
