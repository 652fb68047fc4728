// L-BFGS and OWL-QN after Breeze (breeze.optimize.LBFGS, OWLQN,
// FirstOrderMinimizer, StrongWolfeLineSearch, BacktrackingLineSearch), the
// optimisers behind Spark MLlib's linear models. One driver serves both: OWL-QN
// is L-BFGS on the pseudo-gradient with an orthant-projected direction and
// step and a backtracking line search, as in Breeze where OWLQN extends LBFGS.
//
// Where this departs from Breeze it is to fix a bug Breeze's maintainers have
// acknowledged, or to keep NaN from being accepted as a step; each place says so.
#include "brasa/mllib/optim/lbfgs.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace brasa::mllib {
namespace {

using Eigen::Index;
using Eigen::VectorXd;

constexpr double kInf = std::numeric_limits<double>::infinity();

// FirstOrderMinimizer.defaultConvergenceCheck: function values are compared
// over the last 20 (fvalMemory) iterations; the gradient test has an absolute
// floor so that a loss of 0 can still converge.
constexpr int kFunctionValueWindow = 20;
constexpr double kGradientFloor = 1e-8;

// LBFGS.determineStepSize: a step whose length in gradient units is below this
// is treated as a failed search (StepSizeUnderflow).
constexpr double kMinStepTimesGradNorm = 1e-10;

// StrongWolfeLineSearch(maxZoomIter = 10, maxLineSearchIter = 10), c1, c2.
constexpr double kC1 = 1e-4;
constexpr double kC2 = 0.9;
constexpr int kMaxLineSearchIter = 10;
constexpr int kMaxZoomIter = 10;

// BacktrackingLineSearch defaults (OWLQN sets only shrinkStep).
constexpr int kBacktrackMaxIter = 20;
constexpr double kBacktrackGrow = 2.1;
constexpr double kBacktrackMinAlpha = 1e-10;
constexpr double kBacktrackMaxAlpha = 1e10;

double signum(double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0); }

// The last `capacity` correction pairs (s = x_{k+1} - x_k, y = g_{k+1} - g_k)
// in a ring of preallocated columns; applies the inverse-Hessian approximation
// by the two-loop recursion.
class InverseHessian {
 public:
  InverseHessian(Index n, int capacity)
      : s_(n, capacity), y_(n, capacity), rho_(capacity), alpha_(capacity), capacity_(capacity) {}

  void clear() { size_ = 0; }

  // Records x_new - x and g_new - g as the newest pair, dropping the oldest
  // when full. Pairs are not screened here: as in Breeze, a bad newest pair is
  // caught when the next direction is computed, and the history is reset.
  void push(const VectorXd& x_new, const VectorXd& x, const VectorXd& g_new, const VectorXd& g) {
    newest_ = (newest_ + 1) % capacity_;
    s_.col(newest_) = x_new - x;
    y_.col(newest_) = g_new - g;
    size_ = std::min(size_ + 1, capacity_);
  }

  // dir = -H * grad. H0 is (s'y / y'y) I from the newest pair (Breeze's
  // `diag`), or I with no history. Returns false, like Breeze's NaNHistory,
  // when the newest pair has no positive curvature or the recursion produces
  // a non-finite number; the caller then resets the history.
  bool descent_direction(const VectorXd& grad, VectorXd& dir) {
    dir = grad;
    double diag = 1.0;
    if (size_ > 0) {
      const double sy = s_.col(newest_).dot(y_.col(newest_));
      const double yy = y_.col(newest_).squaredNorm();
      // Breeze rejects sy < 0 and NaN; sy == 0 (a zero step) makes its
      // recursion divide 0 by 0 and fail the same way one line later.
      if (!(sy > 0) || !(yy > 0) || !std::isfinite(sy / yy)) return false;
      diag = sy / yy;
    }
    for (int k = 0; k < size_; ++k) {  // newest to oldest
      const int i = slot(k);
      rho_[k] = s_.col(i).dot(y_.col(i));
      alpha_[k] = s_.col(i).dot(dir) / rho_[k];
      if (!std::isfinite(alpha_[k])) return false;
      dir.noalias() -= alpha_[k] * y_.col(i);
    }
    dir *= diag;
    for (int k = size_ - 1; k >= 0; --k) {  // oldest to newest
      const int i = slot(k);
      const double beta = y_.col(i).dot(dir) / rho_[k];
      dir.noalias() += (alpha_[k] - beta) * s_.col(i);
    }
    dir = -dir;
    return dir.allFinite();
  }

 private:
  int slot(int age) const { return (newest_ - age + capacity_) % capacity_; }

  Eigen::MatrixXd s_, y_;  // one column per pair
  VectorXd rho_, alpha_;   // indexed by age, scratch for the recursion
  int capacity_;
  int size_ = 0;
  int newest_ = -1;
};

