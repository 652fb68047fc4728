// Quasi-Newton minimisers for smooth objectives (L-BFGS) and smooth objectives
// plus a weighted L1 penalty (OWL-QN). They follow Breeze's LBFGS and OWLQN,
// which Spark MLlib's LogisticRegression and LinearRegression train with, so a
// model fitted here stops where Spark's would: same direction, line searches,
// convergence tests and default tolerance (lbfgs.cc lists the few Breeze bugs
// not reproduced).
//
// The objective is called on the driver; it is usually a distributed pass
// (treeAggregate of loss and gradient), so both minimisers evaluate it as
// rarely as they can: the point a line search accepts is never evaluated twice.
#pragma once

#include <functional>
#include <vector>

#include <Eigen/Core>

namespace brasa::mllib {

// A differentiable objective: returns f(x) and writes its gradient into grad
// (already sized like x, and zero-filled so that it may be accumulated into).
// It must be deterministic: a point is evaluated once.
using DiffFunction = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& grad)>;

struct LBFGSOptions {
  // Iterations (accepted steps), not evaluations of f: a line search may take
  // several evaluations. 0 returns x0 as given.
  int max_iterations = 100;
  // Correction pairs kept for the inverse-Hessian approximation (Spark uses 10).
  int memory = 10;
  // Relative tolerance of both stopping tests (see ConvergenceReason). With 0
  // only the gradient test's absolute floor, max_iterations or a failed line
  // search stop the run.
  double tol = 1e-6;
  // Called after each accepted step with its number (1-based) and the loss
  // there (the estimators post it as an iteration event for progress lines).
  std::function<void(int iteration, double loss)> on_iteration;
};

enum class ConvergenceReason {
  MaxIterations,
  // The loss improved by at most tol * |initial loss| over the last 20
  // iterations (so never before iteration 20).
  FunctionValuesConverged,
  // ||gradient||_2 <= max(tol * |loss|, 1e-8); for OWL-QN the gradient is the
  // pseudo-gradient of f + L1, zero at a minimiser with exact zeros.
  GradientConverged,
  // The line search failed twice in a row, once with the history reset: f is
  // ill-behaved (or already minimised beyond what double precision resolves).
  SearchFailed,
};

struct OptimizationResult {
  Eigen::VectorXd x;                 // the minimiser found
  double loss = 0;                   // f at x, including the L1 term for OWL-QN
  std::vector<double> loss_history;  // Spark's objectiveHistory: the initial point's loss, then one per iteration
  int iterations = 0;
  ConvergenceReason reason = ConvergenceReason::MaxIterations;
};

// Minimises f from x0. Throws std::invalid_argument for bad options and
// std::runtime_error if f or its gradient is not finite at x0; exceptions
// thrown by f propagate.
OptimizationResult minimize_lbfgs(const DiffFunction& f, Eigen::VectorXd x0, const LBFGSOptions& options = {});

// OWL-QN minimises f(x) + sum_i l1[i] * |x_i| (l1[i] >= 0; 0 leaves a
// coordinate, e.g. an intercept, unpenalised). Steps never cross zero within
// an iteration: a coordinate that would is set to exactly 0, which is how
// sparse solutions come out with exact zeros. As in Breeze this holds for
// unpenalised coordinates too; they cross on a later iteration.
OptimizationResult minimize_owlqn(const DiffFunction& f, Eigen::VectorXd x0, const Eigen::VectorXd& l1,
                                  const LBFGSOptions& options = {});

}  // namespace brasa::mllib
