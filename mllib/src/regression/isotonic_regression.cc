#include "brasa/mllib/regression/isotonic_regression.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "util/checks.h"
#include "util/model_io.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace isotonic_regression_impl {

constexpr const char* kModelClass = "brasa.mllib.IsotonicRegressionModel";

// What is wrong with an input point, found where it is read and reported
// on the driver.
enum Problem : int32_t { kNone = 0, kIndexOutside, kFeatureNaN, kLabelNotFinite, kBadWeight };

// Spark's (label, feature, weight) triple. For a point with a problem,
// `feature` holds the point's number of features when the index is outside.
struct Point {
  double label = 0, feature = 0, weight = 0;
  int32_t problem = kNone;
  template <class Ar> void serialize(Ar& ar) { ar(label, feature, weight, problem); }
};

// The feature and the label (negated when decreasing: the fit is then
// isotonic on -label).
struct ToPoint {
  int32_t index;
  double sign;

  Point operator()(const LabeledPoint& p) const { return make(p, 1.0); }
  Point operator()(const std::pair<LabeledPoint, double>& p) const { return make(p.first, p.second); }

  Point make(const LabeledPoint& p, double weight) const {
    Point out{p.label * sign, 0, weight, kNone};
    if (index >= p.features.size()) {
      out.feature = p.features.size();
      out.problem = kIndexOutside;
      return out;
    }
    out.feature = p.features[index];
    if (std::isnan(out.feature)) out.problem = kFeatureNaN;
    else if (!std::isfinite(p.label)) out.problem = kLabelNotFinite;
    else if (!(weight >= 0) || !std::isfinite(weight)) out.problem = kBadWeight;
    return out;
  }
};

// Sorts by feature; points with a problem (maybe a NaN feature) go last.
struct FeatureKey {
  double operator()(const Point& p) const {
    return p.problem == kNone ? p.feature : std::numeric_limits<double>::infinity();
  }
};

std::string describe(const Point& p, int32_t index, double sign) {
  switch (p.problem) {
    case kIndexOutside:
      return fmt::format("IsotonicRegression: feature_index {} is outside a point of {} features", index,
                         static_cast<int64_t>(p.feature));
    case kFeatureNaN:
      return fmt::format("IsotonicRegression: a point's feature {} is NaN (label {})", index, p.label * sign);
    case kLabelNotFinite:
      return fmt::format("IsotonicRegression: labels must be finite, got {} (feature {})", p.label * sign, p.feature);
    case kBadWeight:
      return fmt::format("IsotonicRegression: weights must be finite and >= 0, got {} (feature {})", p.weight,
                         p.feature);
    default:
      return "";
  }
}

// Spark's makeUnique: points sorted by feature, those of weight 0 left out,
// equal features combined into their weighted mean label and summed weight.
std::vector<Point> make_unique(const std::vector<Point>& sorted) {
  std::vector<Point> out;
  double weighted_label = 0, weight = 0, feature = 0;
  bool open = false;
  for (const Point& p : sorted) {
    if (p.weight == 0) continue;
    if (open && p.feature == feature) {
      weighted_label += p.label * p.weight;
      weight += p.weight;
      continue;
    }
    if (open) out.push_back(Point{weighted_label / weight, feature, weight, kNone});
    weighted_label = p.label * p.weight;
    weight = p.weight;
    feature = p.feature;
    open = true;
  }
  if (open) out.push_back(Point{weighted_label / weight, feature, weight, kNone});
  return out;
}

