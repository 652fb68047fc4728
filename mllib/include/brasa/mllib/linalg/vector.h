// Vector: Spark MLlib's feature vector, dense or sparse, as one record type.
//
//   auto d = Vector::dense({1.0, 0.0, 3.0});
//   auto s = Vector::sparse(3, {0, 2}, {1.0, 3.0});   // the same values
//   d == s;                                           // true: equality is by value
//
// Dense vectors hold every value; sparse ones hold ascending indices and
// their values (Spark's SparseVector, 32-bit indices). Both cross processes
// and count their heap bytes in the core's memory budgets. DenseVector and
// DenseMatrix are Eigen's own types, which the core already ships as records.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace brasa::mllib {

using DenseVector = Eigen::VectorXd;
using DenseMatrix = Eigen::MatrixXd;  // column-major, as Spark's DenseMatrix

class Vector {
 public:
  Vector() = default;  // the empty dense vector

  static Vector dense(std::vector<double> values);
  static Vector dense(std::initializer_list<double> values) { return dense(std::vector<double>(values)); }
  static Vector dense(const DenseVector& values);
  // Throws std::invalid_argument unless indices ascend strictly within
  // [0, size) and match values in number.
  static Vector sparse(int32_t size, std::vector<int32_t> indices, std::vector<double> values);
  static Vector zeros(int32_t size) { return dense(std::vector<double>(size, 0.0)); }

  bool is_sparse() const { return sparse_; }
  int32_t size() const { return sparse_ ? size_ : static_cast<int32_t>(values_.size()); }
  // Stored entries (every entry of a dense vector).
  int32_t num_actives() const { return static_cast<int32_t>(values_.size()); }
  // Entries that are not 0.
  int32_t num_nonzeros() const;
  double operator[](int32_t i) const;

  // Indices of the stored entries (empty for a dense vector) and their values.
  std::span<const int32_t> indices() const { return indices_; }
  std::span<const double> values() const { return values_; }

  DenseVector to_dense() const;
  // The same values, sparse when that takes less memory (Spark's compressed).
  Vector compressed() const;
  Vector to_sparse() const;

  // f(index, value) for every stored entry.
  template <class F> void for_each_active(F&& f) const {
    if (sparse_) {
      for (size_t k = 0; k < values_.size(); ++k) f(indices_[k], values_[k]);
    } else {
      for (size_t k = 0; k < values_.size(); ++k) f(static_cast<int32_t>(k), values_[k]);
    }
  }

  // x . y and y += a * x for a dense y of the same size.
  double dot(const DenseVector& y) const;
  void add_scaled_to(double a, DenseVector& y) const;

  bool operator==(const Vector& other) const;
  std::string to_string() const;  // Spark's format: [1.0,2.0] or (3,[0,2],[1.0,3.0])

  size_t heap_bytes() const { return indices_.capacity() * sizeof(int32_t) + values_.capacity() * sizeof(double); }
  template <class Archive> void serialize(Archive& ar) { ar(sparse_, size_, indices_, values_); }

 private:
  bool sparse_ = false;
  int32_t size_ = 0;  // used when sparse
  std::vector<int32_t> indices_;
  std::vector<double> values_;
};

}  // namespace brasa::mllib