// One minimisation: the current iterate, a trial point for the line search,
// and the history. All vectors are allocated here, none per iteration.
class QuasiNewton {
 public:
  QuasiNewton(const DiffFunction& f, const VectorXd* l1, const LBFGSOptions& options, VectorXd x0)
      : f_(f),
        l1_(l1),
        options_(options),
        n_(x0.size()),
        history_(n_, std::max(1, std::min(options.memory, options.max_iterations))),
        x_(std::move(x0)),
        g_(n_),
        ag_(n_),
        xt_(n_),
        gt_(n_),
        agt_(n_),
        dir_(n_),
        orthant_(l1 ? n_ : 0) {}

  OptimizationResult run() {
    value_ = evaluate(x_, g_);
    if (!std::isfinite(value_) || !g_.allFinite())
      throw std::runtime_error("lbfgs: the objective or its gradient is not finite (NaN or inf) at the initial point x0");
    adj_value_ = adjust(x_, g_, value_, ag_);
    initial_adj_value_ = adj_value_;
    window_[0] = kInf;  // Breeze's FunctionValuesConverged starts its window with +inf
    window_size_ = 1;

    OptimizationResult result;
    result.loss_history.reserve(static_cast<size_t>(std::min(options_.max_iterations, 10000)) + 1);
    result.loss_history.push_back(adj_value_);

    bool failed_once = false;
    bool search_failed = false;
    std::optional<ConvergenceReason> reason = converged(search_failed);
    while (!reason) {
      if (iterate()) {
        ++iter_;
        failed_once = false;
        remember_value(adj_value_);
        result.loss_history.push_back(adj_value_);
        if (options_.on_iteration) options_.on_iteration(iter_, adj_value_);
      } else if (!failed_once) {
        // FirstOrderMinimizer: the first failure resets the history and
        // retries from the same point (an iteration is not counted).
        failed_once = true;
        history_.clear();
      } else {
        search_failed = true;
      }
      reason = converged(search_failed);
    }

    result.x = std::move(x_);
    result.loss = adj_value_;
    result.iterations = iter_;
    result.reason = *reason;
    return result;
  }

 private:
  struct Bracket {
    double t;     // step along dir
    double dd;    // directional derivative at t
    double fval;  // (adjusted) value at t
  };

  bool owlqn() const { return l1_ != nullptr; }

  double evaluate(const VectorXd& x, VectorXd& grad) {
    grad.setZero();
    const double v = f_(x, grad);
    if (grad.size() != n_) throw std::runtime_error("lbfgs: the objective resized its gradient argument");
    return v;
  }

  // OWLQN.adjust: adds the L1 term to the value and turns the gradient into
  // the pseudo-gradient (the minimum-norm subgradient at x_i == 0). For L-BFGS
  // the adjusted gradient is the gradient.
  double adjust(const VectorXd& x, const VectorXd& g, double value, VectorXd& ag) const {
    if (!owlqn()) {
      ag = g;
      return value;
    }
    const VectorXd& l1 = *l1_;
    for (Index i = 0; i < n_; ++i) {
      const double w = l1[i];
      if (w == 0) {
        ag[i] = g[i];
        continue;
      }
      value += std::abs(w * x[i]);
      if (x[i] != 0) {
        ag[i] = g[i] + signum(x[i]) * w;
      } else if (g[i] - w > 0) {
        ag[i] = g[i] - w;
      } else if (g[i] + w < 0) {
        ag[i] = g[i] + w;
      } else {
        ag[i] = 0;
      }
    }
    return value;
  }

  // defaultConvergenceCheck = maxIterations || functionValuesConverged ||
  // gradientConverged || searchFailed, first match wins, checked on every
  // state including the initial one. Current Breeze (PRs #764, #786) uses the
  // adjusted value and gradient and |.| on both relative scales.
  std::optional<ConvergenceReason> converged(bool search_failed) const {
    if (iter_ >= options_.max_iterations) return ConvergenceReason::MaxIterations;
    if (window_size_ >= 2) {
      const double recent_max = *std::max_element(window_.begin(), window_.begin() + window_size_);
      if (std::abs(adj_value_ - recent_max) <= options_.tol * std::abs(initial_adj_value_))
        return ConvergenceReason::FunctionValuesConverged;
    }
    if (ag_.norm() <= std::max(options_.tol * std::abs(adj_value_), kGradientFloor))
      return ConvergenceReason::GradientConverged;
    if (search_failed) return ConvergenceReason::SearchFailed;
    return std::nullopt;
  }

  // (oldInfo :+ newVal).takeRight(20)
  void remember_value(double v) {
    if (window_size_ < kFunctionValueWindow) {
      window_[window_size_++] = v;
    } else {
      std::move(window_.begin() + 1, window_.end(), window_.begin());
      window_.back() = v;
    }
  }

