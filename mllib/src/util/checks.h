// Argument checks with messages that name the estimator and the argument.
#pragma once

#include "brasa/mllib/linalg/vector.h"

namespace brasa::mllib::detail {

// Throws std::invalid_argument("<who>: <param> must be <rule>, got <value>") unless ok.
void check_param(bool ok, const char* who, const char* param, const char* rule, double value);

// Throws std::invalid_argument unless the point has the model's number of features.
void check_features(const char* model, int expected, const Vector& x);

}  // namespace brasa::mllib::detail
