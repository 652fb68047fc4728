#include "brasa/mllib/regression/generalized_linear_regression.h"

#include <cmath>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "instance_block.h"
#include "linear_model.h"
#include "optim/weighted_least_squares.h"
#include "regression/glm_family.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace generalized_linear_regression_impl {

constexpr const char* kModelClass = "brasa.mllib.GeneralizedLinearRegressionModel";

struct Mean {
  detail::LinearMargin margin;
  detail::GlmFamily glm;
  template <class Ar> void serialize(Ar& ar) { ar(margin, glm); }
  double operator()(const Vector& x) const { return glm.mean_of_link(margin(x)); }
};

struct MeanAndLabel {
  Mean mean;
  template <class Ar> void serialize(Ar& ar) { ar(mean); }
  std::pair<double, double> operator()(const LabeledPoint& p) const { return {mean(p.features), p.label}; }
};

struct AddDeviance {
  Mean mean;
  template <class Ar> void serialize(Ar& ar) { ar(mean); }
  double operator()(double acc, const detail::InstanceBlock& blk) const {
    thread_local std::vector<double> eta;
    eta.resize(blk.rows);
    blk.multiply(mean.margin.coefficients, eta.data());
    for (int32_t i = 0; i < blk.rows; ++i)
      acc += mean.glm.deviance(blk.labels[i], mean.glm.mean_of_link(eta[i] + mean.margin.intercept), blk.weights[i]);
    return acc;
  }
};

struct Plus {
  double operator()(double a, double b) const { return a + b; }
};

double deviance(const detail::Blocks& blocks, const detail::GlmFamily& glm, const detail::WlsSolution& s,
                int depth) {
  return blocks.rdd.tree_aggregate(0.0, AddDeviance{{{s.coefficients, s.intercept}, glm}}, Plus{}, depth);
}

detail::GlmFamily glm_of(const std::string& family, const std::string& link) {
  return {detail::GlmFamily::family_of(family), detail::GlmFamily::link_of(link)};
}

void check(bool ok, const char* param, const char* rule, double value) {
  detail::check_param(ok, "GeneralizedLinearRegression", param, rule, value);
}

}  // namespace generalized_linear_regression_impl
using namespace generalized_linear_regression_impl;

double GeneralizedLinearRegressionModel::predict_link(const Vector& features) const {
  detail::check_features("GeneralizedLinearRegressionModel", num_features(), features);
  return detail::LinearMargin{coefficients_, intercept_}(features);
}

double GeneralizedLinearRegressionModel::predict(const Vector& features) const {
  return glm_of(family_, link_).mean_of_link(predict_link(features));
}

RDD<double> GeneralizedLinearRegressionModel::predict(const RDD<Vector>& features) const {
  return features.map(Mean{{coefficients_, intercept_}, glm_of(family_, link_)});
}

RDD<std::pair<double, double>> GeneralizedLinearRegressionModel::prediction_and_labels(
    const RDD<LabeledPoint>& points) const {
  return points.map(MeanAndLabel{{{coefficients_, intercept_}, glm_of(family_, link_)}});
}

void GeneralizedLinearRegressionModel::save(const std::string& path, bool overwrite) const {
  detail::LinearModelData data{coefficients_, intercept_, {}, num_iterations_, {}};
  data.metadata.set("family", family_);
  data.metadata.set("link", link_);
  detail::save_linear_model(path, kModelClass, data, overwrite);
}

GeneralizedLinearRegressionModel GeneralizedLinearRegressionModel::load(const std::string& path) {
  auto data = detail::load_linear_model(path, kModelClass);
  GeneralizedLinearRegressionModel model;
  model.coefficients_ = std::move(data.coefficients);
  model.intercept_ = data.intercept;
  model.family_ = data.metadata.text("family");
  model.link_ = data.metadata.text("link");
  glm_of(model.family_, model.link_);  // checks both names
  model.num_iterations_ = data.total_iterations;
  return model;
}