  // One iteration; false where Breeze throws a FirstOrderException.
  bool iterate() {
    if (!history_.descent_direction(ag_, dir_)) return false;
    std::optional<double> alpha;
    if (owlqn()) {
      // OWLQN.chooseDescentDirection: keep only components that descend
      // along the pseudo-gradient, so the step stays in its orthant.
      for (Index i = 0; i < n_; ++i) {
        if (!(dir_[i] * ag_[i] < 0)) dir_[i] = 0;
        orthant_[i] = x_[i] != 0 ? signum(x_[i]) : signum(-ag_[i]);
      }
      // OWLQN.determineStepSize: first iteration 0.5 / ||grad|| shrinking by
      // 0.1, then 1 shrinking by 0.5. (||grad|| is the smooth gradient's;
      // should that be 0 away from a minimiser we fall back to the
      // pseudo-gradient's rather than divide by zero.)
      double gnorm = g_.norm();
      if (!(gnorm > 0)) gnorm = ag_.norm();
      alpha = iter_ < 1 ? backtracking(0.5 / gnorm, 0.1) : backtracking(1.0, 0.5);
    } else {
      alpha = strong_wolfe(iter_ == 0 ? 1.0 / dir_.norm() : 1.0);
      if (alpha && *alpha * g_.norm() < kMinStepTimesGradNorm) alpha.reset();
    }
    if (!alpha) return false;

    // Both searches accept only the point they evaluated last, which is still
    // in the trial buffers: take it without evaluating f again.
    history_.push(xt_, x_, gt_, g_);  // the smooth gradient, also for OWL-QN
    std::swap(x_, xt_);
    std::swap(g_, gt_);
    std::swap(ag_, agt_);
    value_ = value_t_;
    adj_value_ = adj_value_t_;
    return true;
  }

  // Evaluates the trial point x + t * dir (OWLQN.takeStep: projected onto the
  // orthant of the current point, so no coordinate crosses zero) and returns
  // phi(t) and phi'(t) = adjusted gradient . dir, as Breeze's line-search
  // functions do.
  Bracket phi(double t) {
    xt_.noalias() = x_ + t * dir_;
    if (owlqn()) {
      for (Index i = 0; i < n_; ++i)
        if (signum(xt_[i]) != orthant_[i]) xt_[i] = 0;
    }
    value_t_ = evaluate(xt_, gt_);
    adj_value_t_ = adjust(xt_, gt_, value_t_, agt_);
    return {t, agt_.dot(dir_), adj_value_t_};
  }

  // StrongWolfeLineSearch.minimize (Nocedal & Wright, Algorithm 3.5): grows
  // the step by 1.5 until it brackets a strong-Wolfe point, then zooms.
  std::optional<double> strong_wolfe(double init) {
    const double f0 = adj_value_;
    const double dd0 = ag_.dot(dir_);
    if (!(dd0 <= 0)) return std::nullopt;  // not a descent direction
    Bracket low{0.0, dd0, f0};
    double t = init;
    for (int i = 0; i < kMaxLineSearchIter; ++i) {
      const Bracket c = phi(t);
      if (!std::isfinite(c.fval)) {  // stepped outside f's domain
        t /= 2.0;
        continue;
      }
      if (c.fval > f0 + kC1 * t * dd0 || (c.fval >= low.fval && i > 0)) return zoom(low, c, f0, dd0);
      if (std::abs(c.dd) <= kC2 * std::abs(dd0)) return c.t;
      if (c.dd >= 0) return zoom(c, low, f0, dd0);
      low = c;
      t *= 1.5;
    }
    return std::nullopt;
  }

  // Invariants (N&W): [low, hi] contains a strong-Wolfe point; low has the
  // least value among sufficient-decrease points; low.dd * (hi.t - low.t) < 0.
  std::optional<double> zoom(Bracket low, Bracket hi, double f0, double dd0) {
    for (int i = 0; i < kMaxZoomIter; ++i) {
      const double t = low.t > hi.t ? interpolate(hi, low) : interpolate(low, hi);
      const Bracket c = phi(t);
      // Written so that a NaN value shrinks the interval; Breeze's `>` tests
      // would instead move `low` onto it.
      if (!(c.fval <= f0 + kC1 * c.t * dd0) || c.fval >= low.fval) {
        hi = c;
      } else {
        if (std::abs(c.dd) <= kC2 * std::abs(dd0)) return c.t;
        if (c.dd * (hi.t - low.t) >= 0) hi = low;
        low = c;
      }
    }
    return std::nullopt;
  }

