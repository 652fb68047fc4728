#include "linear_model.h"

#include <stdexcept>

#include <spdlog/fmt/fmt.h>

#include "brasa/util/serializer.h"

namespace brasa::mllib::detail {

double add_l2_penalty(const double* x, double* grad, int n, double l2, bool standardize, const DenseVector& std_dev) {
  if (l2 == 0) return 0;
  const int d = static_cast<int>(std_dev.size());
  double sum = 0;
  for (int k = 0; k < n; ++k) {
    if (standardize) {
      sum += x[k] * x[k];
      grad[k] += l2 * x[k];
    } else if (const double s = std_dev[k % d]; s != 0) {
      const double t = x[k] / (s * s);
      sum += x[k] * t;
      grad[k] += l2 * t;
    }
  }
  return 0.5 * l2 * sum;
}

void save_linear_model(const std::string& path, const std::string& model_class, const LinearModelData& model,
                       bool overwrite) {
  Metadata m = model.metadata;
  m.set("num_features", static_cast<double>(model.coefficients.size()));
  m.set("intercept", model.intercept);
  m.set("total_iterations", static_cast<double>(model.total_iterations));
  ByteWriter data;
  data(model.coefficients, model.objective_history);
  save_model(path, model_class, m, data.bytes(), overwrite);
}

LinearModelData load_linear_model(const std::string& path, const std::string& model_class) {
  auto saved = load_model(path, model_class);
  LinearModelData model;
  try {
    ByteReader r(saved.data);
    r(model.coefficients, model.objective_history);
  } catch (const std::exception& e) {
    throw std::runtime_error(model_class + ".load(" + path + "): data.bin does not decode: " + e.what());
  }
  if (model.coefficients.size() != saved.metadata.number("num_features"))
    throw std::runtime_error(fmt::format("{}.load({}): data.bin holds {} coefficients, metadata.json says {}",
                                         model_class, path, model.coefficients.size(),
                                         saved.metadata.number("num_features")));
  model.intercept = saved.metadata.number("intercept");
  model.total_iterations = static_cast<int>(saved.metadata.number("total_iterations"));
  model.metadata = std::move(saved.metadata);
  return model;
}

}  // namespace brasa::mllib::detail