// Spark's poolAdjacentViolators (Best, Chakravarti and Ubhaya's PAV) on
// points with distinct, ascending features and positive weights. Adjacent
// blocks merge while the first's mean is >= the next's, so the blocks'
// means strictly increase. Each block comes out as its first and last
// point, each with half its weight (a single point when they coincide).
std::vector<Point> pool_adjacent_violators(const std::vector<Point>& in) {
  const int64_t n = static_cast<int64_t>(in.size());
  if (n == 0) return {};
  // bounds[start] = end and bounds[end] = start of each block [start, end].
  std::vector<int64_t> bounds(static_cast<size_t>(n));
  std::vector<double> weight(static_cast<size_t>(n)), weighted_label(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    bounds[i] = i;
    weight[i] = in[i].weight;
    weighted_label[i] = in[i].weight * in[i].label;
  }
  auto next = [&](int64_t start) { return bounds[start] + 1; };
  auto prev = [&](int64_t start) { return bounds[start - 1]; };
  auto mean = [&](int64_t start) { return weighted_label[start] / weight[start]; };
  auto merge = [&](int64_t a, int64_t b) {  // b starts right after a ends
    const int64_t end = bounds[b];
    bounds[a] = end;
    bounds[end] = a;
    weight[a] += weight[b];
    weighted_label[a] += weighted_label[b];
    return a;
  };
  int64_t i = 0;
  while (next(i) < n) {
    if (mean(i) >= mean(next(i))) {
      merge(i, next(i));
      while (i > 0 && mean(prev(i)) >= mean(i)) i = merge(prev(i), i);
    } else {
      i = next(i);
    }
  }
  std::vector<Point> out;
  for (i = 0; i < n; i = next(i)) {
    const Point& first = in[i];
    const Point& last = in[bounds[i]];
    if (last.feature > first.feature) {
      out.push_back(Point{mean(i), first.feature, weight[i] / 2, kNone});
      out.push_back(Point{mean(i), last.feature, weight[i] / 2, kNone});
    } else {
      out.push_back(Point{mean(i), first.feature, weight[i], kNone});
    }
  }
  return out;
}

// One partition's pooled points, or the first problem found in it.
struct PooledPartition {
  std::vector<Point> points;
  std::string error;
  template <class Ar> void serialize(Ar& ar) { ar(points, error); }
};

struct PoolPartition {
  int32_t index;
  double sign;

  std::vector<PooledPartition> operator()(std::vector<Point>&& part) const {
    if (part.empty()) return {};
    for (const Point& p : part)
      if (p.problem != kNone) return {PooledPartition{{}, describe(p, index, sign)}};
    // Sorted by sort_by already; stable, so that equal features keep their order.
    std::stable_sort(part.begin(), part.end(), [](const Point& a, const Point& b) { return a.feature < b.feature; });
    return {PooledPartition{pool_adjacent_violators(make_unique(part)), ""}};
  }
};

// Spark's IsotonicRegressionModel.predict on sorted boundaries.
double interpolate(const std::vector<double>& boundaries, const std::vector<double>& predictions, double x) {
  if (boundaries.empty())
    throw std::invalid_argument("IsotonicRegressionModel: the model has no boundaries (it was fit on no points)");
  if (std::isnan(x)) return predictions.back();
  const auto it = std::lower_bound(boundaries.begin(), boundaries.end(), x);
  const size_t i = static_cast<size_t>(it - boundaries.begin());
  if (it != boundaries.end() && *it == x) return predictions[i];
  if (i == 0) return predictions.front();
  if (i == boundaries.size()) return predictions.back();
  const double x1 = boundaries[i - 1], y1 = predictions[i - 1], x2 = boundaries[i], y2 = predictions[i];
  return y1 + (y2 - y1) * (x - x1) / (x2 - x1);
}

std::string index_outside(int32_t index, int32_t size) {
  return fmt::format("IsotonicRegressionModel: feature_index {} is outside a point of {} features", index, size);
}

struct Predict {
  std::vector<double> boundaries, predictions;
  int32_t feature_index = 0;
  template <class Ar> void serialize(Ar& ar) { ar(boundaries, predictions, feature_index); }

  double operator()(double x) const { return interpolate(boundaries, predictions, x); }
  double operator()(const Vector& x) const {
    if (feature_index >= x.size()) throw std::invalid_argument(index_outside(feature_index, x.size()));
    return interpolate(boundaries, predictions, x[feature_index]);
  }
};

void check_monotone(const std::vector<double>& xs, bool increasing, const char* what) {
  for (size_t i = 1; i < xs.size(); ++i) {
    const bool ok = increasing ? xs[i - 1] <= xs[i] : xs[i - 1] >= xs[i];
    if (!ok)
      throw std::invalid_argument(fmt::format("IsotonicRegressionModel: {} ({}, {}) at {} are not ordered", what,
                                              xs[i - 1], xs[i], i - 1));
  }
}

}  // namespace isotonic_regression_impl
using namespace isotonic_regression_impl;

IsotonicRegressionModel::IsotonicRegressionModel(std::vector<double> boundaries, std::vector<double> predictions,
                                                 bool isotonic, int feature_index)
    : boundaries_(std::move(boundaries)),
      predictions_(std::move(predictions)),
      isotonic_(isotonic),
      feature_index_(feature_index) {
  if (boundaries_.size() != predictions_.size())
    throw std::invalid_argument(fmt::format("IsotonicRegressionModel: {} boundaries but {} predictions",
                                            boundaries_.size(), predictions_.size()));
  detail::check_param(feature_index_ >= 0, "IsotonicRegressionModel", "feature_index", "at least 0", feature_index_);
  check_monotone(boundaries_, true, "boundaries");
  check_monotone(predictions_, isotonic_, "predictions");
}

