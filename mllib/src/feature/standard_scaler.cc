#include "brasa/mllib/feature/standard_scaler.h"

#include <stdexcept>

#include <spdlog/spdlog.h>

#include "brasa/mllib/stat/statistics.h"
#include "util/checks.h"
#include "util/model_io.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace standard_scaler_impl {

constexpr const char* kModelClass = "brasa.mllib.StandardScalerModel";

// What transform needs: the shift and the factors (1 / std, 0 for std 0).
struct Scaling {
  DenseVector shift;
  DenseVector scale;
  bool with_mean = false;
  bool with_std = true;
  template <class Ar> void serialize(Ar& ar) { ar(shift, scale, with_mean, with_std); }

  Vector operator()(const Vector& x) const {
    detail::check_features("StandardScalerModel", static_cast<int>(shift.size()), x);
    if (with_mean) {
      DenseVector v = x.to_dense() - shift;
      if (with_std) v.array() *= scale.array();
      return Vector::dense(v);
    }
    if (!with_std) return x;
    if (!x.is_sparse()) return Vector::dense(DenseVector(x.to_dense().array() * scale.array()));
    std::vector<int32_t> indices(x.indices().begin(), x.indices().end());
    std::vector<double> values(x.values().begin(), x.values().end());
    for (size_t k = 0; k < values.size(); ++k) values[k] *= scale[indices[k]];
    return Vector::sparse(x.size(), std::move(indices), std::move(values));
  }
};

Scaling scaling_of(const DenseVector& mean, const DenseVector& std_dev, bool with_mean, bool with_std) {
  DenseVector scale(std_dev.size());
  for (Eigen::Index j = 0; j < std_dev.size(); ++j) scale[j] = std_dev[j] == 0 ? 0.0 : 1.0 / std_dev[j];
  return Scaling{mean, scale, with_mean, with_std};
}

}  // namespace standard_scaler_impl
using namespace standard_scaler_impl;

StandardScalerModel::StandardScalerModel(DenseVector mean, DenseVector std_dev, bool with_mean, bool with_std)
    : mean_(std::move(mean)), std_dev_(std::move(std_dev)), with_mean_(with_mean), with_std_(with_std) {
  if (mean_.size() != std_dev_.size())
    throw std::invalid_argument("StandardScalerModel: mean has " + std::to_string(mean_.size()) +
                                " features, std_dev " + std::to_string(std_dev_.size()));
}

Vector StandardScalerModel::transform(const Vector& x) const {
  return scaling_of(mean_, std_dev_, with_mean_, with_std_)(x);
}

RDD<Vector> StandardScalerModel::transform(const RDD<Vector>& data) const {
  return data.map(scaling_of(mean_, std_dev_, with_mean_, with_std_));
}

void StandardScalerModel::save(const std::string& path, bool overwrite) const {
  detail::Metadata m;
  m.set("num_features", static_cast<double>(num_features()));
  m.set_flag("with_mean", with_mean_);
  m.set_flag("with_std", with_std_);
  ByteWriter data;
  data(mean_, std_dev_);
  detail::save_model(path, kModelClass, m, data.bytes(), overwrite);
}

StandardScalerModel StandardScalerModel::load(const std::string& path) {
  auto saved = detail::load_model(path, kModelClass);
  StandardScalerModel model;
  try {
    ByteReader r(saved.data);
    r(model.mean_, model.std_dev_);
  } catch (const std::exception& e) {
    throw std::runtime_error("StandardScalerModel.load(" + path + "): data.bin does not decode: " + e.what());
  }
  if (model.mean_.size() != model.std_dev_.size() || model.num_features() != saved.metadata.number("num_features"))
    throw std::runtime_error("StandardScalerModel.load(" + path + "): data.bin's vectors do not match metadata.json");
  model.with_mean_ = saved.metadata.flag("with_mean");
  model.with_std_ = saved.metadata.flag("with_std");
  return model;
}

StandardScalerModel StandardScaler::fit(const RDD<Vector>& data) const {
  ColumnSummary s;
  try {
    s = summarize(data);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("StandardScaler: ") + e.what());
  }
  spdlog::info("StandardScaler: {} features from {} rows", s.mean.size(), s.count);
  return StandardScalerModel(s.mean, s.std_dev, with_mean_, with_std_);
}

}  // namespace brasa::mllib
