// Non-negative least squares on the normal equations, the solver of Spark's
// ALS with nonnegative = true (its NNLS.solve):
//
//   DenseVector x = nonnegative_least_squares(ata, atb);   // x >= 0
//
// minimises 1/2 x'Ax - b'x subject to x >= 0, for A symmetric positive
// definite (A = Y'Y + reg I, b = Y'r in ALS), by Lawson and Hanson's active
// set method: exact, not an iterative approximation.
#pragma once

#include "brasa/mllib/linalg/vector.h"

namespace brasa::mllib {

DenseVector nonnegative_least_squares(const DenseMatrix& a, const DenseVector& b);

}  // namespace brasa::mllib