  // CubicLineSearch.interp: the minimiser of the cubic through both ends'
  // values and slopes (N&W eq. 3.59), kept within the middle 80% of [l, r].
  // Where the cubic has no real minimiser (or an end is not finite) Breeze
  // would carry a NaN step forward; we bisect instead.
  static double interpolate(const Bracket& l, const Bracket& r) {
    const double d1 = l.dd + r.dd - 3 * (l.fval - r.fval) / (l.t - r.t);
    const double d2 = std::sqrt(d1 * d1 - l.dd * r.dd);
    const double t = r.t - (r.t - l.t) * (r.dd + d2 - d1) / (r.dd - l.dd + 2 * d2);
    const double lo = l.t + 0.1 * (r.t - l.t);
    const double hi = l.t + 0.9 * (r.t - l.t);
    if (!std::isfinite(t)) return 0.5 * (l.t + r.t);
    return std::clamp(t, lo, hi);
  }

  // BacktrackingLineSearch as OWLQN configures it: shrink on failed
  // sufficient decrease, grow by 2.1 while the slope is still steep (Wolfe),
  // shrink when it turned too far up (strong Wolfe), at most 20 trials.
  //
  // Breeze passes OWLQN's state.value (f at the current point, without the
  // L1 term) as the value at the first trial step instead of evaluating it
  // (breeze issue #697, acknowledged as a bug): the first trial is then judged
  // on a wrong value. We use the value at the trial step. f(0) and f'(0) are
  // the current state's, which Breeze recomputes with an extra evaluation.
  std::optional<double> backtracking(double init, double shrink) {
    const double f0 = adj_value_;
    const double df0 = ag_.dot(dir_);
    double alpha = init;
    if (!std::isfinite(alpha) || !(alpha > 0)) return std::nullopt;
    for (int trial = 1;; ++trial) {
      const Bracket c = phi(alpha);
      const bool sufficient_decrease = c.fval <= f0 + alpha * df0 * kC1;  // false for NaN
      double multiplier;
      if (!sufficient_decrease) {
        multiplier = shrink;
      } else if (c.dd < kC2 * df0) {
        multiplier = kBacktrackGrow;
      } else if (c.dd > -kC2 * df0) {
        multiplier = shrink;
      } else {
        return alpha;
      }
      if (trial == kBacktrackMaxIter) {
        // Breeze returns its last trial here unchecked; we keep it only if it
        // decreases the objective, so the loss never goes up.
        if (sufficient_decrease) return alpha;
        return std::nullopt;
      }
      alpha *= multiplier;
      if (alpha < kBacktrackMinAlpha || alpha > kBacktrackMaxAlpha) return std::nullopt;
    }
  }

  const DiffFunction& f_;
  const VectorXd* l1_;  // null for L-BFGS
  const LBFGSOptions options_;
  const Index n_;
  InverseHessian history_;

  VectorXd x_, g_, ag_;  // iterate, its gradient and adjusted gradient
  double value_ = 0, adj_value_ = 0, initial_adj_value_ = 0;
  VectorXd xt_, gt_, agt_;  // line-search trial point
  double value_t_ = 0, adj_value_t_ = 0;
  VectorXd dir_;
  VectorXd orthant_;  // OWL-QN: the sign each coordinate may take this iteration
  int iter_ = 0;

  std::array<double, kFunctionValueWindow> window_{};
  int window_size_ = 0;
};

void validate(const DiffFunction& f, const LBFGSOptions& options) {
  if (!f) throw std::invalid_argument("lbfgs: f is empty");
  if (options.max_iterations < 0)
    throw std::invalid_argument("lbfgs: options.max_iterations must be >= 0, got " +
                                std::to_string(options.max_iterations));
  if (options.memory < 1)
    throw std::invalid_argument("lbfgs: options.memory must be >= 1, got " + std::to_string(options.memory));
  if (!(options.tol >= 0))  // also rejects NaN
    throw std::invalid_argument("lbfgs: options.tol must be >= 0, got " + std::to_string(options.tol));
}

}  // namespace

OptimizationResult minimize_lbfgs(const DiffFunction& f, Eigen::VectorXd x0, const LBFGSOptions& options) {
  validate(f, options);
  return QuasiNewton(f, nullptr, options, std::move(x0)).run();
}

OptimizationResult minimize_owlqn(const DiffFunction& f, Eigen::VectorXd x0, const Eigen::VectorXd& l1,
                                  const LBFGSOptions& options) {
  validate(f, options);
  if (l1.size() != x0.size())
    throw std::invalid_argument("owlqn: l1 has size " + std::to_string(l1.size()) + " but x0 has size " +
                                std::to_string(x0.size()));
  for (Index i = 0; i < l1.size(); ++i)
    if (!(l1[i] >= 0) || !std::isfinite(l1[i]))
      throw std::invalid_argument("owlqn: l1[" + std::to_string(i) + "] must be finite and >= 0, got " +
                                  std::to_string(l1[i]));
  return QuasiNewton(f, &l1, options, std::move(x0)).run();
}

}  // namespace brasa::mllib
