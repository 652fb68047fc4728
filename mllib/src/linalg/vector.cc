#include "brasa/mllib/linalg/vector.h"

#include <algorithm>
#include <stdexcept>

#include "util/spark_format.h"

namespace brasa::mllib {

Vector Vector::dense(std::vector<double> values) {
  Vector v;
  v.values_ = std::move(values);
  return v;
}

Vector Vector::dense(const DenseVector& values) {
  return dense(std::vector<double>(values.data(), values.data() + values.size()));
}

Vector Vector::sparse(int32_t size, std::vector<int32_t> indices, std::vector<double> values) {
  if (size < 0) throw std::invalid_argument("Vector::sparse: size must be at least 0, got " + std::to_string(size));
  if (indices.size() != values.size())
    throw std::invalid_argument("Vector::sparse: " + std::to_string(indices.size()) + " indices but " +
                                std::to_string(values.size()) + " values");
  for (size_t k = 0; k < indices.size(); ++k) {
    if (indices[k] < 0 || indices[k] >= size)
      throw std::invalid_argument("Vector::sparse: index " + std::to_string(indices[k]) + " is outside [0, " +
                                  std::to_string(size) + ")");
    if (k > 0 && indices[k] <= indices[k - 1])
      throw std::invalid_argument("Vector::sparse: indices must ascend strictly, got " +
                                  std::to_string(indices[k - 1]) + " then " + std::to_string(indices[k]));
  }
  Vector v;
  v.sparse_ = true;
  v.size_ = size;
  v.indices_ = std::move(indices);
  v.values_ = std::move(values);
  return v;
}

int32_t Vector::num_nonzeros() const {
  return static_cast<int32_t>(std::count_if(values_.begin(), values_.end(), [](double x) { return x != 0.0; }));
}

double Vector::operator[](int32_t i) const {
  if (i < 0 || i >= size())
    throw std::out_of_range("Vector: index " + std::to_string(i) + " is outside [0, " + std::to_string(size()) + ")");
  if (!sparse_) return values_[i];
  auto it = std::lower_bound(indices_.begin(), indices_.end(), i);
  return it != indices_.end() && *it == i ? values_[it - indices_.begin()] : 0.0;
}

DenseVector Vector::to_dense() const {
  DenseVector out = DenseVector::Zero(size());
  for_each_active([&](int32_t i, double x) { out[i] = x; });
  return out;
}

Vector Vector::to_sparse() const {
  std::vector<int32_t> indices;
  std::vector<double> values;
  for_each_active([&](int32_t i, double x) {
    if (x != 0.0) {
      indices.push_back(i);
      values.push_back(x);
    }
  });
  return sparse(size(), std::move(indices), std::move(values));
}

Vector Vector::compressed() const {
  if (1.5 * (num_nonzeros() + 1.0) < size()) return sparse_ && num_nonzeros() == num_actives() ? *this : to_sparse();
  return sparse_ ? dense(to_dense()) : *this;
}

double Vector::dot(const DenseVector& y) const {
  if (y.size() != size())
    throw std::invalid_argument("Vector::dot: sizes differ (" + std::to_string(size()) + " and " +
                                std::to_string(y.size()) + ")");
  double s = 0;
  for_each_active([&](int32_t i, double x) { s += x * y[i]; });
  return s;
}

void Vector::add_scaled_to(double a, DenseVector& y) const {
  if (y.size() != size())
    throw std::invalid_argument("Vector::add_scaled_to: sizes differ (" + std::to_string(size()) + " and " +
                                std::to_string(y.size()) + ")");
  for_each_active([&](int32_t i, double x) { y[i] += a * x; });
}

bool Vector::operator==(const Vector& other) const {
  if (size() != other.size()) return false;
  if (sparse_ == other.sparse_) return indices_ == other.indices_ && values_ == other.values_;
  return to_dense() == other.to_dense();
}

std::string Vector::to_string() const {
  std::string s;
  auto list = [&](auto values) {
    s += '[';
    for (size_t k = 0; k < values.size(); ++k) {
      if (k) s += ',';
      if constexpr (std::is_same_v<decltype(values), std::span<const double>>) {
        detail::append_double(s, values[k]);
      } else {
        s += std::to_string(values[k]);
      }
    }
    s += ']';
  };
  if (!sparse_) {
    list(values());
  } else {
    s += '(' + std::to_string(size_) + ',';
    list(indices());
    s += ',';
    list(values());
    s += ')';
  }
  return s;
}

}  // namespace brasa::mllib
