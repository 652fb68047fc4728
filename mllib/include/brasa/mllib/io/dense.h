// Text files of numbers, one row per line (CSV, TSV or blank-separated), as
// labelled points or plain vectors:
//
//   auto points = load_dense(ctx, "iris.csv", {.label_column = 4, .header = true});
//   auto rows = load_dense_vectors(ctx, "matrix.txt");    // every column a feature
//
// Fields are separated by `separator`, or, when it is 0 (auto), by commas in
// a line that has one and by runs of blanks otherwise; blanks around a field
// are ignored. Blank lines and lines starting with '#' are skipped; with
// header, so is the first line of each file. Every row must have the same
// number of columns. The data are read once to check every line: a bad
// line (a field that is not a number, an empty field, a row with another
// number of columns) throws std::invalid_argument naming its file and line
// number. Features are dense vectors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "brasa/context.h"
#include "brasa/mllib/labeled_point.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

struct DenseOptions {
  int32_t label_column = -1;  // the label's column (from 0); -1: none
  char separator = 0;         // 0: auto (comma or blanks); ' ': runs of blanks and tabs; else that character
  bool header = false;        // skip each file's first line
  int partitions = 0;         // minimum partitions (0: the default parallelism)
};

// (label, other columns) per row of the file(s) at `path` (a file,
// directory or glob). label_column must be set (>= 0).
RDD<LabeledPoint> load_dense(Context& ctx, const std::string& path, DenseOptions options = {});

// Every column but label_column (when set) per row.
RDD<Vector> load_dense_vectors(Context& ctx, const std::string& path, DenseOptions options = {});

// Parses one line's fields into `out`. Returns false for a blank or comment
// line; throws std::invalid_argument on a malformed one.
bool parse_dense_line(std::string_view line, char separator, std::vector<double>& out);

}  // namespace brasa::mllib
