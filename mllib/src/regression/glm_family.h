// Families and links of generalized linear models, as Spark's
// GeneralizedLinearRegression: variance, link, its derivative and inverse,
// the projection of a mean into the family's domain, and the starting mean
// of IRLS.
#pragma once

#include <string>

namespace brasa::mllib::detail {

struct GlmFamily {
  enum Family { kGaussian, kBinomial, kPoisson, kGamma };
  enum Link { kIdentity, kLog, kLogit, kInverse, kSqrt, kCloglog };
  int family = kGaussian;
  int link = kIdentity;

  static Family family_of(const std::string& name);  // throws std::invalid_argument for an unknown one
  static Link link_of(const std::string& name);
  static Link canonical(Family f);
  static const char* family_name(int f);
  static const char* link_name(int l);

  double variance(double mu) const;
  double link_of_mean(double mu) const;  // eta = g(mu)
  double link_derivative(double mu) const;  // g'(mu)
  double mean_of_link(double eta) const;  // mu = g^-1(eta), projected
  double project(double mu) const;
  double initial_mean(double y, double w) const;
  // The point's contribution to the deviance, 2 w (log-likelihood of the
  // saturated model - that of mean mu).
  double deviance(double y, double mu, double w) const;
  // Throws std::invalid_argument naming the label if the family cannot have it.
  void check_label(double y, long long position) const;

  template <class Ar> void serialize(Ar& ar) { ar(family, link); }
};

}  // namespace brasa::mllib::detail
