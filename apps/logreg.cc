// brasa-logreg: logistic regression on LIBSVM data with Spark MLlib's
// LogisticRegression (L-BFGS, or OWL-QN with an L1 part; standardized
// features; its defaults).
//
//   brasa-logreg --input data.libsvm --reg 0.01 --test-fraction 0.2 --output
//   model
//
// --mode memory runs mllib::LogisticRegression on the cached points. --mode
// disk minimises the same objective (binomial or multinomial) with the same
// optimiser, but every evaluation of loss and gradient is a job that
// re-reads and re-parses the LIBSVM files and reads the coefficients from
// the file the driver wrote for it, as a chain of MapReduce jobs would.
#include <cmath>
#include <cstdio>
#include <optional>

#include <spdlog/spdlog.h>

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

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// MLlib's LogisticRegression with family "auto": binomial for labels 0 and
// 1, multinomial (softmax, K rows of coefficients) for more classes; its
// starting intercepts, and its centring of a multinomial model.
mllib::LogisticRegressionModel disk_logistic_regression(brasa::Context& ctx, const apps::TrainingInput& input,
                                                        const Options& o, const apps::ScratchDir& scratch,
                                                        apps::Report& report, std::vector<double>& history) {
  const apps::Moments m = apps::moments(ctx, input, /*class_labels=*/true);
  report.loaded();
  const int d = input.num_features;
  const int classes = static_cast<int>(m.class_count.size());
  const bool multinomial = classes > 2;
  const int rows = multinomial ? classes : 1;
  int observed = 0, only = 0;
  for (int c = 0; c < classes; ++c)
    if (m.class_count[c] > 0) ++observed, only = c;
  if (observed <= 1) {
    // As memory mode: the intercept alone decides, at infinity.
    spdlog::warn("every label is {}; the model predicts it always", only);
    if (!multinomial) return mllib::LogisticRegressionModel(Eigen::VectorXd::Zero(d), only == 1 ? INFINITY : -INFINITY);
    Eigen::VectorXd intercepts = Eigen::VectorXd::Zero(rows);
    intercepts[only] = INFINITY;
    return mllib::LogisticRegressionModel(Eigen::MatrixXd::Zero(rows, d), intercepts);
  }
  // The optimiser works on coefficients of standardized features:
  // x = [rows x d coefficients row by row, rows intercepts].
  Eigen::VectorXd inv_std(d);
  for (int32_t i = 0; i < d; ++i) inv_std[i] = m.std_dev(i) != 0 ? 1.0 / m.std_dev(i) : 0.0;
  const int n = rows * d;
  auto coefficients_of = [&](const Eigen::VectorXd& x) -> Eigen::MatrixXd {
    return Eigen::Map<const RowMatrix>(x.data(), rows, d) * inv_std.asDiagonal();
  };
  const double l1 = o.elastic_net * o.reg, l2 = (1.0 - o.elastic_net) * o.reg;
  int evaluation = 0;
  mllib::DiffFunction objective = [&](const Eigen::VectorXd& x, Eigen::VectorXd& grad) {
    const apps::LossSum s =
        apps::evaluate_loss(ctx, input, apps::Loss::kLogistic, coefficients_of(x), x.tail(rows), 1.0,
                            scratch / ("coefficients-" + std::to_string(evaluation++)));
    double penalty = 0;
    for (int k = 0; k < n; ++k) {
      grad[k] = s.gradient[k] * inv_std[k % d] / m.n + l2 * x[k];
      penalty += x[k] * x[k];
    }
    for (int k = 0; k < rows; ++k) grad[n + k] = s.residual_sum[k] / m.n;
    return s.loss / m.n + 0.5 * l2 * penalty;
  };
  Eigen::VectorXd x0 = Eigen::VectorXd::Zero(n + rows);
  if (!multinomial) {
    x0[n] = std::log(m.class_count[1] / m.class_count[0]);  // the log-odds of the labels, as Spark starts
  } else {
    for (int k = 0; k < rows; ++k) x0[n + k] = std::log1p(m.class_count[k]);  // Spark: log1p of the counts, centred
    x0.tail(rows).array() -= x0.tail(rows).mean();
  }
  brasa::IterationClock clock(ctx.runtime(), "logistic-regression");
  const mllib::LBFGSOptions options{
      .max_iterations = o.max_iter, .memory = 10, .tol = o.tol, .on_iteration = [&clock](int i, double loss) {
        clock.lap(i, loss);
      }};
  mllib::OptimizationResult result;
  if (l1 > 0) {
    Eigen::VectorXd l1_weights = Eigen::VectorXd::Zero(n + rows);
    l1_weights.head(n).setConstant(l1);
    result = mllib::minimize_owlqn(objective, x0, l1_weights, options);
  } else {
    result = mllib::minimize_lbfgs(objective, x0, options);
  }
  history = result.loss_history;
  Eigen::MatrixXd coefficients = coefficients_of(result.x);
  Eigen::VectorXd intercepts = result.x.tail(rows);
  if (!multinomial) return mllib::LogisticRegressionModel(Eigen::VectorXd(coefficients.row(0).transpose()), intercepts[0]);
  // Softmax is unchanged by adding a constant to every class: Spark centres
  // the intercepts, and without regularisation the coefficients too.
  intercepts.array() -= intercepts.mean();
  if (o.reg == 0) coefficients.rowwise() -= coefficients.colwise().mean();
  return mllib::LogisticRegressionModel(coefficients, intercepts);
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
      .add_option("--test-fraction", o.test_fraction, "hold this fraction out for test_auc and test_accuracy")
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
      apps::ScratchDir scratch;
      const apps::TrainingInput input{flags, data.first().features.size(), o.test_fraction, o.seed};
      model = disk_logistic_regression(ctx, input, o, scratch, report, history);
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
    auto accuracy_of = [&model](const brasa::RDD<mllib::LabeledPoint>& points, int64_t& n) {
      auto predictions = model.prediction_and_labels(points);
      n = predictions.count();
      const int64_t right =
          predictions.filter([](const std::pair<double, double>& p) { return p.first == p.second; }).count();
      return n > 0 ? static_cast<double>(right) / static_cast<double>(n) : 0.0;
    };
    int64_t n = 0, test_n = 0;
    const double accuracy = accuracy_of(train, n);
    report.set("accuracy", accuracy);
    std::printf("accuracy %s", apps::format_double(accuracy).c_str());
    if (o.test_fraction > 0) {
      const double test_accuracy = accuracy_of(test, test_n);
      report.set("test_accuracy", test_accuracy);
      std::printf(", test accuracy %s", apps::format_double(test_accuracy).c_str());
    }
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
