// brasa-linreg: linear regression on LIBSVM data with Spark MLlib's
// LinearRegression (normal equations or L-BFGS/OWL-QN; its defaults).
//
//   brasa-linreg --input data.libsvm --reg 0.1 --elastic-net 0.5 --output model
#include <cstdio>
#include <optional>

#include "brasa/mllib/mllib.h"
#include "common/app.h"
#include "common/text_state.h"

namespace apps = brasa::apps;
namespace mllib = brasa::mllib;

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  apps::App app("brasa-linreg", "Linear regression on LIBSVM data with Spark MLlib's LinearRegression");
  int max_iter = 100;
  double reg = 0, elastic_net = 0, tol = 1e-6;
  std::string solver = "auto";
  auto& cli = app.cli();
  cli.add_option("--max-iter", max_iter, "most L-BFGS iterations")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cli.add_option("--reg", reg, "regularisation parameter (Spark's regParam)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cli.add_option("--elastic-net", elastic_net, "L1 share of the regularisation, in [0, 1]")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cli.add_option("--tol", tol, "convergence tolerance of L-BFGS")->check(CLI::NonNegativeNumber)->capture_default_str();
  cli.add_option("--solver", solver, "auto, normal (weighted least squares) or l-bfgs")
      ->check(CLI::IsMember({"auto", "normal", "l-bfgs"}))
      ->capture_default_str();
  if (int code = app.parse(argc, argv); code >= 0) return code;
  if (app.flags().disk_mode()) {
    std::fprintf(stderr, "brasa-linreg: --mode disk is not available for linear regression yet\n");
    return 2;
  }

  return app.run([&](brasa::Context& ctx, apps::Report& report) {
    const auto& flags = app.flags();
    std::optional<apps::OutputDir> out;
    if (!flags.output.empty()) out.emplace(flags.output, flags.overwrite);
    auto data = mllib::load_libsvm(ctx, flags.input, {.partitions = flags.partitions});
    data.cache();
    const int64_t n = data.count();
    report.loaded();
    auto model = mllib::LinearRegression()
                     .max_iter(max_iter)
                     .reg_param(reg)
                     .elastic_net_param(elastic_net)
                     .tol(tol)
                     .solver(solver)
                     .fit(data);
    auto metrics = mllib::RegressionEvaluator().evaluate(model.predict_with_labels(data));
    report.set("rmse", metrics.rmse);
    report.set("r2", metrics.r2);
    report.set("mae", metrics.mae);
    if (!model.objective_history().empty()) report.set("loss_history", model.objective_history());
    std::printf("rmse %s, r2 %s, mae %s\n", apps::format_double(metrics.rmse).c_str(),
                apps::format_double(metrics.r2).c_str(), apps::format_double(metrics.mae).c_str());
    if (out) {
      model.save(*out / "model");
      out->commit();
    }
    report.summary(std::to_string(n) + " points");
  });
}
