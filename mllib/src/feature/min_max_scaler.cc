#include "brasa/mllib/feature/min_max_scaler.h"

#include <cmath>
#include <stdexcept>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "brasa/mllib/stat/statistics.h"
#include "util/checks.h"
#include "util/model_io.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace min_max_scaler_impl {

constexpr const char* kModelClass = "brasa.mllib.MinMaxScalerModel";

void check_range(const char* who, double min, double max) {
  if (!(min < max)) throw std::invalid_argument(fmt::format("{}: min ({}) must be below max ({})", who, min, max));
}

// Per feature, e -> (e - E_min) * scale + min, with scale 0 marking a
// constant feature, which goes to the middle of the range.
struct Rescale {
  DenseVector original_min;
  DenseVector scale;
  double min = 0;
  double constant_output = 0;
  template <class Ar> void serialize(Ar& ar) { ar(original_min, scale, min, constant_output); }

  Vector operator()(const Vector& x) const {
    detail::check_features("MinMaxScalerModel", static_cast<int>(scale.size()), x);
    DenseVector v = x.to_dense();
    for (Eigen::Index j = 0; j < v.size(); ++j) {
      if (std::isnan(v[j])) continue;
      v[j] = scale[j] != 0 ? (v[j] - original_min[j]) * scale[j] + min : constant_output;
    }
    return Vector::dense(v).compressed();
  }
};

Rescale rescale_of(const DenseVector& original_min, const DenseVector& original_max, double min, double max) {
  check_range("MinMaxScalerModel", min, max);
  DenseVector scale(original_min.size());
  for (Eigen::Index j = 0; j < scale.size(); ++j) {
    const double range = original_max[j] - original_min[j];
    scale[j] = range != 0 ? (max - min) / range : 0.0;
  }
  return Rescale{original_min, scale, min, 0.5 * (max + min)};
}

}  // namespace min_max_scaler_impl
using namespace min_max_scaler_impl;

MinMaxScalerModel::MinMaxScalerModel(DenseVector original_min, DenseVector original_max, double min, double max)
    : original_min_(std::move(original_min)), original_max_(std::move(original_max)), min_(min), max_(max) {
  if (original_min_.size() != original_max_.size())
    throw std::invalid_argument(fmt::format("MinMaxScalerModel: original_min has {} features, original_max {}",
                                            original_min_.size(), original_max_.size()));
}

Vector MinMaxScalerModel::transform(const Vector& x) const {
  return rescale_of(original_min_, original_max_, min_, max_)(x);
}

RDD<Vector> MinMaxScalerModel::transform(const RDD<Vector>& data) const {
  return data.map(rescale_of(original_min_, original_max_, min_, max_));
}

void MinMaxScalerModel::save(const std::string& path, bool overwrite) const {
  detail::Metadata m;
  m.set("num_features", static_cast<double>(num_features()));
  m.set("min", min_);
  m.set("max", max_);
  ByteWriter data;
  data(original_min_, original_max_);
  detail::save_model(path, kModelClass, m, data.bytes(), overwrite);
}

MinMaxScalerModel MinMaxScalerModel::load(const std::string& path) {
  auto saved = detail::load_model(path, kModelClass);
  MinMaxScalerModel model;
  try {
    ByteReader r(saved.data);
    r(model.original_min_, model.original_max_);
  } catch (const std::exception& e) {
    throw std::runtime_error("MinMaxScalerModel.load(" + path + "): data.bin does not decode: " + e.what());
  }
  if (model.original_min_.size() != model.original_max_.size() ||
      model.num_features() != saved.metadata.number("num_features"))
    throw std::runtime_error("MinMaxScalerModel.load(" + path + "): data.bin's vectors do not match metadata.json");
  model.min_ = saved.metadata.number("min");
  model.max_ = saved.metadata.number("max");
  return model;
}

MinMaxScalerModel MinMaxScaler::fit(const RDD<Vector>& data) const {
  check_range("MinMaxScaler", min_, max_);
  ColumnSummary s;
  try {
    s = summarize(data);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("MinMaxScaler: ") + e.what());
  }
  spdlog::info("MinMaxScaler: {} features from {} rows", s.min.size(), s.count);
  return MinMaxScalerModel(s.min, s.max, min_, max_);
}

}  // namespace brasa::mllib
