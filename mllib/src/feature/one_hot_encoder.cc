#include "brasa/mllib/feature/one_hot_encoder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "util/model_io.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace one_hot_encoder_impl {

constexpr const char* kModelClass = "brasa.mllib.OneHotEncoderModel";
constexpr int kMaxIndex = std::numeric_limits<int32_t>::max() - 1;  // so that max + 1 is an int

void check_handle_invalid(const char* who, const std::string& v) {
  if (v != "error" && v != "keep")
    throw std::invalid_argument(fmt::format("{}: handle_invalid must be \"error\" or \"keep\", got \"{}\"", who, v));
}

// Spark's configured sizes: n - 1 with drop_last, one more for invalid
// values with "keep", the two cancelling out when both hold.
int block_size(int categories, bool drop_last, bool keep_invalid) {
  if (!drop_last && keep_invalid) return categories + 1;
  if (drop_last && !keep_invalid) return categories - 1;
  return categories;
}

int total_size(const std::vector<int>& sizes, bool drop_last, bool keep_invalid) {
  int64_t total = 0;
  for (int n : sizes) total += block_size(n, drop_last, keep_invalid);
  if (total > std::numeric_limits<int32_t>::max())
    throw std::invalid_argument(
        fmt::format("OneHotEncoderModel: the encoded vectors would have {} entries, more "
                    "than a Vector's 2^31 - 1",
                    total));
  return static_cast<int>(total);
}

// Per column, the largest index seen. Errors found on executors travel
// back in `error` and are thrown on the driver.
struct MaxIndices {
  int32_t columns = -1;  // set by the first row
  std::vector<double> max;
  std::string error;
  template <class Ar> void serialize(Ar& ar) { ar(columns, max, error); }

  void add(const std::vector<double>& row) {
    if (!error.empty()) return;
    if (columns < 0) {
      if (row.empty()) {
        error = "OneHotEncoder: rows must have at least one column";
        return;
      }
      columns = static_cast<int32_t>(row.size());
      max.assign(row.size(), 0.0);
    } else if (row.size() != static_cast<size_t>(columns)) {
      error = fmt::format("OneHotEncoder: rows have different numbers of columns ({} and {})", columns, row.size());
      return;
    }
    for (size_t j = 0; j < row.size(); ++j) {
      const double x = row[j];
      if (!(x >= 0 && x == std::floor(x) && x <= kMaxIndex)) {
        error = fmt::format(
            "OneHotEncoder: values of column {} must be category indices (integers from 0 to {}), "
            "got {}",
            j, kMaxIndex, x);
        return;
      }
      max[j] = std::max(max[j], x);
    }
  }

  void merge(const MaxIndices& b) {
    if (!error.empty()) return;
    if (!b.error.empty()) {
      error = b.error;
      return;
    }
    if (b.columns < 0) return;
    if (columns < 0) {
      *this = b;
      return;
    }
    if (columns != b.columns) {
      error = fmt::format("OneHotEncoder: rows have different numbers of columns ({} and {})", columns, b.columns);
      return;
    }
    for (size_t j = 0; j < max.size(); ++j) max[j] = std::max(max[j], b.max[j]);
  }
};

struct AddRow {
  MaxIndices operator()(MaxIndices acc, const std::vector<double>& row) const {
    acc.add(row);
    return acc;
  }
};

struct MergeMaxIndices {
  MaxIndices operator()(MaxIndices a, const MaxIndices& b) const {
    a.merge(b);
    return a;
  }
};

struct Encode {
  std::vector<int> sizes;
  bool drop_last = true;
  bool keep_invalid = false;
  int total = 0;
  template <class Ar> void serialize(Ar& ar) { ar(sizes, drop_last, keep_invalid, total); }

  [[noreturn]] static void invalid(size_t column, double x, int categories) {
    std::string why = std::isnan(x)        ? "NaN is not a category index"
                      : x < 0              ? "negative values are not category indices"
                      : x != std::floor(x) ? "category indices are integers"
                                           : fmt::format("unseen when fitting, which found {} categories (0 to {})",
                                                         categories, categories - 1);
    throw std::invalid_argument(
        fmt::format("OneHotEncoderModel: invalid value {} in column {}: {}. To encode invalid "
                    "values as an extra category, set handle_invalid to \"keep\"",
                    x, column, why));
  }

