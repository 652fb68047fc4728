#include "regression/glm_family.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <spdlog/fmt/fmt.h>

namespace brasa::mllib::detail {

namespace {
constexpr double kEpsilon = 1e-16;  // Spark's bound on means in (0, 1) and (0, inf)
}

GlmFamily::Family GlmFamily::family_of(const std::string& name) {
  if (name == "gaussian") return kGaussian;
  if (name == "binomial") return kBinomial;
  if (name == "poisson") return kPoisson;
  if (name == "gamma") return kGamma;
  throw std::invalid_argument("GeneralizedLinearRegression: family must be \"gaussian\", \"binomial\", \"poisson\" "
                              "or \"gamma\", got \"" + name + "\"");
}

GlmFamily::Link GlmFamily::link_of(const std::string& name) {
  if (name == "identity") return kIdentity;
  if (name == "log") return kLog;
  if (name == "logit") return kLogit;
  if (name == "inverse") return kInverse;
  if (name == "sqrt") return kSqrt;
  if (name == "cloglog") return kCloglog;
  throw std::invalid_argument("GeneralizedLinearRegression: link must be \"identity\", \"log\", \"logit\", "
                              "\"inverse\", \"sqrt\" or \"cloglog\", got \"" + name + "\"");
}

GlmFamily::Link GlmFamily::canonical(Family f) {
  switch (f) {
    case kBinomial: return kLogit;
    case kPoisson: return kLog;
    case kGamma: return kInverse;
    default: return kIdentity;
  }
}

const char* GlmFamily::family_name(int f) {
  static const char* names[] = {"gaussian", "binomial", "poisson", "gamma"};
  return names[f];
}

const char* GlmFamily::link_name(int l) {
  static const char* names[] = {"identity", "log", "logit", "inverse", "sqrt", "cloglog"};
  return names[l];
}

double GlmFamily::variance(double mu) const {
  switch (family) {
    case kBinomial: return mu * (1 - mu);
    case kPoisson: return mu;
    case kGamma: return mu * mu;
    default: return 1.0;
  }
}

double GlmFamily::link_of_mean(double mu) const {
  switch (link) {
    case kLog: return std::log(mu);
    case kLogit: return std::log(mu / (1 - mu));
    case kInverse: return 1 / mu;
    case kSqrt: return std::sqrt(mu);
    case kCloglog: return std::log(-std::log1p(-mu));
    default: return mu;
  }
}

double GlmFamily::link_derivative(double mu) const {
  switch (link) {
    case kLog: return 1 / mu;
    case kLogit: return 1 / (mu * (1 - mu));
    case kInverse: return -1 / (mu * mu);
    case kSqrt: return 1 / (2 * std::sqrt(mu));
    case kCloglog: return 1 / ((mu - 1) * std::log1p(-mu));
    default: return 1.0;
  }
}

double GlmFamily::mean_of_link(double eta) const {
  double mu;
  switch (link) {
    case kLog: mu = std::exp(eta); break;
    case kLogit: mu = 1 / (1 + std::exp(-eta)); break;
    case kInverse: mu = 1 / eta; break;
    case kSqrt: mu = eta * eta; break;
    case kCloglog: mu = 1 - std::exp(-std::exp(eta)); break;
    default: mu = eta;
  }
  return project(mu);
}

double GlmFamily::project(double mu) const {
  switch (family) {
    case kBinomial: return std::clamp(mu, kEpsilon, 1 - kEpsilon);
    case kPoisson:
    case kGamma:
      if (mu < kEpsilon) return kEpsilon;
      return std::isinf(mu) ? std::numeric_limits<double>::max() : mu;
    default: return mu;
  }
}

double GlmFamily::initial_mean(double y, double w) const {
  switch (family) {
    case kBinomial: return (w * y + 0.5) / (w + 1.0);
    case kPoisson: return y == 0 ? 0.1 : y;  // Spark's delta for zero counts
    default: return y;
  }
}

namespace {
double y_log_y_over(double y, double mu) { return y == 0 ? 0.0 : y * std::log(y / mu); }
}  // namespace

double GlmFamily::deviance(double y, double mu, double w) const {
  switch (family) {
    case kBinomial: return 2 * w * (y_log_y_over(y, mu) + y_log_y_over(1 - y, 1 - mu));
    case kPoisson: return 2 * w * (y_log_y_over(y, mu) - (y - mu));
    case kGamma: return 2 * w * (-std::log(y / mu) + (y - mu) / mu);
    default: return w * (y - mu) * (y - mu);
  }
}

void GlmFamily::check_label(double y, long long position) const {
  const char* rule = nullptr;
  if (family == kBinomial && !(y >= 0 && y <= 1)) rule = "in [0, 1] for the binomial family";
  if (family == kPoisson && !(y >= 0)) rule = "at least 0 for the poisson family";
  if (family == kGamma && !(y > 0)) rule = "above 0 for the gamma family";
  if (rule)
    throw std::invalid_argument(fmt::format(
        "GeneralizedLinearRegression: labels must be {}, but the point at position {} has {}", rule, position, y));
}

}  // namespace brasa::mllib::detail
