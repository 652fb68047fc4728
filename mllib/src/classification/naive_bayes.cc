#include "brasa/mllib/classification/naive_bayes.h"

#include <cmath>
#include <map>
#include <stdexcept>

#include <spdlog/fmt/fmt.h>

#include "instance_block.h"
#include "util/checks.h"
#include "util/model_io.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace naive_bayes_impl {

constexpr const char* kModelClass = "brasa.mllib.NaiveBayesModel";

// Per class: weight, and weighted sums of each feature and of its square.
struct ClassSums {
  double weight = 0;
  DenseVector sum;
  DenseVector square_sum;
  template <class Ar> void serialize(Ar& ar) { ar(weight, sum, square_sum); }
};
using SumsByLabel = std::map<double, ClassSums>;

struct AddBlock {
  int kind = 0;  // 0 multinomial, 1 bernoulli, 2 gaussian
  SumsByLabel operator()(SumsByLabel acc, const detail::InstanceBlock& blk) const {
    for (int32_t i = 0; i < blk.rows; ++i) {
      auto& s = acc[blk.labels[i]];
      if (s.sum.size() == 0) {
        s.sum = DenseVector::Zero(blk.cols);
        if (kind == 2) s.square_sum = DenseVector::Zero(blk.cols);
      }
      const double w = blk.weights[i];
      s.weight += w;
      blk.for_each_in_row(i, [&](int32_t j, double x) {
        if (kind == 0 && x < 0)
          throw std::invalid_argument(fmt::format(
              "NaiveBayes: multinomial naive Bayes requires nonnegative feature values, but the point at "
              "position {} has {} at feature {}",
              blk.first + i, x, j));
        if (kind == 1 && x != 0 && x != 1)
          throw std::invalid_argument(fmt::format(
              "NaiveBayes: Bernoulli naive Bayes requires 0 or 1 feature values, but the point at position {} "
              "has {} at feature {}",
              blk.first + i, x, j));
        s.sum[j] += w * x;
        if (kind == 2) s.square_sum[j] += w * x * x;
      });
    }
    return acc;
  }
};

struct MergeSums {
  SumsByLabel operator()(SumsByLabel a, const SumsByLabel& b) const {
    for (const auto& [label, s] : b) {
      auto& t = a[label];
      if (t.sum.size() == 0) {
        t = s;
        continue;
      }
      t.weight += s.weight;
      t.sum += s.sum;
      if (s.square_sum.size() != 0) t.square_sum += s.square_sum;
    }
    return a;
  }
};

// The model's arithmetic, shippable to executors.
struct Scorer {
  int kind = 0;
  std::vector<double> labels;
  DenseVector pi;
  DenseMatrix theta, sigma;
  template <class Ar> void serialize(Ar& ar) { ar(kind, labels, pi, theta, sigma); }

  DenseVector raw(const Vector& x) const {
    DenseVector out = pi;
    if (kind == 0) {
      x.for_each_active([&](int32_t j, double v) {
        if (v < 0)
          throw std::invalid_argument(fmt::format("NaiveBayesModel: multinomial naive Bayes requires nonnegative "
                                                  "feature values, found {} at feature {}",
                                                  v, j));
        out += v * theta.col(j);
      });
    } else if (kind == 1) {
      // log P(x|c) = sum_j x_j theta_cj + (1 - x_j) log(1 - e^theta_cj)
      DenseMatrix negative = theta.unaryExpr([](double t) { return std::log1p(-std::exp(t)); });
      out += negative.rowwise().sum();
      x.for_each_active([&](int32_t j, double v) {
        if (v != 0 && v != 1)
          throw std::invalid_argument(fmt::format(
              "NaiveBayesModel: Bernoulli naive Bayes requires 0 or 1 feature values, found {} at feature {}", v, j));
        if (v == 1) out += theta.col(j) - negative.col(j);
      });
    } else {
      const DenseVector dense = x.to_dense();
      for (Eigen::Index c = 0; c < theta.rows(); ++c) {
        double s = 0, log_var = 0;
        for (Eigen::Index j = 0; j < theta.cols(); ++j) {
          const double d = dense[j] - theta(c, j);
          s += d * d / sigma(c, j);
          log_var += std::log(sigma(c, j));
        }
        out[c] = pi[c] - (s + log_var) / 2;
      }
    }
    return out;
  }
  double predict(const Vector& x) const {
    Eigen::Index best;
    raw(x).maxCoeff(&best);
    return labels[best];
  }
};

struct Predict {
  Scorer scorer;
  template <class Ar> void serialize(Ar& ar) { ar(scorer); }
  double operator()(const Vector& x) const { return scorer.predict(x); }
};

struct PredictionAndLabel {
  Scorer scorer;
  template <class Ar> void serialize(Ar& ar) { ar(scorer); }
  std::pair<double, double> operator()(const LabeledPoint& p) const { return {scorer.predict(p.features), p.label}; }
};

int kind_of(const std::string& type) { return type == "multinomial" ? 0 : type == "bernoulli" ? 1 : 2; }

Scorer scorer_of(const std::string& type, const std::vector<double>& labels, const DenseVector& pi,
                 const DenseMatrix& theta, const DenseMatrix& sigma) {
  return Scorer{kind_of(type), labels, pi, theta, sigma};
}

}  // namespace naive_bayes_impl
using namespace naive_bayes_impl;

