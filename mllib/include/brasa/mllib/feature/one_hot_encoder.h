// One-hot encoding of category indices as Spark ML's OneHotEncoder, for
// rows of several categorical columns at once:
//
//   auto model = OneHotEncoder().fit(rows);          // RDD<std::vector<double>>
//   Vector v = model.transform({2.0, 0.0});          // one sparse vector per row
//
// Each row holds one category index (0, 1, 2, ... as a double) per column.
// fit finds each column's number of categories, its largest index + 1, and
// throws std::invalid_argument naming the column for a value that is not a
// non-negative integer (NaN included), as Spark does. transform encodes each
// column as a sparse block and concatenates the blocks in column order:
// category c of a column with n categories sets entry c of its block, whose
// size is
//   n - 1 with drop_last (the default: the last category is all zeros, as the
//         entries would otherwise always sum to 1), n without;
//   one more with handle_invalid "keep", the extra entry standing for
//         invalid values (with drop_last that is the dropped one, so invalid
//         values are all zeros and the size is n).
// An invalid value is a negative one, one at or beyond n (unseen when
// fitting), NaN or a non-integer. With handle_invalid "error" (the default)
// transform throws std::invalid_argument naming the column and the value.
// Spark's own transform truncates a non-integer such as 1.5 to 1; here it is
// invalid.
#pragma once

#include <string>
#include <vector>

#include "brasa/mllib/linalg/vector.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class OneHotEncoderModel {
 public:
  OneHotEncoderModel() = default;
  explicit OneHotEncoderModel(std::vector<int> category_sizes, bool drop_last = true,
                              const std::string& handle_invalid = "error");

  // Per column, the number of categories seen when fitting.
  const std::vector<int>& category_sizes() const { return category_sizes_; }
  int num_columns() const { return static_cast<int>(category_sizes_.size()); }
  // The size of the encoded vector: the blocks' sizes with drop_last and
  // handle_invalid applied, summed.
  int num_features() const;

  // Both can be changed after fitting, as in Spark.
  OneHotEncoderModel& drop_last(bool v) {
    drop_last_ = v;
    return *this;
  }
  OneHotEncoderModel& handle_invalid(const std::string& v);  // "error" or "keep"
  bool drop_last() const { return drop_last_; }
  const std::string& handle_invalid() const { return handle_invalid_; }

  // Throws std::invalid_argument for a row with another number of columns.
  Vector transform(const std::vector<double>& row) const;
  RDD<Vector> transform(const RDD<std::vector<double>>& rows) const;

  void save(const std::string& path, bool overwrite = false) const;
  static OneHotEncoderModel load(const std::string& path);

 private:
  std::vector<int> category_sizes_;
  bool drop_last_ = true;
  std::string handle_invalid_ = "error";
};

class OneHotEncoder {
 public:
  OneHotEncoder& drop_last(bool v) {  // default true
    drop_last_ = v;
    return *this;
  }
  // "error" (the default) or "keep"; used by transform only: fit always
  // throws on invalid values.
  OneHotEncoder& handle_invalid(const std::string& v);
  bool drop_last() const { return drop_last_; }
  const std::string& handle_invalid() const { return handle_invalid_; }

  // Throws std::invalid_argument for an empty input, rows of different
  // lengths or with no columns, and invalid values.
  OneHotEncoderModel fit(const RDD<std::vector<double>>& rows) const;

 private:
  bool drop_last_ = true;
  std::string handle_invalid_ = "error";
};

}  // namespace brasa::mllib