GeneralizedLinearRegression& GeneralizedLinearRegression::family(const std::string& v) {
  detail::GlmFamily::family_of(v);
  family_ = v;
  return *this;
}
GeneralizedLinearRegression& GeneralizedLinearRegression::link(const std::string& v) {
  detail::GlmFamily::link_of(v);
  link_ = v;
  return *this;
}
GeneralizedLinearRegression& GeneralizedLinearRegression::reg_param(double v) {
  check(v >= 0, "reg_param", "at least 0", v);
  reg_param_ = v;
  return *this;
}
GeneralizedLinearRegression& GeneralizedLinearRegression::max_iter(int v) {
  check(v >= 0, "max_iter", "at least 0", v);
  max_iter_ = v;
  return *this;
}
GeneralizedLinearRegression& GeneralizedLinearRegression::tol(double v) {
  check(v >= 0, "tol", "at least 0", v);
  tol_ = v;
  return *this;
}
GeneralizedLinearRegression& GeneralizedLinearRegression::fit_intercept(bool v) {
  fit_intercept_ = v;
  return *this;
}
GeneralizedLinearRegression& GeneralizedLinearRegression::aggregation_depth(int v) {
  check(v >= 2, "aggregation_depth", "at least 2", v);
  aggregation_depth_ = v;
  return *this;
}

GeneralizedLinearRegressionModel GeneralizedLinearRegression::fit(const RDD<LabeledPoint>& data) const {
  const auto family = detail::GlmFamily::family_of(family_);
  const auto link = link_.empty() ? detail::GlmFamily::canonical(family) : detail::GlmFamily::link_of(link_);
  const detail::GlmFamily glm{family, link};
  auto blocks = detail::make_blocks(data, "GeneralizedLinearRegression");
  GeneralizedLinearRegressionModel model;
  model.family_ = detail::GlmFamily::family_name(family);
  model.link_ = detail::GlmFamily::link_name(link);

  detail::WlsOptions options{.fit_intercept = fit_intercept_,
                             .reg_param = reg_param_,
                             .elastic_net_param = 0,
                             .standardize_features = true,
                             .standardize_label = true,
                             .depth = aggregation_depth_,
                             .relabel = {},
                             .who = "GeneralizedLinearRegression"};
  if (family == detail::GlmFamily::kGaussian && link == detail::GlmFamily::kIdentity) {
    auto solution = detail::weighted_least_squares(blocks, options);
    model.coefficients_ = std::move(solution.coefficients);
    model.intercept_ = solution.intercept;
    return model;
  }
  // IRLS: start from least squares on the link of each label's starting
  // mean, then solve on working responses until the coefficients settle.
  options.relabel = {detail::Relabel::kInitialize, glm, {}, 0};
  auto solution = detail::weighted_least_squares(blocks, options);
  options.standardize_features = options.standardize_label = false;
  int iteration = 0;
  bool converged = false;
  double current = deviance(blocks, glm, solution, aggregation_depth_);
  while (iteration < max_iter_ && !converged) {
    options.relabel = {detail::Relabel::kStep, glm, solution.coefficients, solution.intercept};
    auto next = detail::weighted_least_squares(blocks, options);
    // A step that leaves the family's domain or raises the deviance is
    // halved (as R's glm.fit does); a step Spark's IRLS takes unchanged
    // never is.
    double next_deviance = deviance(blocks, glm, next, aggregation_depth_);
    for (int halving = 0; halving < 30 && !(next_deviance <= current * (1 + 1e-12) + 1e-300); ++halving) {
      next.coefficients = (next.coefficients + solution.coefficients) / 2;
      next.intercept = (next.intercept + solution.intercept) / 2;
      next_deviance = deviance(blocks, glm, next, aggregation_depth_);
    }
    const double moved = std::max((next.coefficients - solution.coefficients).cwiseAbs().maxCoeff(),
                                  std::abs(next.intercept - solution.intercept));
    converged = moved < tol_;
    solution = std::move(next);
    current = next_deviance;
    ++iteration;
  }
  if (!converged)
    spdlog::warn("GeneralizedLinearRegression: IRLS did not converge in {} iterations (tol {})", max_iter_, tol_);
  model.coefficients_ = std::move(solution.coefficients);
  model.intercept_ = solution.intercept;
  model.num_iterations_ = iteration;
  return model;
}

}  // namespace brasa::mllib
