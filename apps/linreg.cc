// brasa-linreg: linear regression on LIBSVM data with Spark MLlib's
// LinearRegression (normal equations or L-BFGS/OWL-QN; its defaults).
//
//   brasa-linreg --input data.libsvm --reg 0.1 --elastic-net 0.5 --output model
//
// Both modes pick the solver as MLlib does (auto: the normal equations up to
// 4096 features). The normal equations take one pass over the points and
// have no iterations to repeat: --mode disk fits them on the points read
// from the files, uncached. For L-BFGS, --mode disk minimises the same
// objective (standardized features and label) with the same optimiser,
// each evaluation a job that re-reads the input.
#include <cstdio>
#include <optional>

#include "brasa/mllib/mllib.h"
#include "brasa/scheduler/iteration_clock.h"
#include "common/app.h"
#include "common/disk_linear.h"
#include "common/text_state.h"

namespace apps = brasa::apps;
namespace mllib = brasa::mllib;

namespace {

struct Options : apps::LinearOptions {
  std::string solver = "auto";
};

// MLlib's L-BFGS path: coefficients x of standardized features predict the
// label scaled by its spread; the loss is half the mean squared error plus
// the penalties (scaled likewise).
mllib::LinearRegressionModel disk_linear_regression(brasa::Context& ctx, const apps::TrainingInput& input,
                                                    const Options& o, const apps::ScratchDir& scratch,
                                                    apps::Report& report, std::vector<double>& history) {
  const apps::Moments m = apps::moments(ctx, input, /*class_labels=*/false);
  const int32_t d = input.num_features;
  report.loaded();
  const double label_mean = m.label_mean(), label_std = m.label_std();
  if (label_std == 0)
    throw std::invalid_argument("--mode disk: the label is constant (" + std::to_string(label_mean) + ")");
  Eigen::VectorXd inv_std(d), mean(d);
  for (int32_t i = 0; i < d; ++i) {
    inv_std[i] = m.std_dev(i) != 0 ? 1.0 / m.std_dev(i) : 0.0;
    mean[i] = m.mean(i);
  }
  const double reg = o.reg / label_std;
  const double l1 = o.elastic_net * reg, l2 = (1.0 - o.elastic_net) * reg;
  int evaluation = 0;
  mllib::DiffFunction objective = [&](const Eigen::VectorXd& x, Eigen::VectorXd& grad) {
    const Eigen::VectorXd coefficients = x.cwiseProduct(inv_std);
    const double offset = label_mean / label_std - coefficients.dot(mean);
    const apps::LossSum s =
        apps::evaluate_loss(ctx, input, apps::Loss::kSquared, coefficients.transpose(), Eigen::VectorXd::Constant(1, offset),
                            1.0 / label_std, scratch / ("coefficients-" + std::to_string(evaluation++)));
    double penalty = 0;
    for (int32_t i = 0; i < d; ++i) {
      grad[i] = (s.gradient[i] - s.residual_sum[0] * mean[i]) * inv_std[i] / m.n + l2 * x[i];
      penalty += x[i] * x[i];
    }
    return s.loss / m.n + 0.5 * l2 * penalty;
  };
  brasa::IterationClock clock(ctx.runtime(), "linear-regression");
  const mllib::LBFGSOptions options{
      .max_iterations = o.max_iter, .memory = 10, .tol = o.tol, .on_iteration = [&clock](int i, double loss) {
        clock.lap(i, loss);
      }};
  mllib::OptimizationResult result =
      l1 > 0 ? mllib::minimize_owlqn(objective, Eigen::VectorXd::Zero(d), Eigen::VectorXd::Constant(d, l1), options)
             : mllib::minimize_lbfgs(objective, Eigen::VectorXd::Zero(d), options);
  history = result.loss_history;
  const Eigen::VectorXd coefficients = result.x.cwiseProduct(inv_std) * label_std;
  return mllib::LinearRegressionModel(coefficients, label_mean - coefficients.dot(mean));
}

}  // namespace

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  apps::App app("brasa-linreg", "Linear regression on LIBSVM data with Spark MLlib's LinearRegression");
  Options o;
  auto& cli = app.cli();
  apps::add_linear_options(cli, o);
  cli.add_option("--solver", o.solver, "auto, normal (weighted least squares) or l-bfgs")
      ->check(CLI::IsMember({"auto", "normal", "l-bfgs"}))
      ->capture_default_str();
  if (int code = app.parse(argc, argv); code >= 0) return code;

  return app.run([&](brasa::Context& ctx, apps::Report& report) {
    const auto& flags = app.flags();
    std::optional<apps::OutputDir> out;
    if (!flags.output.empty()) out.emplace(flags.output, flags.overwrite);
    auto data = mllib::load_libsvm(ctx, flags.input, {.partitions = flags.partitions});
    const auto estimator =
        mllib::LinearRegression().max_iter(o.max_iter).reg_param(o.reg).elastic_net_param(o.elastic_net).tol(o.tol).solver(
            o.solver);
    const apps::TrainingInput input{flags, data.first().features.size()};
    const bool normal = estimator.uses_normal_equations(input.num_features);
    mllib::LinearRegressionModel model;
    std::vector<double> history;  // the objective at the start and after each iteration (iterative solvers)
    if (flags.disk_mode() && !normal) {
      apps::ScratchDir scratch;
      model = disk_linear_regression(ctx, input, o, scratch, report, history);
    } else if (flags.disk_mode()) {
      report.loaded();
      model = estimator.fit(input.read(ctx));
      history = model.objective_history();
    } else {
      report.load(data);
      model = estimator.fit(data);
      history = model.objective_history();
    }
    const int64_t n = data.count();
    auto metrics = mllib::RegressionEvaluator().evaluate(model.predict_with_labels(data));
    report.set("rmse", metrics.rmse);
    report.set("r2", metrics.r2);
    report.set("mae", metrics.mae);
    if (!history.empty()) report.set("loss_history", history);
    std::printf("rmse %s, r2 %s, mae %s\n", apps::format_double(metrics.rmse).c_str(),
                apps::format_double(metrics.r2).c_str(), apps::format_double(metrics.mae).c_str());
    if (out) {
      model.save(*out / "model");
      out->commit();
    }
    report.summary(std::to_string(n) + " points");
  });
}