  Vector operator()(const std::vector<double>& row) const {
    if (row.size() != sizes.size())
      throw std::invalid_argument(
          fmt::format("OneHotEncoderModel: the model has {} columns, the row {}", sizes.size(), row.size()));
    std::vector<int32_t> indices;
    indices.reserve(row.size());
    int32_t offset = 0;
    for (size_t j = 0; j < row.size(); ++j) {
      const int n = sizes[j];
      const double x = row[j];
      int index;
      if (x >= 0 && x < n && x == std::floor(x)) {
        index = static_cast<int>(x);
      } else if (keep_invalid) {
        index = n;
      } else {
        invalid(j, x, n);
      }
      const int size = block_size(n, drop_last, keep_invalid);
      if (index < size) indices.push_back(offset + index);
      offset += size;
    }
    std::vector<double> ones(indices.size(), 1.0);
    return Vector::sparse(total, std::move(indices), std::move(ones));
  }
};

}  // namespace one_hot_encoder_impl
using namespace one_hot_encoder_impl;

OneHotEncoderModel::OneHotEncoderModel(std::vector<int> category_sizes, bool drop_last,
                                       const std::string& handle_invalid)
    : category_sizes_(std::move(category_sizes)), drop_last_(drop_last) {
  for (size_t j = 0; j < category_sizes_.size(); ++j)
    if (category_sizes_[j] < 1)
      throw std::invalid_argument(
          fmt::format("OneHotEncoderModel: column {} must have at least 1 category, got {}", j, category_sizes_[j]));
  this->handle_invalid(handle_invalid);
}

OneHotEncoderModel& OneHotEncoderModel::handle_invalid(const std::string& v) {
  check_handle_invalid("OneHotEncoderModel", v);
  handle_invalid_ = v;
  return *this;
}

int OneHotEncoderModel::num_features() const {
  return total_size(category_sizes_, drop_last_, handle_invalid_ == "keep");
}

Vector OneHotEncoderModel::transform(const std::vector<double>& row) const {
  return Encode{category_sizes_, drop_last_, handle_invalid_ == "keep", num_features()}(row);
}

RDD<Vector> OneHotEncoderModel::transform(const RDD<std::vector<double>>& rows) const {
  return rows.map(Encode{category_sizes_, drop_last_, handle_invalid_ == "keep", num_features()});
}

void OneHotEncoderModel::save(const std::string& path, bool overwrite) const {
  detail::Metadata m;
  m.set("num_columns", static_cast<double>(num_columns()));
  m.set_flag("drop_last", drop_last_);
  m.set("handle_invalid", handle_invalid_);
  ByteWriter data;
  data(category_sizes_);
  detail::save_model(path, kModelClass, m, data.bytes(), overwrite);
}

OneHotEncoderModel OneHotEncoderModel::load(const std::string& path) {
  auto saved = detail::load_model(path, kModelClass);
  std::vector<int> sizes;
  try {
    ByteReader r(saved.data);
    r(sizes);
  } catch (const std::exception& e) {
    throw std::runtime_error("OneHotEncoderModel.load(" + path + "): data.bin does not decode: " + e.what());
  }
  if (static_cast<double>(sizes.size()) != saved.metadata.number("num_columns"))
    throw std::runtime_error("OneHotEncoderModel.load(" + path + "): data.bin's sizes do not match metadata.json");
  try {
    return OneHotEncoderModel(std::move(sizes), saved.metadata.flag("drop_last"),
                              saved.metadata.text("handle_invalid"));
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("OneHotEncoderModel.load(" + path + "): " + e.what());
  }
}

OneHotEncoder& OneHotEncoder::handle_invalid(const std::string& v) {
  check_handle_invalid("OneHotEncoder", v);
  handle_invalid_ = v;
  return *this;
}

OneHotEncoderModel OneHotEncoder::fit(const RDD<std::vector<double>>& rows) const {
  MaxIndices m = rows.tree_aggregate(MaxIndices{}, AddRow{}, MergeMaxIndices{});
  if (!m.error.empty()) throw std::invalid_argument(m.error);
  if (m.columns < 0) throw std::invalid_argument("OneHotEncoder: there are no rows");
  std::vector<int> sizes;
  for (double x : m.max) sizes.push_back(static_cast<int>(x) + 1);
  OneHotEncoderModel model(std::move(sizes), drop_last_, handle_invalid_);
  model.num_features();  // throws if the encoded vectors would be too long
  spdlog::info("OneHotEncoder: {} columns, {} features", model.num_columns(), model.num_features());
  return model;
}

}  // namespace brasa::mllib