DenseVector NaiveBayesModel::raw_prediction(const Vector& features) const {
  detail::check_features("NaiveBayesModel", num_features(), features);
  return scorer_of(model_type_, labels_, pi_, theta_, sigma_).raw(features);
}

DenseVector NaiveBayesModel::probabilities(const Vector& features) const {
  DenseVector raw = raw_prediction(features);
  DenseVector p = (raw.array() - raw.maxCoeff()).exp();
  return p / p.sum();
}

double NaiveBayesModel::predict(const Vector& features) const {
  detail::check_features("NaiveBayesModel", num_features(), features);
  return scorer_of(model_type_, labels_, pi_, theta_, sigma_).predict(features);
}

RDD<double> NaiveBayesModel::predict(const RDD<Vector>& features) const {
  return features.map(Predict{scorer_of(model_type_, labels_, pi_, theta_, sigma_)});
}

RDD<std::pair<double, double>> NaiveBayesModel::prediction_and_labels(const RDD<LabeledPoint>& points) const {
  return points.map(PredictionAndLabel{scorer_of(model_type_, labels_, pi_, theta_, sigma_)});
}

void NaiveBayesModel::save(const std::string& path, bool overwrite) const {
  detail::Metadata m;
  m.set("model_type", model_type_);
  m.set("num_classes", static_cast<double>(num_classes()));
  m.set("num_features", static_cast<double>(num_features()));
  ByteWriter data;
  data(labels_, pi_, theta_, sigma_);
  detail::save_model(path, kModelClass, m, data.bytes(), overwrite);
}

NaiveBayesModel NaiveBayesModel::load(const std::string& path) {
  auto saved = detail::load_model(path, kModelClass);
  NaiveBayesModel model;
  try {
    ByteReader r(saved.data);
    r(model.labels_, model.pi_, model.theta_, model.sigma_);
  } catch (const std::exception& e) {
    throw std::runtime_error("NaiveBayesModel.load(" + path + "): data.bin does not decode: " + e.what());
  }
  model.model_type_ = saved.metadata.text("model_type");
  if (model.num_classes() != saved.metadata.number("num_classes") || model.pi_.size() != model.num_classes() ||
      model.theta_.rows() != model.num_classes() || model.num_features() != saved.metadata.number("num_features"))
    throw std::runtime_error("NaiveBayesModel.load(" + path + "): data.bin does not match metadata.json");
  return model;
}

NaiveBayes& NaiveBayes::smoothing(double v) {
  detail::check_param(v >= 0, "NaiveBayes", "smoothing", "at least 0", v);
  smoothing_ = v;
  return *this;
}

NaiveBayes& NaiveBayes::model_type(const std::string& v) {
  if (v != "multinomial" && v != "bernoulli" && v != "gaussian")
    throw std::invalid_argument("NaiveBayes: model_type must be \"multinomial\", \"bernoulli\" or \"gaussian\", got \"" +
                                v + "\"");
  model_type_ = v;
  return *this;
}

NaiveBayesModel NaiveBayes::fit(const RDD<LabeledPoint>& data) const {
  auto blocks = detail::make_blocks(data, "NaiveBayes");
  const int kind = kind_of(model_type_);
  const SumsByLabel sums = blocks.rdd.tree_aggregate(SumsByLabel{}, AddBlock{kind}, MergeSums{});
  const int d = blocks.num_features, k = static_cast<int>(sums.size());
  NaiveBayesModel model;
  model.model_type_ = model_type_;
  model.pi_.resize(k);
  model.theta_.resize(k, d);
  double total = 0;
  for (const auto& [label, s] : sums) total += s.weight;
  const double lambda = smoothing_;
  int c = 0;
  if (kind == 2) {
    // var_smoothing: 1e-9 times the largest population variance over all the data.
    DenseVector sum = DenseVector::Zero(d), square_sum = DenseVector::Zero(d);
    for (const auto& [label, s] : sums) {
      sum += s.sum;
      square_sum += s.square_sum;
    }
    const double epsilon =
        d == 0 ? 0.0 : (square_sum / total - (sum / total).cwiseAbs2()).maxCoeff() * 1e-9;
    model.sigma_.resize(k, d);
    for (const auto& [label, s] : sums) {
      model.labels_.push_back(label);
      model.pi_[c] = std::log(s.weight) - std::log(total);
      const DenseVector mean = s.sum / s.weight;
      model.theta_.row(c) = mean.transpose();
      model.sigma_.row(c) = (epsilon + (s.square_sum / s.weight - mean.cwiseAbs2()).array()).matrix().transpose();
      ++c;
    }
    return model;
  }
  const double pi_denominator = std::log(total + k * lambda);
  for (const auto& [label, s] : sums) {
    model.labels_.push_back(label);
    model.pi_[c] = std::log(s.weight + lambda) - pi_denominator;
    const double theta_denominator =
        kind == 0 ? std::log(s.sum.sum() + d * lambda) : std::log(s.weight + 2.0 * lambda);
    model.theta_.row(c) = ((s.sum.array() + lambda).log() - theta_denominator).matrix().transpose();
    ++c;
  }
  return model;
}

}  // namespace brasa::mllib