double IsotonicRegressionModel::predict(double x) const { return interpolate(boundaries_, predictions_, x); }

double IsotonicRegressionModel::predict(const Vector& features) const {
  if (feature_index_ >= features.size()) throw std::invalid_argument(index_outside(feature_index_, features.size()));
  return predict(features[feature_index_]);
}

RDD<double> IsotonicRegressionModel::predict(const RDD<double>& features) const {
  return features.map(Predict{boundaries_, predictions_, feature_index_});
}

RDD<double> IsotonicRegressionModel::predict(const RDD<Vector>& features) const {
  return features.map(Predict{boundaries_, predictions_, feature_index_});
}

void IsotonicRegressionModel::save(const std::string& path, bool overwrite) const {
  detail::Metadata m;
  m.set_flag("isotonic", isotonic_);
  m.set("feature_index", static_cast<double>(feature_index_));
  m.set("num_boundaries", static_cast<double>(boundaries_.size()));
  ByteWriter data;
  data(boundaries_, predictions_);
  detail::save_model(path, kModelClass, m, data.bytes(), overwrite);
}

IsotonicRegressionModel IsotonicRegressionModel::load(const std::string& path) {
  auto saved = detail::load_model(path, kModelClass);
  std::vector<double> boundaries, predictions;
  try {
    ByteReader r(saved.data);
    r(boundaries, predictions);
  } catch (const std::exception& e) {
    throw std::runtime_error("IsotonicRegressionModel.load(" + path + "): data.bin does not decode: " + e.what());
  }
  if (boundaries.size() != predictions.size() ||
      static_cast<double>(boundaries.size()) != saved.metadata.number("num_boundaries"))
    throw std::runtime_error("IsotonicRegressionModel.load(" + path + "): data.bin does not match metadata.json");
  try {
    return IsotonicRegressionModel(std::move(boundaries), std::move(predictions), saved.metadata.flag("isotonic"),
                                   static_cast<int>(saved.metadata.number("feature_index")));
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("IsotonicRegressionModel.load(" + path + "): " + e.what());
  }
}

IsotonicRegression& IsotonicRegression::feature_index(int v) {
  detail::check_param(v >= 0, "IsotonicRegression", "feature_index", "at least 0", v);
  feature_index_ = v;
  return *this;
}

namespace isotonic_regression_impl {

template <class T>
IsotonicRegressionModel fit_points(const RDD<T>& data, bool isotonic, int32_t index) {
  const double sign = isotonic ? 1.0 : -1.0;
  std::vector<Point> pooled;
  if (data.num_partitions() > 0) {
    auto parts =
        data.map(ToPoint{index, sign}).sort_by(FeatureKey{}).map_partitions(PoolPartition{index, sign}).collect();
    for (auto& part : parts) {
      if (!part.error.empty()) throw std::invalid_argument(part.error);
      pooled.insert(pooled.end(), part.points.begin(), part.points.end());
    }
  }
  // In partition order, which is feature order; sorted again as Spark does.
  std::stable_sort(pooled.begin(), pooled.end(), [](const Point& a, const Point& b) { return a.feature < b.feature; });
  pooled = pool_adjacent_violators(pooled);
  std::vector<double> boundaries, predictions;
  boundaries.reserve(pooled.size());
  predictions.reserve(pooled.size());
  for (const Point& p : pooled) {
    boundaries.push_back(p.feature);
    predictions.push_back(p.label * sign);
  }
  spdlog::info("IsotonicRegression: {} boundaries", boundaries.size());
  return IsotonicRegressionModel(std::move(boundaries), std::move(predictions), isotonic, index);
}

}  // namespace isotonic_regression_impl

IsotonicRegressionModel IsotonicRegression::fit(const RDD<LabeledPoint>& data) const {
  return fit_points(data, isotonic_, feature_index_);
}

IsotonicRegressionModel IsotonicRegression::fit(const RDD<std::pair<LabeledPoint, double>>& weighted) const {
  return fit_points(weighted, isotonic_, feature_index_);
}

}  // namespace brasa::mllib
