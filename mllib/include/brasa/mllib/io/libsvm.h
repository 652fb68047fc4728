// LIBSVM text files: "label index:value index:value ..." per line, indices
// one-based and ascending (Spark's MLUtils.loadLibSVMFile). Blank lines and
// lines starting with '#' are skipped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "brasa/context.h"
#include "brasa/mllib/labeled_point.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

struct LibSVMOptions {
  int32_t num_features = 0;  // 0: one more than the largest index in the data
  int partitions = 0;        // minimum partitions of the text input (0: the default)
};

// The points of the file(s) at `path` (a file, directory or glob), with
// sparse features of size num_features. Reads the data once to check every
// line (and to find the number of features): a bad line throws
// std::runtime_error naming its file and line number.
RDD<LabeledPoint> load_libsvm(Context& ctx, const std::string& path, LibSVMOptions options = {});

// Parses one line into `out` (features of size num_features; < 0: just big
// enough for the line). Returns false for a blank or comment line; throws
// std::invalid_argument on a malformed one.
bool parse_libsvm_line(std::string_view line, int32_t num_features, LabeledPoint& out);

}  // namespace brasa::mllib
