#include "brasa/mllib/feature/vector_assembler.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <spdlog/fmt/fmt.h>

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace vector_assembler_impl {

enum class Invalid : int { kError, kKeep, kSkip };

Invalid mode_of(const std::string& v) {
  if (v == "error") return Invalid::kError;
  if (v == "keep") return Invalid::kKeep;
  if (v == "skip") return Invalid::kSkip;
  throw std::invalid_argument("VectorAssembler: handle_invalid must be \"error\", \"keep\" or \"skip\", got \"" + v +
                              "\"");
}

// Appends the row's values after `size` entries, zeros left out.
struct Builder {
  std::vector<int32_t> indices;
  std::vector<double> values;
  int64_t size = 0;

  void grow(int64_t n) const {
    if (size + n > std::numeric_limits<int32_t>::max())
      throw std::invalid_argument("VectorAssembler: the assembled vector would have more than 2^31 - 1 entries");
  }
  void add(double x) {
    grow(1);
    if (x != 0.0) {
      indices.push_back(static_cast<int32_t>(size));
      values.push_back(x);
    }
    ++size;
  }
  void add(const Vector& v) {
    grow(v.size());
    const auto offset = static_cast<int32_t>(size);
    v.for_each_active([&](int32_t i, double x) {
      if (x != 0.0) {
        indices.push_back(offset + i);
        values.push_back(x);
      }
    });
    size += v.size();
  }
  Vector finish() {
    return Vector::sparse(static_cast<int32_t>(size), std::move(indices), std::move(values)).compressed();
  }
};

Vector assemble_vectors(const std::vector<Vector>& row) {
  Builder b;
  for (const auto& v : row) b.add(v);
  return b.finish();
}

std::optional<Vector> assemble(const std::vector<AssemblerValue>& row, Invalid mode) {
  Builder b;
  for (size_t k = 0; k < row.size(); ++k) {
    const auto& value = row[k];
    if (value.is_vector) {
      b.add(value.vector);
      continue;
    }
    if (std::isnan(value.number)) {
      if (mode == Invalid::kSkip) return std::nullopt;
      if (mode == Invalid::kError)
        throw std::invalid_argument(fmt::format(
            "VectorAssembler: value {} of the row is NaN, with handle_invalid \"error\". Remove NaNs from the data "
            "or set handle_invalid to \"keep\" or \"skip\"",
            k));
    }
    b.add(value.number);
  }
  return b.finish();
}

struct AssembleVectors {
  Vector operator()(const std::vector<Vector>& row) const { return assemble_vectors(row); }
};

// Zero or one vector per row: none for a row that "skip" drops.
struct AssembleValues {
  Invalid mode = Invalid::kError;
  std::vector<Vector> operator()(const std::vector<AssemblerValue>& row) const {
    std::vector<Vector> out;
    if (auto v = assemble(row, mode)) out.push_back(std::move(*v));
    return out;
  }
};

}  // namespace vector_assembler_impl
using namespace vector_assembler_impl;

VectorAssembler& VectorAssembler::handle_invalid(const std::string& v) {
  mode_of(v);
  handle_invalid_ = v;
  return *this;
}

std::optional<Vector> VectorAssembler::transform(const std::vector<AssemblerValue>& row) const {
  return assemble(row, mode_of(handle_invalid_));
}

Vector VectorAssembler::transform(const std::vector<Vector>& row) const { return assemble_vectors(row); }

RDD<Vector> VectorAssembler::transform(const RDD<std::vector<AssemblerValue>>& rows) const {
  return rows.flat_map(AssembleValues{mode_of(handle_invalid_)});
}

RDD<Vector> VectorAssembler::transform(const RDD<std::vector<Vector>>& rows) const {
  return rows.map(AssembleVectors{});
}

}  // namespace brasa::mllib
