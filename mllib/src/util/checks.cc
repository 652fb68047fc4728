#include "util/checks.h"

#include <stdexcept>

#include <spdlog/fmt/fmt.h>

namespace brasa::mllib::detail {

void check_param(bool ok, const char* who, const char* param, const char* rule, double value) {
  if (!ok) throw std::invalid_argument(fmt::format("{}: {} must be {}, got {}", who, param, rule, value));
}

void check_features(const char* model, int expected, const Vector& x) {
  if (x.size() != expected)
    throw std::invalid_argument(
        fmt::format("{}: the model has {} features, the point {}", model, expected, x.size()));
}

}  // namespace brasa::mllib::detail
