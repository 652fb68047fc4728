// Concatenation of a row's numbers and vectors into one feature vector, as
// Spark ML's VectorAssembler:
//
//   auto v = VectorAssembler().transform({Vector::dense({1, 2}), Vector::sparse(3, {1}, {5.0})});
//   // v == [1.0, 2.0, 0.0, 5.0, 0.0]
//   auto w = VectorAssembler().transform({0.5, AssemblerValue(Vector::dense({1, 2}))});  // numbers too
//   // *w == [0.5, 1.0, 2.0]
//
// The values come in row order, a number taking one entry and a vector its
// size. The result has their total size and is sparse when that takes less
// memory, dense otherwise (Vector::compressed); zeros are not stored.
// A NaN number is invalid: with handle_invalid "error" (the default)
// transform throws std::invalid_argument, with "keep" the NaN is kept, and
// with "skip" the row is dropped (the one-row transform returns nullopt).
// As in Spark, NaN entries inside vectors are not checked and pass through.
// Rows may differ in shape; each is assembled on its own.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "brasa/mllib/linalg/vector.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

// One input value of a row: a number (Spark's numeric column) or a vector.
struct AssemblerValue {
  AssemblerValue() = default;
  AssemblerValue(double x) : number(x) {}  // NOLINT: implicit, for {1.0, AssemblerValue(v)} rows
  // Explicit, so that a braced row of vectors only calls the std::vector<Vector> overload.
  explicit AssemblerValue(Vector v) : is_vector(true), vector(std::move(v)) {}

  bool is_vector = false;
  double number = 0;
  Vector vector;

  size_t heap_bytes() const { return vector.heap_bytes(); }
  template <class Ar> void serialize(Ar& ar) { ar(is_vector, number, vector); }
};

class VectorAssembler {
 public:
  VectorAssembler& handle_invalid(const std::string& v);  // "error" (default), "keep" or "skip"
  const std::string& handle_invalid() const { return handle_invalid_; }

  // nullopt when handle_invalid is "skip" and the row has a NaN number.
  std::optional<Vector> transform(const std::vector<AssemblerValue>& row) const;
  // Vectors only: never invalid, since vector entries are not checked.
  Vector transform(const std::vector<Vector>& row) const;
  // Rows with a NaN number are dropped when handle_invalid is "skip".
  RDD<Vector> transform(const RDD<std::vector<AssemblerValue>>& rows) const;
  RDD<Vector> transform(const RDD<std::vector<Vector>>& rows) const;

 private:
  std::string handle_invalid_ = "error";
};

}  // namespace brasa::mllib
